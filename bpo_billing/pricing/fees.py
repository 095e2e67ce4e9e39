"""Late-payment fees of a dunning stage: a fixed amount, a percentage of the open amount, or
interest at an annual rate for the days late. Pure Python, like the rest of the pricing."""

from decimal import Decimal
from fractions import Fraction

from .rules import _to_decimal, round_money

FEE_TYPES = ("none", "fixed", "percent", "interest")
DAYS_PER_YEAR = 365


def late_fee(fee_type, fee_amount, open_amount, days_late, rounding) -> Decimal:
    """The fee for an invoice with ``open_amount`` still due, rounded to the currency.

    - ``none``: 0;
    - ``fixed``: ``fee_amount``;
    - ``percent``: ``open_amount`` × ``fee_amount`` / 100;
    - ``interest``: ``open_amount`` × ``fee_amount`` / 100 × ``days_late`` / 365, where
      ``fee_amount`` is the annual rate and ``days_late`` the days not charged yet (from the
      due date, or from the last interest charge).
    """
    if fee_type not in FEE_TYPES:
        raise ValueError(f"Unknown fee type {fee_type!r}; expected one of {FEE_TYPES}")
    fee_amount, open_amount = _to_decimal(fee_amount), _to_decimal(open_amount)
    if fee_amount < 0 or open_amount < 0 or days_late < 0:
        raise ValueError("Fee amount, open amount and days late cannot be negative")
    if fee_type == "none":
        return round_money(0, rounding)
    if fee_type == "fixed":
        return round_money(fee_amount, rounding)
    rate = Fraction(fee_amount) / 100
    if fee_type == "percent":
        return round_money(Fraction(open_amount) * rate, rounding)
    return round_money(Fraction(open_amount) * rate * days_late / DAYS_PER_YEAR, rounding)
