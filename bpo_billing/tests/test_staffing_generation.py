from datetime import date

from odoo import Command
from odoo.exceptions import ValidationError
from odoo.tests import tagged

from .common import BpoBillingCommon


@tagged("post_install", "-at_install")
class TestStaffingGeneration(BpoBillingCommon):
    """Staffing plans and billable hours, from the agreement to posted invoices."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.agent = cls.env.ref("bpo_billing.staffing_role_agent")
        cls.lead = cls.env.ref("bpo_billing.staffing_role_team_lead")

    def _step(self, role, day, fte, rate):
        return Command.create({"role_id": role.id, "date_from": day, "fte": fte, "rate": rate})

    def _plan_agreement(self, **line_values):
        return self._create_agreement(
            [
                {
                    "product_id": self.product_fte.id,
                    "price_unit": 3200.0,
                    "staffing_mode": "fte_plan",
                    "staffing_line_ids": [
                        self._step(self.agent, date(2026, 1, 1), 10, 3200.0),
                        self._step(self.agent, date(2026, 1, 15), 12, 3200.0),
                        self._step(self.lead, date(2026, 1, 1), 1, 4500.0),
                        self._step(self.lead, date(2026, 2, 10), 2, 4500.0),
                    ],
                    **line_values,
                }
            ],
            billing_timing="arrears",
        )

    def _staffing_lines(self, invoice):
        return [
            (line.bpo_staffing_role_id.name, line.bpo_line_kind, line.quantity, line.price_unit)
            for line in invoice.invoice_line_ids
        ]

    def test_ramp_and_mid_period_change_to_the_day(self):
        agreement = self._plan_agreement()

        january, february = agreement.action_generate_invoices(date(2026, 3, 1))

        # January (31 days): agents 10 × 14 + 12 × 17 = 344 FTE-days, 3 200.00 × 344 / 31 =
        # 35 509.677… → 1 × 35 509.68; the team lead all month: 1 × 4 500.00
        self.assertEqual(
            self._staffing_lines(january),
            [("Agent", "charge", 1.0, 35509.68), ("Team Lead", "charge", 1.0, 4500.0)],
        )
        # 40 009.68 + 15 % tax 6 001.452 → 6 001.45: 46 011.13
        self.assertAlmostEqual(january.amount_untaxed, 40009.68, places=2)
        self.assertAlmostEqual(january.amount_total, 46011.13, places=2)
        agent_line = january.invoice_line_ids[0]
        self.assertIn("344 FTE-days / 31 x 3,200.00", agent_line.name)
        self.assertAlmostEqual(agent_line.bpo_fte_periods, 344 / 31, places=6)
        # February (28 days): 12 agents all month: 12 × 3 200.00 = 38 400.00; team lead
        # 1 × 9 + 2 × 19 = 47 FTE-days, 4 500.00 × 47 / 28 = 7 553.571… → 7 553.57
        self.assertEqual(
            self._staffing_lines(february),
            [("Agent", "charge", 12.0, 3200.0), ("Team Lead", "charge", 1.0, 7553.57)],
        )
        # every change of the plan is in the agreement's chatter
        self.assertTrue(
            any("Staffing plan step added" in message.body for message in agreement.message_ids)
        )

    def test_minimum_fte_floor(self):
        agreement = self._plan_agreement(fte_floor=14)

        january = agreement.action_generate_invoices(date(2026, 2, 1))

        # staffed 344 + 31 = 375 FTE-days; 14 FTE × 31 days = 434 needed: 59 missing at the
        # rule's 3 200.00, 3 200.00 × 59 / 31 = 6 090.322… → 6 090.32
        self.assertEqual(self._staffing_lines(january)[-1], (False, "true_up", 1.0, 6090.32))
        self.assertAlmostEqual(january.amount_untaxed, 35509.68 + 4500.0 + 6090.32, places=2)

    def test_billable_hours_with_overtime(self):
        agreement = self._create_agreement(
            [
                {
                    "product_id": self.product_minute.id,
                    "price_unit": 25.0,
                    "staffing_mode": "hours",
                    "contracted_hours": 160,
                    "overtime_multiplier": 1.5,
                }
            ],
            billing_timing="arrears",
        )
        line = agreement.line_ids
        self._record_usage(line, date(2026, 1, 12), 90, "WFM-1")
        self._record_usage(line, date(2026, 1, 26), 82.5, "WFM-2")

        invoice = agreement.action_generate_invoices(date(2026, 2, 1))

        # 172.5 productive hours: 160 contracted × 25.00 = 4 000.00, 12.5 overtime × 37.50
        # (1.5 × 25.00) = 468.75
        self.assertEqual(
            [(ln.quantity, ln.price_unit, ln.bpo_staffed_hours) for ln in invoice.invoice_line_ids],
            [(160.0, 25.0, 160.0), (12.5, 37.5, 12.5)],
        )
        self.assertAlmostEqual(invoice.amount_untaxed, 4468.75, places=2)

    def test_staffing_mode_must_fit_the_rule(self):
        with self.assertRaises(ValidationError):
            self._create_agreement(
                [{"product_id": self.product_minute.id, "staffing_mode": "fte_plan"}]
            )
        with self.assertRaises(ValidationError):
            self._create_agreement([{"product_id": self.product_fte.id, "staffing_mode": "hours"}])
        with self.assertRaises(ValidationError):
            self._plan_agreement(overtime_multiplier=0.5)

    def test_effective_rate_per_fte_and_per_transaction(self):
        agreement = self._plan_agreement()
        calls = self.env["bpo.agreement.line"].create(
            {
                "agreement_id": agreement.id,
                "product_id": self.product_minute.id,
                "price_unit": 0.0,
                "tier_ids": [Command.create({"from_quantity": 0, "price_unit": 0.0})],
            }
        )
        self._record_usage(calls, date(2026, 1, 20), 20000, "ACD-1")

        agreement.action_generate_invoices(date(2026, 2, 1))

        report = self.env["bpo.staffing.report"]
        self.env.flush_all()
        [(amount, fte_months, transactions, per_fte, per_transaction)] = report._read_group(
            [("agreement_id", "=", agreement.id)],
            aggregates=[
                "amount:sum",
                "fte_months:sum",
                "transactions:sum",
                "rate_per_fte:avg",
                "rate_per_transaction:avg",
            ],
        )
        # January: 40 009.68 for 344 / 31 + 1 = 375 / 31 FTE-months: 3 307.43… per FTE-month;
        # 20 000 calls: 2.000484 per call
        self.assertAlmostEqual(amount, 40009.68, places=2)
        self.assertAlmostEqual(fte_months, 375 / 31, places=5)
        self.assertEqual(transactions, 20000)
        self.assertAlmostEqual(per_fte, 40009.68 * 31 / 375, places=2)
        self.assertAlmostEqual(per_transaction, 40009.68 / 20000, places=6)

    def test_ramp_wizard_writes_the_steps(self):
        agreement = self._create_agreement(
            [{"product_id": self.product_fte.id, "staffing_mode": "fte_plan"}],
            billing_timing="arrears",
        )
        rule = agreement.line_ids
        ramp = self.env["bpo.staffing.ramp"].create(
            {
                "agreement_line_id": rule.id,
                "role_id": self.agent.id,
                "rate": 3200.0,
                "date_from": date(2026, 1, 5),
                "start_fte": 4,
                "target_fte": 16,
                "step_count": 4,
                "interval": 1,
                "interval_unit": "weeks",
            }
        )
        ramp.action_apply()
        # 4 steps of +4 FTE, weekly from Monday 5 January
        self.assertEqual(
            [(step.date_from, step.fte) for step in rule.staffing_line_ids],
            [
                (date(2026, 1, 5), 4.0),
                (date(2026, 1, 12), 8.0),
                (date(2026, 1, 19), 12.0),
                (date(2026, 1, 26), 16.0),
            ],
        )
        # applying a ramp again updates the steps of the same dates: 10 → 16 in 3 steps
        ramp.write({"start_fte": 10, "step_count": 3})
        ramp.action_apply()
        self.assertEqual(rule.staffing_line_ids.mapped("fte"), [10.0, 13.0, 16.0, 16.0])

        invoice = agreement.action_generate_invoices(date(2026, 2, 1))

        # nobody before the 5th; 10 × 7 + 13 × 7 + 16 × 7 + 16 × 6 = 70 + 91 + 112 + 96 =
        # 369 FTE-days; 3 200.00 × 369 / 31 = 1 180 800 / 31 = 38 090.322… → 38 090.32
        self.assertAlmostEqual(invoice.amount_untaxed, 38090.32, places=2)
