from datetime import date

from odoo import Command
from odoo.exceptions import AccessError, UserError
from odoo.tests import new_test_user, tagged

from .common import BpoBillingCommon


@tagged("post_install", "-at_install")
class TestGenerationTiming(BpoBillingCommon):
    """Which periods are due when, in advance and in arrears, and what lands on the invoice."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.fixed_and_seats = [
            {"product_id": cls.product_retainer.id, "price_unit": 8000.0},
            {"product_id": cls.product_fte.id, "quantity": 12, "price_unit": 3200.0},
        ]

    def test_advance_bills_the_coming_period_on_its_first_day(self):
        agreement = self._create_agreement(self.fixed_and_seats, billing_timing="advance")
        self.assertFalse(agreement.action_generate_invoices(date(2025, 12, 31)))

        invoice = agreement.action_generate_invoices(date(2026, 1, 1))

        self.assertEqual(len(invoice), 1)
        self.assertEqual(invoice.state, "posted")
        self.assertEqual(invoice.move_type, "out_invoice")
        # 8 000.00 + 12 × 3 200.00 = 46 400.00; 15 % tax = 6 960.00
        self.assertEqual(invoice.amount_untaxed, 46400.00)
        self.assertEqual(invoice.amount_tax, 6960.00)
        self.assertEqual(invoice.amount_total, 53360.00)
        self.assertEqual(
            invoice.invoice_line_ids.mapped("bpo_period_start"), [date(2026, 1, 1)] * 2
        )
        self.assertEqual(invoice.invoice_line_ids.mapped("bpo_period_end"), [date(2026, 1, 31)] * 2)
        self.assertEqual(invoice.invoice_line_ids.bpo_agreement_line_id, agreement.line_ids)
        self.assertEqual(invoice.bpo_agreement_id, agreement)
        self.assertEqual(invoice.bpo_period_id.state, "invoiced")
        self.assertEqual(invoice.bpo_period_id.move_id, invoice)
        self.assertEqual(agreement.next_period_start, date(2026, 2, 1))
        self.assertEqual(agreement.next_invoice_date, date(2026, 2, 1))

    def test_arrears_bills_the_period_the_day_after_it_ends(self):
        agreement = self._create_agreement(self.fixed_and_seats, billing_timing="arrears")
        self.assertEqual(agreement.next_invoice_date, date(2026, 2, 1))
        self.assertFalse(agreement.action_generate_invoices(date(2026, 1, 31)))

        invoice = agreement.action_generate_invoices(date(2026, 2, 1))

        self.assertEqual(
            invoice.invoice_line_ids.mapped("bpo_period_start"), [date(2026, 1, 1)] * 2
        )
        self.assertEqual(invoice.amount_untaxed, 46400.00)
        self.assertEqual(agreement.next_period_start, date(2026, 2, 1))
        self.assertEqual(agreement.next_invoice_date, date(2026, 3, 1))

    def test_catch_up_bills_every_due_period_once(self):
        agreement = self._create_agreement(self.fixed_and_seats, billing_timing="advance")

        invoices = agreement.action_generate_invoices(date(2026, 3, 15))

        # January, February and March, each 46 400.00 untaxed
        self.assertEqual(len(invoices), 3)
        self.assertEqual(
            sorted(agreement.period_ids.mapped("date_start")),
            [date(2026, 1, 1), date(2026, 2, 1), date(2026, 3, 1)],
        )
        self.assertEqual(invoices.mapped("amount_untaxed"), [46400.00] * 3)
        self.assertEqual(agreement.next_period_start, date(2026, 4, 1))

    def test_draft_invoices_when_auto_post_is_off(self):
        agreement = self._create_agreement(self.fixed_and_seats, auto_post=False)

        invoice = agreement.action_generate_invoices(date(2026, 1, 1))

        self.assertEqual(invoice.state, "draft")
        self.assertEqual(invoice.amount_untaxed, 46400.00)
        self.assertEqual(invoice.bpo_period_id.state, "invoiced")

    def test_invoice_takes_the_agreement_terms(self):
        analytic_plan = self.env["account.analytic.plan"].create({"name": "Sites"})
        site = self.env["account.analytic.account"].create(
            {"name": "Manila", "plan_id": analytic_plan.id}
        )
        agreement = self._create_agreement(
            [
                {
                    "product_id": self.product_retainer.id,
                    "price_unit": 1000.0,
                    "analytic_distribution": {str(site.id): 100},
                }
            ],
            payment_term_id=self.pay_terms_b.id,
            fiscal_position_id=self.fiscal_pos_a.id,
            user_id=self.env.user.id,
        )

        invoice = agreement.action_generate_invoices(date(2026, 1, 1))

        self.assertEqual(invoice.journal_id, self.journal)
        self.assertEqual(invoice.invoice_payment_term_id, self.pay_terms_b)
        self.assertEqual(invoice.fiscal_position_id, self.fiscal_pos_a)
        self.assertEqual(invoice.currency_id, self.company.currency_id)
        self.assertEqual(invoice.invoice_origin, agreement.name)
        self.assertEqual(invoice.invoice_line_ids.analytic_distribution, {str(site.id): 100})

    def test_suspended_and_closed_agreements_are_not_billed(self):
        suspended = self._create_agreement(self.fixed_and_seats)
        suspended.action_suspend()
        closed = self._create_agreement(self.fixed_and_seats)
        closed.action_close()

        with self.assertRaisesRegex(UserError, "Only active agreements are billed"):
            suspended.action_generate_invoices(date(2026, 1, 1))
        with self.assertRaisesRegex(UserError, "Only active agreements are billed"):
            closed.action_generate_invoices(date(2026, 1, 1))
        self.env["bpo.agreement"]._cron_generate_invoices(date(2026, 1, 1))
        self.assertFalse((suspended | closed).invoice_ids)

    def test_preview_says_which_agreements_are_suspended(self):
        due = self._create_agreement(self.fixed_and_seats)
        suspended = self._create_agreement(self.fixed_and_seats)
        suspended.action_suspend()

        wizard = self.env["bpo.generate.invoices.wizard"].create(
            {
                "date": date(2026, 1, 1),
                "agreement_ids": [Command.set((due | suspended).ids)],
            }
        )

        # 8 000.00 + 12 × 3 200.00 = 46 400.00 for the due one only
        self.assertIn(due.name, wizard.preview)
        self.assertIn("46,400.00", wizard.preview)
        self.assertIn(
            f"Suspended, not billed until activated again: {suspended.name}", wizard.preview
        )
        invoices = self.env["account.move"].search(wizard.action_generate()["domain"])
        self.assertEqual(invoices.bpo_agreement_id, due)

    def test_reactivated_agreement_resumes_from_the_next_unbilled_period(self):
        agreement = self._create_agreement(self.fixed_and_seats)
        agreement.action_generate_invoices(date(2026, 1, 1))
        agreement.action_suspend()
        self.env["bpo.agreement"]._cron_generate_invoices(date(2026, 2, 10))
        self.assertEqual(len(agreement.invoice_ids), 1)

        agreement.action_activate()
        invoices = agreement.action_generate_invoices(date(2026, 2, 10))

        self.assertEqual(
            invoices.invoice_line_ids.mapped("bpo_period_start"), [date(2026, 2, 1)] * 2
        )

    def test_billing_stops_after_the_end_date(self):
        agreement = self._create_agreement(
            [{"product_id": self.product_retainer.id, "price_unit": 3100.0}],
            date_end=date(2026, 3, 10),
        )

        invoices = agreement.action_generate_invoices(date(2026, 12, 31))

        # January and February in full, then 10/31 of March: 3 100.00 × 10 / 31 = 1 000.00
        self.assertEqual(invoices.mapped("amount_untaxed"), [3100.00, 3100.00, 1000.00])
        self.assertEqual(invoices[-1].invoice_line_ids.bpo_period_end, date(2026, 3, 10))
        self.assertFalse(agreement.next_invoice_date)

    def test_a_billing_officer_generates_invoices(self):
        officer = new_test_user(
            self.env,
            login="billing_officer",
            groups="bpo_billing.group_bpo_user",
            company_id=self.company.id,
            company_ids=[Command.set(self.company.ids)],
        )
        agreement = self._create_agreement(self.fixed_and_seats)

        invoice = agreement.with_user(officer).action_generate_invoices(date(2026, 1, 1))

        self.assertEqual(invoice.amount_untaxed, 46400.00)
        self.assertEqual(agreement.period_ids.state, "invoiced")
        with self.assertRaises(AccessError):
            agreement.period_ids.with_user(officer).write({"state": "skipped"})
