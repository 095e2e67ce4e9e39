"""Calendar periods, billed spans, coverage day counts and yearly escalation factors."""

from datetime import date
from decimal import Decimal
from fractions import Fraction

import pytest

from ..pricing.periods import (
    FREQUENCY_MONTHS,
    Coverage,
    billing_span,
    coverage,
    escalation_factor,
    next_period_start,
    period_bounds,
)

# Last day of each month of 2026 (not a leap year).
MONTH_ENDS_2026 = {
    1: 31,
    2: 28,
    3: 31,
    4: 30,
    5: 31,
    6: 30,
    7: 31,
    8: 31,
    9: 30,
    10: 31,
    11: 30,
    12: 31,
}
QUARTERS_2026 = {
    1: ((1, 1), (3, 31)),
    2: ((1, 1), (3, 31)),
    3: ((1, 1), (3, 31)),
    4: ((4, 1), (6, 30)),
    5: ((4, 1), (6, 30)),
    6: ((4, 1), (6, 30)),
    7: ((7, 1), (9, 30)),
    8: ((7, 1), (9, 30)),
    9: ((7, 1), (9, 30)),
    10: ((10, 1), (12, 31)),
    11: ((10, 1), (12, 31)),
    12: ((10, 1), (12, 31)),
}


@pytest.mark.parametrize("month", range(1, 13))
def test_monthly_bounds_every_month(month):
    assert period_bounds(date(2026, month, 15), "monthly") == (
        date(2026, month, 1),
        date(2026, month, MONTH_ENDS_2026[month]),
    )


@pytest.mark.parametrize("month", range(1, 13))
def test_quarterly_bounds_every_month(month):
    (first_month, first_day), (last_month, last_day) = QUARTERS_2026[month]
    assert period_bounds(date(2026, month, 15), "quarterly") == (
        date(2026, first_month, first_day),
        date(2026, last_month, last_day),
    )


@pytest.mark.parametrize("month", range(1, 13))
def test_semiannual_bounds_every_month(month):
    expected = (
        (date(2026, 1, 1), date(2026, 6, 30))
        if month <= 6
        else (date(2026, 7, 1), date(2026, 12, 31))
    )
    assert period_bounds(date(2026, month, 15), "semiannual") == expected


@pytest.mark.parametrize("month", range(1, 13))
def test_yearly_bounds_every_month(month):
    assert period_bounds(date(2026, month, 15), "yearly") == (date(2026, 1, 1), date(2026, 12, 31))


def test_bounds_on_first_and_last_day_of_period():
    assert period_bounds(date(2026, 4, 1), "quarterly") == (date(2026, 4, 1), date(2026, 6, 30))
    assert period_bounds(date(2026, 6, 30), "quarterly") == (date(2026, 4, 1), date(2026, 6, 30))
    assert period_bounds(date(2026, 12, 31), "monthly") == (date(2026, 12, 1), date(2026, 12, 31))


def test_leap_february_ends_on_29th():
    assert period_bounds(date(2024, 2, 10), "monthly") == (date(2024, 2, 1), date(2024, 2, 29))


def test_frequencies_are_the_documented_ones():
    assert FREQUENCY_MONTHS == {"monthly": 1, "quarterly": 3, "semiannual": 6, "yearly": 12}


def test_unknown_frequency_raises():
    with pytest.raises(ValueError, match="weekly"):
        period_bounds(date(2026, 1, 1), "weekly")


@pytest.mark.parametrize(
    ("day", "frequency", "expected"),
    [
        (date(2026, 1, 15), "monthly", date(2026, 2, 1)),
        (date(2026, 12, 31), "monthly", date(2027, 1, 1)),
        (date(2026, 2, 28), "monthly", date(2026, 3, 1)),
        (date(2026, 11, 15), "quarterly", date(2027, 1, 1)),
        (date(2026, 5, 1), "quarterly", date(2026, 7, 1)),
        (date(2026, 3, 3), "semiannual", date(2026, 7, 1)),
        (date(2026, 7, 1), "semiannual", date(2027, 1, 1)),
        (date(2026, 7, 1), "yearly", date(2027, 1, 1)),
    ],
)
def test_next_period_start(day, frequency, expected):
    assert next_period_start(day, frequency) == expected


def test_billing_span_runs_from_mid_period_start_to_period_end():
    assert billing_span(date(2026, 1, 15), "monthly") == (date(2026, 1, 15), date(2026, 1, 31))
    assert billing_span(date(2026, 2, 10), "quarterly") == (date(2026, 2, 10), date(2026, 3, 31))


def test_billing_span_cut_at_end_date_inside_period():
    assert billing_span(date(2026, 4, 1), "monthly", date(2026, 4, 10)) == (
        date(2026, 4, 1),
        date(2026, 4, 10),
    )


def test_billing_span_ignores_end_date_after_period():
    assert billing_span(date(2026, 4, 1), "monthly", date(2026, 9, 30)) == (
        date(2026, 4, 1),
        date(2026, 4, 30),
    )


def test_billing_span_single_day_when_end_is_start():
    assert billing_span(date(2026, 4, 30), "monthly", date(2026, 4, 30)) == (
        date(2026, 4, 30),
        date(2026, 4, 30),
    )


def test_billing_span_none_when_end_before_start():
    assert billing_span(date(2026, 4, 1), "monthly", date(2026, 3, 31)) is None


@pytest.mark.parametrize(
    ("span_start", "span_end", "frequency", "period_days"),
    [
        (date(2026, 1, 1), date(2026, 1, 31), "monthly", 31),
        (date(2026, 4, 1), date(2026, 4, 30), "monthly", 30),
        (date(2026, 2, 1), date(2026, 2, 28), "monthly", 28),
        (date(2024, 2, 1), date(2024, 2, 29), "monthly", 29),
        (date(2026, 1, 1), date(2026, 3, 31), "quarterly", 90),  # 31 + 28 + 31
        (date(2024, 1, 1), date(2024, 3, 31), "quarterly", 91),  # 31 + 29 + 31
        (date(2026, 4, 1), date(2026, 6, 30), "quarterly", 91),  # 30 + 31 + 30
        (date(2026, 7, 1), date(2026, 9, 30), "quarterly", 92),  # 31 + 31 + 30
        (date(2026, 10, 1), date(2026, 12, 31), "quarterly", 92),  # 31 + 30 + 31
        (date(2026, 1, 1), date(2026, 6, 30), "semiannual", 181),  # 90 + 91
        (date(2024, 1, 1), date(2024, 6, 30), "semiannual", 182),  # 91 + 91
        (date(2026, 7, 1), date(2026, 12, 31), "semiannual", 184),  # 92 + 92
        (date(2026, 1, 1), date(2026, 12, 31), "yearly", 365),
        (date(2024, 1, 1), date(2024, 12, 31), "yearly", 366),
    ],
)
def test_full_coverage_counts_actual_period_days(span_start, span_end, frequency, period_days):
    cover = coverage(span_start, span_end, frequency)
    assert (cover.covered_days, cover.period_days, cover.is_full, cover.ratio) == (
        period_days,
        period_days,
        True,
        Fraction(1),
    )


def test_coverage_of_agreement_starting_15_january_is_17_of_31():
    cover = coverage(date(2026, 1, 15), date(2026, 1, 31), "monthly")
    assert cover == Coverage(date(2026, 1, 15), date(2026, 1, 31), 17, 31)
    assert not cover.is_full
    assert cover.ratio == Fraction(17, 31)


def test_coverage_cut_by_rule_start_and_end():
    cover = coverage(
        date(2026, 1, 1),
        date(2026, 1, 31),
        "monthly",
        rule_start=date(2026, 1, 10),
        rule_end=date(2026, 1, 20),
    )
    assert (cover.start, cover.end, cover.covered_days, cover.period_days) == (
        date(2026, 1, 10),
        date(2026, 1, 20),
        11,
        31,
    )


def test_coverage_ignores_rule_dates_outside_the_span():
    cover = coverage(
        date(2026, 3, 1),
        date(2026, 3, 31),
        "monthly",
        rule_start=date(2025, 1, 1),
        rule_end=date(2027, 1, 1),
    )
    assert cover.is_full


def test_coverage_none_when_rule_ends_before_span():
    assert (
        coverage(date(2026, 3, 1), date(2026, 3, 31), "monthly", rule_end=date(2026, 2, 28)) is None
    )


def test_coverage_none_when_rule_starts_after_span():
    assert (
        coverage(date(2026, 3, 1), date(2026, 3, 31), "monthly", rule_start=date(2026, 4, 1))
        is None
    )


def test_coverage_rejects_span_across_periods():
    with pytest.raises(ValueError, match="within one monthly period"):
        coverage(date(2026, 1, 15), date(2026, 2, 14), "monthly")


def test_coverage_rejects_inverted_span():
    with pytest.raises(ValueError):
        coverage(date(2026, 1, 15), date(2026, 1, 14), "monthly")


def test_coverage_rejects_impossible_day_counts():
    with pytest.raises(ValueError):
        Coverage(date(2026, 1, 1), date(2026, 1, 31), 32, 31)


@pytest.mark.parametrize("percent", [0, None, Decimal(0)])
def test_escalation_without_percent_is_one(percent):
    assert escalation_factor(percent, date(2025, 1, 1), date(2030, 1, 1)) == Decimal(1)


def test_escalation_without_date_is_one():
    assert escalation_factor(3, None, date(2030, 1, 1)) == Decimal(1)


def test_escalation_before_date_is_one():
    assert escalation_factor(3, date(2026, 7, 1), date(2026, 6, 30)) == Decimal(1)


def test_escalation_on_date_applies_once():
    # 1 + 3/100
    assert escalation_factor(3, date(2026, 7, 1), date(2026, 7, 1)) == Decimal("1.03")


def test_escalation_day_before_first_anniversary_still_once():
    assert escalation_factor(3, date(2026, 7, 1), date(2027, 6, 30)) == Decimal("1.03")


def test_escalation_after_one_anniversary():
    # 1.03 × 1.03 = 1.0609
    assert escalation_factor(3, date(2026, 7, 1), date(2027, 7, 1)) == Decimal("1.0609")


def test_escalation_after_two_anniversaries():
    # 1.03 × 1.03 × 1.03 = 1.092727
    assert escalation_factor(Decimal(3), date(2026, 7, 1), date(2028, 12, 31)) == Decimal(
        "1.092727"
    )


def test_escalation_from_float_percent_is_exact():
    # 1 + 2.5/100 = 1.025 (not the binary approximation of 2.5 / 100)
    assert escalation_factor(2.5, date(2026, 1, 1), date(2026, 1, 1)) == Decimal("1.025")


def test_escalation_29_february_anniversary_falls_on_28_february():
    start = date(2024, 2, 29)
    assert escalation_factor(5, start, date(2025, 2, 27)) == Decimal("1.05")
    # 2024-02-29 and 2025-02-28: 1.05²
    assert escalation_factor(5, start, date(2025, 2, 28)) == Decimal("1.1025")
    # 2024, 2025, 2026, 2027 (28 Feb); 29 Feb 2028 not reached yet: 1.05⁴
    assert escalation_factor(5, start, date(2028, 2, 28)) == Decimal("1.21550625")
    # 29 Feb 2028 comes back in the leap year: 1.05⁵
    assert escalation_factor(5, start, date(2028, 2, 29)) == Decimal("1.2762815625")


def test_escalation_is_exact_over_many_years():
    # 30 anniversaries (2000 … 2029): 1.05³⁰ has 61 significant digits, beyond Decimal's default 28
    factor = escalation_factor(5, date(2000, 1, 1), date(2029, 12, 31))
    assert Fraction(factor) == Fraction(105, 100) ** 30


def test_escalation_below_minus_100_percent_raises():
    with pytest.raises(ValueError):
        escalation_factor(-100, date(2026, 1, 1), date(2026, 1, 1))
