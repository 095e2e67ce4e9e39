from datetime import date, timedelta

from odoo import Command, fields
from odoo.exceptions import AccessError
from odoo.tests import TransactionCase, new_test_user, tagged

from .common import BpoBillingCommon


class BpoReportCommon(BpoBillingCommon):
    """Invoices with due dates relative to today, and the Partner Ledger's figures."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.today = fields.Date.today()
        cls.eur = cls.setup_other_currency(
            "EUR",
            rates=[
                ("1900-01-01", 2.0),
                (fields.Date.to_string(cls.today - timedelta(days=2)), 2.5),
            ],
        )

    def _invoice(self, partner, price, due_in_days, move_type="out_invoice", currency=None):
        """A posted invoice (or credit note) of ``price`` + 15 % tax, dated 30 days before its
        due date, which is ``due_in_days`` from today (negative: overdue)."""
        due = self.today + timedelta(days=due_in_days)
        move = self.env["account.move"].create(
            {
                "move_type": move_type,
                "partner_id": partner.id,
                "currency_id": (currency or self.company.currency_id).id,
                "invoice_date": due - timedelta(days=30),
                "invoice_date_due": due,
                "invoice_line_ids": [
                    Command.create({"product_id": self.product_retainer.id, "price_unit": price})
                ],
            }
        )
        move.action_post()
        self.assertEqual(move.invoice_date_due, due)
        return move

    def _pay(self, move, amount, payment_date=None, currency=None):
        self.env["account.payment.register"].with_context(
            active_model="account.move", active_ids=move.ids
        ).create(
            {
                "amount": amount,
                "payment_date": payment_date or self.today,
                "currency_id": (currency or move.currency_id).id,
                "payment_difference_handling": "open",
            }
        )._create_payments()

    def _ledger_balances(self, partners):
        """Odoo's Partner Ledger for ``partners``: posted items of the trade receivable
        accounts (its "Posted" and "Receivable" filters), balance summed by partner."""
        groups = self.env["account.move.line"]._read_group(
            [
                ("partner_id", "in", partners.ids),
                ("display_type", "not in", ("line_section", "line_note")),
                ("parent_state", "=", "posted"),
                ("account_id.account_type", "=", "asset_receivable"),
                ("account_id.non_trade", "=", False),
            ],
            ["partner_id"],
            ["balance:sum"],
        )
        return {partner: balance for partner, balance in groups}

    def _report_totals(self, model, partners, measure="amount_residual", groupby="partner_id"):
        groups = self.env[model]._read_group(
            [("partner_id", "in", partners.ids)], [groupby], [f"{measure}:sum"]
        )
        return {key: total for key, total in groups}


@tagged("post_install", "-at_install")
class TestReceivableAgeingReport(BpoReportCommon):
    """Every open receivable item in its ageing bucket; totals agree with the ledger."""

    def test_ageing_buckets_and_ledger_to_the_cent(self):
        client, client_b = self.client, self.client_b
        self._invoice(client, 100.0, 10)  # 115.00, not due
        late_10 = self._invoice(client, 200.0, -10)  # 230.00, 10 days late
        late_45 = self._invoice(client, 300.0, -45)  # 345.00, 45 days late
        self._pay(late_45, 100.0)  # 245.00 left open
        self._invoice(client, 400.0, -75)  # 460.00, 75 days late
        self._invoice(client, 500.0, -120)  # 575.00, 120 days late
        self._invoice(client, 60.0, -5, move_type="out_refund")  # -69.00, 5 days "late"
        paid = self._invoice(client, 700.0, -20)
        self._pay(paid, 805.0)  # paid in full: no longer open
        # 1 000.00 EUR + 15 % = 1 150.00 EUR at 2 EUR per USD = 575.00, 35 days late; half
        # paid at 2.5: 575.00 EUR = 230.00; the half left is worth 287.50 at the invoice's rate
        in_eur = self._invoice(client_b, 1000.0, -35, currency=self.eur)
        self._pay(in_eur, 575.0, payment_date=self.today - timedelta(days=1))

        agreement = self._create_agreement(
            [{"product_id": self.product_retainer.id, "price_unit": 2000.0}],
            partner=client_b,
            date_start=self.today.replace(day=1),
        )
        billed = agreement.action_generate_invoices(self.today)  # 2 300.00, due today

        report = self.env["bpo.receivable.ageing.report"]
        rows = report.search([("partner_id", "in", (client | client_b).ids)])
        self.assertEqual(len(rows), 8)  # six open items of client, two of client_b
        self.assertNotIn(paid, rows.move_id)
        self.assertEqual(rows.filtered(lambda row: row.move_id == late_10).days_overdue, 10)
        self.assertEqual(rows.filtered(lambda row: row.move_id == billed).agreement_id, agreement)
        buckets = {
            bucket: total
            for bucket, total in report._read_group(
                [("partner_id", "=", client.id)], ["ageing_bucket"], ["amount_residual:sum"]
            )
        }
        # 1-30: 230.00 - 69.00 = 161.00
        self.assertEqual(
            buckets,
            {
                "current": 115.00,
                "1_30": 161.00,
                "31_60": 245.00,
                "61_90": 460.00,
                "90_plus": 575.00,
            },
        )
        by_agreement = self._report_totals(
            "bpo.receivable.ageing.report", client_b, groupby="agreement_id"
        )
        self.assertEqual(by_agreement[agreement], 2300.00)
        self.assertEqual(by_agreement[self.env["bpo.agreement"]], 287.50)

        totals = self._report_totals("bpo.receivable.ageing.report", client | client_b)
        # 115.00 + 161.00 + 245.00 + 460.00 + 575.00 = 1 556.00; 287.50 + 2 300.00 = 2 587.50
        self.assertEqual(totals, {client: 1556.00, client_b: 2587.50})
        ledger = self._ledger_balances(client | client_b)
        for partner in (client, client_b):
            self.assertEqual(
                self.company.currency_id.compare_amounts(totals[partner], ledger[partner]), 0
            )

    def test_bucket_bounds_and_columns(self):
        for price, due_in_days in ((100.0, 0), (200.0, -30), (300.0, -31), (400.0, -90)):
            self._invoice(self.client, price, due_in_days)
        self._invoice(self.client, 500.0, -91)

        rows = self.env["bpo.receivable.ageing.report"].search(
            [("partner_id", "=", self.client.id)], order="date_maturity desc"
        )

        # due today is not late; 30 days late is still 1-30, 90 days still 61-90
        self.assertEqual(
            rows.mapped("ageing_bucket"), ["current", "1_30", "31_60", "61_90", "90_plus"]
        )
        self.assertEqual(rows.mapped("days_overdue"), [0, 30, 31, 90, 91])
        # 100.00, 200.00, … + 15 % tax, each in its own column only
        self.assertEqual(rows.mapped("amount_current"), [115.00, 0, 0, 0, 0])
        self.assertEqual(rows.mapped("amount_1_30"), [0, 230.00, 0, 0, 0])
        self.assertEqual(rows.mapped("amount_31_60"), [0, 0, 345.00, 0, 0])
        self.assertEqual(rows.mapped("amount_61_90"), [0, 0, 0, 460.00, 0])
        self.assertEqual(rows.mapped("amount_90_plus"), [0, 0, 0, 0, 575.00])
        self.assertEqual(rows.mapped("amount_overdue"), [0, 230.00, 345.00, 460.00, 575.00])


@tagged("post_install", "-at_install")
class TestCashForecastReport(BpoReportCommon):
    """Open invoices expected on their due date plus the client's average delay, by week."""

    def test_expected_weeks_from_the_average_delay(self):
        client, client_b = self.client, self.client_b
        # the client pays 10.4 days late on average: 10 days
        client.with_company(self.company).bpo_avg_days_late = 10.4
        not_due = self._invoice(client, 100.0, 10)  # 115.00, expected in 20 days
        overdue = self._invoice(client, 200.0, -30)  # 230.00, expected 20 days ago: today
        credit = self._invoice(client, 40.0, 4, move_type="out_refund")  # -46.00, in 14 days
        on_time = self._invoice(client_b, 300.0, 3)  # 345.00, no history: in 3 days
        self._pay(on_time, 45.0)  # 300.00 left

        rows = self.env["bpo.cash.forecast.report"].search(
            [("partner_id", "in", (client | client_b).ids)]
        )

        def row(move):
            return rows.filtered(lambda row: row.move_id == move)

        self.assertEqual(row(not_due).delay_days, 10)
        self.assertEqual(row(not_due).expected_date, self.today + timedelta(days=20))
        self.assertEqual(row(overdue).expected_date, self.today)
        self.assertTrue(row(overdue).is_overdue)
        self.assertEqual(row(credit).expected_date, self.today + timedelta(days=14))
        self.assertEqual(row(on_time).delay_days, 0)
        self.assertEqual(row(on_time).expected_date, self.today + timedelta(days=3))
        self.assertEqual(row(on_time).amount_residual, 300.00)

        def monday(day):
            return day - timedelta(days=day.weekday())

        expected = {}
        for day, amount in (
            (self.today + timedelta(days=20), 115.00),
            (self.today, 230.00),
            (self.today + timedelta(days=14), -46.00),
            (self.today + timedelta(days=3), 300.00),
        ):
            expected[monday(day)] = expected.get(monday(day), 0.0) + amount
        by_week = {
            week: total
            for week, total in self.env["bpo.cash.forecast.report"]._read_group(
                [("partner_id", "in", (client | client_b).ids)],
                ["expected_week:day"],
                ["amount_residual:sum"],
            )
        }
        self.assertEqual(by_week, expected)
        # everything open is forecast once: 115.00 + 230.00 - 46.00 = 299.00; 300.00
        totals = self._report_totals("bpo.cash.forecast.report", client | client_b)
        self.assertEqual(totals, {client: 299.00, client_b: 300.00})
        self.assertEqual(self._ledger_balances(client | client_b), totals)


@tagged("post_install", "-at_install")
class TestRevenueReport(BpoReportCommon):
    """Agreement revenue by month: billed amounts equal the ledger, MRR spreads each period
    over its months, and each agreement's change is classified."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.monthly = cls._create_agreement(
            [
                {"product_id": cls.product_retainer.id, "price_unit": 1000.0},
                {
                    "product_id": cls.product_fte.id,
                    "quantity": 2,
                    "price_unit": 500.0,
                    "date_start": date(2026, 2, 1),
                },
                {"product_id": cls.product_setup.id, "price_unit": 300.0},
            ]
        )
        cls.monthly_invoices = cls.monthly.action_generate_invoices(date(2026, 3, 1))
        cls.quarterly = cls._create_agreement(
            [{"product_id": cls.product_retainer.id, "price_unit": 3000.0}],
            partner=cls.client_b,
            billing_frequency="quarterly",
        )
        cls.quarterly_invoice = cls.quarterly.action_generate_invoices(date(2026, 1, 1))
        cls.retainer_line, cls.fte_line, cls.setup_line = cls.monthly.line_ids.sorted("id")

    def _rows(self, agreement):
        return self.env["bpo.revenue.report"].search(
            [("agreement_id", "=", agreement.id)], order="month, agreement_line_id"
        )

    def _summary(self, rows):
        return [
            (row.month, row.agreement_line_id, row.amount, row.mrr, row.mrr_change, row.change_type)
            for row in rows
        ]

    def _ledger_revenue(self, moves):
        """Income booked on these invoices and credit notes (untaxed)."""
        groups = self.env["account.move.line"]._read_group(
            [
                ("move_id", "in", moves.ids),
                ("parent_state", "=", "posted"),
                ("display_type", "=", "product"),
            ],
            [],
            ["balance:sum"],
        )
        return -groups[0][0]

    def test_new_expansion_stable_and_churn(self):
        self.assertEqual(len(self.monthly_invoices), 3)
        self.monthly.action_close()

        rows = self._rows(self.monthly)

        jan, feb, mar, apr = (date(2026, month, 1) for month in (1, 2, 3, 4))
        retainer, fte, setup = self.retainer_line, self.fte_line, self.setup_line
        self.assertEqual(
            self._summary(rows),
            [
                # January: 1 000.00 retainer (recurring) + 300.00 set-up (one-off, no MRR)
                (jan, retainer, 1000.00, 1000.00, 1000.00, "new"),
                (jan, setup, 300.00, 0.00, 0.00, "new"),
                # February: 2 FTE × 500.00 = 1 000.00 more: MRR 1 000.00 → 2 000.00
                (feb, retainer, 1000.00, 1000.00, 0.00, "expansion"),
                (feb, fte, 1000.00, 1000.00, 1000.00, "expansion"),
                (mar, retainer, 1000.00, 1000.00, 0.00, "stable"),
                (mar, fte, 1000.00, 1000.00, 0.00, "stable"),
                # closed after March: April loses the 2 000.00
                (apr, retainer, 0.00, 0.00, -1000.00, "churn"),
                (apr, fte, 0.00, 0.00, -1000.00, "churn"),
            ],
        )
        self.assertEqual(sum(rows.mapped("new_mrr")), 1000.00)
        self.assertEqual(sum(rows.mapped("expansion_mrr")), 1000.00)
        self.assertEqual(sum(rows.mapped("churned_mrr")), -2000.00)
        self.assertEqual(rows.filtered(lambda row: row.month == mar).mapped("arr"), [12000.0] * 2)
        # 1 300.00 + 2 000.00 + 2 000.00 = 5 300.00, the agreement's income in the ledger
        self.assertEqual(sum(rows.mapped("amount")), 5300.00)
        self.assertEqual(self._ledger_revenue(self.monthly_invoices), 5300.00)

    def test_quarterly_fee_spread_over_its_months(self):
        rows = self._rows(self.quarterly)

        jan, feb, mar = (date(2026, month, 1) for month in (1, 2, 3))
        line = self.quarterly.line_ids
        # 3 000.00 for January-March: billed in January, 1 000.00 MRR in each month; the
        # agreement is active and April not billed yet: no churn
        self.assertEqual(
            self._summary(rows),
            [
                (jan, line, 3000.00, 1000.00, 1000.00, "new"),
                (feb, line, 0.00, 1000.00, 0.00, "stable"),
                (mar, line, 0.00, 1000.00, 0.00, "stable"),
            ],
        )
        self.assertEqual(sum(rows.mapped("amount")), self._ledger_revenue(self.quarterly_invoice))

    def test_credit_note_counts_negative(self):
        march = self.monthly_invoices.filtered(
            lambda move: move.invoice_line_ids[:1].bpo_period_start == date(2026, 3, 1)
        )
        reversal = (
            self.env["account.move.reversal"]
            .with_context(active_model="account.move", active_ids=march.ids)
            .create({"journal_id": march.journal_id.id, "date": date(2026, 3, 15)})
        )
        credit_note = self.env["account.move"].browse(reversal.refund_moves()["res_id"])
        credit_note.action_post()

        rows = self._rows(self.monthly).filtered(lambda row: row.month == date(2026, 3, 1))

        # March's 2 000.00 credited in full: no MRR left, the agreement churns in March
        self.assertEqual(
            self._summary(rows),
            [
                (date(2026, 3, 1), self.retainer_line, 0.00, 0.00, -1000.00, "churn"),
                (date(2026, 3, 1), self.fte_line, 0.00, 0.00, -1000.00, "churn"),
            ],
        )
        # 5 300.00 - 2 000.00 = 3 300.00
        total = sum(self._rows(self.monthly).mapped("amount"))
        self.assertEqual(total, 3300.00)
        self.assertEqual(self._ledger_revenue(self.monthly_invoices | credit_note), 3300.00)


@tagged("post_install", "-at_install")
class TestCommitmentReport(BpoReportCommon):
    """Billed usage per period against the rule's minimum, and the true-up billed."""

    def test_usage_minimum_and_true_up(self):
        agreement = self._create_agreement(
            [
                {"product_id": self.product_minute.id, "price_unit": 2.0, "minimum_amount": 1000},
                {"product_id": self.product_minute.id, "price_unit": 1.0, "maximum_amount": 500},
            ],
            billing_timing="arrears",
        )
        committed, capped = agreement.line_ids.sorted("id")
        self._record_usage(committed, date(2026, 1, 10), 100, "C-1")
        self._record_usage(committed, date(2026, 1, 20), 200, "C-2")
        self._record_usage(committed, date(2026, 2, 10), 700, "C-3")
        self._record_usage(capped, date(2026, 1, 10), 800, "P-1")
        self._record_usage(capped, date(2026, 2, 10), 400, "P-2")
        invoices = agreement.action_generate_invoices(date(2026, 3, 1))

        rows = self.env["bpo.commitment.report"].search(
            [("agreement_id", "=", agreement.id)], order="date_start, agreement_line_id"
        )

        self.assertEqual(
            [
                (
                    row.date_start,
                    row.agreement_line_id,
                    row.usage_quantity,
                    row.usage_amount,
                    row.minimum_amount,
                    row.shortfall_amount,
                    row.cap_amount,
                    row.billed_amount,
                    row.commitment_state,
                )
                for row in rows
            ],
            [
                # 300 × 2.00 = 600.00, short of 1 000.00: true-up 400.00
                (
                    date(2026, 1, 1),
                    committed,
                    300,
                    600.00,
                    1000.00,
                    400.00,
                    0.0,
                    1000.00,
                    "shortfall",
                ),
                # 800 × 1.00 = 800.00, capped at 500.00: -300.00
                (date(2026, 1, 1), capped, 800, 800.00, 0.00, 0.00, -300.00, 500.00, "none"),
                # 700 × 2.00 = 1 400.00 ≥ 1 000.00
                (date(2026, 2, 1), committed, 700, 1400.00, 1000.00, 0.00, 0.0, 1400.00, "met"),
                (date(2026, 2, 1), capped, 400, 400.00, 0.00, 0.00, 0.00, 400.00, "none"),
            ],
        )
        self.assertEqual(rows.move_id, invoices)
        # the invoices bill nothing else: 1 000.00 + 500.00 = 1 500.00; 1 400.00 + 400.00
        for invoice in invoices:
            billed = sum(
                rows.filtered(lambda row, m=invoice: row.move_id == m).mapped("billed_amount")
            )
            self.assertEqual(billed, invoice.amount_untaxed)
        self.assertEqual(sorted(invoices.mapped("amount_untaxed")), [1500.00, 1800.00])


@tagged("post_install", "-at_install")
class TestDisputeReport(BpoReportCommon):
    """Disputed, accepted and still open amounts in company currency, and their age."""

    def _dispute(self, invoice, amount, opened_days_ago):
        return self.env["bpo.dispute"].create(
            {
                "move_id": invoice.id,
                "amount": amount,
                "reason": "Volumes do not match our records",
                "date": self.today - timedelta(days=opened_days_ago),
            }
        )

    def test_amounts_and_ageing(self):
        invoice = self._invoice(self.client, 1000.0, -20)
        in_eur = self._invoice(self.client_b, 1000.0, -50, currency=self.eur)
        still_open = self._dispute(invoice, 200.0, 40)
        accepted = self._dispute(invoice, 300.0, 100)
        accepted.write(
            {
                "state": "accepted",
                "accepted_amount": 120.0,
                "date_closed": self.today - timedelta(days=30),
            }
        )
        rejected = self._dispute(in_eur, 230.0, 10)  # 230.00 EUR at 2 EUR per USD = 115.00
        rejected.write({"state": "rejected", "date_closed": self.today - timedelta(days=5)})

        rows = self.env["bpo.dispute.report"].search(
            [("partner_id", "in", (self.client | self.client_b).ids)]
        )

        def row(dispute):
            return rows.filtered(lambda row: row.dispute_id == dispute)

        # open 40 days; accepted after 100 - 30 = 70 days; rejected after 10 - 5 = 5 days
        self.assertEqual(
            [(row(d).age_days, row(d).age_bucket) for d in (still_open, accepted, rejected)],
            [(40, "31_60"), (70, "61_90"), (5, "0_30")],
        )
        self.assertEqual(row(rejected).amount, 115.00)
        self.assertEqual(row(rejected).rejected_amount, 115.00)
        self.assertEqual(row(accepted).rejected_amount, 180.00)  # 300.00 - 120.00
        # disputed 200.00 + 300.00 + 115.00 = 615.00; accepted 120.00; still open 200.00
        self.assertEqual(sum(rows.mapped("amount")), 615.00)
        self.assertEqual(sum(rows.mapped("accepted_amount")), 120.00)
        self.assertEqual(sum(rows.mapped("open_amount")), 200.00)


REPORT_MODELS = (
    "bpo.receivable.ageing.report",
    "bpo.revenue.report",
    "bpo.commitment.report",
    "bpo.cash.forecast.report",
    "bpo.dispute.report",
)


@tagged("post_install", "-at_install")
class TestReportAccess(BpoReportCommon):
    """A billing officer reads the reports from the BPO Billing menu, and cannot change them."""

    def test_officer_reads_and_cannot_write(self):
        officer = new_test_user(
            self.env,
            login="bpo_report_officer",
            groups="base.group_user,bpo_billing.group_bpo_user",
            company_id=self.company.id,
            company_ids=[Command.set(self.company.ids)],
        )
        self._invoice(self.client, 100.0, -10)
        for model in REPORT_MODELS:
            reports = self.env[model].with_user(officer)
            reports.search([], limit=1).read()
            with self.assertRaises(AccessError, msg=model):
                reports.check_access("write")

        visible = self.env["ir.ui.menu"].with_user(officer)._visible_menu_ids()
        dashboard = self.env.ref("bpo_billing.menu_bpo_report_dashboard")
        self.assertIn(dashboard.id, visible)
        self.assertEqual(
            dashboard.parent_id.parent_id, self.env.ref("bpo_billing.menu_bpo_billing_root")
        )
        self.assertEqual(
            dashboard.action, self.env.ref("bpo_billing.action_bpo_receivable_ageing_report")
        )
        self.assertEqual(
            dashboard.action.view_mode.split(",")[0], "pivot", "the dashboard opens on the pivot"
        )

    def test_reports_show_the_companies_of_the_user(self):
        other_company = self.setup_other_company()["company"]
        self._invoice(self.client, 100.0, -10)
        officer = new_test_user(
            self.env,
            login="bpo_other_officer",
            groups="base.group_user,bpo_billing.group_bpo_user",
            company_id=other_company.id,
            company_ids=[Command.set(other_company.ids)],
        )

        rows = self.env["bpo.receivable.ageing.report"].with_user(officer).search([])

        self.assertFalse(rows.filtered(lambda row: row.partner_id == self.client))


@tagged("post_install", "-at_install")
class TestReportsOnDemoData(TransactionCase):
    """The demo database, billed for its last three months: the reports agree with Odoo's
    Partner Ledger and income to the cent."""

    def test_reports_agree_with_the_ledger(self):
        today = fields.Date.today()
        agreements = self.env["bpo.agreement"].browse(
            [
                self.env.ref(f"bpo_billing.agreement_{key}").id
                for key in ("northwind", "contoso", "fabrikam")
            ]
        )
        invoices = agreements.action_generate_invoices(today)
        company = agreements.company_id
        contoso_first = invoices.filtered(lambda move: move.partner_id.name == "Contoso Insurance")[
            0
        ]
        self.env["account.payment.register"].with_context(
            active_model="account.move", active_ids=contoso_first.ids
        ).create({"amount": 1000.0, "payment_difference_handling": "open"})._create_payments()

        ledger_domain = [
            ("company_id", "=", company.id),
            ("display_type", "not in", ("line_section", "line_note")),
            ("parent_state", "=", "posted"),
            ("account_id.account_type", "=", "asset_receivable"),
            ("account_id.non_trade", "=", False),
        ]
        invoice_types = [("move_id.move_type", "in", ("out_invoice", "out_refund"))]
        # the ageing against the receivable balance; the forecast against what remains open
        # of the invoices and credit notes (payments not matched yet are not forecast)
        for report, domain, ledger_measure in (
            ("bpo.receivable.ageing.report", ledger_domain, "balance:sum"),
            ("bpo.cash.forecast.report", ledger_domain + invoice_types, "amount_residual:sum"),
        ):
            ledger = {}
            for partner, balance in self.env["account.move.line"]._read_group(
                domain, ["partner_id"], [ledger_measure]
            ):
                client = partner.commercial_partner_id
                ledger[client] = ledger.get(client, 0.0) + balance
            totals = dict(
                self.env[report]._read_group(
                    [("company_id", "=", company.id)], ["partner_id"], ["amount_residual:sum"]
                )
            )
            self.assertEqual(
                {
                    client: company.currency_id.round(total)
                    for client, total in totals.items()
                    if not company.currency_id.is_zero(total)
                },
                {
                    client: company.currency_id.round(balance)
                    for client, balance in ledger.items()
                    if not company.currency_id.is_zero(balance)
                },
                report,
            )

        revenue = self.env["bpo.revenue.report"].search([("agreement_id", "in", agreements.ids)])
        # the billing rules' income; service credits and re-billed costs are not recurring
        # revenue (they have their own reports)
        income = -sum(invoices.invoice_line_ids.filtered("bpo_agreement_line_id").mapped("balance"))
        self.assertEqual(
            company.currency_id.compare_amounts(sum(revenue.mapped("amount")), income), 0
        )

        northwind = self.env.ref("bpo_billing.agreement_northwind")
        commitments = self.env["bpo.commitment.report"].search(
            [("agreement_id", "=", northwind.id)], order="date_start"
        )
        # 38 250 minutes × 0.85 = 32 512.50, short of 40 000.00 by 7 487.50
        self.assertEqual(commitments.mapped("shortfall_amount"), [7487.50, 0.0, 0.0])
        # the voice rule's lines (see test_generation_demo): 40 000.00 after the true-up,
        # 59 300.00 and 92 090.00
        self.assertEqual(commitments.mapped("billed_amount"), [40000.00, 59300.00, 92090.00])
