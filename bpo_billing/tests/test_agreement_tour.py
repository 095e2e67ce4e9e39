from odoo import Command
from odoo.tests import HttpCase, tagged


@tagged("post_install", "-at_install")
class TestAgreementTour(HttpCase):
    """An accountant opens the agreements menu, creates an agreement with two rules through
    the form, and activates it — in Chromium."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        company = cls.env.ref("base.main_company")
        cls.client = cls.env["res.partner"].create({"name": "Tour Client", "is_company": True})
        cls.retainer, cls.agent = cls.env["product.product"].create(
            [
                {
                    "name": "Tour Retainer",
                    "type": "service",
                    "bpo_billing_model": "fixed",
                    "lst_price": 1.0,
                    "taxes_id": [Command.clear()],
                    "company_id": company.id,
                },
                {
                    "name": "Tour Agent FTE",
                    "type": "service",
                    "bpo_billing_model": "seat",
                    "lst_price": 3200.0,
                    "taxes_id": [Command.clear()],
                    "company_id": company.id,
                },
            ]
        )

    def test_create_and_activate_an_agreement(self):
        self.start_tour("/odoo", "bpo_agreement_tour", login="admin")

        agreement = self.env["bpo.agreement"].search([("partner_id", "=", self.client.id)])
        self.assertEqual(len(agreement), 1)
        self.assertEqual(agreement.state, "active")
        self.assertRegex(agreement.name, r"^AGR/\d{4}/\d+$")
        retainer = agreement.line_ids.filtered(lambda line: line.product_id == self.retainer)
        agent = agreement.line_ids.filtered(lambda line: line.product_id == self.agent)
        self.assertEqual((retainer.billing_model, retainer.price_unit), ("fixed", 8000.0))
        self.assertEqual(
            (agent.billing_model, agent.quantity, agent.price_unit), ("seat", 12.0, 3200.0)
        )
