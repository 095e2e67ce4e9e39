"""Credits granted on a disputed invoice: an accepted amount (tax excluded) spread over the
invoice lines concerned. Pure Python, like the rest of the pricing."""

from decimal import Decimal
from fractions import Fraction

from .rules import _to_decimal, round_money


def split_credit(accepted, subtotals, rounding) -> list[Decimal]:
    """Spread ``accepted`` over lines in proportion to their ``subtotals``, each share
    rounded to the currency's ``rounding``, so that the shares add up to ``accepted``
    exactly: shares are rounded down, then the steps left over go to the lines with the
    largest remainders (the first of equal ones).

    Raises ``ValueError`` for a negative amount, no lines, or an amount above the lines'
    total.
    """
    accepted = _to_decimal(accepted)
    subtotals = [_to_decimal(subtotal) for subtotal in subtotals]
    base = sum(subtotals, Decimal(0))
    if accepted < 0 or any(subtotal < 0 for subtotal in subtotals):
        raise ValueError("Credited amounts cannot be negative")
    if not subtotals or base <= 0:
        raise ValueError("A credit needs at least one line with an amount")
    if accepted > base:
        raise ValueError(f"The credit {accepted} exceeds the lines' total {base}")
    step = Fraction(rounding)
    exact = [Fraction(accepted) * Fraction(subtotal) / Fraction(base) for subtotal in subtotals]
    steps = [int(share // step) for share in exact]
    missing = round(Fraction(accepted) / step) - sum(steps)
    by_remainder = sorted(
        range(len(exact)), key=lambda index: (-(exact[index] - steps[index] * step), index)
    )
    for index in by_remainder[:missing]:
        steps[index] += 1
    return [round_money(count * step, rounding) for count in steps]
