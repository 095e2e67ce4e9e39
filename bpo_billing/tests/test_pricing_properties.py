"""Property tests: tier ordering, proration additivity, the amount invariant and gap-free period
chains."""

from datetime import date, timedelta
from decimal import Decimal

from hypothesis import given, settings
from hypothesis import strategies as st

from ..pricing import (
    Precision,
    Rule,
    Tier,
    billing_span,
    coverage,
    next_period_start,
    period_bounds,
    price_rule,
    round_money,
    total,
)
from ..pricing.periods import FREQUENCY_MONTHS

D = Decimal
FREQUENCIES = st.sampled_from(sorted(FREQUENCY_MONTHS))
DAYS = st.dates(min_value=date(2020, 1, 1), max_value=date(2030, 12, 31))
CENTS = st.integers(min_value=0, max_value=10**8).map(lambda cents: D(cents).scaleb(-2))
SEATS = st.integers(min_value=0, max_value=100_000).map(lambda hundredths: D(hundredths).scaleb(-2))


@st.composite
def falling_rate_cards(draw):
    """Tiers starting at 0 with increasing thresholds and non-increasing 2-decimal prices."""
    thresholds = draw(st.lists(st.integers(1, 50_000), max_size=5, unique=True).map(sorted))
    prices = draw(
        st.lists(
            st.integers(0, 100_000), min_size=len(thresholds) + 1, max_size=len(thresholds) + 1
        ).map(lambda cents: sorted(cents, reverse=True))
    )
    starts = [0, *thresholds]
    return tuple(
        Tier(D(start), D(price).scaleb(-2)) for start, price in zip(starts, prices, strict=True)
    )


@settings(deadline=None)
@given(tiers=falling_rate_cards(), usage=st.integers(0, 200_000))
def test_graduated_between_volume_and_first_tier_price(tiers, usage):
    january = coverage(date(2026, 1, 1), date(2026, 1, 31), "monthly")
    graduated = total(
        price_rule(
            Rule("usage", "Calls", tiers=tiers, tier_mode="graduated"),
            january,
            usage_quantity=D(usage),
        )
    )
    volume = total(
        price_rule(
            Rule("usage", "Calls", tiers=tiers, tier_mode="volume"),
            january,
            usage_quantity=D(usage),
        )
    )
    assert volume <= graduated <= D(usage) * tiers[0].price_unit


@st.composite
def split_periods(draw):
    """A calendar period and a day strictly inside it where it is split in two."""
    frequency = draw(FREQUENCIES)
    period_start, period_end = period_bounds(draw(DAYS), frequency)
    period_days = (period_end - period_start).days + 1
    split_day = period_start + timedelta(days=draw(st.integers(1, period_days - 1)))
    return frequency, period_start, period_end, split_day


def prorated_parts_and_whole(rule, frequency, period_start, period_end, split_day):
    """Totals billed for [start, split), [split, end] and the whole period."""
    before = coverage(period_start, split_day - timedelta(days=1), frequency)
    after = coverage(split_day, period_end, frequency)
    whole = coverage(period_start, period_end, frequency)
    return [total(price_rule(rule, cover)) for cover in (before, after, whole)]


@settings(deadline=None)
@given(split=split_periods(), price=CENTS)
def test_fixed_partial_periods_add_up_to_full_period(split, price):
    before, after, whole = prorated_parts_and_whole(Rule("fixed", "Fee", price_unit=price), *split)
    assert abs(before + after - whole) <= D("0.01")


@settings(deadline=None)
@given(split=split_periods(), price=CENTS, seats=SEATS)
def test_seat_partial_periods_add_up_to_full_period(split, price, seats):
    before, after, whole = prorated_parts_and_whole(
        Rule("seat", "Seats", price_unit=price, quantity=seats), *split
    )
    assert abs(before + after - whole) <= D("0.01")


PRECISIONS = st.sampled_from(
    [
        Precision(),
        Precision(currency_rounding=D("0.001"), price_digits=3, quantity_digits=3),
        Precision(currency_rounding=D("0.05"), price_digits=2, quantity_digits=0),
        Precision(currency_rounding=D(1), price_digits=0, quantity_digits=0),
        Precision(currency_rounding=D("0.01"), price_digits=4, quantity_digits=2),
    ]
)
FINE_DECIMALS = st.decimals(
    min_value=0, max_value=100_000, places=4, allow_nan=False, allow_infinity=False
)


@st.composite
def any_rule(draw):
    """A valid rule of any model, with fine prices, quantities, tiers and commitments."""
    thresholds = draw(st.lists(st.integers(1, 10_000), max_size=3, unique=True).map(sorted))
    tiers = (
        tuple(Tier(D(start), draw(FINE_DECIMALS)) for start in [0, *thresholds])
        if draw(st.booleans())
        else ()
    )
    minimum, maximum = sorted([draw(FINE_DECIMALS), draw(FINE_DECIMALS)])
    return Rule(
        billing_model=draw(st.sampled_from(["fixed", "seat", "usage", "one_off"])),
        name="Service",
        price_unit=draw(FINE_DECIMALS),
        quantity=draw(FINE_DECIMALS),
        tiers=tiers,
        tier_mode=draw(st.sampled_from(["volume", "graduated"])),
        included_quantity=draw(FINE_DECIMALS),
        minimum_amount=draw(st.sampled_from([D(0), minimum])),
        maximum_amount=draw(st.sampled_from([D(0), maximum])),
    )


@st.composite
def any_cover(draw):
    """Coverage of a random slice of a random calendar period."""
    frequency = draw(FREQUENCIES)
    period_start, period_end = period_bounds(draw(DAYS), frequency)
    first, last = sorted(
        draw(st.dates(min_value=period_start, max_value=period_end)) for _ in range(2)
    )
    return coverage(first, last, frequency)


def decimals(value):
    """Number of decimals a Decimal really needs."""
    return max(0, -value.normalize().as_tuple().exponent)


@settings(deadline=None)
@given(
    rule=any_rule(),
    cover=any_cover(),
    usage=FINE_DECIMALS,
    precision=PRECISIONS,
    escalation=st.sampled_from([D(1), D("1.03"), D("1.092727"), D("0.97")]),
)
def test_every_line_is_exactly_what_odoo_recomputes(rule, cover, usage, precision, escalation):
    lines = price_rule(
        rule, cover, usage_quantity=usage, precision=precision, escalation=escalation
    )
    assert lines
    for line in lines:
        assert line.amount % precision.currency_rounding == 0
        assert line.amount == round_money(
            line.quantity * line.price_unit, precision.currency_rounding
        )
        assert decimals(line.price_unit) <= precision.price_digits
        assert decimals(line.quantity) <= precision.quantity_digits
        assert (line.period_start, line.period_end) == (cover.start, cover.end)


@settings(deadline=None)
@given(frequency=FREQUENCIES, start=DAYS, length=st.integers(0, 5 * 366))
def test_span_chain_covers_every_day_once(frequency, start, length):
    date_end = start + timedelta(days=length)
    billed_days = []
    period_start = start
    while (span := billing_span(period_start, frequency, date_end)) is not None:
        span_start, span_end = span
        assert period_bounds(span_start, frequency) == period_bounds(span_end, frequency)
        billed_days.extend(
            span_start + timedelta(days=offset)
            for offset in range((span_end - span_start).days + 1)
        )
        period_start = next_period_start(period_start, frequency)
    assert billed_days == [start + timedelta(days=offset) for offset in range(length + 1)]
