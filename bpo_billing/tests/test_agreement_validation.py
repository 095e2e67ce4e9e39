"""Agreement validation: each refused value names the agreement, line and field."""

import re
from datetime import date

from odoo import Command
from odoo.exceptions import UserError, ValidationError
from odoo.tests import tagged

from .common import BpoBillingCommon

# the reference comes from the AGR/<year>/<number> sequence
AGREEMENT_REF = r"AGR/\d{4}/\d{5}"
NEEDS_RATE = r"a metered usage rule needs a Unit Price or volume tiers\."


@tagged("post_install", "-at_install")
class TestAgreementDates(BpoBillingCommon):
    def test_valid_agreement_is_created(self):
        agreement = self._create_agreement(
            [{"product_id": self.product_retainer.id}],
            activate=False,
            date_end=date(2026, 12, 31),
        )
        self.assertRecordValues(
            agreement,
            [
                {
                    "date_start": date(2026, 1, 1),
                    "date_end": date(2026, 12, 31),
                    "state": "draft",
                }
            ],
        )
        self.assertEqual(len(agreement.line_ids), 1)

    def test_end_before_start_refused_on_create(self):
        with self.assertRaisesRegex(
            ValidationError,
            rf"Agreement {AGREEMENT_REF}: the End Date \(2025-12-31\) is before "
            r"the Start Date \(2026-01-01\)",
        ):
            self._create_agreement(
                [{"product_id": self.product_retainer.id}],
                activate=False,
                date_end=date(2025, 12, 31),
            )

    def test_end_before_start_refused_on_write(self):
        agreement = self._create_agreement(
            [{"product_id": self.product_retainer.id}], activate=False
        )
        with self.assertRaisesRegex(
            ValidationError,
            rf"Agreement {re.escape(agreement.name)}: the End Date \(2025-06-30\) "
            r"is before the Start Date",
        ):
            agreement.date_end = date(2025, 6, 30)

    def test_end_on_start_day_is_allowed(self):
        # a one-day agreement: 1 January 2026 to 1 January 2026
        agreement = self._create_agreement(
            [{"product_id": self.product_retainer.id}],
            activate=False,
            date_end=date(2026, 1, 1),
        )
        self.assertEqual(agreement.date_end, date(2026, 1, 1))

    def test_failing_create_writes_nothing(self):
        agreements_before = self.env["bpo.agreement"].search_count([])
        lines_before = self.env["bpo.agreement.line"].search_count([])
        with self.assertRaises(ValidationError):
            self._create_agreement(
                [
                    {"product_id": self.product_retainer.id},
                    {"product_id": self.product_fte.id},
                ],
                activate=False,
                date_end=date(2025, 12, 31),
            )
        self.assertEqual(self.env["bpo.agreement"].search_count([]), agreements_before)
        self.assertEqual(self.env["bpo.agreement.line"].search_count([]), lines_before)

    def test_failing_line_in_create_writes_no_agreement(self):
        agreements_before = self.env["bpo.agreement"].search_count([])
        lines_before = self.env["bpo.agreement.line"].search_count([])
        with self.assertRaises(ValidationError):
            self._create_agreement(
                [
                    {"product_id": self.product_retainer.id},
                    {"product_id": self.product_fte.id, "quantity": -2.0},
                ],
                activate=False,
            )
        self.assertEqual(self.env["bpo.agreement"].search_count([]), agreements_before)
        self.assertEqual(self.env["bpo.agreement.line"].search_count([]), lines_before)


@tagged("post_install", "-at_install")
class TestAgreementLineAmounts(BpoBillingCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.agreement = cls._create_agreement(
            [{"product_id": cls.product_fte.id, "quantity": 4.0, "price_unit": 3200.0}],
            activate=False,
        )
        cls.fte_line = cls.agreement.line_ids
        # "Agreement AGR/2026/00001, line [BPO-FTE] Back-Office Agent (FTE)"
        cls.line_prefix = (
            f"Agreement {re.escape(cls.agreement.name)}, "
            rf"line \[BPO-FTE\] Back-Office Agent \(FTE\)"
        )

    def assertLineRefused(self, field_label, values):
        with self.assertRaisesRegex(
            ValidationError, rf"{self.line_prefix}: {field_label} cannot be negative\."
        ):
            self.fte_line.write(values)

    def test_valid_line_passes(self):
        self.fte_line.write(
            {
                "quantity": 5.0,
                "price_unit": 3100.0,
                "included_quantity": 0.0,
                "minimum_amount": 10000.0,
                "maximum_amount": 20000.0,
            }
        )
        self.assertRecordValues(
            self.fte_line,
            [
                {
                    "quantity": 5.0,
                    "price_unit": 3100.0,
                    "minimum_amount": 10000.0,
                    "maximum_amount": 20000.0,
                }
            ],
        )

    def test_negative_price_refused(self):
        self.assertLineRefused("Unit Price", {"price_unit": -1.0})

    def test_negative_quantity_refused(self):
        self.assertLineRefused("Quantity", {"quantity": -1.0})

    def test_negative_included_quantity_refused(self):
        self.assertLineRefused("Included Quantity", {"included_quantity": -100.0})

    def test_negative_minimum_refused(self):
        self.assertLineRefused("Minimum per Period", {"minimum_amount": -500.0})

    def test_negative_maximum_refused(self):
        self.assertLineRefused("Cap per Period", {"maximum_amount": -500.0})

    def test_minimum_above_cap_refused(self):
        with self.assertRaisesRegex(
            ValidationError,
            rf"{self.line_prefix}: the Minimum per Period is above the Cap per "
            r"Period\.",
        ):
            self.fte_line.write({"minimum_amount": 15000.0, "maximum_amount": 12000.0})

    def test_minimum_without_cap_is_allowed(self):
        # a zero cap means "no cap": any minimum is accepted
        self.fte_line.write({"minimum_amount": 15000.0, "maximum_amount": 0.0})
        self.assertEqual(self.fte_line.minimum_amount, 15000.0)

    def test_negative_value_in_line_create_names_the_line(self):
        with self.assertRaisesRegex(
            ValidationError,
            rf"Agreement {re.escape(self.agreement.name)}, "
            r"line \[BPO-RET\] Helpdesk Retainer: Unit Price cannot be negative\.",
        ):
            self.agreement.write(
                {
                    "line_ids": [
                        Command.create(
                            {
                                "product_id": self.product_retainer.id,
                                "price_unit": -8000.0,
                            }
                        )
                    ],
                }
            )

    def test_until_before_from_refused(self):
        with self.assertRaisesRegex(
            ValidationError,
            rf"{self.line_prefix}: the Until date is before the From date\.",
        ):
            self.fte_line.write({"date_start": date(2026, 6, 1), "date_end": date(2026, 5, 31)})

    def test_until_equal_to_from_is_allowed(self):
        self.fte_line.write({"date_start": date(2026, 6, 1), "date_end": date(2026, 6, 1)})
        self.assertEqual(self.fte_line.date_end, date(2026, 6, 1))


@tagged("post_install", "-at_install")
class TestAgreementUsageTiers(BpoBillingCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.agreement = cls._create_agreement(
            [{"product_id": cls.product_retainer.id}], activate=False
        )
        reference = re.escape(cls.agreement.name)
        cls.usage_prefix = rf"Agreement {reference}, line \[BPO-MIN\] Handled Minute"

    def _add_usage_line(self, tiers, **values):
        """Add a metered 'Handled Minute' rule; tiers are (sequence, from, price)."""
        self.agreement.write(
            {
                "line_ids": [
                    Command.create(
                        {
                            "product_id": self.product_minute.id,
                            "tier_ids": [
                                Command.create(
                                    {
                                        "sequence": sequence,
                                        "from_quantity": from_quantity,
                                        "price_unit": price,
                                    }
                                )
                                for sequence, from_quantity, price in tiers
                            ],
                            **values,
                        }
                    )
                ]
            }
        )
        return self.agreement.line_ids.filtered(lambda line: line.product_id == self.product_minute)

    def _tier_order_message(self, tier, quantity, previous):
        return (
            rf"{self.usage_prefix}, tier {tier}: its From Quantity \({quantity}\.0\) "
            rf"must be above the previous tier's \({previous}\.0\)"
        )

    def test_ordered_tiers_pass(self):
        line = self._add_usage_line([(1, 0.0, 1.00), (2, 1000.0, 0.80), (3, 5000.0, 0.60)])
        self.assertRecordValues(
            line.tier_ids,
            [
                {"from_quantity": 0.0, "price_unit": 1.00},
                {"from_quantity": 1000.0, "price_unit": 0.80},
                {"from_quantity": 5000.0, "price_unit": 0.60},
            ],
        )

    def test_overlapping_tiers_refused(self):
        # tiers 2 and 3 both start at 1 000
        with self.assertRaisesRegex(
            ValidationError,
            self._tier_order_message(3, 1000, 1000),
        ):
            self._add_usage_line([(1, 0.0, 1.00), (2, 1000.0, 0.80), (3, 1000.0, 0.60)])

    def test_unordered_tiers_refused(self):
        # in sequence order the From Quantity goes 0, 5 000, 1 000
        with self.assertRaisesRegex(
            ValidationError,
            self._tier_order_message(3, 1000, 5000),
        ):
            self._add_usage_line([(1, 0.0, 1.00), (2, 5000.0, 0.60), (3, 1000.0, 0.80)])

    def test_tier_reordered_by_write_refused(self):
        line = self._add_usage_line([(1, 0.0, 1.00), (2, 1000.0, 0.80), (3, 5000.0, 0.60)])
        last_tier = line.tier_ids.filtered(lambda tier: tier.from_quantity == 5000.0)
        with self.assertRaisesRegex(
            ValidationError,
            self._tier_order_message(3, 500, 1000),
        ):
            last_tier.from_quantity = 500.0

    def test_first_tier_not_at_zero_refused(self):
        with self.assertRaisesRegex(
            ValidationError,
            rf"{self.usage_prefix}: the first tier must start at quantity 0\.",
        ):
            self._add_usage_line([(1, 100.0, 1.00), (2, 1000.0, 0.80)])

    def test_removing_zero_tier_refused(self):
        # left alone, the 1 000 tier would become the first one
        line = self._add_usage_line([(1, 0.0, 1.00), (2, 1000.0, 0.80)])
        zero_tier = line.tier_ids.filtered(lambda tier: tier.from_quantity == 0.0)
        with self.assertRaisesRegex(
            ValidationError,
            rf"{self.usage_prefix}: the first tier must start at quantity 0\.",
        ):
            line.write({"tier_ids": [Command.delete(zero_tier.id)]})

    def test_negative_tier_price_refused(self):
        with self.assertRaisesRegex(
            ValidationError,
            rf"{self.usage_prefix}, tier 2: the Unit Price cannot be negative\.",
        ):
            self._add_usage_line([(1, 0.0, 1.00), (2, 1000.0, -0.80)])

    def test_usage_line_without_price_or_tiers_refused(self):
        with self.assertRaisesRegex(
            ValidationError,
            rf"{self.usage_prefix}: {NEEDS_RATE}",
        ):
            self._add_usage_line([], price_unit=0.0)

    def test_usage_line_with_tiers_and_no_price_passes(self):
        line = self._add_usage_line([(1, 0.0, 1.00)], price_unit=0.0)
        self.assertRecordValues(line, [{"billing_model": "usage", "price_unit": 0.0}])
        self.assertEqual(len(line.tier_ids), 1)

    def test_usage_line_with_price_and_no_tiers_passes(self):
        line = self._add_usage_line([], price_unit=0.85)
        self.assertRecordValues(line, [{"billing_model": "usage", "price_unit": 0.85}])

    def test_removing_last_tier_of_unpriced_usage_line_refused(self):
        line = self._add_usage_line([(1, 0.0, 1.00)], price_unit=0.0)
        with self.assertRaisesRegex(
            ValidationError,
            rf"{self.usage_prefix}: {NEEDS_RATE}",
        ):
            line.write({"tier_ids": [Command.clear()]})


@tagged("post_install", "-at_install")
class TestAgreementCompanyConsistency(BpoBillingCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.other_company_data = cls.setup_other_company(name="BPO Services Europe")
        cls.other_company = cls.other_company_data["company"]
        cls.other_journal = cls.other_company_data["default_journal_sale"]
        cls.other_tax = cls.env["account.tax"].create(
            {
                "name": "Europe VAT 20%",
                "amount": 20.0,
                "amount_type": "percent",
                "type_tax_use": "sale",
                "company_id": cls.other_company.id,
            }
        )

    def test_journal_of_another_company_refused(self):
        other_journal_name = self.other_journal.display_name
        with self.assertRaisesRegex(
            UserError,
            rf"“{AGREEMENT_REF}” belongs to company “company_1_data” and "
            rf"“Invoice Journal” \(journal_id: '{re.escape(other_journal_name)}'\) "
            r"belongs to another company\.",
        ):
            self._create_agreement(
                [{"product_id": self.product_retainer.id}],
                activate=False,
                journal_id=self.other_journal.id,
            )

    def test_tax_of_another_company_on_line_refused(self):
        agreement = self._create_agreement(
            [{"product_id": self.product_retainer.id}], activate=False
        )
        line = agreement.line_ids
        with self.assertRaisesRegex(
            UserError,
            r"“\[BPO-RET\] Helpdesk Retainer” belongs to company “company_1_data” "
            r"and “Taxes” \(tax_ids: 'Europe VAT 20%'\) belongs to another company\.",
        ):
            line.tax_ids = [Command.set(self.other_tax.ids)]

    def test_same_company_journal_and_taxes_pass(self):
        agreement = self._create_agreement(
            [
                {
                    "product_id": self.product_retainer.id,
                    "tax_ids": [Command.set(self.tax_15.ids)],
                }
            ],
            activate=False,
        )
        self.assertEqual(agreement.journal_id, self.journal)
        self.assertEqual(agreement.line_ids.tax_ids, self.tax_15)

    def test_failing_company_check_writes_nothing(self):
        agreements_before = self.env["bpo.agreement"].search_count([])
        with self.assertRaises(UserError):
            self._create_agreement(
                [{"product_id": self.product_retainer.id}],
                activate=False,
                journal_id=self.other_journal.id,
            )
        self.assertEqual(self.env["bpo.agreement"].search_count([]), agreements_before)
