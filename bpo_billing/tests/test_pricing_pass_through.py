from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from ..pricing import Rebill, marked_up, rebill_costs

CENT = Decimal("0.01")


def test_at_cost():
    # no markup, no cap: every cost re-billed as it is
    assert rebill_costs([("a", "120.40"), ("b", "79.60")], 0, 0, CENT) == [
        Rebill("a", Decimal("120.40"), Decimal("120.40")),
        Rebill("b", Decimal("79.60"), Decimal("79.60")),
    ]


def test_markup_rounded_at_the_line():
    # 10 %: 1 234.56 × 1.1 = 1 358.016 → 1 358.02; 0.05 × 1.1 = 0.055 → 0.06 (half-up)
    assert rebill_costs([(1, "1234.56"), (2, "0.05")], 10, 0, CENT) == [
        Rebill(1, Decimal("1234.56"), Decimal("1358.02")),
        Rebill(2, Decimal("0.05"), Decimal("0.06")),
    ]
    # 7.5 %: 200 × 1.075 = 215.00
    assert marked_up(200, "7.5", CENT) == Decimal("215.00")


def test_cap_carries_the_rest_over_in_order():
    # cap 1 000, markup 10 %: 400 → 440 (total 440), 500 → 550 (990), 50 → 55 would make
    # 1 045 > 1 000: it waits, and so does the 5 after it (order kept)
    assert rebill_costs([(1, 400), (2, 500), (3, 50), (4, 5)], 10, 1000, CENT) == [
        Rebill(1, Decimal(400), Decimal("440.00")),
        Rebill(2, Decimal(500), Decimal("550.00")),
    ]


def test_cap_reached_exactly():
    # 600 + 400 = 1 000 = cap: both fit
    billed = rebill_costs([(1, 600), (2, 400), (3, 1)], 0, 1000, CENT)
    assert [rebill.amount for rebill in billed] == [Decimal("600.00"), Decimal("400.00")]


def test_cost_above_the_whole_cap_is_billed_at_the_cap():
    # 3 000 × 1.1 = 3 300 alone exceeds the 2 500 cap: billed 2 500.00, the next one waits
    assert rebill_costs([(1, 3000), (2, 10)], 10, 2500, CENT) == [
        Rebill(1, Decimal(3000), Decimal("2500.00"), capped=True)
    ]


def test_negative_cost_lowers_the_total():
    # cap 100: 90, then a -20 discount (total 70), then 30 (total 100)
    billed = rebill_costs([(1, 90), (2, -20), (3, 30)], 0, 100, CENT)
    assert [rebill.amount for rebill in billed] == [
        Decimal("90.00"),
        Decimal("-20.00"),
        Decimal("30.00"),
    ]


def test_no_costs():
    assert rebill_costs([], 10, 100, CENT) == []


@pytest.mark.parametrize(("markup", "cap", "message"), [(-1, 0, "markup"), (0, -5, "cap")])
def test_refused(markup, cap, message):
    with pytest.raises(ValueError, match=message):
        rebill_costs([(1, 10)], markup, cap, CENT)


@given(
    st.lists(st.integers(min_value=0, max_value=10**7), max_size=8),
    st.integers(min_value=0, max_value=5000),
    st.integers(min_value=0, max_value=10**7),
)
def test_within_the_cap_and_oldest_first(cents, markup_tenths, cap_cents):
    costs = [(index, Decimal(value) / 100) for index, value in enumerate(cents)]
    markup = Decimal(markup_tenths) / 10
    cap = Decimal(cap_cents) / 100

    billed = rebill_costs(costs, markup, cap, CENT)

    # a prefix of the costs, in order: nothing older is left behind
    assert [rebill.key for rebill in billed] == list(range(len(billed)))
    if cap:
        assert sum(rebill.amount for rebill in billed) <= cap
    else:
        assert len(billed) == len(costs)
    for rebill in billed:
        if not rebill.capped:
            assert rebill.amount == marked_up(rebill.cost, markup, CENT)
            assert rebill.amount >= rebill.cost
    if len(billed) < len(costs) and billed and not billed[0].capped:
        # the first cost left out would have crossed the cap
        next_amount = marked_up(costs[len(billed)][1], markup, CENT)
        assert sum(rebill.amount for rebill in billed) + next_amount > cap
