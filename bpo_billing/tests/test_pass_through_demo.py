from dateutil.relativedelta import relativedelta

from odoo import fields
from odoo.tests import TransactionCase, tagged

MARKUP = " (+8 % markup)"


@tagged("post_install", "-at_install")
class TestPassThroughDemo(TransactionCase):
    """The demo contact-centre agreement re-bills its telecom and travel costs, with an 8 %
    markup and a 2 500.00 monthly cap, on its last three monthly invoices."""

    def test_demo_northwind_pass_through_costs(self):
        agreement = self.env.ref("bpo_billing.agreement_northwind")
        today = fields.Date.context_today(agreement)

        invoices = agreement.action_generate_invoices(today).sorted("id")

        first_month = today.replace(day=1) - relativedelta(months=3)
        self.assertEqual(
            [move.bpo_period_id.date_start for move in invoices],
            [first_month + relativedelta(months=offset) for offset in range(3)],
        )
        rebilled = [
            [
                (line.name, line.price_subtotal)
                for line in move.invoice_line_ids
                if line.bpo_line_kind == "pass_through"
            ]
            for move in invoices
        ]
        # month 1: toll-free numbers 1 850.00 × 1.08 = 1 998.00
        # month 2: flight 642.30 × 1.08 = 693.684 → 693.68; hotel 2 × 159.40 = 318.80 × 1.08
        #          = 344.304 → 344.30 (1 037.98, within the cap)
        # month 3: train 450.00 × 1.08 = 486.00; the toll-free numbers 1 912.40 × 1.08
        #          = 2 065.39 would bring the month to 2 551.39 > 2 500.00: carried over
        self.assertEqual(
            [[amount for _name, amount in lines] for lines in rebilled],
            [[1998.00], [693.68, 344.30], [486.00]],
        )
        self.assertEqual(
            [[name for name, _amount in lines] for lines in rebilled],
            [
                ["Skyline Telecom SKY-1041: Toll-free numbers and SIP trunks" + MARKUP],
                [
                    "Atlas Business Travel ATL-2207: Flight, Northwind site visit" + MARKUP,
                    "Atlas Business Travel ATL-2207: Hotel, 2 nights" + MARKUP,
                ],
                ["Atlas Business Travel ATL-2291: Train, agent training in Leeds" + MARKUP],
            ],
        )
        for move in invoices:
            sections = move.invoice_line_ids.filtered(
                lambda line: (
                    line.display_type == "line_section" and line.name == "Pass-through costs"
                )
            )
            self.assertEqual(len(sections), 1)
        waiting = self.env.ref("bpo_billing.pass_through_bill_telecom_m3").invoice_line_ids
        self.assertFalse(waiting.bpo_rebilled_line_id)
        billed = self.env.ref("bpo_billing.pass_through_bill_telecom_m1").invoice_line_ids
        self.assertEqual(billed.bpo_rebilled_line_id.move_id, invoices[0])
        # the carrier's invoice travels with the client invoice that re-bills it
        copies = self.env["ir.attachment"].search(
            [("res_model", "=", "account.move"), ("res_id", "=", invoices[0].id)]
        )
        self.assertIn(
            self.env.ref("bpo_billing.pass_through_bill_telecom_m1_document").raw,
            copies.mapped("raw"),
        )
