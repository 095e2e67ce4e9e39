from dateutil.relativedelta import relativedelta

from odoo import fields
from odoo.tests import TransactionCase, tagged


@tagged("post_install", "-at_install")
class TestGenerationDemo(TransactionCase):
    """The demo database bills its three clients for the last three months in one click."""

    def test_generate_invoices_wizard_bills_the_demo_clients(self):
        today = fields.Date.context_today(self.env["bpo.agreement"])
        demo = {
            key: self.env.ref(f"bpo_billing.agreement_{key}")
            for key in ("northwind", "contoso", "fabrikam")
        }
        wizard = self.env["bpo.generate.invoices.wizard"].create(
            {
                "date": today,
                "agreement_ids": [
                    fields.Command.set([agreement.id for agreement in demo.values()])
                ],
            }
        )
        for agreement in demo.values():
            self.assertIn(agreement.name, wizard.preview)

        action = wizard.action_generate()

        invoices = self.env["account.move"].search(action["domain"], order="id")
        first_month = today.replace(day=1) - relativedelta(months=3)
        # the amounts of the billing rules below (other lines, such as service credits or
        # re-billed costs, are tested on their own)
        rules = (
            self.env.ref("bpo_billing.agreement_northwind_voice")
            | (demo["contoso"] | demo["fabrikam"]).line_ids
        )
        amounts = {
            key: [
                (
                    move.invoice_line_ids[:1].bpo_period_start,
                    sum(
                        move.invoice_line_ids.filtered(
                            lambda line: line.bpo_agreement_line_id in rules
                        ).mapped("price_subtotal")
                    ),
                )
                for move in invoices.filtered(
                    lambda move, agreement=agreement: move.bpo_agreement_id == agreement
                )
            ]
            for key, agreement in demo.items()
        }
        months = [first_month + relativedelta(months=offset) for offset in range(4)]
        # contact centre, graduated tiers 0.85 / 0.75 from 50 000 / 0.65 from 100 000 minutes,
        # minimum 40 000.00:
        # month 1: 38 250 × 0.85 = 32 512.50 → true-up to 40 000.00
        # month 2: 50 000 × 0.85 + 22 400 × 0.75 = 42 500.00 + 16 800.00 = 59 300.00
        # month 3: 42 500.00 + 50 000 × 0.75 + 18 600 × 0.65 = 42 500 + 37 500 + 12 090 = 92 090.00
        self.assertEqual(
            amounts["northwind"],
            [(months[0], 40000.00), (months[1], 59300.00), (months[2], 92090.00)],
        )
        # back office in advance, 12 FTE × 3 200.00 = 38 400.00 a month, the current one
        # included; the 15 000.00 transition fee with the first month: 53 400.00
        self.assertEqual(
            amounts["contoso"],
            [
                (months[0], 53400.00),
                (months[1], 38400.00),
                (months[2], 38400.00),
                (months[3], 38400.00),
            ],
        )
        # helpdesk: 8 000.00 retainer + tickets above 500 at 18.00:
        # 430 → 8 000.00; 612 → 8 000 + 112 × 18 = 10 016.00; 745 → 8 000 + 245 × 18 = 12 410.00
        self.assertEqual(
            amounts["fabrikam"],
            [(months[0], 8000.00), (months[1], 10016.00), (months[2], 12410.00)],
        )
