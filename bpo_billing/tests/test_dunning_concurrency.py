"""The reminder run on two workers at once: each invoice reminded once, on real
transactions."""

import threading
import time
from datetime import date

from odoo.tests import tagged

from .common_real import RACE_DATE, RealTransactionCase

REMINDER_DATE = date(2026, 1, 9)  # 8 days after the due date: the first reminder


@tagged("post_install", "-at_install")
class TestDunningConcurrency(RealTransactionCase):
    def setUp(self):
        super().setUp()
        with self._environment() as env:
            self.cron_id = env.ref("bpo_billing.ir_cron_bpo_run_dunning").id
            agreements = env["bpo.agreement"].browse(self.agreement_ids)
            agreements.write(
                {
                    "dunning_policy_id": env.ref("bpo_billing.dunning_policy_standard").id,
                    "payment_term_id": env.ref("account.account_payment_term_immediate").id,
                }
            )
            self.invoice_ids = agreements.action_generate_invoices(RACE_DATE).ids

    def test_two_workers_at_once_remind_each_invoice_once(self):
        barrier = threading.Barrier(2)
        results = {}

        def worker(name):
            try:
                with self._environment({"cron_id": self.cron_id}) as env:
                    barrier.wait()
                    started = time.monotonic()
                    reminded = env["account.move"]._bpo_run_dunning(
                        REMINDER_DATE, batch_size=self.batch_size
                    )
                    results[name] = (reminded, started, time.monotonic())
            except Exception as error:  # noqa: BLE001 - reported by the assertions below
                results[name] = error

        threads = [threading.Thread(target=worker, args=(name,)) for name in ("first", "second")]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=120)

        for name in ("first", "second"):
            self.assertIsInstance(
                results.get(name), tuple, f"worker {name} failed: {results.get(name)!r}"
            )
        (reminded_1, start_1, end_1), (reminded_2, start_2, end_2) = (
            results["first"],
            results["second"],
        )
        self.assertLess(max(start_1, start_2), min(end_1, end_2), "the two runs did not overlap")
        self.assertGreater(reminded_1, 0)
        self.assertGreater(reminded_2, 0)
        self.assertEqual(reminded_1 + reminded_2, len(self.invoice_ids))
        with self._environment() as env:
            invoices = env["account.move"].browse(self.invoice_ids)
            first_reminder = env.ref("bpo_billing.dunning_stage_first")
            for invoice in invoices:
                self.assertEqual(
                    invoice.bpo_dunning_line_ids.stage_id, first_reminder, invoice.name
                )
            # every reminder went out with an email (one per batch of the client's invoices)
            self.assertTrue(all(invoices.bpo_dunning_line_ids.mapped("mail_id")))
