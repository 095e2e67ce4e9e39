from datetime import date

from odoo import Command
from odoo.tests import HttpCase, tagged
from odoo.tests.common import new_test_user


@tagged("post_install", "-at_install")
class TestPortalTour(HttpCase):
    """A client's contact opens their agreement in the portal, downloads a usage statement
    and disputes the metered line of the invoice."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        company = cls.env.ref("base.main_company")
        client = cls.env["res.partner"].create({"name": "Tour Portal Client", "is_company": True})
        contact = cls.env["res.partner"].create(
            {"name": "Tour Portal Accounts", "parent_id": client.id}
        )
        cls.portal_user = new_test_user(
            cls.env, "tour_portal_client", groups="base.group_portal", partner_id=contact.id
        )
        retainer, minutes = (
            cls.env["product.product"].create(
                {
                    "name": name,
                    "type": "service",
                    "bpo_billing_model": billing_model,
                    "taxes_id": [Command.clear()],
                }
            )
            for name, billing_model in (
                ("Tour Retainer", "fixed"),
                ("Tour Handled Minute", "usage"),
            )
        )
        agreement = cls.env["bpo.agreement"].create(
            {
                "partner_id": client.id,
                "company_id": company.id,
                "date_start": date(2026, 1, 1),
                "billing_timing": "arrears",
                "line_ids": [
                    Command.create({"product_id": retainer.id, "price_unit": 500.0}),
                    Command.create({"product_id": minutes.id, "price_unit": 0.5}),
                ],
            }
        )
        agreement.action_activate()
        cls.minutes_rule = agreement.line_ids.filtered(lambda line: line.product_id == minutes)
        cls.env["bpo.usage"].create(
            {
                "agreement_line_id": cls.minutes_rule.id,
                "date": date(2026, 1, 12),
                "quantity": 420.0,
                "external_ref": "TOUR-0001",
            }
        )
        cls.invoice = agreement.action_generate_invoices(date(2026, 2, 1))

    def test_portal_client_downloads_statement_and_disputes(self):
        self.start_tour("/my", "bpo_portal_tour", login="tour_portal_client")

        dispute = self.env["bpo.dispute"].search([("move_id", "=", self.invoice.id)])
        minutes_line = self.invoice.invoice_line_ids.filtered(
            lambda line: line.bpo_agreement_line_id == self.minutes_rule
        )
        self.assertRecordValues(
            dispute,
            [
                {
                    "amount": 42.5,
                    "reason": "The calls of 12 January were a test campaign",
                    "source": "portal",
                    "state": "open",
                    "move_line_ids": minutes_line.ids,
                }
            ],
        )
        self.assertEqual(dispute.create_uid, self.portal_user)
