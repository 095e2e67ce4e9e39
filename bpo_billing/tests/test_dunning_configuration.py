from datetime import date, timedelta

from psycopg2 import IntegrityError

from odoo import Command
from odoo.exceptions import AccessError, ValidationError
from odoo.tests import new_test_user, tagged
from odoo.tools import mute_logger

from .common import BpoBillingCommon


@tagged("post_install", "-at_install")
class TestDunningConfiguration(BpoBillingCommon):
    """Reminder policies and stages, the terms they print, and Odoo's early discounts."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.standard = cls.env.ref("bpo_billing.dunning_policy_standard")
        cls.company.bpo_dunning_policy_id = cls.standard

    def test_standard_policy_is_shipped(self):
        stages = self.standard.stage_ids
        self.assertEqual(stages.mapped("offset_days"), [-3, 7, 15, 30])
        courtesy, first, second, final = stages
        self.assertEqual((courtesy.fee_type, first.fee_type), ("none", "none"))
        self.assertEqual((second.fee_type, second.fee_amount), ("fixed", 40.0))
        self.assertEqual(
            second.fee_product_id, self.env.ref("bpo_billing.product_late_payment_fee")
        )
        self.assertTrue(final.suspend_agreement and final.create_activity)

    def test_new_agreement_takes_the_company_policy(self):
        agreement = self._create_agreement([{"product_id": self.product_retainer.id}])

        self.assertEqual(agreement.dunning_policy_id, self.standard)
        self.assertTrue(agreement.late_fees)

    def test_fee_needs_an_amount_and_a_product(self):
        with self.assertRaisesRegex(
            ValidationError, "stage Late: a fee needs a Fee Amount and a Fee Product"
        ):
            self.env["bpo.dunning.stage"].create(
                {
                    "policy_id": self.standard.id,
                    "name": "Late",
                    "offset_days": 45,
                    "fee_type": "percent",
                    "fee_amount": 2.0,
                }
            )

    def test_negative_fee_is_refused(self):
        with self.assertRaisesRegex(
            ValidationError, "stage Late: the Fee Amount cannot be negative"
        ):
            self.env["bpo.dunning.stage"].create(
                {
                    "policy_id": self.standard.id,
                    "name": "Late",
                    "offset_days": 45,
                    "fee_type": "fixed",
                    "fee_amount": -5.0,
                    "fee_product_id": self.product_retainer.id,
                }
            )

    @mute_logger("odoo.sql_db")
    def test_two_stages_on_the_same_day_are_refused(self):
        with self.assertRaises(IntegrityError):
            self.env["bpo.dunning.stage"].create(
                {
                    "policy_id": self.standard.id,
                    "name": "Again",
                    "offset_days": 7,
                }
            )

    def test_a_billing_officer_reads_but_cannot_change_policies(self):
        officer = new_test_user(self.env, login="officer", groups="bpo_billing.group_bpo_user")
        manager = new_test_user(self.env, login="manager", groups="bpo_billing.group_bpo_manager")

        self.assertEqual(self.standard.with_user(officer).name, "Standard reminders")
        with self.assertRaises(AccessError):
            self.standard.with_user(officer).minimum_amount = 0.0
        with self.assertRaises(AccessError):
            self.standard.stage_ids[0].with_user(officer).offset_days = -5
        with self.assertRaises(AccessError):
            self.env["bpo.dunning.policy"].with_user(officer).create({"name": "Mine"})
        self.standard.with_user(manager).minimum_amount = 25.0
        self.assertEqual(self.standard.minimum_amount, 25.0)

    def _render_invoice(self, invoice):
        html, _format = self.env["ir.actions.report"]._render_qweb_html(
            "account.report_invoice", invoice.ids
        )
        return html.decode()

    def test_invoice_prints_the_late_fee_rule(self):
        agreement = self._create_agreement(
            [{"product_id": self.product_retainer.id, "price_unit": 100.0}]
        )

        html = self._render_invoice(agreement.action_generate_invoices(date(2026, 1, 1)))

        self.assertIn("From 15 days after the due date, a fee of", html)
        self.assertIn("40.00", html)

    def test_no_late_fee_rule_without_late_fees(self):
        agreement = self._create_agreement(
            [{"product_id": self.product_retainer.id, "price_unit": 100.0}], late_fees=False
        )

        html = self._render_invoice(agreement.action_generate_invoices(date(2026, 1, 1)))

        self.assertNotIn("o_bpo_late_fee_terms", html)

    def test_early_payment_discount_on_generated_invoices(self):
        early = self.env["account.payment.term"].create(
            {
                "name": "30 days, 2% within 10 days",
                "early_discount": True,
                "discount_percentage": 2.0,
                "discount_days": 10,
                "early_pay_discount_computation": "included",
                "line_ids": [
                    Command.create({"value": "percent", "value_amount": 100.0, "nb_days": 30})
                ],
            }
        )
        agreement = self._create_agreement(
            [{"product_id": self.product_retainer.id, "price_unit": 1000.0}],
            payment_term_id=early.id,
        )

        invoice = agreement.action_generate_invoices(date(2026, 1, 1))

        receivable = invoice.line_ids.filtered(lambda line: line.display_type == "payment_term")
        # 1 000.00 + 15 % = 1 150.00; 2 % off when paid by 11 January: 1 127.00
        self.assertEqual(invoice.amount_total, 1150.00)
        self.assertEqual(receivable.date_maturity, date(2026, 1, 31))
        self.assertEqual(receivable.discount_date, date(2026, 1, 1) + timedelta(days=10))
        self.assertEqual(receivable.discount_amount_currency, 1127.00)
        self.assertIn("o_bpo_late_fee_terms", self._render_invoice(invoice))

        payment = (
            self.env["account.payment.register"]
            .with_context(active_model="account.move", active_ids=invoice.ids)
            .create({"payment_date": date(2026, 1, 9)})
        )
        self.assertEqual(payment.amount, 1127.00)
        payment._create_payments()
        self.assertIn(invoice.payment_state, ("paid", "in_payment"))
