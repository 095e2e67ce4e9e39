from datetime import date

from odoo import Command
from odoo.tests import tagged

from .common import BpoBillingCommon


@tagged("post_install", "-at_install")
class TestGenerationIdempotence(BpoBillingCommon):
    """Every due period is billed exactly once, whatever runs again or fails beside it."""

    def _retainer_agreements(self, count, **values):
        return self.env["bpo.agreement"].union(
            *(
                self._create_agreement(
                    [{"product_id": self.product_retainer.id, "price_unit": 1000.0 + index}],
                    **values,
                )
                for index in range(count)
            )
        )

    def test_second_run_bills_nothing(self):
        agreements = self._retainer_agreements(3)

        first = agreements.action_generate_invoices(date(2026, 2, 1))
        second = agreements.action_generate_invoices(date(2026, 2, 1))

        self.assertEqual(len(first), 6)  # January and February of each
        self.assertFalse(second)
        self.assertEqual(len(agreements.period_ids), 6)

    def test_cron_twice_bills_each_period_once(self):
        agreements = self._retainer_agreements(5)
        cron = self.env["bpo.agreement"]

        cron._cron_generate_invoices(date(2026, 3, 1), batch_size=2)
        cron._cron_generate_invoices(date(2026, 3, 1), batch_size=2)

        # 5 agreements × January, February, March
        self.assertEqual(len(agreements.invoice_ids), 15)
        for agreement in agreements:
            self.assertEqual(
                sorted(agreement.invoice_ids.bpo_period_id.mapped("date_start")),
                [date(2026, 1, 1), date(2026, 2, 1), date(2026, 3, 1)],
            )

    def test_failing_agreement_is_isolated_and_retried(self):
        healthy = self._retainer_agreements(2)
        no_accounts = self.env["product.category"].create({"name": "No accounts"})
        no_accounts.property_account_income_categ_id = False
        orphan_service = self.env["product.product"].create(
            {
                "name": "Service without income account",
                "type": "service",
                "bpo_billing_model": "fixed",
                "categ_id": no_accounts.id,
            }
        )
        broken_journal = self.journal.copy({"name": "No default account", "code": "NODEF"})
        broken_journal.default_account_id = False
        failing = self._create_agreement(
            [{"product_id": orphan_service.id, "price_unit": 500.0}], journal_id=broken_journal.id
        )

        self.env["bpo.agreement"]._cron_generate_invoices(date(2026, 1, 1), batch_size=10)

        self.assertEqual(len(healthy.invoice_ids), 2)
        self.assertFalse(failing.invoice_ids)
        self.assertEqual(failing.period_ids.state, "error")
        self.assertIn("no income account", failing.period_ids.error_message)
        self.assertIn("Service without income account", failing.period_ids.error_message)
        activity = failing.activity_ids
        self.assertEqual(len(activity), 1)
        self.assertEqual(activity.user_id, failing.user_id)
        self.assertEqual(failing.next_period_start, date(2026, 1, 1))

        # a second failing run keeps one period row and one activity
        self.env["bpo.agreement"]._cron_generate_invoices(date(2026, 1, 1))
        self.assertEqual(len(failing.period_ids), 1)
        self.assertEqual(len(failing.activity_ids), 1)

        # once the accountant fixes the account, the next run bills the period
        orphan_service.property_account_income_id = self.company_data["default_account_revenue"]
        self.env["bpo.agreement"]._cron_generate_invoices(date(2026, 1, 1))
        self.assertEqual(failing.period_ids.state, "invoiced")
        self.assertEqual(len(failing.invoice_ids), 1)
        self.assertEqual(failing.invoice_ids.amount_untaxed, 500.00)

    def test_a_period_billed_elsewhere_is_refused_by_the_unique_index(self):
        agreement = self._create_agreement(
            [{"product_id": self.product_retainer.id, "price_unit": 1000.0}]
        )
        # another worker billed January and committed, but this transaction still reads the
        # agreement as due: the unique (agreement, start) index refuses a second January
        self.env["bpo.billing.period"].create(
            {
                "agreement_id": agreement.id,
                "date_start": date(2026, 1, 1),
                "date_end": date(2026, 1, 31),
                "state": "invoiced",
            }
        )

        moves = agreement.action_generate_invoices(date(2026, 1, 1))

        self.assertFalse(moves)
        self.assertEqual(len(agreement.period_ids), 1)
        self.assertEqual(agreement.period_ids.state, "invoiced")  # not marked as an error

    def test_usage_is_billed_once_across_runs(self):
        agreement = self._create_agreement(
            [{"product_id": self.product_minute.id, "price_unit": 2.0}], billing_timing="arrears"
        )
        self._record_usage(agreement.line_ids, date(2026, 1, 15), 100, "U-1")
        agreement.action_generate_invoices(date(2026, 2, 1))
        # usage arriving late for January is billed with the next period, not lost nor doubled
        self._record_usage(agreement.line_ids, date(2026, 1, 20), 10, "U-2")

        february = agreement.action_generate_invoices(date(2026, 3, 1))

        # 10 late minutes × 2.00 = 20.00
        self.assertEqual(february.amount_untaxed, 20.00)
        self.assertEqual(sum(agreement.invoice_ids.mapped("amount_untaxed")), 220.00)

    def test_queries_per_invoice_do_not_grow_with_the_batch(self):
        lines = [
            {"product_id": self.product_retainer.id, "price_unit": 8000.0},
            {"product_id": self.product_fte.id, "quantity": 4, "price_unit": 3200.0},
            {
                "product_id": self.product_minute.id,
                "price_unit": 1.0,
                "tier_mode": "graduated",
                "tier_ids": [
                    Command.create({"from_quantity": 0, "price_unit": 1.0}),
                    Command.create({"from_quantity": 1000, "price_unit": 0.8}),
                ],
            },
        ]

        def queries_to_bill(count):
            agreements = self.env["bpo.agreement"].union(
                *(
                    self._create_agreement(lines, billing_timing="arrears")
                    for _index in range(count)
                )
            )
            for agreement in agreements:
                self._record_usage(agreement.line_ids[2], date(2026, 1, 5), 1500)
            self.env.flush_all()
            self.env.invalidate_all()
            before = self.cr.sql_log_count
            agreements.action_generate_invoices(date(2026, 2, 1))
            return self.cr.sql_log_count - before

        queries_to_bill(2)  # warm the caches: the first batch also loads what every batch shares
        small, large = queries_to_bill(4), queries_to_bill(12)

        per_extra_invoice = (large - small) / 8
        # measured: 135 queries for 4 invoices, 207 for 12, so 9 per extra invoice, most of
        # them Odoo's own create and post; one lookup per record more would break this bound
        self.assertLess(per_extra_invoice, 10, f"{small} queries for 4 invoices, {large} for 12")
