import base64
from datetime import date

from psycopg2 import errors as pg_errors

from odoo import Command
from odoo.exceptions import ValidationError
from odoo.tests import tagged
from odoo.tools import mute_logger

from .common import BpoBillingCommon


@tagged("post_install", "-at_install")
class TestPassThrough(BpoBillingCommon):
    """Vendor costs re-billed to the client: at cost or with a markup, in their own section,
    within a per-period cap, converted to the agreement's currency, billed once."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.vendor = cls.env["res.partner"].create({"name": "Telco Carrier", "is_company": True})
        cls.product_pass = cls.env["product.product"].create(
            {
                "name": "Re-billed costs",
                "type": "service",
                "taxes_id": [Command.set(cls.tax_15.ids)],
                "property_account_income_id": cls.company_data["default_account_revenue"].id,
            }
        )
        cls.eur = cls.setup_other_currency("EUR")  # 2.0 EUR per USD since 2017

    def _agreement(self, **values):
        return self._create_agreement(
            [{"product_id": self.product_retainer.id, "price_unit": 1000.0}],
            billing_timing="arrears",
            pass_through_product_id=self.product_pass.id,
            **values,
        )

    def _bill(self, agreement, day, lines, ref="INV-1", currency=None):
        """A posted vendor bill whose lines (label, untaxed price) are re-billable to
        ``agreement``."""
        bill = self.env["account.move"].create(
            {
                "move_type": "in_invoice",
                "partner_id": self.vendor.id,
                "ref": ref,
                "invoice_date": day,
                "currency_id": (currency or self.company.currency_id).id,
                "invoice_line_ids": [
                    Command.create(
                        {
                            "name": label,
                            "quantity": 1,
                            "price_unit": price,
                            "tax_ids": [Command.clear()],
                            "bpo_rebill_agreement_id": agreement.id,
                        }
                    )
                    for label, price in lines
                ],
            }
        )
        bill.action_post()
        return bill

    @staticmethod
    def _pass_lines(invoice):
        return invoice.invoice_line_ids.filtered(lambda line: line.bpo_line_kind == "pass_through")

    def test_with_markup_in_its_own_section_billed_once(self):
        agreement = self._agreement(pass_through_markup=10.0)
        bill = self._bill(
            agreement, date(2026, 1, 20), [("Toll-free minutes", 1234.56), ("SMS", 300.0)]
        )

        january = agreement.action_generate_invoices(date(2026, 2, 1))

        costs = self._pass_lines(january)
        # 1 234.56 × 1.10 = 1 358.016 → 1 358.02; 300.00 × 1.10 = 330.00
        self.assertEqual(costs.mapped("price_subtotal"), [1358.02, 330.00])
        self.assertEqual(costs[0].name, "Telco Carrier INV-1: Toll-free minutes (+10 % markup)")
        self.assertEqual(costs.tax_ids, self.tax_15)
        self.assertEqual(costs.product_id, self.product_pass)
        # 1 000.00 retainer + 1 358.02 + 330.00 = 2 688.02; tax 15 % = 403.203 → 403.20
        self.assertEqual(january.amount_untaxed, 2688.02)
        self.assertEqual(january.amount_tax, 403.20)
        # the section heads the costs
        section = january.invoice_line_ids.filtered(lambda l: l.display_type == "line_section")
        self.assertEqual(section.name, "Pass-through costs")
        lines = list(january.invoice_line_ids)  # in the invoice's order
        self.assertEqual(lines[lines.index(section) + 1 :], list(costs))
        # each cost points to the customer line that billed it
        self.assertEqual(bill.invoice_line_ids.bpo_rebilled_line_id, costs)
        self.assertEqual(costs.bpo_rebill_source_id, bill.invoice_line_ids)

        # once only: February has no costs left to re-bill, only the retainer
        february = agreement.action_generate_invoices(date(2026, 3, 1))
        self.assertFalse(self._pass_lines(february))
        self.assertEqual(february.amount_untaxed, 1000.00)

        # and the database refuses a second live customer line for the same cost
        with (
            self.assertRaises(pg_errors.UniqueViolation),
            mute_logger("odoo.sql_db"),
            self.env.cr.savepoint(),
        ):
            february.button_draft()
            february.write(
                {
                    "invoice_line_ids": [
                        Command.create(
                            {
                                "name": "again",
                                "price_unit": 1.0,
                                "bpo_rebill_source_id": bill.invoice_line_ids[0].id,
                            }
                        )
                    ]
                }
            )
            self.env.flush_all()

    def test_at_cost_and_a_cancelled_invoice_frees_the_cost(self):
        agreement = self._agreement()
        bill = self._bill(agreement, date(2026, 1, 5), [("Courier", 86.40)])

        january = agreement.action_generate_invoices(date(2026, 2, 1))

        # no markup: re-billed at cost, 86.40, no markup mentioned
        self.assertEqual(self._pass_lines(january).price_subtotal, 86.40)
        self.assertEqual(self._pass_lines(january).name, "Telco Carrier INV-1: Courier")

        january.button_draft()
        january.button_cancel()
        self.assertFalse(bill.invoice_line_ids.bpo_rebilled_line_id)
        february = agreement.action_generate_invoices(date(2026, 3, 1))
        self.assertEqual(self._pass_lines(february).price_subtotal, 86.40)
        self.assertEqual(bill.invoice_line_ids.bpo_rebilled_line_id, self._pass_lines(february))

    def test_cap_carries_the_rest_to_the_next_period(self):
        agreement = self._agreement(pass_through_markup=10.0, pass_through_cap=1000.0)
        self._bill(agreement, date(2026, 1, 10), [("Travel", 400.0), ("Hotel", 500.0)], "T-1")
        self._bill(agreement, date(2026, 1, 25), [("Taxi", 50.0)], "T-2")

        january, february = agreement.action_generate_invoices(date(2026, 3, 1))

        # 440.00 + 550.00 = 990.00; the taxi's 55.00 would make 1 045.00 > 1 000.00: it waits
        self.assertEqual(self._pass_lines(january).mapped("price_subtotal"), [440.00, 550.00])
        self.assertEqual(self._pass_lines(february).mapped("price_subtotal"), [55.00])
        self.assertIn("Taxi", self._pass_lines(february).name)

    def test_cost_above_the_cap_is_billed_at_the_cap(self):
        agreement = self._agreement(pass_through_cap=250.0)
        self._bill(agreement, date(2026, 1, 10), [("Flight", 400.0)], "F-1")

        january = agreement.action_generate_invoices(date(2026, 2, 1))

        # 400.00 alone exceeds the 250.00 cap: billed 250.00, the excess written off
        self.assertEqual(self._pass_lines(january).price_subtotal, 250.00)
        self.assertIn("capped at", self._pass_lines(january).name)

    def test_foreign_currency_bill_in_the_agreement_currency(self):
        agreement = self._agreement(pass_through_markup=10.0)
        self.assertEqual(agreement.currency_id, self.company.currency_id)
        bill = self._bill(
            agreement, date(2026, 1, 15), [("Roaming", 1000.0)], "EU-7", currency=self.eur
        )
        # 1 000.00 EUR at 2.0 EUR per USD = 500.00 USD booked
        self.assertEqual(bill.invoice_line_ids.balance, 500.00)

        january = agreement.action_generate_invoices(date(2026, 2, 1))

        # 500.00 × 1.10 = 550.00 USD
        self.assertEqual(january.currency_id, self.company.currency_id)
        self.assertEqual(self._pass_lines(january).price_subtotal, 550.00)

    def test_only_posted_costs_up_to_the_period_end(self):
        agreement = self._agreement()
        self._bill(agreement, date(2026, 2, 3), [("February costs", 70.0)], "FEB")
        draft = self._bill(agreement, date(2026, 1, 3), [("Draft", 30.0)], "DRAFT")
        draft.button_draft()

        january = agreement.action_generate_invoices(date(2026, 2, 1))

        # the February bill waits for February; the draft bill is not billed
        self.assertFalse(self._pass_lines(january))
        february = agreement.action_generate_invoices(date(2026, 3, 1))
        self.assertEqual(self._pass_lines(february).mapped("price_subtotal"), [70.00])

    def test_preview_counts_the_costs_without_claiming_them(self):
        agreement = self._agreement(pass_through_markup=10.0)
        self._bill(agreement, date(2026, 1, 10), [("Printing", 200.0)])

        _span, _count, untaxed = agreement._preview_next_invoice(date(2026, 2, 1))

        # 1 000.00 + 200.00 × 1.10 = 1 220.00
        self.assertEqual(untaxed, 1220)
        january = agreement.action_generate_invoices(date(2026, 2, 1))
        self.assertEqual(january.amount_untaxed, 1220.00)

    def test_vendor_bill_document_attached_to_the_invoice(self):
        agreement = self._agreement()
        bill = self._bill(agreement, date(2026, 1, 10), [("Printing", 200.0)], "PR-9")
        document = self.env["ir.attachment"].create(
            {
                "name": "pr-9.pdf",
                "datas": base64.b64encode(b"%PDF-1.4 vendor bill"),
                "res_model": "account.move",
                "res_id": bill.id,
            }
        )
        bill.message_main_attachment_id = document

        january = agreement.action_generate_invoices(date(2026, 2, 1))

        copies = self.env["ir.attachment"].search(
            [("res_model", "=", "account.move"), ("res_id", "=", january.id)]
        )
        self.assertIn(document.raw, copies.mapped("raw"))
        message = january.message_ids.filtered(lambda m: "Pass-through costs" in (m.body or ""))
        self.assertIn(bill.name, message.body)
        self.assertEqual(message.attachment_ids.mapped("name"), ["pr-9.pdf"])

    def test_only_vendor_bills_are_flagged(self):
        agreement = self._agreement()
        january = agreement.action_generate_invoices(date(2026, 2, 1))
        with self.assertRaises(ValidationError):
            january.invoice_line_ids[0].bpo_rebill_agreement_id = agreement
        with self.assertRaises(ValidationError):
            agreement.pass_through_markup = -5
