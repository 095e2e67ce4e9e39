"""SLA service credits: a measured KPI against its target, the shortfall tier it reaches, the
credit it earns the client, and the cap on a period's credits. Pure Python, like the rest of
the pricing.

- Shortfall: how far the measure misses the target, never negative: target - measured for a
  KPI where higher is better (service level, QA score, uptime), measured - target where lower
  is better (handle time, abandonment rate). A met target has a shortfall of 0.
- Tiers: each tier starts at a shortfall (``shortfall_from``, inclusive); a missed target
  reaches the tier with the highest start not above its shortfall. A shortfall below the
  first tier's start, or a met target, earns nothing.
- Credit: a percentage of the base fee (the period's amount of the rules the SLA covers),
  rounded to the currency, or a fixed amount; never more than the base fee.
- Cap: a period's credits together never exceed ``cap_percent`` of the period's fee; above
  it, the capped total is shared in proportion to the credits (each rounded, adding up to the
  cap exactly, see :func:`split_credit`).
"""

from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction

from .credits import split_credit
from .rules import _to_decimal, round_money

DIRECTIONS = ("higher", "lower")
ZERO = Decimal(0)


@dataclass(frozen=True)
class SlaTier:
    """From a shortfall of ``shortfall_from`` on, the credit is ``credit_percent`` % of the
    base fee, or ``credit_amount`` when the SLA credits fixed amounts."""

    shortfall_from: Decimal
    credit_percent: Decimal = ZERO
    credit_amount: Decimal = ZERO

    def __post_init__(self):
        for name in ("shortfall_from", "credit_percent", "credit_amount"):
            value = _to_decimal(getattr(self, name))
            if value < 0:
                raise ValueError(f"A tier's {name} must not be negative (got {value})")
            object.__setattr__(self, name, value)


@dataclass(frozen=True)
class SlaCredit:
    """The credit one KPI earns for a period: the tier reached (1-based, 0 = none), the
    shortfall and the amount (positive: what the client is credited)."""

    shortfall: Decimal
    tier: int
    amount: Decimal


def shortfall(measured, target, direction: str) -> Decimal:
    """How far ``measured`` misses ``target``; 0 when the target is met or beaten."""
    if direction not in DIRECTIONS:
        raise ValueError(f"Unknown direction {direction!r}; expected one of {DIRECTIONS}")
    measured, target = _to_decimal(measured), _to_decimal(target)
    missed_by = target - measured if direction == "higher" else measured - target
    return max(missed_by, ZERO)


def meets_target(measured, target, direction: str) -> bool:
    """Whether ``measured`` meets or beats ``target``."""
    return shortfall(measured, target, direction) == 0


def tier_reached(missed_by: Decimal, tiers) -> int:
    """1-based index of the tier a shortfall reaches (tiers sorted by start), 0 for none."""
    missed_by = _to_decimal(missed_by)
    reached = 0
    if missed_by <= 0:
        return reached
    for index, tier in enumerate(sorted(tiers, key=lambda tier: tier.shortfall_from), 1):
        if missed_by >= tier.shortfall_from:
            reached = index
    return reached


def sla_credit(measured, target, direction, tiers, base_fee, fixed, rounding) -> SlaCredit:
    """The credit earned by one measured KPI: ``fixed`` selects the tiers' fixed amounts,
    else their percentages of ``base_fee``. Never more than ``base_fee``."""
    base_fee = _to_decimal(base_fee)
    missed_by = shortfall(measured, target, direction)
    ordered = sorted(tiers, key=lambda tier: tier.shortfall_from)
    reached = tier_reached(missed_by, ordered)
    if not reached or base_fee <= 0:
        return SlaCredit(missed_by, reached, round_money(ZERO, rounding))
    tier = ordered[reached - 1]
    if fixed:
        amount = round_money(tier.credit_amount, rounding)
    else:
        amount = round_money(Fraction(base_fee) * Fraction(tier.credit_percent) / 100, rounding)
    return SlaCredit(missed_by, reached, min(amount, base_fee))


def cap_amount(cap_percent, period_fee, rounding) -> Decimal | None:
    """The most a period may credit: ``cap_percent`` % of ``period_fee``; None without cap."""
    cap_percent = _to_decimal(cap_percent)
    if cap_percent <= 0:
        return None
    return round_money(Fraction(_to_decimal(period_fee)) * Fraction(cap_percent) / 100, rounding)


def apply_cap(credits, cap, rounding) -> list[Decimal]:
    """The credits once their total is brought down to ``cap`` (None: no cap): shared in
    proportion to the credits, the shares adding up to the cap exactly."""
    credits = [_to_decimal(credit) for credit in credits]
    if cap is None or sum(credits, ZERO) <= cap:
        return credits
    return split_credit(cap, credits, rounding)
