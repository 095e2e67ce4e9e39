from dateutil.relativedelta import relativedelta

from odoo import fields
from odoo.tests import tagged

from .common import BpoBillingCommon


@tagged("post_install", "-at_install")
class TestGenerationCron(BpoBillingCommon):
    """The scheduled action, run the way Odoo's cron worker runs it: committed batch by
    batch, with its progress reported to ``ir.cron.progress``."""

    def setUp(self):
        super().setUp()
        self.cron = self.env.ref("bpo_billing.ir_cron_bpo_generate_invoices")
        self.env["ir.config_parameter"].set_param("bpo_billing.generation_batch_size", 2)
        # only this test's agreements are due: the cron runs on today's date
        self.today = fields.Date.context_today(self.cron)
        # (in every company: the scheduler bills them all)
        self.env["bpo.agreement"].sudo().search([("state", "=", "active")]).action_suspend()
        self.agreements = self.env["bpo.agreement"].union(
            *(
                self._create_agreement(
                    [{"product_id": self.product_retainer.id, "price_unit": 100.0 * (index + 1)}],
                    date_start=self.today.replace(day=1),
                )
                for index in range(5)
            )
        )

    def _run_cron_job(self):
        """``ir.cron._process_job`` on a test cursor: each commit of the job releases a
        savepoint of this test's transaction, as in Odoo's own cron tests."""
        self.env.flush_all()
        self.registry.enter_test_mode(self.cr)
        try:
            self.registry["ir.cron"]._process_job(
                self.registry.db_name,
                self.registry.cursor(),
                {**self.cron.read(load=None)[0], "done": 0, "remaining": 0, "timed_out_counter": 0},
            )
        finally:
            self.registry.leave_test_mode()
        self.env.invalidate_all()

    def test_cron_job_bills_everything_due_in_batches_and_reports_progress(self):
        self._run_cron_job()

        self.assertEqual(len(self.agreements.invoice_ids), 5)
        self.assertEqual(
            self.agreements.mapped("next_period_start"),
            [self.today.replace(day=1) + relativedelta(months=1)] * 5,
        )
        progress = self.env["ir.cron.progress"].search(
            [("cron_id", "=", self.cron.id)], order="id desc", limit=1
        )
        # 5 agreements in batches of 2: the last report says all 5 done, none remaining
        self.assertEqual((progress.done, progress.remaining), (5, 0))
        self.assertEqual(self.cron.failure_count, 0)

    def test_cron_job_run_twice_bills_nothing_more(self):
        self._run_cron_job()
        self._run_cron_job()

        self.assertEqual(len(self.agreements.invoice_ids), 5)
        self.assertEqual(len(self.agreements.period_ids), 5)

    def test_run_manually_bills_every_batch(self):
        # "Run Manually" calls the method once and ignores the remaining count
        self.cron.method_direct_trigger()

        self.assertEqual(len(self.agreements.invoice_ids), 5)

    def test_batch_size_bounds_each_claim(self):
        claimed = self.env["bpo.agreement"]._claim_due_agreements(
            self.today, 2, self.env["bpo.agreement"]
        )

        self.assertEqual(len(claimed), 2)
        self.assertLessEqual(set(claimed.ids), set(self.agreements.ids))
