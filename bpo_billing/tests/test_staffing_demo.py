from calendar import monthrange
from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction

from dateutil.relativedelta import relativedelta

from odoo import fields
from odoo.tests import TransactionCase, tagged


def cents(value):
    """Half-up to the cent, by hand."""
    exact = Decimal(value.numerator) / Decimal(value.denominator)
    return float(exact.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP))


@tagged("post_install", "-at_install")
class TestStaffingDemo(TransactionCase):
    """The demo contact centre's ramping staffing plan, billed for the last three months."""

    def test_demo_staffing_plan_is_prorated_to_the_cent(self):
        agreement = self.env.ref("bpo_billing.agreement_northwind")
        rule = self.env.ref("bpo_billing.agreement_northwind_staffing")
        today = fields.Date.context_today(agreement)

        invoices = agreement.action_generate_invoices(today)

        first = today.replace(day=1) - relativedelta(months=3)
        months = [first + relativedelta(months=offset) for offset in range(3)]
        days = [monthrange(month.year, month.month)[1] for month in months]
        billed = [
            [
                (line.bpo_staffing_role_id.name, line.bpo_line_kind, line.price_subtotal)
                for line in invoices.filtered(
                    lambda move, month=month: move.invoice_line_ids[:1].bpo_period_start == month
                ).invoice_line_ids.filtered(lambda line: line.bpo_agreement_line_id == rule)
            ]
            for month in months
        ]
        l0, l1, l2 = days
        # month 1: agents 8 FTE days 1-14, 12 FTE from the 15th: 8 × 14 + 12 × (L0 − 14)
        # FTE-days at 3 200.00 / L0; one team lead all month: 1 × 4 500.00. Staffed
        # 13 × L0 − 56 FTE-days, the 12 FTE floor needs 12 × L0: 56 − L0 missing at 3 200.00
        agents_0 = Fraction(3200 * (8 * 14 + 12 * (l0 - 14)), l0)
        floor_0 = Fraction(3200 * (56 - l0), l0)
        # month 2: 15 agents all month 15 × 3 200.00 = 48 000.00; team leads 1 FTE days
        # 1-14, 2 from the 15th: 4 500.00 × (14 + 2 × (L1 − 14)) / L1; QA 0.5 × 2 800.00 =
        # 1 400.00; 17.5 FTE on average, above the floor
        leads_1 = Fraction(4500 * (14 + 2 * (l1 - 14)), l1)
        # month 3: agents 15 FTE days 1-9, 18 from the 10th: 3 200.00 × (15 × 9 + 18 ×
        # (L2 − 9)) / L2; 2 team leads 2 × 4 500.00 = 9 000.00; QA 1 400.00
        agents_2 = Fraction(3200 * (15 * 9 + 18 * (l2 - 9)), l2)
        expected = [
            [
                ("Agent", "charge", cents(agents_0)),
                ("Team Lead", "charge", 4500.00),
                (False, "true_up", cents(floor_0)),
            ],
            [
                ("Agent", "charge", 48000.00),
                ("Team Lead", "charge", cents(leads_1)),
                ("Quality Analyst", "charge", 1400.00),
            ],
            [
                ("Agent", "charge", cents(agents_2)),
                ("Team Lead", "charge", 9000.00),
                ("Quality Analyst", "charge", 1400.00),
            ],
        ]
        self.assertEqual(billed, expected)
        self.assertTrue(all(move.state == "posted" for move in invoices))
        # the ramp is spelled out on the invoice
        ramp = invoices.invoice_line_ids.filtered(
            lambda line: (
                line.bpo_agreement_line_id == rule
                and line.bpo_period_start == months[0]
                and line.bpo_staffing_role_id.name == "Agent"
            )
        )
        self.assertIn(f"= {8 * 14 + 12 * (l0 - 14)} FTE-days / {l0} x 3,200.00", ramp.name)
