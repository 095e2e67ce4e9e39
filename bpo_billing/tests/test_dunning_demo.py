"""On the demo data: moving the date forward through the stages of the standard policy
reminds, charges and suspends, each exactly once."""

from datetime import timedelta

from odoo import fields
from odoo.tests import TransactionCase, tagged


@tagged("post_install", "-at_install")
class TestDunningDemo(TransactionCase):
    def test_stages_fees_and_suspension_each_once(self):
        agreement = self.env.ref("bpo_billing.agreement_fabrikam")
        standard = self.env.ref("bpo_billing.dunning_policy_standard")
        self.assertEqual(agreement.dunning_policy_id, standard)
        courtesy, first, second, final = standard.stage_ids
        invoices = agreement.action_generate_invoices(fields.Date.context_today(agreement)).sorted(
            "invoice_date_due"
        )
        self.assertEqual(len(invoices), 3)  # the last three months, billed in arrears
        latest = invoices[-1]
        due = latest.invoice_date_due
        moves = self.env["account.move"]

        for offset, stage in ((-3, courtesy), (7, first), (15, second), (30, final)):
            day = due + timedelta(days=offset)
            moves._bpo_run_dunning(day)
            self.assertEqual(latest.bpo_dunning_stage_id, stage, day)
            # the same day again changes nothing
            self.assertEqual(moves._bpo_run_dunning(day), 0, day)

        # the latest invoice went through every stage, once each
        self.assertEqual(latest.bpo_dunning_line_ids.stage_id, standard.stage_ids)
        for invoice in invoices:
            stages = invoice.bpo_dunning_line_ids.stage_id
            self.assertEqual(len(stages), len(invoice.bpo_dunning_line_ids), invoice.name)
        # one 40.00 fee per invoice that reached the second reminder on a run day
        fee = latest.bpo_dunning_line_ids.filtered(lambda line: line.stage_id == second)
        self.assertEqual(fee.fee_move_id.amount_untaxed, 40.0)
        self.assertEqual(fee.fee_move_id.state, "posted")
        self.assertEqual(fee.fee_move_id.bpo_fee_origin_id, latest)
        # the final notice suspended the agreement and put the client on credit hold
        self.assertEqual(agreement.state, "suspended")
        self.assertTrue(agreement.partner_id.bpo_credit_hold)
        self.assertEqual(
            len(latest.activity_ids.filtered(lambda activity: final.name in activity.summary)),
            1,
        )

        for invoice in invoices:
            self.env["account.payment.register"].with_context(
                active_model="account.move", active_ids=invoice.ids
            ).create({"payment_date": due + timedelta(days=31)})._create_payments()

        self.assertEqual(agreement.state, "active")
        self.assertFalse(agreement.partner_id.bpo_credit_hold)
        self.assertEqual(moves._bpo_run_dunning(due + timedelta(days=60)), 0)
