"""Usage review on the client portal: the pre-bill, approve and comment, for the client's
own contacts (or a holder of the review's link) and nobody else."""

from datetime import date

from odoo import Command, http
from odoo.tests import HttpCase, tagged

from .common import BpoBillingCommon


@tagged("post_install", "-at_install")
class TestUsageReviewPortal(BpoBillingCommon, HttpCase):
    """Northwind's agreement bills metered minutes at 0.85 monthly in arrears, with client
    approval; January's 1 000 minutes were sent for approval on 1 February 2026."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.agreement = cls._create_agreement(
            [
                {
                    "product_id": cls.product_minute.id,
                    "price_unit": 0.85,
                    "tax_ids": [Command.clear()],
                }
            ],
            billing_timing="arrears",
            usage_review=True,
        )
        cls._record_usage(cls.agreement.line_ids, date(2026, 1, 12), 1000.0, "NW-1")
        cls.review = cls.env["bpo.agreement"]._cron_send_usage_reviews(date(2026, 2, 1))
        cls.user_a = cls._create_portal_contact(cls.client, "northwind_reviewer")
        cls.user_b = cls._create_portal_contact(cls.client_b, "contoso_reviewer")

    def _login(self, user):
        self.authenticate(user.login, user.login)

    def _post(self, action, data=(), token=None):
        url = f"/my/usage-reviews/{self.review.id}/{action}"
        payload = [("csrf_token", http.Request.csrf_token(self)), *data]
        if token:
            payload.append(("access_token", token))
        return self.url_open(url, data=payload)

    def test_review_page_shows_prebill(self):
        self._login(self.user_a)
        response = self.url_open(f"/my/usage-reviews/{self.review.id}")
        self.assertEqual(response.status_code, 200)
        text = response.text
        # 1 000 minutes × 0.85 = 850.00, to approve by 1 + 5 = 6 February
        for expected in (
            "Handled Minute",
            "1,000.00",
            "850.00",
            "02/06/2026",
            "o_bpo_review_approve",
        ):
            self.assertIn(expected, text)
        agreement_page = self.url_open(f"/my/agreements/{self.agreement.id}").text
        self.assertIn(f"/my/usage-reviews/{self.review.id}", agreement_page)

    def test_client_approves(self):
        self._login(self.user_a)
        response = self._post("approve")
        self.assertEqual(response.status_code, 200)
        self.assertEqual(self.review.state, "approved")
        self.assertEqual(self.review.approved_by_id, self.user_a.partner_id)
        self.assertIn("your answer was recorded", response.text)
        # the period may now be billed: 850.00, no tax on this rule
        invoice = self.agreement.action_generate_invoices(date(2026, 2, 2))
        self.assertEqual(invoice.amount_total, 850.0)

    def test_client_comments(self):
        self._login(self.user_a)
        self._post("comment", [("comment", "The 12th counts 900 minutes on our side.")])
        self.assertEqual(self.review.state, "commented")
        self.assertEqual(self.review.client_comment, "The 12th counts 900 minutes on our side.")
        self.assertTrue(self.review.activity_ids)
        self.assertFalse(self.agreement.action_generate_invoices(date(2026, 2, 10)))

    def test_empty_comment_is_refused(self):
        self._login(self.user_a)
        response = self._post("comment", [("comment", "  ")])
        self.assertIn("Write your comment", response.text)
        self.assertEqual(self.review.state, "sent")

    def test_other_client_is_refused(self):
        self._login(self.user_b)
        response = self.url_open(f"/my/usage-reviews/{self.review.id}")
        self.assertNotIn("850.00", response.text)
        self._post("approve")
        self._post("comment", [("comment", "Not ours")])
        self.assertEqual(self.review.state, "sent")
        self.assertFalse(self.review.approved_by_id)

    def test_link_holder_approves_as_recipient(self):
        token = self.review._portal_ensure_token()
        self.authenticate(None, None)  # a visitor, not logged in
        self._post("approve", token="wrong-token")
        self.assertEqual(self.review.state, "sent")
        self._post("approve", token=token)
        self.assertEqual(self.review.state, "approved")
        # sent to the client's invoice contact: the client itself here
        self.assertEqual(self.review.approved_by_id, self.client)
