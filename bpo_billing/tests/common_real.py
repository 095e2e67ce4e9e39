import threading
import time
from datetime import date

from odoo import SUPERUSER_ID, Command, api
from odoo.modules.registry import Registry
from odoo.tests import BaseCase, get_db_name

RACE_DATE = date(2026, 1, 1)


class RealTransactionCase(BaseCase):
    """Agreements committed on real cursors for tests that need several transactions
    (TransactionCase data is invisible to them), removed again after each test."""

    agreement_count = 24
    batch_size = 2

    def setUp(self):
        super().setUp()
        self.registry = Registry(get_db_name())
        with self._environment() as env:
            self.agreement_ids = self._create_agreements(env)
        self.addCleanup(self._remove_agreements)

    def _environment(self, context=None):
        """An environment on a new real cursor (committed on leaving the block)."""
        registry = self.registry

        class _Env:
            def __enter__(inner):
                inner.cr = registry.cursor()
                # a worker thread must not wait for the registry lock the test runner holds
                inner.cr.transaction = api.Transaction(registry)
                return api.Environment(inner.cr, SUPERUSER_ID, context or {})

            def __exit__(inner, exc_type, *_args):
                if exc_type is None:
                    inner.cr.commit()
                inner.cr.close()

        return _Env()

    def _create_agreements(self, env):
        company = env.ref("base.main_company")
        journal = env["account.journal"].search(
            [("type", "=", "sale"), ("company_id", "=", company.id)], limit=1
        )
        income = env["account.account"].search(
            [
                ("account_type", "=", "income"),
                ("company_ids", "in", company.id),
            ],
            limit=1,
        )
        product = env["product.product"].create(
            {
                "name": "Race retainer",
                "type": "service",
                "bpo_billing_model": "fixed",
                "property_account_income_id": income.id,
                "taxes_id": [Command.clear()],
            }
        )
        client = env["res.partner"].create({"name": "Race client"})
        agreements = env["bpo.agreement"].create(
            [
                {
                    "partner_id": client.id,
                    "company_id": company.id,
                    "journal_id": journal.id,
                    "date_start": RACE_DATE,
                    "line_ids": [
                        Command.create({"product_id": product.id, "price_unit": 100.0 + index})
                    ],
                }
                for index in range(self.agreement_count)
            ]
        )
        agreements.action_activate()
        self.product_id, self.client_id = product.id, client.id
        return agreements.ids

    def _remove_agreements(self):
        with self._environment() as env:
            agreements = env["bpo.agreement"].browse(self.agreement_ids)
            moves = agreements.invoice_ids
            moves.bpo_dunning_line_ids.mail_id.unlink()
            moves.filtered(lambda move: move.state == "posted").button_draft()
            moves.with_context(force_delete=True).unlink()
            agreements.period_ids.unlink()
            agreements.unlink()
            env["product.product"].browse(self.product_id).unlink()
            env["res.partner"].browse(self.client_id).unlink()

    def _race(self, cron_xmlid, run):
        """Run ``run(env)`` in two workers at once, each on its own real cursor as the
        scheduler (``cron_id`` in the context), released together by a barrier. Asserts
        that both finished, overlapped in time and did some work; returns both results."""
        with self._environment() as env:
            cron_id = env.ref(cron_xmlid).id
        barrier = threading.Barrier(2)
        results = {}

        def worker(name):
            try:
                with self._environment({"cron_id": cron_id}) as env:
                    barrier.wait()
                    started = time.monotonic()
                    results[name] = (run(env), started, time.monotonic())
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
        (done_1, start_1, end_1), (done_2, start_2, end_2) = results["first"], results["second"]
        self.assertLess(max(start_1, start_2), min(end_1, end_2), "the two runs did not overlap")
        self.assertGreater(done_1, 0)
        self.assertGreater(done_2, 0)
        return done_1, done_2
