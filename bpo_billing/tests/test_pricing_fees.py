from decimal import Decimal

import pytest

from ..pricing import late_fee

CENT = Decimal("0.01")


def test_no_fee():
    assert late_fee("none", 50, 1000, 30, CENT) == Decimal("0.00")


def test_fixed_fee_ignores_amount_and_days():
    assert late_fee("fixed", "40", "12345.67", 15, CENT) == Decimal("40.00")


def test_percent_of_the_open_amount():
    # 2 % of 12 345.67 = 246.9134 → 246.91
    assert late_fee("percent", 2, "12345.67", 15, CENT) == Decimal("246.91")


def test_percent_rounds_half_up():
    # 1.5 % of 0.70 = 0.0105 → 0.01; of 0.30 = 0.0045 → 0.00; 5 % of 0.10 = 0.005 → 0.01
    assert late_fee("percent", "1.5", "0.70", 0, CENT) == Decimal("0.01")
    assert late_fee("percent", "1.5", "0.30", 0, CENT) == Decimal("0.00")
    assert late_fee("percent", 5, "0.10", 0, CENT) == Decimal("0.01")


def test_interest_per_day_late():
    # 10 000.00 × 12 % × 30 / 365 = 98.630… → 98.63
    assert late_fee("interest", 12, "10000", 30, CENT) == Decimal("98.63")


def test_interest_for_a_whole_year_is_the_annual_rate():
    # 10 000.00 × 8 % × 365 / 365 = 800.00
    assert late_fee("interest", 8, "10000", 365, CENT) == Decimal("800.00")


def test_interest_of_no_day_is_zero():
    assert late_fee("interest", 12, "10000", 0, CENT) == Decimal("0.00")


def test_interest_on_a_three_decimal_currency():
    # 1 000.000 × 10 % × 1 / 365 = 0.27397… → 0.274
    assert late_fee("interest", 10, "1000", 1, Decimal("0.001")) == Decimal("0.274")


def test_fixed_fee_in_a_currency_without_decimals():
    assert late_fee("fixed", "1500.4", 0, 0, Decimal(1)) == Decimal(1500)


@pytest.mark.parametrize(
    ("fee_type", "fee_amount", "open_amount", "days"),
    [("fixed", -1, 100, 0), ("percent", 2, -100, 0), ("interest", 12, 100, -1), ("late", 1, 1, 1)],
)
def test_invalid_inputs_are_refused(fee_type, fee_amount, open_amount, days):
    with pytest.raises(ValueError):
        late_fee(fee_type, fee_amount, open_amount, days, CENT)
