from datetime import date, timedelta
from decimal import Decimal
from fractions import Fraction

import pytest
from hypothesis import given
from hypothesis import strategies as st

from ..pricing import Coverage, Precision, StaffingStep, price_fte_plan, price_hours, round_money

CENT = Decimal("0.01")
JANUARY = Coverage(date(2026, 1, 1), date(2026, 1, 31), 31, 31)
NAME = "Contact Centre FTE"


def agents(*steps, rate="3200"):
    return [StaffingStep("Agent", date(2026, 1, day), fte, rate, role_key=1) for day, fte in steps]


def lead(fte="1", rate="4500", day=date(2025, 12, 1)):
    return [StaffingStep("Team Lead", day, fte, rate, role_key=2)]


def amounts(lines):
    return [(line.kind, line.amount) for line in lines]


def test_mid_month_ramp_is_prorated_by_days():
    # agents 10 FTE 1-14 Jan, 12 FTE 15-31 Jan: 10 x 14 + 12 x 17 = 344 FTE-days
    # 3 200 x 344 / 31 = 1 100 800 / 31 = 35 509.677… -> 35 509.68 (1 x the amount)
    # team lead 1 FTE since December, the whole month: 1 x 4 500.00
    lines = price_fte_plan(NAME, JANUARY, agents((1, 10), (15, 12)) + lead())
    assert amounts(lines) == [("charge", Decimal("35509.68")), ("charge", Decimal("4500.00"))]
    ramp, team_lead = lines
    assert (ramp.quantity, ramp.price_unit) == (1, Decimal("35509.68"))
    assert ramp.name == (
        "Contact Centre FTE - Agent: 10.00 FTE 2026-01-01 to 2026-01-14, "
        "12.00 FTE 2026-01-15 to 2026-01-31 = 344 FTE-days / 31 x 3,200.00"
    )
    assert ramp.fte_periods == Fraction(344, 31)
    assert (team_lead.quantity, team_lead.price_unit, team_lead.fte_periods) == (1, 4500, 1)
    assert (ramp.role_key, team_lead.role_key) == (1, 2)


def test_floor_is_met_or_trued_up():
    steps = agents((1, 10), (15, 12)) + lead()
    # 344 + 31 = 375 FTE-days staffed; a floor of 12 FTE needs 12 x 31 = 372: met
    assert len(price_fte_plan(NAME, JANUARY, steps, floor=12, floor_rate=3200)) == 2
    # a floor of 13 FTE needs 403: 28 FTE-days missing, 3 200 x 28 / 31 = 2 890.322… -> 2 890.32
    lines = price_fte_plan(NAME, JANUARY, steps, floor=13, floor_rate=3200)
    assert amounts(lines)[-1] == ("true_up", Decimal("2890.32"))
    assert "true-up 28 FTE-days / 31 x 3,200.00" in lines[-1].name


def test_partial_coverage_and_ramp_down():
    # the rule starts on 10 January: 10 FTE 10-14 Jan (5 days) + 12 FTE 15-31 Jan (17 days)
    # = 50 + 204 = 254 FTE-days; 3 200 x 254 / 31 = 812 800 / 31 = 26 219.354… -> 26 219.35
    cover = Coverage(date(2026, 1, 10), date(2026, 1, 31), 22, 31)
    assert amounts(price_fte_plan(NAME, cover, agents((1, 10), (15, 12)))) == [
        ("charge", Decimal("26219.35"))
    ]
    # floor 12 over the 22 covered days = 264 FTE-days; 10 missing: 32 000 / 31 = 1 032.258…
    lines = price_fte_plan(NAME, cover, agents((1, 10), (15, 12)), floor=12, floor_rate=3200)
    assert amounts(lines)[-1] == ("true_up", Decimal("1032.26"))
    # ramp-down to 0 from 20 January: 10 x 19 = 190 FTE-days;
    # 3 200 x 190 / 31 = 608 000 / 31 = 19 612.903… -> 19 612.90
    assert amounts(price_fte_plan(NAME, JANUARY, agents((1, 10), (20, 0)))) == [
        ("charge", Decimal("19612.90"))
    ]
    # a plan starting after the period bills nothing
    assert price_fte_plan(NAME, JANUARY, lead(day=date(2026, 2, 1))) == []


def test_fractional_fte_rate_change_and_escalation():
    # 0.5 QA the whole month: 0.50 x 2 800.00 = 1 400.00
    qa = [StaffingStep("QA", date(2026, 1, 1), "0.5", "2800")]
    (line,) = price_fte_plan(NAME, JANUARY, qa)
    assert (line.quantity, line.price_unit, line.amount) == (Decimal("0.5"), 2800, 1400)
    # a new rate from 15 January: 10 x 14 at 3 200 = 448 000 / 31 = 14 451.612… -> 14 451.61;
    # 10 x 17 at 3 300 = 561 000 / 31 = 18 096.774… -> 18 096.77
    steps = agents((1, 10)) + agents((15, 10), rate="3300")
    assert amounts(price_fte_plan(NAME, JANUARY, steps)) == [
        ("charge", Decimal("14451.61")),
        ("charge", Decimal("18096.77")),
    ]
    # escalated 3 %: 3 296.00 x 344 / 31 = 1 133 824 / 31 = 36 574.967… -> 36 574.97
    lines = price_fte_plan(NAME, JANUARY, agents((1, 10), (15, 12)), escalation="1.03")
    assert amounts(lines) == [("charge", Decimal("36574.97"))]


def test_minimum_commitment_and_cap_of_the_rule():
    steps = agents((1, 10), (15, 12))
    # 35 509.68 charged; minimum 40 000.00 -> true-up 4 490.32
    lines = price_fte_plan(NAME, JANUARY, steps, minimum_amount=40000)
    assert amounts(lines)[-1] == ("true_up", Decimal("4490.32"))
    # cap 30 000.00 -> -5 509.68
    lines = price_fte_plan(NAME, JANUARY, steps, maximum_amount=30000)
    assert amounts(lines)[-1] == ("cap", Decimal("-5509.68"))


def test_hours_with_overtime():
    # 172.5 hours, 160 contracted at 25.00: 160 x 25 = 4 000.00; 12.5 x 37.50 = 468.75
    lines = price_hours(
        NAME, JANUARY, "172.5", "25", contracted_hours=160, overtime_multiplier="1.5"
    )
    assert [(line.quantity, line.price_unit, line.amount) for line in lines] == [
        (160, 25, Decimal("4000.00")),
        (Decimal("12.5"), Decimal("37.50"), Decimal("468.75")),
    ]
    assert [line.hours for line in lines] == [160, Decimal("12.5")]
    # under the contracted hours: all at the rate, 100 x 25 = 2 500.00
    lines = price_hours(NAME, JANUARY, 100, 25, contracted_hours=160, overtime_multiplier="1.5")
    assert amounts(lines) == [("charge", Decimal("2500.00"))]
    # no contracted hours, no overtime: 200 x 25 = 5 000.00
    assert amounts(price_hours(NAME, JANUARY, 200, 25, overtime_multiplier=2)) == [
        ("charge", Decimal("5000.00"))
    ]


def test_hours_prorated_contract_and_inexact_overtime_rate():
    # 16 of 31 days: 160 x 16 / 31 = 82.580… -> 82.58 contracted; 90 hours:
    # 82.58 x 25 = 2 064.50; 7.42 x 37.50 = 278.25
    cover = Coverage(date(2026, 1, 16), date(2026, 1, 31), 16, 31)
    lines = price_hours(NAME, cover, 90, 25, contracted_hours=160, overtime_multiplier="1.5")
    assert amounts(lines) == [("charge", Decimal("2064.50")), ("charge", Decimal("278.25"))]
    # 25.55 x 1.333 = 34.05815, more decimals than the price keeps: 10 h -> 1 x 340.58
    lines = price_hours(
        NAME, JANUARY, 170, "25.55", contracted_hours=160, overtime_multiplier="1.333"
    )
    overtime = lines[-1]
    assert (overtime.quantity, overtime.price_unit) == (1, Decimal("340.58"))
    assert "10.00 x 34.05815" in overtime.name


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda: StaffingStep("Agent", date(2026, 1, 1), -1, 3200), "FTE"),
        (lambda: price_fte_plan(NAME, JANUARY, [], floor=-1), "floor"),
        (lambda: price_hours(NAME, JANUARY, -1, 25), "Hours"),
        (lambda: price_hours(NAME, JANUARY, 1, 25, overtime_multiplier=0), "multiplier"),
        (lambda: price_fte_plan(NAME, JANUARY, [], minimum_amount=5, maximum_amount=4), "exceeds"),
    ],
)
def test_refused(call, message):
    with pytest.raises(ValueError, match=message):
        call()


@given(
    st.lists(
        st.tuples(
            st.integers(min_value=0, max_value=30),
            st.integers(min_value=0, max_value=4000).map(lambda n: Decimal(n) / 100),
            st.sampled_from(["3200", "4500", "2750.50"]),
        ),
        min_size=1,
        max_size=6,
    ),
    st.integers(min_value=1, max_value=31),
    st.integers(min_value=0, max_value=30).map(Decimal),
)
def test_lines_are_exact_and_bill_the_fte_days(plan, first_day, floor):
    start = date(2026, 1, first_day)
    cover = Coverage(start, date(2026, 1, 31), 32 - first_day, 31)
    steps = [
        StaffingStep("Agent", date(2026, 1, 1) + timedelta(days=offset), fte, rate, role_key=rate)
        for offset, fte, rate in {
            offset: (offset, fte, rate) for offset, fte, rate in plan
        }.values()
    ]
    lines = price_fte_plan(
        NAME, cover, steps, floor=floor, floor_rate="3200", precision=Precision()
    )
    for line in lines:
        assert line.amount == round_money(line.quantity * line.price_unit, CENT)
        assert line.price_unit == line.price_unit.quantize(CENT)
    staffed = sum(line.fte_periods for line in lines) * 31
    roles = {step.role_key for step in steps}  # each rate is a role here, at most 40 FTE each
    assert staffed <= 31 * 40 * len(roles)
    due = floor * cover.covered_days
    true_ups = [line for line in lines if line.kind == "true_up"]
    # a true-up exactly when the floor is not reached
    assert bool(true_ups) == (staffed < due)
