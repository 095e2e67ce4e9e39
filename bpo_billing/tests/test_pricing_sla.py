from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from ..pricing.sla import (
    SlaTier,
    apply_cap,
    cap_amount,
    meets_target,
    shortfall,
    sla_credit,
    tier_reached,
)

CENT = Decimal("0.01")
# service level, target 80 %: any miss 5 %, from 5 points 10 %, from 10 points 15 %
SERVICE_LEVEL_TIERS = [SlaTier(0, 5), SlaTier(5, 10), SlaTier(10, 15)]


def test_shortfall_by_direction():
    # higher is better: 80 - 78.4 = 1.6; lower is better: 312 - 300 = 12
    assert shortfall("78.4", 80, "higher") == Decimal("1.6")
    assert shortfall(312, 300, "lower") == Decimal(12)
    # beating the target is no negative shortfall
    assert shortfall(85, 80, "higher") == 0
    assert shortfall(290, 300, "lower") == 0
    assert meets_target(80, 80, "higher") and meets_target(300, 300, "lower")
    assert not meets_target("79.99", 80, "higher")
    with pytest.raises(ValueError, match="direction"):
        shortfall(1, 2, "sideways")


@pytest.mark.parametrize(
    ("measured", "tier"),
    [
        ("80", 0),  # target met exactly: no tier
        ("79.99", 1),  # shortfall 0.01
        ("75.01", 1),  # shortfall 4.99: just below tier 2
        ("75", 2),  # shortfall 5: tier 2 starts here (inclusive)
        ("70.01", 2),  # shortfall 9.99
        ("70", 3),  # shortfall 10
        ("12", 3),
    ],
)
def test_tier_boundaries(measured, tier):
    assert tier_reached(shortfall(measured, 80, "higher"), SERVICE_LEVEL_TIERS) == tier


def test_tiers_are_read_in_order_of_their_start():
    assert tier_reached(Decimal(6), list(reversed(SERVICE_LEVEL_TIERS))) == 2


def test_a_first_tier_above_zero_forgives_small_misses():
    tiers = [SlaTier(2, 5)]
    assert tier_reached(Decimal("1.99"), tiers) == 0
    assert tier_reached(Decimal(2), tiers) == 1


@pytest.mark.parametrize(
    ("measured", "tier", "amount"),
    [
        ("80", 0, "0.00"),
        ("79.99", 1, "2100.00"),  # 5 % × 42 000.00
        ("75.01", 1, "2100.00"),
        ("75", 2, "4200.00"),  # 10 % × 42 000.00
        ("70", 3, "6300.00"),  # 15 % × 42 000.00
    ],
)
def test_percentage_credit(measured, tier, amount):
    credit = sla_credit(measured, 80, "higher", SERVICE_LEVEL_TIERS, "42000.00", False, CENT)
    assert (credit.tier, credit.amount) == (tier, Decimal(amount))


def test_percentage_credit_rounded_to_the_currency():
    # 5 % × 1 234.57 = 61.7285 → 61.73; 2.5 % × 0.30 = 0.0075 → 0.01 (half-up)
    assert sla_credit(70, 80, "higher", [SlaTier(0, 5)], "1234.57", False, CENT).amount == (
        Decimal("61.73")
    )
    assert sla_credit(70, 80, "higher", [SlaTier(0, "2.5")], "0.30", False, CENT).amount == (
        Decimal("0.01")
    )


def test_fixed_credit_and_its_boundary():
    # average handle time, target 300 s: 500.00 from any miss, 1 000.00 from 30 s over
    tiers = [SlaTier(0, credit_amount=500), SlaTier(30, credit_amount=1000)]
    assert sla_credit(300, 300, "lower", tiers, 40000, True, CENT).amount == 0
    assert sla_credit("329.99", 300, "lower", tiers, 40000, True, CENT).amount == Decimal(500)
    assert sla_credit(330, 300, "lower", tiers, 40000, True, CENT).amount == Decimal(1000)


def test_credit_never_exceeds_the_base_fee():
    # a fixed 1 000.00 against a fee of 600.00 gives back 600.00; no fee, no credit
    tiers = [SlaTier(0, credit_amount=1000)]
    assert sla_credit(400, 300, "lower", tiers, 600, True, CENT).amount == Decimal(600)
    assert sla_credit(400, 300, "lower", tiers, 0, True, CENT).amount == 0


def test_negative_tier_refused():
    with pytest.raises(ValueError, match="negative"):
        SlaTier(-1, 5)


def test_cap():
    # 12 % of 40 000.00 = 4 800.00; no cap at 0 %
    assert cap_amount(12, "40000.00", CENT) == Decimal("4800.00")
    assert cap_amount(0, "40000.00", CENT) is None
    # under the cap: unchanged
    assert apply_cap(["1600.00", "500.00"], Decimal("4800.00"), CENT) == [
        Decimal("1600.00"),
        Decimal("500.00"),
    ]
    # at the cap exactly: unchanged
    assert apply_cap(["4300.00", "500.00"], Decimal("4800.00"), CENT) == [
        Decimal("4300.00"),
        Decimal("500.00"),
    ]
    # over: 2 000.00 shared over 4 800 and 1 000: 1 655.172… and 344.827… → floors 1 655.17 and
    # 344.82, the cent left to the larger remainder (0.0076 against 0.0024): 344.83
    assert apply_cap(["4800.00", "1000.00"], Decimal("2000.00"), CENT) == [
        Decimal("1655.17"),
        Decimal("344.83"),
    ]


@given(
    st.lists(st.integers(min_value=0, max_value=10**7), min_size=1, max_size=5).filter(any),
    st.integers(min_value=0, max_value=10**7),
)
def test_capped_credits_never_exceed_the_cap(cents, cap_cents):
    credits = [Decimal(value) / 100 for value in cents]
    cap = Decimal(cap_cents) / 100
    capped = apply_cap(credits, cap, CENT)
    assert sum(capped) == min(sum(credits), cap)
    assert all(0 <= share <= credit for share, credit in zip(capped, credits, strict=True))


@given(
    st.decimals(min_value=0, max_value=200, places=2),
    st.decimals(min_value=0, max_value=200, places=2),
)
def test_a_larger_miss_never_earns_less(first, second):
    low, high = sorted((first, second))
    # measured values further below the target never reach a lower tier
    assert tier_reached(shortfall(80 - high, 80, "higher"), SERVICE_LEVEL_TIERS) >= (
        tier_reached(shortfall(80 - low, 80, "higher"), SERVICE_LEVEL_TIERS)
    )
