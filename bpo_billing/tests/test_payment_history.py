import json
from datetime import date, timedelta

from odoo import Command
from odoo.tests import tagged

from .common import BpoBillingCommon

DATE_REF = date(2026, 6, 30)  # history window: instalments due 1 Jul 2025 – 30 Jun 2026


class PaymentHistoryCommon(BpoBillingCommon):
    """Hand-built payment histories: invoices with chosen due dates, payments on chosen days."""

    @classmethod
    def _new_client(cls, name):
        return cls.env["res.partner"].create({"name": name, "is_company": True})

    @classmethod
    def _invoice(cls, partner, amount, invoice_date, due_date, currency=None, company=None):
        """A posted customer invoice of ``amount`` (no tax), due on ``due_date``."""
        company = company or cls.company
        move_model = cls.env["account.move"].with_company(company)
        invoice = move_model.create(
            {
                "move_type": "out_invoice",
                "partner_id": partner.id,
                "company_id": company.id,
                "currency_id": (currency or company.currency_id).id,
                "invoice_date": invoice_date,
                "invoice_date_due": due_date,
                "invoice_line_ids": [
                    Command.create(
                        {"name": "BPO services", "quantity": 1, "price_unit": amount, "tax_ids": []}
                    )
                ],
            }
        )
        invoice.action_post()
        return invoice

    @classmethod
    def _pay(cls, invoice, amount, day):
        """Register a payment of ``amount`` in the invoice's currency on ``day``."""
        cls.env["account.payment.register"].with_company(invoice.company_id).with_context(
            active_model="account.move", active_ids=invoice.ids
        ).create(
            {"amount": amount, "payment_date": day, "currency_id": invoice.currency_id.id}
        )._create_payments()

    @classmethod
    def _credit_note(cls, invoice, amount, day):
        """A posted credit note of ``amount`` dated ``day``, reconciled with ``invoice``."""
        credit_note = cls.env["account.move"].create(
            {
                "move_type": "out_refund",
                "partner_id": invoice.partner_id.id,
                "invoice_date": day,
                "invoice_line_ids": [
                    Command.create(
                        {
                            "name": "Service credit",
                            "quantity": 1,
                            "price_unit": amount,
                            "tax_ids": [],
                        }
                    )
                ],
            }
        )
        credit_note.action_post()
        (invoice | credit_note).line_ids.filtered(
            lambda line: line.display_type == "payment_term"
        ).reconcile()
        return credit_note

    def _refresh(self, partners, date_ref=DATE_REF):
        partners._bpo_refresh_payment_history(date_ref)

    def _figures(self, partner):
        return {
            "avg_days_late": partner.bpo_avg_days_late,
            "on_time_rate": partner.bpo_on_time_rate,
            "overdue_amount": partner.bpo_overdue_amount,
            "grade": partner.bpo_reliability_grade,
        }


@tagged("post_install", "-at_install")
class TestPaymentHistory(PaymentHistoryCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        client = cls.client
        # a year and more before DATE_REF: outside the window, 100 days late
        cls.inv_old = cls._invoice(client, 5000.0, date(2025, 5, 1), date(2025, 5, 31))
        cls._pay(cls.inv_old, 5000.0, date(2025, 9, 8))
        # paid on its due date
        cls.inv_on_time = cls._invoice(client, 1000.0, date(2026, 3, 1), date(2026, 3, 31))
        cls._pay(cls.inv_on_time, 1000.0, date(2026, 3, 31))
        # paid 10 days late
        cls.inv_late = cls._invoice(client, 2000.0, date(2026, 3, 31), date(2026, 4, 30))
        cls._pay(cls.inv_late, 2000.0, date(2026, 5, 10))
        # partial payments: 400.00 on the due date, 600.00 20 days late
        cls.inv_partial = cls._invoice(client, 1000.0, date(2026, 5, 1), date(2026, 5, 31))
        cls._pay(cls.inv_partial, 400.0, date(2026, 5, 31))
        cls._pay(cls.inv_partial, 600.0, date(2026, 6, 20))
        # 200.00 credited before the due date, the other 300.00 paid 5 days late
        cls.inv_credited = cls._invoice(client, 500.0, date(2026, 5, 11), date(2026, 6, 10))
        cls.credit_note = cls._credit_note(cls.inv_credited, 200.0, date(2026, 6, 5))
        cls._pay(cls.inv_credited, 300.0, date(2026, 6, 15))
        # unpaid, 15 days overdue on DATE_REF
        cls.inv_open = cls._invoice(client, 800.0, date(2026, 5, 16), date(2026, 6, 15))
        # unpaid, not due yet on DATE_REF
        cls.inv_not_due = cls._invoice(client, 300.0, date(2026, 6, 15), date(2026, 7, 15))
        # paid after DATE_REF: still open, 10 days overdue, on DATE_REF
        cls.inv_paid_after = cls._invoice(client, 700.0, date(2026, 5, 21), date(2026, 6, 20))
        cls._pay(cls.inv_paid_after, 700.0, date(2026, 7, 5))

    def test_settled_portions_in_the_sql_view(self):
        rows = self.env["bpo.payment.history"].search([("partner_id", "=", self.client.id)])
        self.assertCountEqual(
            [
                (row.invoice_id, row.payment_date, row.amount, row.days_late, row.settled_by)
                for row in rows
            ],
            [
                (self.inv_old, date(2025, 9, 8), 5000.0, 100, "payment"),
                (self.inv_on_time, date(2026, 3, 31), 1000.0, 0, "payment"),
                (self.inv_late, date(2026, 5, 10), 2000.0, 10, "payment"),
                (self.inv_partial, date(2026, 5, 31), 400.0, 0, "payment"),
                (self.inv_partial, date(2026, 6, 20), 600.0, 20, "payment"),
                (self.inv_credited, date(2026, 6, 5), 200.0, 0, "credit_note"),
                (self.inv_credited, date(2026, 6, 15), 300.0, 5, "payment"),
                (self.inv_paid_after, date(2026, 7, 5), 700.0, 15, "payment"),
            ],
        )
        credit_row = rows.filtered(lambda row: row.settled_by == "credit_note")
        self.assertEqual(credit_row.settlement_move_id, self.credit_note)
        self.assertEqual(credit_row.lateness, "on_time")

    def test_figures_on_the_reference_date(self):
        self._refresh(self.client)

        # weighed (amount × days late), due 1 Jul 2025 – 30 Jun 2026:
        #   1 000 × 0 + 2 000 × 10 + 400 × 0 + 600 × 20 + 300 × 5 (the 200 credit note is no
        #   payment) + 800 × 15 (open) + 700 × 10 (paid after DATE_REF, open on it)
        #   = 52 500 over 5 800 → 9.05 days; on time (1 000 + 400) / 5 800 = 24.14 %
        self.assertAlmostEqual(self.client.bpo_avg_days_late, 9.05, places=2)
        self.assertAlmostEqual(self.client.bpo_on_time_rate, 24.14, places=2)
        # open and past due on 30 June: 800 + 700; the 300 due 15 July is not overdue
        self.assertEqual(self.client.bpo_overdue_amount, 1500.0)
        self.assertEqual(self.client.bpo_reliability_grade, "D")
        # receivable on 30 June: 11 300 invoiced − 9 300 paid − 200 credited = 1 800;
        # credit sales 1 Apr – 30 Jun: 1 000 + 500 + 800 + 300 + 700 − 200 = 3 100;
        # 1 800 / 3 100 × 90 = 52.3 days
        self.assertAlmostEqual(self.client.bpo_dso, 52.3, places=1)
        # due in the last 90 days: 52 500 / 4 800 = 10.94 days, against 0 (the 1 000 due
        # 31 March, paid on time) in the 90 days before: worse by more than 2 days
        self.assertEqual(self.client.bpo_payment_trend, "worse")
        self.assertEqual(self.client.bpo_history_date, DATE_REF)
        self.assertEqual(self.client.bpo_history_currency_id, self.company.currency_id)

    def test_figures_move_with_the_reference_date(self):
        self._refresh(self.client, date(2026, 7, 31))

        # due 1 Aug 2025 – 31 Jul 2026: 1 000 × 0 + 2 000 × 10 + 400 × 0 + 600 × 20 + 300 × 5
        #   + 800 × 46 (open) + 300 × 16 (now overdue) + 700 × 15 (paid 5 July)
        #   = 85 600 over 6 100 → 14.03 days
        self.assertAlmostEqual(self.client.bpo_avg_days_late, 14.03, places=2)
        # overdue on 31 July: 800 + 300
        self.assertEqual(self.client.bpo_overdue_amount, 1100.0)

    def test_refresh_from_a_contact_is_idempotent(self):
        contact = self.env["res.partner"].create(
            {"name": "Northwind Accounts", "parent_id": self.client.id}
        )
        self._refresh(contact)
        first = self._figures(self.client)
        self._refresh(self.client | contact)
        self.assertEqual(self._figures(self.client), first)
        self.assertEqual(first["grade"], "D")
        self.assertFalse(contact.bpo_reliability_grade)

    def test_graph_of_days_late_by_month(self):
        self._refresh(self.client)

        values = json.loads(self.client.bpo_payment_graph)[0]["values"]
        # 12 months, July 2025 to June 2026, paid amounts only
        self.assertEqual(len(values), 12)
        by_month = [value["value"] for value in values]
        # September 2025: 5 000 paid 100 days late
        self.assertEqual(by_month[2], 100.0)
        # March: 1 000 on time; May: (2 000 × 10 + 400 × 0) / 2 400 = 8.3;
        # June: (600 × 20 + 300 × 5) / 900 = 15.0
        self.assertEqual(by_month[8], 0.0)
        self.assertEqual(by_month[10], 8.3)
        self.assertEqual(by_month[11], 15.0)

    def test_client_list_filter_graded_c_or_d(self):
        good = self._new_client("Prompt Payer")
        invoice = self._invoice(good, 1000.0, date(2026, 5, 1), date(2026, 5, 31))
        self._pay(invoice, 1000.0, date(2026, 5, 30))
        self._refresh(self.client | good)

        self.assertEqual(good.bpo_reliability_grade, "A")
        graded_c_d = self.env["res.partner"].search(
            [("bpo_reliability_grade", "in", ("C", "D")), ("id", "in", (self.client | good).ids)]
        )
        self.assertEqual(graded_c_d, self.client)

    def test_cron_refreshes_every_client_stalest_first(self):
        never = self._new_client("Never Refreshed")
        self._invoice(never, 100.0, date(2026, 6, 1), date(2026, 6, 10))
        self._refresh(self.client, date(2026, 1, 31))

        client_ids = self.env["res.partner"]._bpo_get_history_client_ids()
        self.assertLess(client_ids.index(never.id), client_ids.index(self.client.id))

        done = self.env["res.partner"]._cron_bpo_refresh_payment_history(DATE_REF, batch_size=1)

        self.assertEqual(done, len(client_ids))
        self.assertEqual(self.client.bpo_history_date, DATE_REF)
        self.assertAlmostEqual(self.client.bpo_avg_days_late, 9.05, places=2)
        # 100.00 open, 20 days overdue on 30 June: all of it late
        self.assertEqual(never.bpo_avg_days_late, 20.0)
        self.assertEqual(never.bpo_on_time_rate, 0.0)
        self.assertEqual(never.bpo_overdue_amount, 100.0)
        self.assertEqual(never.bpo_reliability_grade, "D")
        # a second run changes nothing
        self.env["res.partner"]._cron_bpo_refresh_payment_history(DATE_REF)
        self.assertAlmostEqual(self.client.bpo_avg_days_late, 9.05, places=2)


@tagged("post_install", "-at_install")
class TestPaymentHistoryCurrencies(PaymentHistoryCommon):
    """A foreign-currency invoice weighs its value in company currency at the invoice's rate."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        # 1 USD = 0.5 EUR until 31 May, then 0.625 EUR: 1 EUR = 2.00 USD, then 1.60 USD
        cls.eur = cls.setup_other_currency(
            "EUR", rates=[("2026-01-01", 0.5), ("2026-06-01", 0.625)]
        )
        assert cls.company.currency_id != cls.eur
        cls.fx_client = cls._new_client("Fabrikam Europe")
        # 1 000 EUR invoiced at 2.00 (2 000 USD), paid 10 days late at 1.60
        fx_paid = cls._invoice(
            cls.fx_client, 1000.0, date(2026, 5, 1), date(2026, 6, 1), currency=cls.eur
        )
        cls._pay(fx_paid, 1000.0, date(2026, 6, 11))
        # 2 000 USD paid on its due date
        usd_paid = cls._invoice(cls.fx_client, 2000.0, date(2026, 5, 1), date(2026, 6, 1))
        cls._pay(usd_paid, 2000.0, date(2026, 6, 1))
        # 500 EUR invoiced at 2.00 (1 000 USD), 200 EUR paid 2 days late, 300 EUR still open
        fx_partial = cls._invoice(
            cls.fx_client, 500.0, date(2026, 5, 11), date(2026, 6, 10), currency=cls.eur
        )
        cls._pay(fx_partial, 200.0, date(2026, 6, 12))

    def test_foreign_currency_counted_in_company_currency(self):
        self._refresh(self.fx_client)

        # weighed in USD at the invoices' rate: 2 000 × 10 + 2 000 × 0 + 400 × 2 + 600 × 20
        # (300 EUR open, 20 days overdue) = 32 800 over 5 000 → 6.56 days
        # (weighed at the payment rate it would be 6.34, in invoice currency 4.69)
        self.assertAlmostEqual(self.fx_client.bpo_avg_days_late, 6.56, places=2)
        # on time: 2 000 / 5 000
        self.assertAlmostEqual(self.fx_client.bpo_on_time_rate, 40.0, places=2)
        # 300 EUR open at the invoice's 2.00
        self.assertEqual(self.fx_client.bpo_overdue_amount, 600.0)
        # 40 % on time: below C's 50 %
        self.assertEqual(self.fx_client.bpo_reliability_grade, "D")


@tagged("post_install", "-at_install")
class TestPaymentHistoryCompanies(PaymentHistoryCommon):
    def test_figures_are_per_company(self):
        other = self.setup_other_company(name="BPO Services Europe")["company"]
        here = self._invoice(self.client, 1000.0, date(2026, 5, 1), date(2026, 5, 31))
        self._pay(here, 1000.0, date(2026, 5, 31))
        there = self._invoice(
            self.client, 1000.0, date(2026, 5, 1), date(2026, 5, 31), company=other
        )
        self._pay(there, 1000.0, date(2026, 6, 30))

        self._refresh(self.client)

        self.assertEqual(self.client.bpo_avg_days_late, 0.0)
        self.assertEqual(self.client.bpo_reliability_grade, "A")
        in_other = self.client.with_company(other)
        # 30 days late, nothing on time
        self.assertEqual(in_other.bpo_avg_days_late, 30.0)
        self.assertEqual(in_other.bpo_reliability_grade, "D")


@tagged("post_install", "-at_install")
class TestPaymentGrades(PaymentHistoryCommon):
    """Each grade boundary on both sides, and the trend's: amounts paid on their due date
    and amounts paid late, all due 1 April 2026, before DATE_REF."""

    def _grade(self, on_time_amount, late_amount, days_late):
        client = self._new_client(f"Client {on_time_amount}/{late_amount}/{days_late}")
        due = date(2026, 4, 1)
        on_time = self._invoice(client, on_time_amount, date(2026, 3, 1), due)
        self._pay(on_time, on_time_amount, due)
        late = self._invoice(client, late_amount, date(2026, 3, 1), due)
        self._pay(late, late_amount, due + timedelta(days=days_late))
        self._refresh(client)
        return client.bpo_reliability_grade

    def test_grade_a_boundaries(self):
        # 900 / 1 000 = 90 % on time; 100 × 50 / 1 000 = 5.0 days late on average
        self.assertEqual(self._grade(900.0, 100.0, 50), "A")
        # 899 / 1 000 = 89.9 % on time (101 × 49 / 1 000 = 4.95 days)
        self.assertEqual(self._grade(899.0, 101.0, 49), "B")
        # 90 % on time, 100 × 51 / 1 000 = 5.1 days
        self.assertEqual(self._grade(900.0, 100.0, 51), "B")

    def test_grade_b_boundaries(self):
        # 75 % on time, 250 × 60 / 1 000 = 15.0 days
        self.assertEqual(self._grade(750.0, 250.0, 60), "B")
        # 74.9 % on time (251 × 59 / 1 000 = 14.81 days)
        self.assertEqual(self._grade(749.0, 251.0, 59), "C")
        # 75 % on time, 250 × 61 / 1 000 = 15.25 days
        self.assertEqual(self._grade(750.0, 250.0, 61), "C")

    def test_grade_c_boundaries(self):
        # 50 % on time, 500 × 60 / 1 000 = 30.0 days
        self.assertEqual(self._grade(500.0, 500.0, 60), "C")
        # 49.9 % on time (501 × 59 / 1 000 = 29.56 days)
        self.assertEqual(self._grade(499.0, 501.0, 59), "D")
        # 50 % on time, 500 × 61 / 1 000 = 30.5 days
        self.assertEqual(self._grade(500.0, 500.0, 61), "D")

    def test_no_grade_without_payments_due(self):
        credited = self._new_client("Credited Client")
        invoice = self._invoice(credited, 400.0, date(2026, 3, 1), date(2026, 4, 1))
        self._credit_note(invoice, 400.0, date(2026, 3, 15))
        not_due = self._new_client("New Client")
        self._invoice(not_due, 400.0, date(2026, 6, 15), date(2026, 7, 15))

        self._refresh(credited | not_due)

        # a credit note is no payment: nothing paid, nothing late, no grade
        self.assertFalse(credited.bpo_reliability_grade)
        self.assertEqual(credited.bpo_on_time_rate, 0.0)
        self.assertFalse(not_due.bpo_reliability_grade)
        self.assertEqual(not_due.bpo_overdue_amount, 0.0)

    def _trend(self, previous_days_late, recent_days_late):
        """1 000 due 15 March (previous quarter) and 1 000 due 15 May (last 90 days)."""
        client = self._new_client(f"Trend {previous_days_late}/{recent_days_late}")
        for due, days_late in (
            (date(2026, 3, 15), previous_days_late),
            (date(2026, 5, 15), recent_days_late),
        ):
            invoice = self._invoice(client, 1000.0, due - timedelta(days=30), due)
            self._pay(invoice, 1000.0, due + timedelta(days=days_late))
        self._refresh(client)
        return client.bpo_payment_trend

    def test_trend_boundaries(self):
        # 10 days late before, then 7: lower by 3 days
        self.assertEqual(self._trend(10, 7), "better")
        # lower by 2 days only, higher by 2 only
        self.assertEqual(self._trend(10, 8), "stable")
        self.assertEqual(self._trend(10, 12), "stable")
        # higher by 3 days
        self.assertEqual(self._trend(10, 13), "worse")
