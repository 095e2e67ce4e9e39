from datetime import date

from odoo import Command
from odoo.tests.common import new_test_user

from odoo.addons.account.tests.common import AccountTestInvoicingCommon


class BpoBillingCommon(AccountTestInvoicingCommon):
    """A company with a chart of accounts, a 15 % sale tax, BPO services of every billing
    model and two clients, built once per test class."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.company = cls.company_data["company"]
        cls.journal = cls.company_data["default_journal_sale"]
        cls.tax_15 = cls.env["account.tax"].create(
            {
                "name": "Sales 15%",
                "amount": 15.0,
                "amount_type": "percent",
                "type_tax_use": "sale",
                "company_id": cls.company.id,
            }
        )
        cls.product_retainer = cls._create_bpo_service(
            "Helpdesk Retainer", "BPO-RET", "fixed", 8000.0
        )
        cls.product_fte = cls._create_bpo_service(
            "Back-Office Agent (FTE)", "BPO-FTE", "seat", 3200.0
        )
        cls.product_minute = cls._create_bpo_service("Handled Minute", "BPO-MIN", "usage", 0.85)
        cls.product_setup = cls._create_bpo_service(
            "Transition Fee", "BPO-SETUP", "one_off", 15000.0
        )
        cls.client = cls.env["res.partner"].create({"name": "Northwind Retail", "is_company": True})
        cls.client_b = cls.env["res.partner"].create(
            {"name": "Contoso Insurance", "is_company": True}
        )

    @classmethod
    def _create_bpo_service(cls, name, code, billing_model, price):
        return cls.env["product.product"].create(
            {
                "name": name,
                "default_code": code,
                "type": "service",
                "lst_price": price,
                "bpo_billing_model": billing_model,
                "taxes_id": [Command.set(cls.tax_15.ids)],
                "property_account_income_id": cls.company_data["default_account_revenue"].id,
            }
        )

    @classmethod
    def _create_agreement(cls, lines, partner=None, activate=True, **values):
        """An agreement with the given line values (product and billing rule fields)."""
        agreement = cls.env["bpo.agreement"].create(
            {
                "partner_id": (partner or cls.client).id,
                "date_start": date(2026, 1, 1),
                "journal_id": cls.journal.id,
                **values,
                "line_ids": [Command.create(line) for line in lines],
            }
        )
        if activate:
            agreement.action_activate()
        return agreement

    @classmethod
    def _record_usage(cls, agreement_line, day, quantity, ref=None):
        return cls.env["bpo.usage"].create(
            {
                "agreement_line_id": agreement_line.id,
                "date": day,
                "quantity": quantity,
                "external_ref": ref,
            }
        )

    @classmethod
    def _create_portal_contact(cls, client, login):
        """A contact of ``client`` with a portal user; its password is its login."""
        contact = cls.env["res.partner"].create(
            {"name": f"{client.name} Accounts Payable", "parent_id": client.id}
        )
        return new_test_user(
            cls.env,
            login,
            groups="base.group_portal",
            partner_id=contact.id,
            company_id=cls.company.id,
            company_ids=[Command.set(cls.company.ids)],
        )
