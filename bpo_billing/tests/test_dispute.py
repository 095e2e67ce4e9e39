"""Disputes: open -> review -> accepted (credit note for the accepted amount) / rejected
(the client is told why); the invoice is disputed, and not reminded, while one is open."""

from datetime import date

from odoo.exceptions import UserError, ValidationError
from odoo.tests import tagged

from .common import BpoBillingCommon


@tagged("post_install", "-at_install")
class TestDispute(BpoBillingCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.client.email = "ap@northwind.example.com"
        cls.company.bpo_dunning_policy_id = cls.env.ref("bpo_billing.dunning_policy_standard")
        # January: retainer 8 000.00 + 3 FTE × 3 200.00 = 9 600.00, untaxed 17 600.00,
        # 15 % tax 2 640.00, total 20 240.00
        cls.agreement = cls._create_agreement(
            [
                {"product_id": cls.product_retainer.id, "price_unit": 8000.0},
                {"product_id": cls.product_fte.id, "quantity": 3, "price_unit": 3200.0},
            ]
        )
        cls.invoice = cls.agreement.action_generate_invoices(date(2026, 1, 1))
        product_lines = cls.invoice.invoice_line_ids.filtered(
            lambda line: line.display_type == "product"
        )
        cls.retainer_line = product_lines.filtered(
            lambda line: line.product_id == cls.product_retainer
        )
        cls.fte_line = product_lines.filtered(lambda line: line.product_id == cls.product_fte)

    def _dispute(self, amount=2300.0, lines=None, **values):
        return self.env["bpo.dispute"].create(
            {
                "move_id": self.invoice.id,
                "amount": amount,
                "reason": "The FTE count was 2 in January, not 3.",
                "move_line_ids": [(6, 0, (lines or self.env["account.move.line"]).ids)],
                **values,
            }
        )

    def test_invoice_totals_of_the_fixture(self):
        self.assertEqual(self.invoice.amount_total, 20240.0)
        self.assertEqual(self.retainer_line.price_subtotal, 8000.0)
        self.assertEqual(self.fte_line.price_subtotal, 9600.0)

    def test_opening_marks_the_invoice_disputed_and_traces_it(self):
        dispute = self._dispute()

        self.assertTrue(dispute.name.startswith("DSP/"))
        self.assertEqual(dispute.partner_id, self.client)
        self.assertEqual(dispute.agreement_id, self.agreement)
        self.assertTrue(self.invoice.bpo_disputed)
        self.assertEqual(self.invoice.bpo_dispute_count, 1)
        self.assertIn(f"{dispute.name} opened", self.invoice.message_ids[0].body)
        self.assertIn("opened", dispute.message_ids[0].body)

    def test_dunning_skips_the_invoice_while_the_dispute_is_open_or_under_review(self):
        dispute = self._dispute()
        self.assertEqual(self.env["account.move"]._bpo_run_dunning(date(2026, 3, 20)), 0)

        dispute.action_review()
        self.assertEqual(dispute.state, "review")
        self.assertTrue(self.invoice.bpo_disputed)
        self.assertEqual(self.env["account.move"]._bpo_run_dunning(date(2026, 3, 20)), 0)
        self.assertFalse(self.invoice.bpo_dunning_line_ids)

    def test_full_acceptance_of_one_line_credits_it_exactly(self):
        # the FTE line: 9 600.00 + 15 % = 11 040.00 disputed and accepted in full
        dispute = self._dispute(11040.0, lines=self.fte_line, accepted_amount=9600.0)

        dispute.action_accept()

        credit_note = dispute.credit_note_id
        self.assertEqual(dispute.state, "accepted")
        self.assertEqual(credit_note.move_type, "out_refund")
        self.assertEqual(credit_note.state, "posted")
        self.assertEqual(credit_note.reversed_entry_id, self.invoice)
        self.assertEqual(credit_note.amount_untaxed, 9600.0)
        self.assertEqual(credit_note.amount_tax, 1440.0)
        self.assertEqual(credit_note.amount_total, 11040.0)
        self.assertEqual(credit_note.invoice_line_ids.product_id, self.product_fte)
        # 20 240.00 - 11 040.00 still due; reminders may resume
        self.assertEqual(self.invoice.amount_residual, 9200.0)
        self.assertFalse(self.invoice.bpo_disputed)
        self.assertEqual(dispute.date_closed, date.today())

    def test_partial_acceptance_is_spread_over_the_lines_in_proportion(self):
        # 1 000.00 over 9 600 and 8 000: 545.4545… -> 545.45 and 454.5454… -> 454.55
        # (the leftover cent to the larger remainder); tax 81.82 + 68.18 = 150.00
        dispute = self._dispute(1150.0, accepted_amount=1000.0)

        dispute.action_accept()

        credit_note = dispute.credit_note_id
        self.assertEqual(
            sorted(credit_note.invoice_line_ids.mapped("price_subtotal")), [454.55, 545.45]
        )
        self.assertEqual(credit_note.amount_untaxed, 1000.0)
        self.assertEqual(credit_note.amount_total, 1150.0)
        self.assertEqual(self.invoice.amount_residual, 19090.0)  # 20 240.00 - 1 150.00
        self.assertIn("accepted", self.invoice.message_ids[0].body)

    def test_acceptance_needs_an_amount_within_the_lines(self):
        dispute = self._dispute(100.0, lines=self.retainer_line)
        with self.assertRaisesRegex(UserError, "set the accepted amount"):
            dispute.action_accept()
        dispute.accepted_amount = 8000.01  # the retainer line is 8 000.00 untaxed
        with self.assertRaisesRegex(UserError, "exceeds the lines concerned"):
            dispute.action_accept()
        self.assertEqual(dispute.state, "open")
        self.assertFalse(dispute.credit_note_id)

    def test_rejection_needs_a_reason_and_tells_the_client(self):
        dispute = self._dispute()
        with self.assertRaisesRegex(UserError, "write the reason for rejection"):
            dispute.action_reject()

        dispute.rejection_reason = "Three agents logged in every working day."
        dispute.action_reject()

        self.assertEqual(dispute.state, "rejected")
        self.assertFalse(dispute.credit_note_id)
        self.assertFalse(self.invoice.bpo_disputed)
        message = dispute.message_ids.filtered(
            lambda message: "Three agents logged in" in (message.body or "")
        )
        self.assertEqual(message.partner_ids, self.client)
        self.assertEqual(message.message_type, "comment")
        mail = self.env["mail.mail"].search([("mail_message_id", "=", message.id)])
        self.assertEqual(mail.recipient_ids, self.client)
        self.assertIn("rejected", self.invoice.message_ids[0].body)

    def test_a_settled_dispute_cannot_move_again(self):
        dispute = self._dispute()
        dispute.rejection_reason = "No."
        dispute.action_reject()
        with self.assertRaisesRegex(UserError, "not possible any more"):
            dispute.action_accept()
        with self.assertRaisesRegex(UserError, "not possible any more"):
            dispute.action_review()

    def test_invalid_disputes_are_refused_naming_the_field(self):
        with self.assertRaisesRegex(ValidationError, "exceeds the total of invoice"):
            self._dispute(20240.01)
        other = self._create_agreement(
            [{"product_id": self.product_retainer.id, "price_unit": 100.0}],
            partner=self.client_b,
        ).action_generate_invoices(date(2026, 1, 1))
        with self.assertRaisesRegex(ValidationError, "must be lines of invoice"):
            self._dispute(lines=other.invoice_line_ids)
        draft = self.invoice.copy()
        with self.assertRaisesRegex(ValidationError, "only a posted customer invoice"):
            self.env["bpo.dispute"].create({"move_id": draft.id, "amount": 1.0, "reason": "x"})

    def test_record_dispute_button_prefills_the_amount_due(self):
        action = self.invoice.action_bpo_mark_disputed()
        self.assertEqual(action["res_model"], "bpo.dispute")
        self.assertEqual(action["context"]["default_move_id"], self.invoice.id)
        self.assertEqual(action["context"]["default_amount"], 20240.0)
