"""Each billing model, commitments (minimum true-up and cap), escalation, rounding and input
validation."""

from datetime import date
from decimal import Decimal

import pytest

from ..pricing import InvoiceLine, Precision, Rule, Tier, coverage, price_rule, round_money, total

D = Decimal
JANUARY = coverage(date(2026, 1, 1), date(2026, 1, 31), "monthly")
JANUARY_FROM_15TH = coverage(date(2026, 1, 15), date(2026, 1, 31), "monthly")


def line_values(lines):
    """(kind, quantity, price_unit, amount) of each line, for compact assertions."""
    return [(line.kind, line.quantity, line.price_unit, line.amount) for line in lines]


# --- billing models ----------------------------------------------------------------------------


def test_fixed_full_period_is_one_times_fee():
    lines = price_rule(Rule("fixed", "Account management", price_unit=D("2500.00")), JANUARY)
    assert line_values(lines) == [("charge", D(1), D("2500.00"), D("2500.00"))]
    assert lines[0] == InvoiceLine(
        "charge",
        "Account management",
        D(1),
        D("2500.00"),
        D("2500.00"),
        date(2026, 1, 1),
        date(2026, 1, 31),
    )


def test_seat_full_period_is_seats_times_price():
    rule = Rule("seat", "Agents (FTE)", price_unit=D("3500.00"), quantity=D("12.5"))
    # 12.5 × 3 500.00 = 43 750.00
    assert line_values(price_rule(rule, JANUARY)) == [
        ("charge", D("12.5"), D("3500.00"), D("43750.00"))
    ]


def test_one_off_is_quantity_times_price():
    rule = Rule("one_off", "Transition set-up", price_unit=D("1250.00"), quantity=D(3))
    # 3 × 1 250.00 = 3 750.00
    assert line_values(price_rule(rule, JANUARY)) == [("charge", D(3), D("1250.00"), D("3750.00"))]


def test_one_off_is_never_prorated():
    rule = Rule("one_off", "Transition set-up", price_unit=D("2500.00"))
    lines = price_rule(rule, JANUARY_FROM_15TH)
    assert line_values(lines) == [("charge", D(1), D("2500.00"), D("2500.00"))]
    assert (lines[0].period_start, lines[0].period_end) == (date(2026, 1, 15), date(2026, 1, 31))


def test_fixed_ignores_quantity():
    rule = Rule("fixed", "Account management", price_unit=D("2500.00"), quantity=D(7))
    assert total(price_rule(rule, JANUARY)) == D("2500.00")


def test_fixed_fee_with_fine_price_billed_as_one_times_amount():
    rule = Rule("fixed", "Platform fee", price_unit=D("100.125"))
    lines = price_rule(rule, JANUARY)
    # 1 × 100.125 = 100.125 -> 100.13
    assert line_values(lines) == [("charge", D(1), D("100.13"), D("100.13"))]
    assert lines[0].name == "Platform fee: 1.00 x 100.125"


def test_total_of_no_lines_is_zero():
    assert total([]) == D(0)


# --- minimum commitment and cap ----------------------------------------------------------------

NONE = D(0)


def metered(minimum=NONE, maximum=NONE):
    """Usage at 1.00 a unit with the given commitment and cap."""
    return Rule(
        "usage",
        "Back-office items",
        price_unit=D("1.00"),
        minimum_amount=minimum,
        maximum_amount=maximum,
    )


def test_minimum_true_up_when_below():
    lines = price_rule(metered(minimum=D(10000)), JANUARY, usage_quantity=D(7200))
    # 7 200 × 1.00 = 7 200.00; true-up 10 000.00 − 7 200.00 = 2 800.00
    assert line_values(lines) == [
        ("charge", D(7200), D("1.00"), D("7200.00")),
        ("true_up", D(1), D("2800.00"), D("2800.00")),
    ]
    assert lines[1].name == (
        "Back-office items: minimum commitment 10,000.00 for 2026-01-01 to 2026-01-31, true-up"
    )
    assert total(lines) == D("10000.00")


def test_no_true_up_when_equal_to_minimum():
    # 10 000 × 1.00 = 10 000.00 = minimum
    lines = price_rule(metered(minimum=D(10000)), JANUARY, usage_quantity=D(10000))
    assert [line.kind for line in lines] == ["charge"]


def test_no_true_up_when_above_minimum():
    lines = price_rule(metered(minimum=D(10000)), JANUARY, usage_quantity=D(12000))
    assert line_values(lines) == [("charge", D(12000), D("1.00"), D("12000.00"))]


def test_true_up_on_zero_usage_is_whole_minimum():
    lines = price_rule(metered(minimum=D(500)), JANUARY, usage_quantity=D(0))
    assert line_values(lines) == [
        ("charge", D(0), D("1.00"), D("0.00")),
        ("true_up", D(1), D("500.00"), D("500.00")),
    ]


def test_minimum_is_prorated():
    rule = Rule("fixed", "Service desk", price_unit=D("1000.00"), minimum_amount=D(10000))
    lines = price_rule(rule, JANUARY_FROM_15TH)
    # fee 1 000 × 17/31 = 548.387… -> 548.39; minimum 10 000 × 17/31 = 5 483.870… -> 5 483.87
    # true-up 5 483.87 − 548.39 = 4 935.48
    assert line_values(lines) == [
        ("charge", D(1), D("548.39"), D("548.39")),
        ("true_up", D(1), D("4935.48"), D("4935.48")),
    ]
    assert lines[1].name == (
        "Service desk: minimum commitment 5,483.87 for "
        "2026-01-15 to 2026-01-31 (17/31 days), true-up"
    )


def test_cap_brings_charges_down():
    lines = price_rule(metered(maximum=D(5000)), JANUARY, usage_quantity=D(7200))
    # 7 200.00 charged; cap line 5 000.00 − 7 200.00 = −2 200.00
    assert line_values(lines) == [
        ("charge", D(7200), D("1.00"), D("7200.00")),
        ("cap", D(1), D("-2200.00"), D("-2200.00")),
    ]
    assert lines[1].name == "Back-office items: capped at 5,000.00 for 2026-01-01 to 2026-01-31"
    assert total(lines) == D("5000.00")


def test_no_cap_line_at_or_below_cap():
    assert [
        line.kind for line in price_rule(metered(maximum=D(5000)), JANUARY, usage_quantity=D(5000))
    ] == ["charge"]


def test_cap_is_prorated():
    lines = price_rule(metered(maximum=D(3100)), JANUARY_FROM_15TH, usage_quantity=D(2000))
    # cap 3 100 × 17/31 = 1 700.00; 2 000.00 charged -> cap line −300.00
    assert line_values(lines)[1] == ("cap", D(1), D("-300.00"), D("-300.00"))


@pytest.mark.parametrize(
    ("usage", "extra"),
    [
        (D(2000), [("true_up", D(1), D("1000.00"), D("1000.00"))]),  # 3 000.00 − 2 000.00
        (D(4000), []),  # between minimum and cap
        (D(6000), [("cap", D(1), D("-1000.00"), D("-1000.00"))]),  # 5 000.00 − 6 000.00
    ],
)
def test_minimum_and_cap_together(usage, extra):
    lines = price_rule(metered(minimum=D(3000), maximum=D(5000)), JANUARY, usage_quantity=usage)
    assert line_values(lines)[1:] == extra


def test_commitments_apply_to_graduated_total():
    rule = Rule(
        "usage",
        "Inbound calls",
        tier_mode="graduated",
        minimum_amount=D(6000),
        tiers=(Tier(D(0), D("1.00")), Tier(D(1000), D("0.80")), Tier(D(5000), D("0.60"))),
    )
    lines = price_rule(rule, JANUARY, usage_quantity=D(7200))
    # 1 000 × 1.00 + 4 000 × 0.80 + 2 200 × 0.60 = 5 520.00; true-up 6 000.00 − 5 520.00 = 480.00
    assert line_values(lines)[-1] == ("true_up", D(1), D("480.00"), D("480.00"))


# --- escalation --------------------------------------------------------------------------------


def test_escalation_rounds_unit_price_to_price_digits():
    rule = Rule("seat", "Agents (FTE)", price_unit=D("12.34"), quantity=D(10))
    # 12.34 × 1.05 = 12.957 -> 12.96; 10 × 12.96 = 129.60
    assert line_values(price_rule(rule, JANUARY, escalation=D("1.05"))) == [
        ("charge", D(10), D("12.96"), D("129.60"))
    ]


def test_escalation_keeps_a_fine_rate_own_digits():
    rule = Rule("usage", "Voice minutes", price_unit=D("0.0125"))
    lines = price_rule(rule, JANUARY, usage_quantity=D(10000), escalation=D("1.03"))
    # 0.0125 × 1.03 = 0.012875 -> 0.0129; 10 000 × 0.0129 = 129.00
    assert line_values(lines) == [("charge", D(1), D("129.00"), D("129.00"))]
    assert lines[0].name == "Voice minutes: 10,000.00 x 0.0129"


def test_escalation_applies_to_minimum_and_maximum():
    lines = price_rule(
        metered(minimum=D(10000), maximum=D(20000)),
        JANUARY,
        usage_quantity=D(7200),
        escalation=D("1.0609"),
    )
    # price 1.00 × 1.0609 = 1.0609 -> 1.06; 7 200 × 1.06 = 7 632.00
    # minimum 10 000 × 1.0609 = 10 609.00; true-up 10 609.00 − 7 632.00 = 2 977.00
    assert line_values(lines) == [
        ("charge", D(7200), D("1.06"), D("7632.00")),
        ("true_up", D(1), D("2977.00"), D("2977.00")),
    ]


def test_escalated_prorated_fixed_fee():
    rule = Rule("fixed", "Service desk", price_unit=D("1000.00"))
    # 1 000.00 × 1.03 = 1 030.00; 1 030 × 17/31 = 564.838… -> 564.84
    assert total(price_rule(rule, JANUARY_FROM_15TH, escalation=D("1.03"))) == D("564.84")


# --- currency rounding -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("amount", "rounding", "expected"),
    [
        (D("2.675"), D("0.01"), D("2.68")),  # half-up at .005
        (D("0.005"), D("0.01"), D("0.01")),
        (D("0.0049"), D("0.01"), D("0.00")),
        (D("-2.675"), D("0.01"), D("-2.68")),  # away from zero
        (D("1.2345"), D("0.001"), D("1.235")),  # 3-decimal currency, half-up
        (D("1.2344"), D("0.001"), D("1.234")),
        (D("1.024"), D("0.05"), D("1.00")),  # 20.48 steps -> 20 × 0.05
        (D("1.025"), D("0.05"), D("1.05")),  # 20.5 steps -> 21 × 0.05
        (D("1.075"), D("0.05"), D("1.10")),  # 21.5 steps -> 22 × 0.05
        (D("1234.49"), D("1"), D("1234")),  # JPY-like
        (D("2.5"), D("1"), D("3")),
        (D("1.25"), D("0.5"), D("1.5")),  # 2.5 steps -> 3 × 0.5
        (2.675, D("0.01"), D("2.68")),  # a float goes through its repr, not 2.67499999…
    ],
)
def test_round_money(amount, rounding, expected):
    assert round_money(amount, rounding) == expected


def test_round_money_rejects_non_positive_rounding():
    with pytest.raises(ValueError):
        round_money(D(1), D(0))


def test_half_up_at_line_level():
    rule = Rule("usage", "Archive boxes", price_unit=D("0.25"))
    # 0.5 × 0.25 = 0.125 -> 0.13
    assert line_values(price_rule(rule, JANUARY, usage_quantity=D("0.5"))) == [
        ("charge", D("0.5"), D("0.25"), D("0.13"))
    ]


def test_three_decimal_currency():
    precision = Precision(currency_rounding=D("0.001"), price_digits=3)
    rule = Rule("fixed", "Service desk", price_unit=D("100.000"))
    # 100.000 × 17/31 = 54.8387… -> 54.839
    assert total(price_rule(rule, JANUARY_FROM_15TH, precision=precision)) == D("54.839")


def test_cash_rounding_currency():
    precision = Precision(currency_rounding=D("0.05"))
    rule = Rule("fixed", "Service desk", price_unit=D("100.00"))
    # 100 × 17/31 = 54.8387…; 1 096.77 steps of 0.05 -> 1 097 × 0.05 = 54.85
    assert total(price_rule(rule, JANUARY_FROM_15TH, precision=precision)) == D("54.85")


def test_whole_unit_currency():
    precision = Precision(currency_rounding=D(1), price_digits=0, quantity_digits=0)
    rule = Rule("seat", "Agents (FTE)", price_unit=D(350000), quantity=D(3))
    lines = price_rule(rule, JANUARY_FROM_15TH, precision=precision)
    # 3 × 350 000 × 17/31 = 575 806.45… -> 575 806
    assert line_values(lines) == [("charge", D(1), D(575806), D(575806))]
    assert lines[0].name == "Agents (FTE): 3 x 350,000 x 17/31 days, 2026-01-15 to 2026-01-31"


def test_price_digits_must_hold_currency_amounts():
    with pytest.raises(ValueError, match="Price digits"):
        Precision(currency_rounding=D("0.001"), price_digits=2)


# --- descriptions ------------------------------------------------------------------------------


def test_translate_and_format_date_hooks():
    def translate(source, **kwargs):
        return "[fr] " + (source % kwargs if kwargs else source)

    lines = price_rule(
        Rule("fixed", "Frais de gestion", price_unit=D("1000.00")),
        JANUARY_FROM_15TH,
        translate=translate,
        format_date=lambda day: day.strftime("%d/%m/%Y"),
    )
    assert lines[0].name == "[fr] Frais de gestion, [fr] 15/01/2026 to 31/01/2026 (17/31 days)"


# --- invalid input -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("terms", "message"),
    [
        ({"billing_model": "hourly"}, "Unknown billing model"),
        ({"tier_mode": "stepped"}, "Unknown tier mode"),
        ({"price_unit": D("-1")}, "price_unit .* must not be negative"),
        ({"quantity": D("-2")}, "quantity .* must not be negative"),
        ({"included_quantity": D("-5")}, "included_quantity .* must not be negative"),
        ({"minimum_amount": D("-5")}, "minimum_amount .* must not be negative"),
        ({"maximum_amount": D("-5")}, "maximum_amount .* must not be negative"),
        ({"minimum_amount": D(500), "maximum_amount": D(400)}, "exceeds its maximum"),
        ({"tiers": (Tier(D(10), D(1)),)}, "must start at 0"),
        (
            {"tiers": (Tier(D(0), D(1)), Tier(D(100), D("0.9")), Tier(D(100), D("0.8")))},
            "strictly increasing",
        ),
        (
            {"tiers": (Tier(D(0), D(1)), Tier(D(100), D("0.9")), Tier(D(50), D("0.8")))},
            "strictly increasing",
        ),
    ],
)
def test_invalid_rule_raises(terms, message):
    values = {"billing_model": "usage", "name": "Inbound calls", **terms}
    with pytest.raises(ValueError, match=message):
        Rule(**values)


def test_negative_tier_price_raises():
    with pytest.raises(ValueError, match="Tier price"):
        Tier(D(0), D("-0.10"))


def test_negative_usage_raises():
    with pytest.raises(ValueError, match="Usage quantity"):
        price_rule(Rule("usage", "Inbound calls", price_unit=D(1)), JANUARY, usage_quantity=D(-1))


def test_non_positive_escalation_raises():
    with pytest.raises(ValueError, match="Escalation"):
        price_rule(Rule("fixed", "Fee", price_unit=D(1)), JANUARY, escalation=D(0))


def test_non_positive_currency_rounding_raises():
    with pytest.raises(ValueError, match="Currency rounding"):
        Precision(currency_rounding=D(0))
