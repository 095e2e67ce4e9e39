"""The reminder run on two workers at once: each invoice reminded once, on real
transactions."""

from datetime import date

from odoo.tests import tagged

from .common_real import RACE_DATE, RealTransactionCase

REMINDER_DATE = date(2026, 1, 9)  # 8 days after the due date: the first reminder


@tagged("post_install", "-at_install")
class TestDunningConcurrency(RealTransactionCase):
    def setUp(self):
        super().setUp()
        with self._environment() as env:
            agreements = env["bpo.agreement"].browse(self.agreement_ids)
            agreements.write(
                {
                    "dunning_policy_id": env.ref("bpo_billing.dunning_policy_standard").id,
                    "payment_term_id": env.ref("account.account_payment_term_immediate").id,
                }
            )
            self.invoice_ids = agreements.action_generate_invoices(RACE_DATE).ids

    def test_two_workers_at_once_remind_each_invoice_once(self):
        reminded = self._race(
            "bpo_billing.ir_cron_bpo_run_dunning",
            lambda env: env["account.move"]._bpo_run_dunning(
                REMINDER_DATE, batch_size=self.batch_size
            ),
        )

        self.assertEqual(reminded[0] + reminded[1], len(self.invoice_ids))
        with self._environment() as env:
            invoices = env["account.move"].browse(self.invoice_ids)
            first_reminder = env.ref("bpo_billing.dunning_stage_first")
            for invoice in invoices:
                self.assertEqual(
                    invoice.bpo_dunning_line_ids.stage_id, first_reminder, invoice.name
                )
            # every reminder went out with an email (one per batch of the client's invoices)
            self.assertTrue(all(invoices.bpo_dunning_line_ids.mapped("mail_id")))
