"""Proration by days of fixed and seat rules over partly covered months, quarters, half-years and
years."""

from datetime import date
from decimal import Decimal

import pytest

from ..pricing import Rule, billing_span, coverage, price_rule

D = Decimal


def fixed_fee(price_unit):
    """A flat 'Service desk' fee."""
    return Rule("fixed", "Service desk", price_unit=D(price_unit))


def only_line(rule, cover, **options):
    """The single line a rule emits over `cover`."""
    [line] = price_rule(rule, cover, **options)
    return line


def test_agreement_starting_15_january_bills_17_of_31():
    start, end = billing_span(date(2026, 1, 15), "monthly")
    line = only_line(fixed_fee("1000.00"), coverage(start, end, "monthly"))
    # 1 000.00 × 17/31 = 548.387… -> 548.39, as 1 × 548.39
    assert (line.quantity, line.price_unit, line.amount) == (D(1), D("548.39"), D("548.39"))
    assert line.name == "Service desk, 2026-01-15 to 2026-01-31 (17/31 days)"
    assert (line.period_start, line.period_end) == (date(2026, 1, 15), date(2026, 1, 31))


@pytest.mark.parametrize(
    ("span_start", "span_end", "expected"),
    [
        (
            date(2026, 4, 1),
            date(2026, 4, 10),
            D("333.33"),
        ),  # ends 10 April: 1 000 × 10/30 = 333.333…
        (date(2026, 4, 16), date(2026, 4, 30), D("500.00")),  # starts 16 April: 1 000 × 15/30
        (date(2026, 2, 15), date(2026, 2, 28), D("500.00")),  # starts 15 Feb 2026: 1 000 × 14/28
        (
            date(2024, 2, 15),
            date(2024, 2, 29),
            D("517.24"),
        ),  # starts 15 Feb 2024: 1 000 × 15/29 = 517.241…
        (
            date(2024, 2, 1),
            date(2024, 2, 14),
            D("482.76"),
        ),  # ends 14 Feb 2024: 1 000 × 14/29 = 482.758…
        (date(2026, 3, 1), date(2026, 3, 1), D("32.26")),  # a single day: 1 000 × 1/31 = 32.258…
    ],
)
def test_monthly_proration(span_start, span_end, expected):
    assert (
        only_line(fixed_fee("1000.00"), coverage(span_start, span_end, "monthly")).amount
        == expected
    )


def test_rule_starting_and_ending_inside_the_month():
    cover = coverage(
        date(2026, 1, 1),
        date(2026, 1, 31),
        "monthly",
        rule_start=date(2026, 1, 10),
        rule_end=date(2026, 1, 20),
    )
    line = only_line(fixed_fee("1000.00"), cover)
    # 1 000 × 11/31 = 354.838… -> 354.84
    assert line.amount == D("354.84")
    assert (line.period_start, line.period_end) == (date(2026, 1, 10), date(2026, 1, 20))


def test_rule_covering_whole_month_is_not_prorated():
    cover = coverage(date(2026, 4, 1), date(2026, 4, 30), "monthly", rule_start=date(2026, 3, 1))
    line = only_line(fixed_fee("1000.00"), cover)
    assert (line.name, line.quantity, line.price_unit) == ("Service desk", D(1), D("1000.00"))


@pytest.mark.parametrize(
    ("span_start", "span_end", "price", "expected"),
    [
        (date(2026, 2, 15), date(2026, 3, 31), "9000.00", D("4500.00")),  # Q1 2026: 9 000 × 45/90
        (date(2026, 5, 1), date(2026, 6, 30), "9100.00", D("6100.00")),  # Q2: 9 100 × 61/91
        (date(2026, 8, 1), date(2026, 9, 30), "9200.00", D("6100.00")),  # Q3: 9 200 × 61/92
        (
            date(2026, 11, 1),
            date(2026, 12, 31),
            "1000.00",
            D("663.04"),
        ),  # Q4: 1 000 × 61/92 = 663.043…
        (
            date(2024, 3, 1),
            date(2024, 3, 31),
            "9100.00",
            D("3100.00"),
        ),  # Q1 2024 (leap): 9 100 × 31/91
    ],
)
def test_quarterly_proration(span_start, span_end, price, expected):
    assert (
        only_line(fixed_fee(price), coverage(span_start, span_end, "quarterly")).amount == expected
    )


@pytest.mark.parametrize(
    ("span_start", "span_end", "price", "expected"),
    [
        (date(2026, 4, 1), date(2026, 6, 30), "18100.00", D("9100.00")),  # H1 2026: 18 100 × 91/181
        (date(2026, 10, 1), date(2026, 12, 31), "6000.00", D("3000.00")),  # H2: 6 000 × 92/184
        (date(2024, 1, 1), date(2024, 3, 31), "1000.00", D("500.00")),  # H1 2024: 1 000 × 91/182
    ],
)
def test_semiannual_proration(span_start, span_end, price, expected):
    assert (
        only_line(fixed_fee(price), coverage(span_start, span_end, "semiannual")).amount == expected
    )


@pytest.mark.parametrize(
    ("span_start", "span_end", "price", "expected"),
    [
        (date(2026, 7, 1), date(2026, 12, 31), "36500.00", D("18400.00")),  # 2026: 36 500 × 184/365
        (date(2024, 7, 1), date(2024, 12, 31), "36600.00", D("18400.00")),  # 2024: 36 600 × 184/366
        (date(2026, 1, 1), date(2026, 1, 1), "1000.00", D("2.74")),  # one day: 1 000/365 = 2.739…
        (date(2024, 1, 1), date(2024, 1, 1), "1000.00", D("2.73")),  # one day: 1 000/366 = 2.732…
    ],
)
def test_yearly_proration(span_start, span_end, price, expected):
    assert only_line(fixed_fee(price), coverage(span_start, span_end, "yearly")).amount == expected


def test_seat_proration_spells_out_the_arithmetic():
    rule = Rule("seat", "Agents (FTE)", price_unit=D("3500.00"), quantity=D("12.5"))
    line = only_line(rule, coverage(date(2026, 1, 15), date(2026, 1, 31), "monthly"))
    # 12.5 × 3 500.00 × 17/31 = 743 750/31 = 23 991.935… -> 23 991.94
    assert (line.quantity, line.price_unit, line.amount) == (D(1), D("23991.94"), D("23991.94"))
    assert line.name == "Agents (FTE): 12.50 x 3,500.00 x 17/31 days, 2026-01-15 to 2026-01-31"


def test_seat_proration_rounds_once_not_per_seat():
    rule = Rule("seat", "Licences", price_unit=D("10.00"), quantity=D(7))
    line = only_line(rule, coverage(date(2026, 4, 1), date(2026, 4, 10), "monthly"))
    # 7 × 10.00 × 10/30 = 23.333… -> 23.33 (not 7 × 3.33 = 23.31)
    assert line.amount == D("23.33")


def test_seat_quarterly_proration():
    rule = Rule("seat", "Agents (FTE)", price_unit=D("9100.00"), quantity=D(2))
    line = only_line(rule, coverage(date(2026, 6, 1), date(2026, 6, 30), "quarterly"))
    # 2 × 9 100.00 × 30/91 = 6 000.00
    assert line.amount == D("6000.00")
