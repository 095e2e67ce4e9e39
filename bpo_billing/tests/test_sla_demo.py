from dateutil.relativedelta import relativedelta

from odoo import fields
from odoo.tests import TransactionCase, tagged


@tagged("post_install", "-at_install")
class TestSlaDemo(TransactionCase):
    """Billing the demo contact centre's last three months shows its service credits and the
    earn-back, right to the cent."""

    def test_northwind_invoices_carry_the_service_credits(self):
        today = fields.Date.context_today(self.env["bpo.agreement"])
        northwind = self.env.ref("bpo_billing.agreement_northwind")
        self.assertEqual(len(northwind.sla_ids), 3)

        invoices = northwind.action_generate_invoices(today).sorted("id")

        first_month = today.replace(day=1) - relativedelta(months=3)
        self.assertEqual(
            [invoice.invoice_line_ids[:1].bpo_period_start for invoice in invoices],
            [first_month + relativedelta(months=offset) for offset in range(3)],
        )
        lines = [
            sorted(
                (line.bpo_line_kind, line.bpo_sla_id.name, line.price_subtotal)
                for line in invoice.invoice_line_ids
                if line.bpo_sla_id
            )
            for invoice in invoices
        ]
        # voice handling fees (see test_generation_demo): 40 000.00, 59 300.00, 92 090.00
        self.assertEqual(
            lines,
            [
                # month 1: handle time 312 s over 300 s: fixed 250.00; the others met
                [("sla_credit", "Average handle time", -250.00)],
                # month 2: service level 78.4 % (1.6 under 80): 5 % × 59 300.00 = 2 965.00;
                # abandonment 6.3 % (1.3 over 5): 2 % × 59 300.00 = 1 186.00; total 4 151.00
                # under the cap of 12 % × 59 300.00 = 7 116.00
                [
                    ("sla_credit", "Abandonment rate", -1186.00),
                    ("sla_credit", "Service level (answered in 20 s)", -2965.00),
                ],
                # month 3: service level 74.2 % (5.8 under): 10 % × 92 090.00 = 9 209.00
                # (cap 11 050.80); handle time met in months 2 and 3: month 1's 250.00 earned
                # back
                [
                    ("sla_credit", "Service level (answered in 20 s)", -9209.00),
                    ("sla_earn_back", "Average handle time", 250.00),
                ],
            ],
        )
        service_level_line = invoices[1].invoice_line_ids.filtered(
            lambda line: line.bpo_sla_id.name == "Service level (answered in 20 s)"
        )
        self.assertRegex(
            service_level_line.name,
            r"^Service level \(answered in 20 s\) 78\.4 % vs 80 % target: tier 1, 5 % of "
            r".*59,300\.00",
        )
