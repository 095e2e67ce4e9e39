"""Usage review window: a period's usage is locked and sent to the client; the period is
held until the client approves, the window ends or a manager releases it; it is billed for
the locked usage, and usage recorded or changed after the lock is billed on the next
invoice as an adjustment for its period.

Every agreement bills metered minutes at 0.85 (15 % tax), monthly in arrears from
1 January 2026, with a 5-day approval window."""

from datetime import date

from odoo.exceptions import UserError
from odoo.tests import tagged

from .common import BpoBillingCommon


@tagged("post_install", "-at_install")
class TestUsageReview(BpoBillingCommon):
    def setUp(self):
        super().setUp()
        self.agreement = self._create_agreement(
            [{"product_id": self.product_minute.id, "price_unit": 0.85}],
            billing_timing="arrears",
            usage_review=True,
            usage_review_days=5,
        )
        self.minutes = self.agreement.line_ids
        self.jan_a = self._record_usage(self.minutes, date(2026, 1, 10), 600.0, "JAN-A")
        self.jan_b = self._record_usage(self.minutes, date(2026, 1, 20), 400.0, "JAN-B")

    def _clerk(self):
        """A billing user, not a manager."""
        return self.env["res.users"].create(
            {
                "name": "Billing clerk",
                "login": "bpo_review_clerk",
                "email": "clerk@example.com",
                "groups_id": [(6, 0, [self.env.ref("bpo_billing.group_bpo_user").id])],
                "company_id": self.company.id,
                "company_ids": [(6, 0, self.company.ids)],
            }
        )

    def _send(self, day):
        return (
            self.env["bpo.agreement"]
            ._cron_send_usage_reviews(day)
            .filtered(lambda review: review.agreement_id == self.agreement)
        )

    def _bill(self, day):
        return self.agreement.action_generate_invoices(day)

    def _rule_lines(self, invoice):
        return invoice.invoice_line_ids.filtered(lambda line: line.bpo_line_kind == "charge")

    def _adjustment_lines(self, invoice):
        return invoice.invoice_line_ids.filtered(
            lambda line: line.bpo_line_kind == "usage_adjustment"
        )

    def test_period_held_until_sent_then_approved(self):
        # January has ended but its usage was not sent: nothing is billed
        self.assertFalse(self._bill(date(2026, 2, 1)))
        self.assertIn("sent to the client", self.agreement.usage_review_hold_reason)
        self.assertFalse(self._send(date(2026, 1, 31)), "January has not ended on the 31st")

        review = self._send(date(2026, 2, 1))
        self.assertEqual(review.state, "sent")
        self.assertEqual(
            (review.usage_start, review.usage_end), (date(2026, 1, 1), date(2026, 1, 31))
        )
        # 1 February + 5 days
        self.assertEqual(review.date_deadline, date(2026, 2, 6))
        self.assertEqual(review.line_ids.quantity, 1000.0)  # 600 + 400
        self.assertEqual(review.amount_untaxed, 850.0)  # 1 000 × 0.85
        self.assertIn(self.client, review.message_ids.partner_ids, "the client is emailed")
        self.assertFalse(self._send(date(2026, 2, 2)), "a period is sent once")

        self.assertFalse(self._bill(date(2026, 2, 2)))
        self.assertIn("02/06/2026", self.agreement.usage_review_hold_reason)

        review.action_approve(self.client)
        self.assertEqual(review.approved_by_id, self.client)
        invoice = self._bill(date(2026, 2, 2))
        self.assertEqual(invoice.amount_untaxed, 850.0)
        self.assertEqual(invoice.amount_untaxed, review.amount_untaxed)
        self.assertEqual(invoice.amount_total, 977.5)  # 850 + 15 % (127.50)
        # the next period waits for its own usage to be sent
        self.assertIn("02/01/2026 → 02/28/2026", self.agreement.usage_review_hold_reason)

    def test_comment_keeps_period_held_until_sent_again(self):
        review = self._send(date(2026, 2, 1))
        with self.assertRaises(UserError):
            review.action_comment("   ", self.client)
        review.action_comment("The 400 minutes of the 20th are a duplicate.", self.client)
        self.assertEqual(review.state, "commented")
        self.assertEqual(
            review.activity_ids.mapped("summary"), ["Answer the client's comment on the usage"]
        )
        # a comment does not time out: still held after the window
        self.assertFalse(self._bill(date(2026, 2, 10)))
        self.assertEqual(review.state, "commented")
        self.assertIn("duplicate", self.agreement.usage_review_hold_reason)
        with self.assertRaises(UserError):
            review.action_approve(self.client)

        # the team removes the duplicate and sends the usage again
        self.jan_b.unlink()
        review.with_user(self._clerk()).action_send()
        self.assertEqual(review.state, "sent")
        self.assertEqual(review.line_ids.quantity, 600.0)
        self.assertEqual(review.amount_untaxed, 510.0)  # 600 × 0.85
        review.action_approve(self.client)
        invoice = self._bill(date(2026, 2, 12))
        self.assertEqual(invoice.amount_untaxed, 510.0)

    def test_manager_releases_commented_period(self):
        review = self._send(date(2026, 2, 1))
        review.action_comment("Please check.", self.client)
        with self.assertRaises(UserError):
            review.with_user(self._clerk()).action_release()
        review.action_release()
        self.assertEqual(review.state, "released")
        self.assertEqual(self._bill(date(2026, 2, 10)).amount_untaxed, 850.0)

    def test_window_time_out_counts_as_approved(self):
        review = self._send(date(2026, 2, 1))
        # the deadline day itself is still in the window
        self.assertFalse(self._bill(date(2026, 2, 6)))
        self.assertEqual(review.state, "sent")
        invoice = self._bill(date(2026, 2, 7))
        self.assertEqual(review.state, "expired")
        self.assertIn("No answer by", review.message_ids[0].body)
        self.assertEqual(invoice.amount_untaxed, 850.0)  # 1 000 × 0.85

    def test_late_usage_after_approval_is_adjusted_next_period(self):
        review = self._send(date(2026, 2, 1))
        review.action_approve(self.client)
        # recorded after the approval, dated in January, before January is invoiced
        self._record_usage(self.minutes, date(2026, 1, 28), 120.0, "JAN-LATE")
        january = self._bill(date(2026, 2, 2))
        # the invoice bills what the client approved: 1 000 × 0.85, not 1 120
        self.assertEqual(self._rule_lines(january).quantity, 1000.0)
        self.assertEqual(january.amount_untaxed, 850.0)
        self.assertEqual(january.amount_untaxed, review.amount_untaxed)
        self.assertFalse(self._adjustment_lines(january))

        self._record_usage(self.minutes, date(2026, 2, 10), 500.0, "FEB-A")
        february_review = self._send(date(2026, 3, 1))
        self.assertEqual(february_review.line_ids.quantity, 500.0)
        # 500 × 0.85 = 425.00 + the January adjustment 120 × 0.85 = 102.00
        self.assertEqual(february_review.amount_untaxed, 527.0)
        february_review.action_approve(self.client)
        february = self._bill(date(2026, 3, 1))
        self.assertEqual(self._rule_lines(february).quantity, 500.0)
        self.assertEqual(self._rule_lines(february).price_subtotal, 425.0)
        adjustment = self._adjustment_lines(february)
        self.assertEqual(
            (adjustment.quantity, adjustment.price_unit, adjustment.price_subtotal),
            (120.0, 0.85, 102.0),
        )
        self.assertEqual(
            (adjustment.bpo_period_start, adjustment.bpo_period_end),
            (date(2026, 1, 1), date(2026, 1, 31)),
        )
        self.assertIn("Usage adjustment for 01/01/2026 → 01/31/2026: +120", adjustment.name)
        self.assertEqual(february.amount_untaxed, 527.0)
        self.assertEqual(review.line_ids.quantity_adjusted, 120.0)

        # adjusted once: March bills its own usage only (80 × 0.85 = 68.00)
        self._record_usage(self.minutes, date(2026, 3, 3), 80.0, "MAR-A")
        self._send(date(2026, 4, 1)).action_approve(self.client)
        march = self._bill(date(2026, 4, 1))
        self.assertFalse(self._adjustment_lines(march))
        self.assertEqual(march.amount_untaxed, 68.0)

    def test_late_usage_after_invoice_is_billed_once_as_adjustment(self):
        self._send(date(2026, 2, 1)).action_approve(self.client)
        self.assertEqual(self._bill(date(2026, 2, 2)).amount_untaxed, 850.0)
        # recorded after January was invoiced: claimed with February, billed as adjustment
        self._record_usage(self.minutes, date(2026, 1, 28), 120.0, "JAN-LATE")
        self._record_usage(self.minutes, date(2026, 2, 10), 500.0, "FEB-A")
        self._send(date(2026, 3, 1)).action_approve(self.client)
        february = self._bill(date(2026, 3, 1))
        # 500 × 0.85 = 425.00 for February; 120 × 0.85 = 102.00 for January, not both
        self.assertEqual(self._rule_lines(february).quantity, 500.0)
        self.assertEqual(self._adjustment_lines(february).price_subtotal, 102.0)
        self.assertEqual(february.amount_untaxed, 527.0)
        self.assertEqual(february.amount_total, 606.05)  # 527 + 15 % (79.05)

    def test_usage_lowered_after_lock_is_credited_next_period(self):
        self._send(date(2026, 2, 1)).action_approve(self.client)
        # the 400 minutes become 300 after the lock: January still bills 1 000
        self.jan_b.quantity = 300.0
        self.assertEqual(self._bill(date(2026, 2, 2)).amount_untaxed, 850.0)
        self._record_usage(self.minutes, date(2026, 2, 10), 500.0, "FEB-A")
        self._send(date(2026, 3, 1)).action_approve(self.client)
        february = self._bill(date(2026, 3, 1))
        adjustment = self._adjustment_lines(february)
        # -100 × 0.85 = -85.00; 425.00 - 85.00 = 340.00
        self.assertEqual((adjustment.quantity, adjustment.price_subtotal), (-100.0, -85.0))
        self.assertIn(": -100", adjustment.name)
        self.assertEqual(february.amount_untaxed, 340.0)

    def test_agreement_without_review_is_not_held(self):
        agreement = self._create_agreement(
            [{"product_id": self.product_minute.id, "price_unit": 0.85}],
            billing_timing="arrears",
            partner=self.client_b,
        )
        self._record_usage(agreement.line_ids, date(2026, 1, 5), 100.0, "B-1")
        # 100 × 0.85 = 85.00, no review needed
        self.assertEqual(agreement.action_generate_invoices(date(2026, 2, 1)).amount_untaxed, 85.0)
        self.assertFalse(agreement.usage_review_ids)
