"""Pass-through costs: vendor costs re-billed to the client at cost or with a markup, within
a per-period cap. Pure Python, like the rest of the pricing.

Rules of :func:`rebill_costs`:

- Each cost (untaxed, already in the agreement's currency) is re-billed at
  round_money(cost x (100 + markup) / 100), rounded at the line like Odoo.
- The cap (0 = none) limits what one period re-bills. Costs are taken in the order given
  (the caller passes them oldest first) while the running total stays within the cap.
  The first cost that does not fit, and every cost after it, wait for the next period:
  they are carried over in order, so a later, smaller cost never jumps ahead of an older one.
- A cost whose re-billed amount alone exceeds the whole cap cannot ever fit: when it comes
  first it is billed at the cap and the excess is not re-billed (``capped`` is set).
- A negative cost (a vendor's discount line) lowers the running total; it always fits.
"""

from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction

from .rules import _to_decimal, round_money

HUNDRED = Decimal(100)


@dataclass(frozen=True)
class Rebill:
    """One cost re-billed in the period: ``key`` as given, the ``cost``, the ``amount``
    re-billed (markup included, rounded) and whether the cap cut it."""

    key: object
    cost: Decimal
    amount: Decimal
    capped: bool = False


def marked_up(cost, markup_percent, rounding) -> Decimal:
    """``cost`` plus ``markup_percent`` %, rounded to the currency's ``rounding``."""
    factor = (Fraction(_to_decimal(markup_percent)) + 100) / 100
    return round_money(Fraction(_to_decimal(cost)) * factor, rounding)


def rebill_costs(costs, markup_percent, cap, rounding) -> list[Rebill]:
    """The costs re-billed this period, among ``costs`` ((key, cost) pairs, oldest first),
    with ``markup_percent`` and within ``cap`` (0 = no cap); the costs left out wait for
    the next period. Raises ``ValueError`` for a negative markup or cap."""
    markup_percent = _to_decimal(markup_percent)
    cap = _to_decimal(cap)
    if markup_percent < 0:
        raise ValueError(f"The markup must not be negative (got {markup_percent})")
    if cap < 0:
        raise ValueError(f"The cap must not be negative (got {cap})")
    billed = []
    total = Decimal(0)
    for key, cost in costs:
        cost = _to_decimal(cost)
        amount = marked_up(cost, markup_percent, rounding)
        if cap and total + amount > cap:
            if billed:
                break
            # alone above the whole cap: billed at the cap, the excess written off
            billed.append(Rebill(key, cost, round_money(cap, rounding), capped=True))
            break
        billed.append(Rebill(key, cost, amount))
        total += amount
    return billed
