"""Exactly-once billing with real transactions: two workers at once, and a worker killed
mid-run. These tests commit their data on real cursors (a TransactionCase cannot show what
another transaction sees) and remove it afterwards."""

import os
import signal
import subprocess
import sys
import time

from odoo.tests import get_db_name, tagged
from odoo.tools import config

from .common_real import RACE_DATE, RealTransactionCase


@tagged("post_install", "-at_install")
class TestGenerationConcurrency(RealTransactionCase):
    def setUp(self):
        super().setUp()
        with self._environment() as env:
            self.cron_id = env.ref("bpo_billing.ir_cron_bpo_generate_invoices").id

    def _ledger(self):
        """(invoice count per agreement and period start, periods without invoice, invoices
        without a period), read on a fresh cursor."""
        with self._environment() as env:
            env.cr.execute(
                """SELECT p.agreement_id, p.date_start, COUNT(m.id)
                     FROM bpo_billing_period p
                LEFT JOIN account_move m ON m.bpo_period_id = p.id
                    WHERE p.agreement_id = ANY(%s)
                 GROUP BY p.agreement_id, p.date_start""",
                [self.agreement_ids],
            )
            per_period = {(row[0], row[1]): row[2] for row in env.cr.fetchall()}
            env.cr.execute(
                "SELECT COUNT(*) FROM account_move "
                "WHERE bpo_agreement_id = ANY(%s) AND bpo_period_id IS NULL",
                [self.agreement_ids],
            )
            orphan_invoices = env.cr.fetchone()[0]
        return per_period, orphan_invoices

    def _assert_billed_exactly_once(self):
        per_period, orphan_invoices = self._ledger()
        self.assertEqual(
            per_period, {(agreement_id, RACE_DATE): 1 for agreement_id in self.agreement_ids}
        )
        self.assertEqual(orphan_invoices, 0)

    def test_two_workers_at_once_bill_each_period_once(self):
        handled = self._race(
            "bpo_billing.ir_cron_bpo_generate_invoices",
            lambda env: env["bpo.agreement"]._cron_generate_invoices(
                RACE_DATE, batch_size=self.batch_size
            ),
        )

        # no agreement taken by both workers (a conflict would count it twice)
        self.assertEqual(handled[0] + handled[1], self.agreement_count)
        self._assert_billed_exactly_once()
        with self._environment() as env:
            periods = env["bpo.agreement"].browse(self.agreement_ids).period_ids
            self.assertEqual(set(periods.mapped("state")), {"invoiced"})

    def test_worker_killed_mid_run_then_rerun_bills_each_period_once(self):
        script = (
            "env = env(context=dict(env.context, cron_id=%d))\n"
            "env['bpo.agreement']._cron_generate_invoices(date.fromisoformat(%r), batch_size=%d)\n"
            "env.cr.commit()\n"
        ) % (self.cron_id, RACE_DATE.isoformat(), self.batch_size)
        worker = subprocess.Popen(
            [
                sys.executable,
                "-c",
                "import odoo.cli; odoo.cli.main()",
                "shell",
                "-c",
                config.rcfile,
                "-d",
                get_db_name(),
                "--log-level=warn",
                "--no-http",
            ],
            stdin=subprocess.PIPE,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            start_new_session=True,
        )
        worker.stdin.write(f"from datetime import date\n{script}".encode())
        worker.stdin.close()
        try:
            billed = self._wait_for_committed_periods(minimum=2 * self.batch_size, timeout=120)
        finally:
            os.killpg(worker.pid, signal.SIGKILL)
            worker.wait()
        self.assertLess(billed, self.agreement_count, "the worker finished before it was killed")

        # what the killed worker committed is whole: every period row has its invoice
        per_period, orphan_invoices = self._ledger()
        self.assertEqual(set(per_period.values()), {1})
        self.assertEqual(orphan_invoices, 0)

        with self._environment({"cron_id": self.cron_id}) as env:
            env["bpo.agreement"]._cron_generate_invoices(RACE_DATE, batch_size=self.batch_size)
        self._assert_billed_exactly_once()

    def _wait_for_committed_periods(self, minimum, timeout):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            per_period, _orphans = self._ledger()
            if len(per_period) >= minimum:
                return len(per_period)
            time.sleep(0.05)
        self.fail(f"the worker committed fewer than {minimum} periods in {timeout} s")
