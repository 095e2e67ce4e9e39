from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from ..pricing import split_credit

CENT = Decimal("0.01")


def test_whole_amount_of_one_line():
    assert split_credit("1000.00", ["1000.00"], CENT) == [Decimal("1000.00")]


def test_in_proportion_to_the_lines():
    # 300 over 1 000 + 500: 200 and 100
    assert split_credit(300, ["1000", "500"], CENT) == [Decimal("200.00"), Decimal("100.00")]


def test_leftover_cent_goes_to_the_largest_remainder():
    # 100 over three equal lines: 33.333… each → 33.34 + 33.33 + 33.33
    assert split_credit(100, [50, 50, 50], CENT) == [
        Decimal("33.34"),
        Decimal("33.33"),
        Decimal("33.33"),
    ]
    # 0.05 over 1 and 3: exact 0.0125 and 0.0375 → floors 0.01 / 0.03, remainders
    # 0.0025 / 0.0075: the cent left goes to the second line
    assert split_credit("0.05", [1, 3], CENT) == [Decimal("0.01"), Decimal("0.04")]


def test_zero_credit():
    assert split_credit(0, [5, 7], CENT) == [Decimal("0.00"), Decimal("0.00")]


@pytest.mark.parametrize(
    ("accepted", "subtotals", "message"),
    [
        (-1, [10], "negative"),
        (5, [], "at least one line"),
        (5, [0], "at least one line"),
        (11, [10], "exceeds"),
    ],
)
def test_refused(accepted, subtotals, message):
    with pytest.raises(ValueError, match=message):
        split_credit(accepted, subtotals, CENT)


@given(
    st.lists(st.integers(min_value=0, max_value=10**8), min_size=1, max_size=8).filter(any),
    st.fractions(min_value=0, max_value=1),
)
def test_shares_add_up_and_stay_within_a_cent(cents, fraction):
    subtotals = [Decimal(value) / 100 for value in cents]
    base = sum(subtotals)
    accepted = (Decimal(int(fraction * int(base * 100))) / 100).quantize(CENT)

    shares = split_credit(accepted, subtotals, CENT)

    assert sum(shares) == accepted
    for share, subtotal in zip(shares, subtotals, strict=True):
        exact = accepted * subtotal / base
        assert share >= 0
        assert abs(share - exact) < CENT
