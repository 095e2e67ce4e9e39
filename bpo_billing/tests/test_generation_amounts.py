from datetime import date

from odoo import Command
from odoo.exceptions import UserError
from odoo.tests import tagged

from .common import BpoBillingCommon


@tagged("post_install", "-at_install")
class TestGenerationAmounts(BpoBillingCommon):
    """Invoices right to the cent for each billing rule, from the agreement to the ledger."""

    def test_agreement_starting_mid_month_bills_covered_days(self):
        agreement = self._create_agreement(
            [{"product_id": self.product_retainer.id, "price_unit": 1000.0}],
            date_start=date(2026, 1, 15),
        )

        january, february = agreement.action_generate_invoices(date(2026, 2, 1))

        # 1 000.00 × 17 / 31 = 548.387… → 548.39; February in full
        self.assertEqual(january.amount_untaxed, 548.39)
        self.assertEqual(january.invoice_line_ids.bpo_period_start, date(2026, 1, 15))
        self.assertIn("17/31", january.invoice_line_ids.name)
        self.assertEqual(february.amount_untaxed, 1000.00)

    def test_rule_starting_inside_the_agreement_is_prorated(self):
        agreement = self._create_agreement(
            [
                {
                    "product_id": self.product_fte.id,
                    "quantity": 10,
                    "price_unit": 3000.0,
                    "date_start": date(2026, 2, 15),
                },
            ]
        )

        invoices = agreement.action_generate_invoices(date(2026, 2, 1))

        # January: the rule has not started, the period bills nothing. February 2026 has
        # 28 days, the rule covers 14: 10 × 3 000.00 × 14 / 28 = 15 000.00
        january, february = agreement.period_ids.sorted("date_start")
        self.assertEqual(january.state, "skipped")
        self.assertFalse(january.move_id)
        self.assertEqual(february.move_id, invoices)
        self.assertEqual(invoices.amount_untaxed, 15000.00)
        self.assertEqual(invoices.invoice_line_ids.bpo_period_start, date(2026, 2, 15))

    def test_quarterly_period_prorated_by_days(self):
        agreement = self._create_agreement(
            [{"product_id": self.product_retainer.id, "price_unit": 9000.0}],
            date_start=date(2026, 2, 1),
            billing_frequency="quarterly",
        )

        invoice = agreement.action_generate_invoices(date(2026, 2, 1))

        # Q1 2026 has 90 days, February and March 59: 9 000.00 × 59 / 90 = 5 900.00
        self.assertEqual(invoice.amount_untaxed, 5900.00)
        self.assertEqual(invoice.invoice_line_ids.bpo_period_end, date(2026, 3, 31))
        self.assertEqual(agreement.next_period_start, date(2026, 4, 1))

    def test_graduated_usage_in_arrears(self):
        agreement = self._create_agreement(
            [
                {
                    "product_id": self.product_minute.id,
                    "price_unit": 1.0,
                    "tier_mode": "graduated",
                    "tier_ids": [
                        Command.create({"sequence": 1, "from_quantity": 0, "price_unit": 1.0}),
                        Command.create({"sequence": 2, "from_quantity": 1000, "price_unit": 0.8}),
                        Command.create({"sequence": 3, "from_quantity": 5000, "price_unit": 0.6}),
                    ],
                }
            ],
            billing_timing="arrears",
        )
        minutes = agreement.line_ids
        first = self._record_usage(minutes, date(2026, 1, 10), 5000, "ACD-1")
        second = self._record_usage(minutes, date(2026, 1, 31), 2200, "ACD-2")
        self._record_usage(minutes, date(2026, 2, 1), 999, "ACD-3")

        invoice = agreement.action_generate_invoices(date(2026, 2, 1))

        # 1 000 × 1.00 + 4 000 × 0.80 + 2 200 × 0.60 = 5 520.00 (February's 999 wait)
        self.assertEqual(invoice.amount_untaxed, 5520.00)
        self.assertEqual(invoice.invoice_line_ids.mapped("quantity"), [1000, 4000, 2200])
        self.assertEqual((first | second).period_id, invoice.bpo_period_id)
        with self.assertRaisesRegex(UserError, "already billed"):
            first.quantity = 1
        with self.assertRaisesRegex(UserError, "already billed"):
            second.unlink()

    def test_usage_of_an_advance_agreement_is_billed_with_the_next_period(self):
        agreement = self._create_agreement(
            [
                {"product_id": self.product_retainer.id, "price_unit": 8000.0},
                {
                    "product_id": self.product_minute.id,
                    "price_unit": 18.0,
                    "included_quantity": 500,
                },
            ],
            billing_timing="advance",
        )
        tickets = agreement.line_ids.filtered(lambda line: line.billing_model == "usage")
        self._record_usage(tickets, date(2026, 1, 20), 745, "T-JAN")

        january, february = agreement.action_generate_invoices(date(2026, 2, 1))

        # January in advance: the retainer only, no usage period has ended yet
        self.assertEqual(january.amount_untaxed, 8000.00)
        # February: retainer + January's tickets above the allowance: (745 − 500) × 18.00 = 4 410.00
        self.assertEqual(february.amount_untaxed, 12410.00)
        usage_line = february.invoice_line_ids.filtered(
            lambda line: line.bpo_agreement_line_id == tickets
        )
        self.assertEqual(usage_line.bpo_period_start, date(2026, 1, 1))
        self.assertEqual(usage_line.bpo_period_end, date(2026, 1, 31))

    def test_minimum_commitment_true_up(self):
        agreement = self._create_agreement(
            [{"product_id": self.product_minute.id, "price_unit": 0.85, "minimum_amount": 40000.0}],
            billing_timing="arrears",
        )
        self._record_usage(agreement.line_ids, date(2026, 1, 28), 38250, "NW-1")

        invoice = agreement.action_generate_invoices(date(2026, 2, 1))

        # 38 250 × 0.85 = 32 512.50, below the 40 000.00 commitment: true-up 7 487.50
        self.assertEqual(invoice.invoice_line_ids.mapped("price_subtotal"), [32512.50, 7487.50])
        self.assertEqual(invoice.amount_untaxed, 40000.00)

    def test_one_off_fee_is_billed_once(self):
        agreement = self._create_agreement(
            [
                {"product_id": self.product_fte.id, "quantity": 2, "price_unit": 3200.0},
                {"product_id": self.product_setup.id, "quantity": 1, "price_unit": 15000.0},
            ]
        )

        january, february = agreement.action_generate_invoices(date(2026, 2, 1))

        # January: 2 × 3 200.00 + 15 000.00 = 21 400.00; February: 6 400.00
        self.assertEqual(january.amount_untaxed, 21400.00)
        self.assertEqual(february.amount_untaxed, 6400.00)

    def test_yearly_escalation_applies_from_its_date(self):
        agreement = self._create_agreement(
            [{"product_id": self.product_retainer.id, "price_unit": 1000.0}],
            escalation_percent=3.0,
            escalation_date=date(2026, 3, 1),
        )

        invoices = agreement.action_generate_invoices(date(2026, 3, 1))

        # January and February at 1 000.00, March at 1 000.00 × 1.03 = 1 030.00
        self.assertEqual(invoices.mapped("amount_untaxed"), [1000.00, 1000.00, 1030.00])
        escalation_notes = agreement.message_ids.filtered(
            lambda message: "escalated by 3" in message.body
        )
        self.assertEqual(len(escalation_notes), 1)

    def test_taxes_are_mapped_by_the_fiscal_position(self):
        tax_0 = self.env["account.tax"].create(
            {
                "name": "Export 0%",
                "amount": 0.0,
                "type_tax_use": "sale",
                "company_id": self.company.id,
            }
        )
        export = self.env["account.fiscal.position"].create(
            {
                "name": "Export",
                "tax_ids": [
                    Command.create({"tax_src_id": self.tax_15.id, "tax_dest_id": tax_0.id})
                ],
            }
        )
        agreement = self._create_agreement(
            [{"product_id": self.product_retainer.id, "price_unit": 1000.0}],
            fiscal_position_id=export.id,
        )

        invoice = agreement.action_generate_invoices(date(2026, 1, 1))

        self.assertEqual(invoice.invoice_line_ids.tax_ids, tax_0)
        self.assertEqual(invoice.amount_total, 1000.00)

    def test_billing_is_traced_in_the_agreement_chatter(self):
        agreement = self._create_agreement(
            [{"product_id": self.product_retainer.id, "price_unit": 1000.0}]
        )

        invoice = agreement.action_generate_invoices(date(2026, 1, 1))

        note = agreement.message_ids.filtered(lambda message: invoice.name in (message.body or ""))
        self.assertEqual(len(note), 1)
        self.assertIn("1,150.00", note.body)
