from datetime import date

from odoo import Command
from odoo.tests import HttpCase, tagged


@tagged("post_install", "-at_install")
class TestFollowUpTour(HttpCase):
    """An accountant opens the follow-up, sends a reminder and sees it in the chatter."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        company = cls.env.ref("base.main_company")
        client = cls.env["res.partner"].create({"name": "Tour Late Client", "is_company": True})
        service = cls.env["product.product"].create(
            {
                "name": "Tour Overdue Retainer",
                "type": "service",
                "bpo_billing_model": "fixed",
                "taxes_id": [Command.clear()],
            }
        )
        agreement = cls.env["bpo.agreement"].create(
            {
                "partner_id": client.id,
                "company_id": company.id,
                "date_start": date(2026, 1, 1),
                "payment_term_id": cls.env.ref("account.account_payment_term_immediate").id,
                "dunning_policy_id": cls.env.ref("bpo_billing.dunning_policy_standard").id,
                "line_ids": [Command.create({"product_id": service.id, "price_unit": 900.0})],
            }
        )
        agreement.action_activate()
        cls.invoice = agreement.action_generate_invoices(date(2026, 1, 1))

    def test_send_a_reminder_from_the_follow_up(self):
        self.start_tour("/odoo", "bpo_follow_up_tour", login="admin")

        final_notice = self.env.ref("bpo_billing.dunning_stage_final")
        self.assertEqual(self.invoice.bpo_dunning_stage_id, final_notice)
        self.assertEqual(self.invoice.bpo_agreement_id.state, "suspended")
