from datetime import date

from odoo import Command
from odoo.tests import tagged

from .common import BpoBillingCommon


@tagged("post_install", "-at_install")
class TestGenerationMultiCompany(BpoBillingCommon):
    """One run bills the agreements of every company, each in its own books."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.other = cls.setup_other_company()
        cls.other_company = cls.other["company"]
        cls.other_income = cls.other["default_account_revenue"]
        cls.other_tax = cls.env["account.tax"].create(
            {
                "name": "Other 20%",
                "amount": 20.0,
                "type_tax_use": "sale",
                "company_id": cls.other_company.id,
            }
        )
        cls.other_service = cls.env["product.product"].create(
            {
                "name": "Other company retainer",
                "type": "service",
                "bpo_billing_model": "fixed",
                "company_id": cls.other_company.id,
                "taxes_id": [Command.set(cls.other_tax.ids)],
            }
        )
        cls.other_service.with_company(
            cls.other_company
        ).property_account_income_id = cls.other_income

    def _other_company_agreement(self):
        agreement = (
            self.env["bpo.agreement"]
            .sudo()
            .create(
                {
                    "partner_id": self.client.id,
                    "company_id": self.other_company.id,
                    "date_start": date(2026, 1, 1),
                    "journal_id": self.other["default_journal_sale"].id,
                    "line_ids": [
                        Command.create({"product_id": self.other_service.id, "price_unit": 500.0})
                    ],
                }
            )
        )
        agreement.action_activate()
        return agreement

    def test_cron_bills_each_company_in_its_own_journal_accounts_and_taxes(self):
        mine = self._create_agreement(
            [{"product_id": self.product_retainer.id, "price_unit": 1000.0}]
        )
        theirs = self._other_company_agreement()

        # the scheduler runs as the superuser, in whatever company it starts in
        self.env["bpo.agreement"].sudo().with_company(self.company)._cron_generate_invoices(
            date(2026, 1, 1)
        )

        their_invoice = theirs.sudo().invoice_ids
        self.assertEqual(mine.invoice_ids.company_id, self.company)
        self.assertEqual(their_invoice.company_id, self.other_company)
        self.assertEqual(their_invoice.journal_id, self.other["default_journal_sale"])
        self.assertEqual(their_invoice.invoice_line_ids.account_id, self.other_income)
        # 500.00 + 20 % = 600.00
        self.assertEqual(their_invoice.amount_total, 600.00)
        self.assertEqual(mine.invoice_ids.amount_total, 1150.00)

    def test_a_user_run_bills_only_the_companies_the_user_works_in(self):
        mine = self._create_agreement(
            [{"product_id": self.product_retainer.id, "price_unit": 1000.0}]
        )
        theirs = self._other_company_agreement()

        self.env["bpo.agreement"].with_context(
            allowed_company_ids=self.company.ids
        )._cron_generate_invoices(date(2026, 1, 1))

        self.assertEqual(len(mine.invoice_ids), 1)
        self.assertFalse(theirs.sudo().invoice_ids)
        self.assertFalse(theirs.sudo().period_ids)  # not even tried: no error recorded
