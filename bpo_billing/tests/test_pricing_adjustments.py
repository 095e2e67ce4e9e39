from datetime import date
from decimal import Decimal

from ..pricing import InvoiceLine, usage_adjustment

CENT = Decimal("0.01")
JAN = (date(2026, 1, 1), date(2026, 1, 31))


def _line(quantity, price_unit, amount):
    return InvoiceLine("charge", "x", Decimal(quantity), Decimal(price_unit), Decimal(amount), *JAN)


def test_linear_rate_is_shown_as_quantity_times_rate():
    # 1 000 → 1 120 minutes at 0.85: +120 × 0.85 = 102.00
    adjustment = usage_adjustment(
        [_line(1000, "0.85", "850.00")], [_line(1120, "0.85", "952.00")], 1000, 1120, CENT, 2
    )
    assert (adjustment.quantity, adjustment.price_unit, adjustment.amount) == (
        Decimal(120),
        Decimal("0.85"),
        Decimal("102.00"),
    )


def test_lower_usage_gives_a_negative_adjustment():
    # 1 000 → 900 at 0.85: -100 × 0.85 = -85.00
    adjustment = usage_adjustment(
        [_line(1000, "0.85", "850.00")], [_line(900, "0.85", "765.00")], 1000, 900, CENT, 2
    )
    assert (adjustment.quantity, adjustment.amount) == (Decimal(-100), Decimal("-85.00"))


def test_tier_change_is_one_lump_line():
    # volume tiers: 1 000 at 0.85 = 850.00; 1 120 reach the 0.80 tier: 896.00.
    # +46.00 for 120 minutes is 0.38333… a minute: not exact, so one line of 46.00
    adjustment = usage_adjustment(
        [_line(1000, "0.85", "850.00")], [_line(1120, "0.80", "896.00")], 1000, 1120, CENT, 2
    )
    assert (adjustment.quantity, adjustment.price_unit, adjustment.amount, adjustment.delta) == (
        Decimal(1),
        Decimal("46.00"),
        Decimal("46.00"),
        Decimal(120),
    )


def test_no_change_no_adjustment():
    lines = [_line(1000, "0.85", "850.00")]
    assert usage_adjustment(lines, lines, 1000, 1000, CENT, 2) is None


def test_allowance_absorbs_the_late_usage():
    # 200 included: 150 → 180 minutes still bill 0, but the quantity changed
    adjustment = usage_adjustment([_line(150, 0, 0)], [_line(180, 0, 0)], 150, 180, CENT, 2)
    assert (adjustment.quantity, adjustment.price_unit, adjustment.amount) == (
        Decimal(30),
        Decimal("0.00"),
        Decimal("0.00"),
    )
