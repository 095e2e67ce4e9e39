"""Usage pricing: volume and graduated tiers around every boundary, and the included allowance."""

from datetime import date
from decimal import Decimal

import pytest

from ..pricing import Precision, Rule, Tier, coverage, price_rule, total

D = Decimal
JANUARY = coverage(date(2026, 1, 1), date(2026, 1, 31), "monthly")
JANUARY_FROM_15TH = coverage(date(2026, 1, 15), date(2026, 1, 31), "monthly")
RATE_CARD = (Tier(D(0), D("1.00")), Tier(D(1000), D("0.80")), Tier(D(5000), D("0.60")))


def usage_rule(tier_mode="volume", **terms):
    """A metered 'Inbound calls' rule on the three-step rate card above."""
    return Rule("usage", "Inbound calls", tiers=RATE_CARD, tier_mode=tier_mode, **terms)


def quantities_and_rates(lines):
    """(quantity, price_unit, amount) of each line, for compact assertions."""
    return [(line.quantity, line.price_unit, line.amount) for line in lines]


@pytest.mark.parametrize(
    ("usage", "rate", "amount"),
    [
        (D(999), D("1.00"), D("999.00")),  # 999 × 1.00, still in tier 1
        (D(1000), D("0.80"), D("800.00")),  # 1 000 × 0.80, exactly on tier 2
        (D(1001), D("0.80"), D("800.80")),  # 1 001 × 0.80
        (D(4999), D("0.80"), D("3999.20")),  # 4 999 × 0.80, last unit of tier 2
        (D(5000), D("0.60"), D("3000.00")),  # 5 000 × 0.60, exactly on tier 3
        (D(5001), D("0.60"), D("3000.60")),  # 5 001 × 0.60
    ],
)
def test_volume_bills_whole_quantity_at_reached_tier(usage, rate, amount):
    lines = price_rule(usage_rule("volume"), JANUARY, usage_quantity=usage)
    assert quantities_and_rates(lines) == [(usage, rate, amount)]
    assert lines[0].kind == "charge"


@pytest.mark.parametrize(
    ("usage", "expected"),
    [
        # 999 × 1.00 = 999.00
        (D(999), [(D(999), D("1.00"), D("999.00"))]),
        # 1 000 × 1.00 = 1 000.00 (tier 2 slice is empty)
        (D(1000), [(D(1000), D("1.00"), D("1000.00"))]),
        # 1 000 × 1.00 + 1 × 0.80 = 1 000.80
        (D(1001), [(D(1000), D("1.00"), D("1000.00")), (D(1), D("0.80"), D("0.80"))]),
        # 1 000 × 1.00 + 3 999 × 0.80 = 1 000.00 + 3 199.20 = 4 199.20
        (D(4999), [(D(1000), D("1.00"), D("1000.00")), (D(3999), D("0.80"), D("3199.20"))]),
        # 1 000 × 1.00 + 4 000 × 0.80 = 4 200.00
        (D(5000), [(D(1000), D("1.00"), D("1000.00")), (D(4000), D("0.80"), D("3200.00"))]),
        # 1 000 × 1.00 + 4 000 × 0.80 + 1 × 0.60 = 4 200.60
        (
            D(5001),
            [
                (D(1000), D("1.00"), D("1000.00")),
                (D(4000), D("0.80"), D("3200.00")),
                (D(1), D("0.60"), D("0.60")),
            ],
        ),
    ],
)
def test_graduated_bills_each_slice_at_its_rate(usage, expected):
    assert (
        quantities_and_rates(price_rule(usage_rule("graduated"), JANUARY, usage_quantity=usage))
        == expected
    )


def test_graduated_total_and_slice_descriptions():
    lines = price_rule(usage_rule("graduated"), JANUARY, usage_quantity=D(7200))
    # 1 000 × 1.00 + 4 000 × 0.80 + 2 200 × 0.60 = 5 520.00
    assert total(lines) == D("5520.00")
    assert [line.name for line in lines] == [
        "Inbound calls - Tier 1: 0-1,000",
        "Inbound calls - Tier 2: 1,000-5,000",
        "Inbound calls - Tier 3: 5,000+",
    ]


def test_graduated_rounds_each_slice_like_odoo():
    rule = Rule(
        "usage",
        "Tickets",
        tiers=(Tier(D(0), D("0.33")), Tier(D(10), D("0.25"))),
        tier_mode="graduated",
    )
    lines = price_rule(rule, JANUARY, usage_quantity=D("10.5"))
    # 10 × 0.33 = 3.30; 0.5 × 0.25 = 0.125 -> 0.13 (half-up at the line)
    assert quantities_and_rates(lines) == [
        (D(10), D("0.33"), D("3.30")),
        (D("0.5"), D("0.25"), D("0.13")),
    ]


def test_usage_without_tiers_bills_flat_rate():
    rule = Rule("usage", "Emails handled", price_unit=D("0.45"))
    # 2 345 × 0.45 = 1 055.25
    assert quantities_and_rates(price_rule(rule, JANUARY, usage_quantity=D(2345))) == [
        (D(2345), D("0.45"), D("1055.25"))
    ]


def test_zero_usage_emits_one_zero_line():
    lines = price_rule(usage_rule("graduated"), JANUARY, usage_quantity=D(0))
    assert quantities_and_rates(lines) == [(D(0), D("1.00"), D("0.00"))]


def test_usage_is_not_prorated_by_partial_period():
    rule = Rule("usage", "Emails handled", price_unit=D("0.50"))
    # 1 000 × 0.50 = 500.00 whatever the covered days
    assert total(price_rule(rule, JANUARY_FROM_15TH, usage_quantity=D(1000))) == D("500.00")


@pytest.mark.parametrize(
    ("usage", "billed_quantity", "amount"),
    [
        (D(800), D(0), D("0.00")),  # below the 1 000 allowance: nothing billed
        (D(1000), D(0), D("0.00")),  # exactly the allowance: nothing billed
        (D(1500), D(500), D("250.00")),  # (1 500 − 1 000) × 0.50 = 250.00
    ],
)
def test_allowance_below_equal_above(usage, billed_quantity, amount):
    rule = Rule("usage", "Emails handled", price_unit=D("0.50"), included_quantity=D(1000))
    lines = price_rule(rule, JANUARY, usage_quantity=usage)
    assert quantities_and_rates(lines) == [(billed_quantity, D("0.50"), amount)]
    assert "1,000.00 included" in lines[0].name


def test_allowance_is_prorated_and_rounded_to_quantity_digits():
    rule = Rule("usage", "Emails handled", price_unit=D("0.50"), included_quantity=D(1000))
    lines = price_rule(rule, JANUARY_FROM_15TH, usage_quantity=D(1000))
    # allowance 1 000 × 17/31 = 548.387… -> 548.39;
    # (1 000 − 548.39) × 0.50 = 451.61 × 0.50 = 225.805 -> 225.81
    assert quantities_and_rates(lines) == [(D("451.61"), D("0.50"), D("225.81"))]
    assert lines[0].name == "Emails handled (1,000.00 measured, 548.39 included)"


def test_allowance_with_whole_unit_quantities():
    rule = Rule("usage", "Emails handled", price_unit=D("0.50"), included_quantity=D(1000))
    lines = price_rule(
        rule, JANUARY_FROM_15TH, usage_quantity=D(1000), precision=Precision(quantity_digits=0)
    )
    # allowance 1 000 × 17/31 = 548.387… -> 548; (1 000 − 548) × 0.50 = 226.00
    assert quantities_and_rates(lines) == [(D(452), D("0.50"), D("226.00"))]


def test_allowance_comes_off_before_tiers():
    rule = usage_rule("graduated", included_quantity=D(500))
    lines = price_rule(rule, JANUARY, usage_quantity=D(1600))
    # billable 1 600 − 500 = 1 100: 1 000 × 1.00 + 100 × 0.80 = 1 080.00
    assert quantities_and_rates(lines) == [
        (D(1000), D("1.00"), D("1000.00")),
        (D(100), D("0.80"), D("80.00")),
    ]
    assert lines[0].name == "Inbound calls (1,600.00 measured, 500.00 included) - Tier 1: 0-1,000"


def test_volume_tier_reached_after_allowance():
    rule = usage_rule("volume", included_quantity=D(500))
    # billable 5 400 − 500 = 4 900 stays in tier 2: 4 900 × 0.80 = 3 920.00
    assert quantities_and_rates(price_rule(rule, JANUARY, usage_quantity=D(5400))) == [
        (D(4900), D("0.80"), D("3920.00"))
    ]


def test_fine_rate_billed_as_one_times_amount():
    rule = Rule("usage", "Voice minutes", price_unit=D("0.0125"))
    lines = price_rule(rule, JANUARY, usage_quantity=D(12345))
    # 12 345 × 0.0125 = 154.3125 -> 154.31, shown as 1 × 154.31
    assert quantities_and_rates(lines) == [(D(1), D("154.31"), D("154.31"))]
    assert lines[0].name == "Voice minutes: 12,345.00 x 0.0125"


def test_fine_tier_rate_in_graduated_slice():
    rule = Rule(
        "usage",
        "Voice minutes",
        tier_mode="graduated",
        tiers=(Tier(D(0), D("0.02")), Tier(D(1000), D("0.0125"))),
    )
    lines = price_rule(rule, JANUARY, usage_quantity=D(1333))
    # 1 000 × 0.02 = 20.00; 333 × 0.0125 = 4.1625 -> 4.16 as 1 × 4.16
    assert quantities_and_rates(lines) == [
        (D(1000), D("0.02"), D("20.00")),
        (D(1), D("4.16"), D("4.16")),
    ]
    assert lines[1].name == "Voice minutes - Tier 2: 1,000+: 333.00 x 0.0125"


def test_zero_usage_with_fine_rate_keeps_quantity_zero():
    rule = Rule("usage", "Voice minutes", price_unit=D("0.0125"))
    lines = price_rule(rule, JANUARY, usage_quantity=D(0))
    assert quantities_and_rates(lines) == [(D(0), D(0), D(0))]


def test_usage_quantity_finer_than_uom_billed_as_one_times_amount():
    rule = Rule("usage", "Storage GB-days", price_unit=D("0.10"))
    lines = price_rule(rule, JANUARY, usage_quantity=D("10.555"))
    # 10.555 × 0.10 = 1.0555 -> 1.06, shown as 1 × 1.06
    assert quantities_and_rates(lines) == [(D(1), D("1.06"), D("1.06"))]
    assert lines[0].name == "Storage GB-days: 10.555 x 0.10"


def test_escalated_tier_prices():
    lines = price_rule(
        usage_rule("graduated"), JANUARY, usage_quantity=D(1500), escalation=D("1.1")
    )
    # tiers become 1.00 × 1.1 = 1.10 and 0.80 × 1.1 = 0.88:
    # 1 000 × 1.10 + 500 × 0.88 = 1 100.00 + 440.00
    assert quantities_and_rates(lines) == [
        (D(1000), D("1.10"), D("1100.00")),
        (D(500), D("0.88"), D("440.00")),
    ]
