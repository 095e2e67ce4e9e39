from ast import literal_eval
from datetime import date

from odoo import Command
from odoo.exceptions import UserError
from odoo.tests import tagged

from .common import BpoBillingCommon


@tagged("post_install", "-at_install")
class TestSlaCredits(BpoBillingCommon):
    """Service credits on the invoices: every tier boundary, the cap, earn-back, credits for
    a period already invoiced, and periods held while KPIs are missing. Monthly, in arrears:
    a retainer of 8 000.00 and 10 FTE × 3 200.00 = 32 000.00, a monthly fee of 40 000.00."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.agreement = cls._create_agreement(
            [
                {"product_id": cls.product_retainer.id, "price_unit": 8000.0},
                {"product_id": cls.product_fte.id, "quantity": 10, "price_unit": 3200.0},
            ],
            billing_timing="arrears",
        )
        cls.retainer, cls.agents = cls.agreement.line_ids.sorted("id")
        # service level on the agents' fee (32 000.00): 5 % from any miss, 10 % from 5 points
        # under, 15 % from 10 points under
        cls.service_level = cls._create_sla(
            "Service level",
            "%",
            80,
            "higher",
            [(0, 5, 0), (5, 10, 0), (10, 15, 0)],
            line_ids=[Command.set(cls.agents.ids)],
        )
        # average handle time, fixed credits: 500.00 from any miss, 1 000.00 from 30 s over
        cls.handle_time = cls._create_sla(
            "Average handle time",
            "s",
            300,
            "lower",
            [(0, 0, 500), (30, 0, 1000)],
            credit_type="fixed",
        )

    @classmethod
    def _create_sla(cls, name, unit, target, direction, tiers, **values):
        return cls.env["bpo.sla"].create(
            {
                "agreement_id": cls.agreement.id,
                "name": name,
                "unit": unit,
                "target": target,
                "direction": direction,
                "tier_ids": [
                    Command.create(
                        {
                            "shortfall_from": start,
                            "credit_percent": percent,
                            "credit_amount": amount,
                        }
                    )
                    for start, percent, amount in tiers
                ],
                **values,
            }
        )

    def _measure(self, sla, month, value, ref=None):
        return self.env["bpo.sla.measure"].create(
            {"sla_id": sla.id, "date": date(2026, month, 15), "value": value, "external_ref": ref}
        )

    def _credits(self, invoice, kind="sla_credit"):
        return {
            line.bpo_sla_id.name: line.price_subtotal
            for line in invoice.invoice_line_ids
            if line.bpo_line_kind == kind
        }

    def test_credits_at_and_across_every_tier_boundary(self):
        for month, service_level, handle_time in (
            (1, 80, 300),  # both targets met exactly: no credit
            (2, 79.99, 329.99),  # just missed; 29.99 s over
            (3, 75.01, 330),  # 4.99 points under; 30 s over: handle time tier 2
            (4, 75, 300),  # 5 points under: service level tier 2
            (5, 70.01, 299),
            (6, 70, 420),  # 10 points under: tier 3
        ):
            self._measure(self.service_level, month, service_level)
            self._measure(self.handle_time, month, handle_time)

        invoices = self.agreement.action_generate_invoices(date(2026, 7, 1)).sorted("id")

        self.assertEqual(len(invoices), 6)
        credits = [self._credits(invoice) for invoice in invoices]
        self.assertEqual(
            credits,
            [
                {},
                # 5 % × 32 000.00 = 1 600.00; fixed 500.00
                {"Service level": -1600.00, "Average handle time": -500.00},
                {"Service level": -1600.00, "Average handle time": -1000.00},
                # 10 % × 32 000.00 = 3 200.00
                {"Service level": -3200.00},
                {"Service level": -3200.00},
                # 15 % × 32 000.00 = 4 800.00
                {"Service level": -4800.00, "Average handle time": -1000.00},
            ],
        )
        # 40 000.00 - 1 600.00 - 500.00 = 37 900.00, taxed 15 %: 43 585.00
        self.assertEqual(invoices[1].amount_untaxed, 37900.00)
        self.assertEqual(invoices[1].amount_total, 43585.00)
        credit_line = invoices[1].invoice_line_ids.filtered("bpo_sla_id")[:1]
        self.assertEqual(credit_line.tax_ids, self.tax_15)
        self.assertEqual(credit_line.bpo_period_start, date(2026, 2, 1))
        self.assertEqual(credit_line.bpo_period_end, date(2026, 2, 28))
        names = invoices[3].invoice_line_ids.filtered("bpo_sla_id").mapped("name")
        self.assertEqual(len(names), 1)
        self.assertRegex(
            names[0], r"^Service level 75 % vs 80 % target: tier 2, 10 % of .*32,000\.00"
        )
        fixed_name = (
            invoices[2]
            .invoice_line_ids.filtered(lambda line: line.bpo_sla_id == self.handle_time)
            .name
        )
        self.assertEqual(fixed_name, "Average handle time 330 s vs 300 s target: tier 2")

    def test_cap_shares_the_period_credits(self):
        self.agreement.sla_credit_cap_percent = 5
        self._measure(self.service_level, 1, 70)
        self._measure(self.handle_time, 1, 330)
        self._measure(self.service_level, 2, 78)

        january, february = self.agreement.action_generate_invoices(date(2026, 3, 1)).sorted("id")

        # January: 4 800.00 + 1 000.00 = 5 800.00 over the cap of 5 % × 40 000.00 = 2 000.00,
        # shared: 2 000 × 4 800 / 5 800 = 1 655.172… → 1 655.17, 2 000 × 1 000 / 5 800 =
        # 344.827… → 344.83 (the cent left goes to the larger remainder)
        self.assertEqual(
            self._credits(january), {"Service level": -1655.17, "Average handle time": -344.83}
        )
        self.assertEqual(january.amount_untaxed, 38000.00)
        self.assertIn("capped", january.invoice_line_ids.filtered("bpo_sla_id")[0].name)
        # February: 1 600.00, under the cap: whole
        self.assertEqual(self._credits(february), {"Service level": -1600.00})

    def test_earn_back_after_two_periods_meeting_the_target(self):
        self.agreement.sla_earn_back_periods = 2
        for month, service_level, handle_time in (
            (1, 78, 340),  # credits 1 600.00 and 1 000.00
            (2, 81, 290),
            (3, 80, 310),  # service level kept the target twice; handle time missed again
        ):
            self._measure(self.service_level, month, service_level)
            self._measure(self.handle_time, month, handle_time)

        invoices = self.agreement.action_generate_invoices(date(2026, 4, 1)).sorted("id")

        self.assertEqual(
            [self._credits(invoice, "sla_earn_back") for invoice in invoices],
            # March gives back January's service level credit only
            [{}, {}, {"Service level": 1600.00}],
        )
        earn_back = invoices[2].invoice_line_ids.filtered(
            lambda line: line.bpo_line_kind == "sla_earn_back"
        )
        self.assertEqual(earn_back.bpo_period_start, date(2026, 1, 1))
        self.assertEqual(earn_back.tax_ids, self.tax_15)
        # March: 40 000.00 + 1 600.00 earned back - 500.00 handle time credit = 41 100.00
        self.assertEqual(self._credits(invoices[2]), {"Average handle time": -500.00})
        self.assertEqual(invoices[2].amount_untaxed, 41100.00)

    def test_measure_after_posting_gives_a_credit_note_once(self):
        invoice = self.agreement.action_generate_invoices(date(2026, 2, 1))
        self.assertEqual(invoice.state, "posted")
        self.assertEqual(invoice.amount_untaxed, 40000.00)

        measure = self._measure(self.service_level, 1, 77.5, ref="ACD-2026-01")

        refund = self.env["account.move"].search([("reversed_entry_id", "=", invoice.id)])
        self.assertEqual(refund.move_type, "out_refund")
        self.assertEqual(refund.state, "posted")
        # 5 % × 32 000.00 = 1 600.00, taxed 15 %: 1 840.00
        self.assertEqual(refund.amount_untaxed, 1600.00)
        self.assertEqual(refund.amount_total, 1840.00)
        self.assertEqual(refund.invoice_line_ids.bpo_sla_id, self.service_level)
        self.assertEqual(refund.invoice_line_ids.bpo_line_kind, "sla_credit")
        self.assertIn(refund.name, self.agreement.message_ids[0].body)
        self.assertIn(refund.name, invoice.message_ids[0].body)

        # sent again (same reference, same figure), or the button pressed: nothing more
        self._measure(self.service_level, 1, 77.5, ref="ACD-2026-01")
        measure.action_settle_credit()
        self.assertEqual(
            self.env["account.move"].search_count([("reversed_entry_id", "=", invoice.id)]), 1
        )
        self.assertEqual(len(self.service_level.measure_ids), 1)

        # corrected to 74: tier 2, 3 200.00 due, 1 600.00 given: a second note of 1 600.00
        measure.value = 74
        refunds = self.env["account.move"].search(
            [("reversed_entry_id", "=", invoice.id)], order="id"
        )
        self.assertEqual(refunds.mapped("amount_untaxed"), [1600.00, 1600.00])

    def test_measure_after_a_draft_invoice_adds_the_credit_to_it(self):
        self.agreement.auto_post = False
        invoice = self.agreement.action_generate_invoices(date(2026, 2, 1))
        self.assertEqual(invoice.state, "draft")

        self._measure(self.handle_time, 1, 305)

        # fixed 500.00 on the draft: 40 000.00 - 500.00 = 39 500.00, no credit note
        self.assertEqual(self._credits(invoice), {"Average handle time": -500.00})
        self.assertEqual(invoice.amount_untaxed, 39500.00)
        self.assertFalse(self.env["account.move"].search([("reversed_entry_id", "=", invoice.id)]))

    def test_missing_kpis_hold_the_period(self):
        self.agreement.sla_hold_missing = True
        self._measure(self.service_level, 1, 79)

        self.assertFalse(self.agreement.action_generate_invoices(date(2026, 2, 1)))
        self.assertFalse(self.agreement.period_ids)
        self.assertIn("Average handle time", self.agreement.sla_hold_reason)
        self.assertNotIn("Service level", self.agreement.sla_hold_reason)

        self._measure(self.handle_time, 1, 300)
        self.agreement.invalidate_recordset(["sla_hold_reason"])
        self.assertFalse(self.agreement.sla_hold_reason)
        invoice = self.agreement.action_generate_invoices(date(2026, 2, 1))
        # 40 000.00 - 5 % × 32 000.00 = 38 400.00
        self.assertEqual(invoice.amount_untaxed, 38400.00)

    def test_manager_releases_a_held_period(self):
        self.agreement.sla_hold_missing = True
        self.assertFalse(self.agreement.action_generate_invoices(date(2026, 2, 1)))

        self.agreement.action_release_sla_hold()

        invoice = self.agreement.action_generate_invoices(date(2026, 2, 1))
        self.assertEqual(invoice.amount_untaxed, 40000.00)
        self.assertEqual(self.agreement.sla_release_date, date(2026, 1, 1))
        # the release was for January only: February waits again for its measures
        self.assertFalse(self.agreement.action_generate_invoices(date(2026, 3, 1)))
        self.assertTrue(self.agreement.sla_hold_reason)

    def test_only_a_manager_releases_a_held_period(self):
        self.agreement.sla_hold_missing = True
        accountant = self.env["res.users"].create(
            {
                "name": "Billing Clerk",
                "login": "sla_clerk",
                "groups_id": [Command.set(self.env.ref("bpo_billing.group_bpo_user").ids)],
                "company_id": self.company.id,
                "company_ids": [Command.set(self.company.ids)],
            }
        )
        with self.assertRaises(UserError):
            self.agreement.with_user(accountant).action_release_sla_hold()
        self.assertFalse(self.agreement.sla_release_date)

    def test_measure_sent_again_updates_it(self):
        self._measure(self.service_level, 1, 79, ref="ACD-2026-01")
        self._measure(self.service_level, 1, 74, ref="ACD-2026-01")

        self.assertEqual(self.service_level.measure_ids.mapped("value"), [74])
        invoice = self.agreement.action_generate_invoices(date(2026, 2, 1))
        # the figure sent last: 6 points under, 10 % × 32 000.00 = 3 200.00
        self.assertEqual(self._credits(invoice), {"Service level": -3200.00})

    def test_held_period_does_not_hold_other_agreements(self):
        other = self._create_agreement(
            [{"product_id": self.product_retainer.id, "price_unit": 1000.0}],
            partner=self.client_b,
            billing_timing="arrears",
        )
        self.agreement.sla_hold_missing = True

        invoices = (self.agreement | other).action_generate_invoices(date(2026, 2, 1))

        self.assertEqual(invoices.bpo_agreement_id, other)

    def test_credit_report_lists_credits_per_client_and_kpi(self):
        self._measure(self.service_level, 1, 78)
        self._measure(self.handle_time, 1, 340)
        self.agreement.action_generate_invoices(date(2026, 2, 1))
        action = self.env.ref("bpo_billing.action_bpo_sla_credit_report")

        groups = self.env["account.move.line"]._read_group(
            literal_eval(action.domain), ["partner_id", "bpo_sla_id"], ["balance:sum"]
        )

        # credits given are positive: 1 600.00 and 1 000.00
        self.assertEqual(
            sorted((partner, sla.name, balance) for partner, sla, balance in groups),
            [
                (self.client, "Average handle time", 1000.00),
                (self.client, "Service level", 1600.00),
            ],
        )
