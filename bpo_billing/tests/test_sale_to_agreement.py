"""Selling BPO services: a confirmed quotation creates the agreement billing them."""

from datetime import date, datetime

from odoo import Command
from odoo.exceptions import UserError
from odoo.tests import tagged

from .common import BpoBillingCommon


@tagged("post_install", "-at_install")
class TestSaleToAgreement(BpoBillingCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.env.user.groups_id |= cls.env.ref("sales_team.group_sale_salesman_all_leads")
        cls.env.user.groups_id |= cls.env.ref("analytic.group_analytic_accounting")
        cls.invoice_address = cls.env["res.partner"].create(
            {
                "name": "Northwind Accounts Payable",
                "parent_id": cls.client.id,
                "type": "invoice",
            }
        )
        cls.payment_term_30 = cls.env.ref("account.account_payment_term_30days")
        cls.analytic_plan = cls.env["account.analytic.plan"].create({"name": "Delivery Centres"})
        cls.analytic_manila = cls.env["account.analytic.account"].create(
            {
                "name": "Manila Centre",
                "plan_id": cls.analytic_plan.id,
            }
        )
        cls.product_training = cls.env["product.product"].create(
            {
                "name": "Agent Training Day",
                "type": "service",
                "invoice_policy": "order",
                "lst_price": 900.0,
                "taxes_id": [Command.set(cls.tax_15.ids)],
                "property_account_income_id": cls.company_data["default_account_revenue"].id,
            }
        )

    def _create_order(self, lines, **values):
        """A quotation for the client; lines are (product, qty, price, discount)."""
        return self.env["sale.order"].create(
            {
                "partner_id": self.client.id,
                **values,
                "order_line": [
                    Command.create(
                        {
                            "product_id": product.id,
                            "product_uom_qty": quantity,
                            "price_unit": price_unit,
                            "discount": discount,
                        }
                    )
                    for product, quantity, price_unit, discount in lines
                ],
            }
        )

    def _bpo_order(self, **values):
        return self._create_order(
            [
                (self.product_retainer, 1.0, 8000.0, 0.0),
                (self.product_fte, 12.0, 3200.0, 10.0),
                (self.product_minute, 1.0, 0.85, 0.0),
            ],
            **values,
        )

    # products

    def test_products_carry_billing_model(self):
        self.assertEqual(
            (
                self.product_retainer | self.product_fte | self.product_minute | self.product_setup
            ).mapped("bpo_billing_model"),
            ["fixed", "seat", "usage", "one_off"],
        )
        self.assertFalse(self.product_training.bpo_billing_model)

    # agreement creation

    def test_confirming_creates_one_draft_agreement(self):
        order = self._bpo_order()
        order.action_confirm()
        self.assertEqual(len(order.bpo_agreement_ids), 1)
        self.assertEqual(order.bpo_agreement_ids.state, "draft")

    def test_confirming_activates_when_company_says_so(self):
        self.company.bpo_activate_from_sale = True
        order = self._bpo_order(commitment_date=datetime(2026, 2, 1, 9, 0))
        order.action_confirm()
        self.assertRecordValues(
            order.bpo_agreement_ids,
            [
                {
                    "state": "active",
                    "date_start": date(2026, 2, 1),
                    "next_period_start": date(2026, 2, 1),
                }
            ],
        )

    def test_agreement_copies_order_header(self):
        order = self._bpo_order(
            partner_invoice_id=self.invoice_address.id,
            payment_term_id=self.payment_term_30.id,
            commitment_date=datetime(2026, 2, 1, 9, 0),
        )
        order.action_confirm()
        self.assertRecordValues(
            order.bpo_agreement_ids,
            [
                {
                    "partner_id": self.invoice_address.id,
                    "company_id": self.company.id,
                    "currency_id": self.company.currency_id.id,
                    "payment_term_id": self.payment_term_30.id,
                    "user_id": order.user_id.id,
                    "sale_order_id": order.id,
                    "date_start": date(2026, 2, 1),
                    "journal_id": self.journal.id,
                }
            ],
        )

    def test_agreement_copies_order_currency(self):
        other_currency = self.setup_other_currency("EUR")
        pricelist = self.env["product.pricelist"].create(
            {
                "name": "Euro clients",
                "currency_id": other_currency.id,
            }
        )
        order = self._bpo_order(pricelist_id=pricelist.id)
        order.action_confirm()
        self.assertEqual(order.currency_id, other_currency)
        self.assertEqual(order.bpo_agreement_ids.currency_id, other_currency)

    def test_agreement_copies_lines_with_discounted_price(self):
        order = self._bpo_order()
        order.action_confirm()
        self.assertRecordValues(
            order.bpo_agreement_ids.line_ids,
            [
                {
                    "product_id": self.product_retainer.id,
                    "name": "[BPO-RET] Helpdesk Retainer",
                    "billing_model": "fixed",
                    "quantity": 1.0,
                    "price_unit": 8000.0,
                },
                {
                    "product_id": self.product_fte.id,
                    "name": "[BPO-FTE] Back-Office Agent (FTE)",
                    "billing_model": "seat",
                    "quantity": 12.0,
                    "price_unit": 2880.0,  # 3 200 × (1 − 10 / 100) = 2 880.00
                },
                {
                    "product_id": self.product_minute.id,
                    "name": "[BPO-MIN] Handled Minute",
                    "billing_model": "usage",
                    "quantity": 1.0,
                    "price_unit": 0.85,
                },
            ],
        )

    def test_discounted_price_rounded_to_price_precision(self):
        order = self._create_order([(self.product_minute, 1.0, 0.85, 12.5)])
        order.action_confirm()
        # 0.85 × (1 − 12.5 / 100) = 0.74375 → 0.74 at the 2 digits of "Product Price"
        self.assertEqual(order.bpo_agreement_ids.line_ids.price_unit, 0.74)

    def test_agreement_line_keeps_order_line_description(self):
        order = self._create_order([(self.product_fte, 4.0, 3200.0, 0.0)])
        order.order_line.name = "Back-office agents, Spanish speaking"
        order.action_confirm()
        self.assertEqual(
            order.bpo_agreement_ids.line_ids.name,
            "Back-office agents, Spanish speaking",
        )

    def test_agreement_copies_taxes(self):
        other_tax = self.env["account.tax"].create(
            {
                "name": "Sales 5%",
                "amount": 5.0,
                "type_tax_use": "sale",
                "company_id": self.company.id,
            }
        )
        order = self._create_order([(self.product_fte, 4.0, 3200.0, 0.0)])
        order.order_line.tax_id = [Command.set(other_tax.ids)]
        order.action_confirm()
        self.assertEqual(order.bpo_agreement_ids.line_ids.tax_ids, other_tax)

    def test_agreement_copies_analytic_distribution(self):
        order = self._create_order([(self.product_fte, 4.0, 3200.0, 0.0)])
        order.order_line.analytic_distribution = {str(self.analytic_manila.id): 100.0}
        order.action_confirm()
        self.assertEqual(
            order.bpo_agreement_ids.line_ids.analytic_distribution,
            {str(self.analytic_manila.id): 100.0},
        )

    def test_only_bpo_lines_go_to_agreement(self):
        order = self._create_order(
            [
                (self.product_fte, 4.0, 3200.0, 0.0),
                (self.product_training, 3.0, 900.0, 0.0),
            ]
        )
        order.action_confirm()
        self.assertEqual(order.bpo_agreement_ids.line_ids.product_id, self.product_fte)

    def test_section_and_note_lines_are_not_copied(self):
        order = self._create_order([(self.product_fte, 4.0, 3200.0, 0.0)])
        order.order_line = [
            Command.create({"display_type": "line_section", "name": "Back office"}),
            Command.create({"display_type": "line_note", "name": "Agents work from Manila"}),
        ]
        order.action_confirm()
        self.assertEqual(len(order.bpo_agreement_ids.line_ids), 1)

    # links between order and agreement

    def test_order_and_agreement_link_both_ways(self):
        order = self._bpo_order()
        order.action_confirm()
        agreement = order.bpo_agreement_ids
        self.assertEqual(agreement.sale_order_id, order)
        self.assertEqual(order.bpo_agreement_count, 1)

    def test_order_smart_button_opens_agreement_form(self):
        order = self._bpo_order()
        order.action_confirm()
        action = order.action_view_bpo_agreements()
        self.assertEqual(action["res_model"], "bpo.agreement")
        self.assertEqual(action["view_mode"], "form")
        self.assertEqual(action["res_id"], order.bpo_agreement_ids.id)

    def test_agreement_posts_origin_link_in_chatter(self):
        order = self._bpo_order()
        order.action_confirm()
        agreement = order.bpo_agreement_ids
        self.assertTrue(
            any(order.name in (message.body or "") for message in agreement.message_ids),
            "the agreement's chatter links to the quotation it comes from",
        )

    # invoicing from the order

    def test_bpo_line_is_not_invoiced_from_order(self):
        order = self._create_order([(self.product_fte, 4.0, 3200.0, 0.0)])
        order.action_confirm()
        self.assertRecordValues(order.order_line, [{"qty_to_invoice": 0.0, "invoice_status": "no"}])
        self.assertEqual(order.invoice_status, "no")

    def test_order_of_bpo_services_only_has_nothing_to_invoice(self):
        order = self._bpo_order()
        order.action_confirm()
        with self.assertRaises(UserError):
            order._create_invoices()

    def test_ordinary_line_of_mixed_order_is_invoiced_from_order(self):
        order = self._create_order(
            [
                (self.product_fte, 4.0, 3200.0, 0.0),
                (self.product_training, 3.0, 900.0, 0.0),
            ]
        )
        order.action_confirm()
        self.assertRecordValues(
            order.order_line,
            [
                {
                    "product_id": self.product_fte.id,
                    "qty_to_invoice": 0.0,
                    "invoice_status": "no",
                },
                {
                    "product_id": self.product_training.id,
                    "qty_to_invoice": 3.0,
                    "invoice_status": "to invoice",
                },
            ],
        )
        invoice = order._create_invoices()
        self.assertRecordValues(
            invoice.invoice_line_ids,
            [
                {
                    "product_id": self.product_training.id,
                    "quantity": 3.0,
                    "price_unit": 900.0,
                },
            ],
        )

    def test_order_without_bpo_services_creates_no_agreement(self):
        order = self._create_order([(self.product_training, 3.0, 900.0, 0.0)])
        agreements_before = self.env["bpo.agreement"].search_count([])
        order.action_confirm()
        self.assertFalse(order.bpo_agreement_ids)
        self.assertEqual(order.bpo_agreement_count, 0)
        self.assertEqual(self.env["bpo.agreement"].search_count([]), agreements_before)

    def test_order_without_bpo_services_invoices_as_usual(self):
        order = self._create_order([(self.product_training, 3.0, 900.0, 0.0)])
        order.action_confirm()
        self.assertRecordValues(
            order.order_line, [{"qty_to_invoice": 3.0, "invoice_status": "to invoice"}]
        )
        invoice = order._create_invoices()
        self.assertRecordValues(
            invoice.invoice_line_ids,
            [
                {
                    "product_id": self.product_training.id,
                    "quantity": 3.0,
                    "price_unit": 900.0,
                },
            ],
        )
        self.assertEqual(order.order_line.qty_invoiced, 3.0)

    def test_quotation_creates_no_agreement(self):
        order = self._bpo_order()
        self.assertFalse(order.bpo_agreement_ids)

    # no duplicates

    def test_creating_agreements_twice_does_not_duplicate(self):
        order = self._bpo_order()
        order.action_confirm()
        again = order._create_bpo_agreements()
        self.assertFalse(again)
        self.assertEqual(len(order.bpo_agreement_ids), 1)

    def test_confirming_twice_is_refused_and_does_not_duplicate(self):
        order = self._bpo_order()
        order.action_confirm()
        with self.assertRaises(UserError):
            order.action_confirm()
        self.assertEqual(
            self.env["bpo.agreement"].search_count([("sale_order_id", "=", order.id)]),
            1,
        )

    def test_reconfirming_after_cancel_does_not_duplicate(self):
        order = self._bpo_order()
        order.action_confirm()
        agreement = order.bpo_agreement_ids
        order._action_cancel()
        order.action_draft()
        order.action_confirm()
        self.assertEqual(order.bpo_agreement_ids, agreement)

    def test_batch_confirmation_creates_one_agreement_per_order(self):
        first = self._bpo_order()
        second = self._create_order([(self.product_fte, 2.0, 3200.0, 0.0)])
        (first | second).action_confirm()
        self.assertEqual(len(first.bpo_agreement_ids), 1)
        self.assertEqual(len(second.bpo_agreement_ids), 1)
        self.assertEqual(second.bpo_agreement_ids.line_ids.quantity, 2.0)
