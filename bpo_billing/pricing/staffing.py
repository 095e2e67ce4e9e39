"""FTE staffing plans and billable hours: what a BPO charges for the people it staffs.

Pure Python like the rest of the pricing; every line it emits keeps the pricing invariant
``line.amount == round_money(line.quantity * line.price_unit)`` (see ``rules.py``).

Rules of :func:`price_fte_plan` (a ``seat`` rule following a staffing plan):

- A plan is a list of dated steps per role: from ``date_from`` on, ``fte`` people of the role
  at ``rate`` per FTE per full period, until the role's next step. Days before a role's first
  step count 0 FTE; a ramp-up or ramp-down is a series of steps; a step of 0 FTE stops the
  role.
- Each role is billed on the FTE-days of the covered days: rate x sum(FTE x days) / period
  days, rounded to the currency once per role and rate (one line per role; a role whose
  rate changes inside the period gets one line per rate). A role staffed the same way over
  a full period is billed as FTE x rate; otherwise as 1 x the amount, the description
  spelling out each step, its dates and "= 344 FTE-days / 31 x 3,200.00".
- Floor: ``floor`` is a minimum total FTE (all roles together) over the covered days. When
  the plan staffs fewer FTE-days than floor x covered days, a ``true_up`` line bills the
  missing FTE-days at ``floor_rate`` (the rule's own unit price) / period days.
- The rule's minimum commitment and cap then apply to its charges and floor true-up, as for
  any rule.

Rules of :func:`price_hours` (a ``usage`` rule billing productive hours):

- ``hours`` are the period's recorded productive hours; ``contracted_hours`` are per full
  period, prorated by covered days and rounded half-up to the quantity digits, like a usage
  allowance. Hours up to the contracted hours are billed at ``rate``; hours above them at
  rate x ``overtime_multiplier`` (exact; 1 x the amount when that rate has more decimals
  than Odoo keeps). No contracted hours means no overtime: every hour at ``rate``.

Rates, the floor rate, the minimum and the cap are escalated as in ``price_rule``. Lines are
:class:`StaffingLine`: invoice lines that also carry the role key, the FTE-periods and the
hours they bill, for the staffing analysis.
"""

from collections.abc import Callable, Hashable, Iterable
from dataclasses import dataclass, fields
from datetime import date, timedelta
from decimal import Decimal
from fractions import Fraction

from .periods import Coverage
from .rules import (
    ONE,
    ZERO,
    InvoiceLine,
    Precision,
    Rule,
    _cap_lines,
    _charge_line,
    _digits_step,
    _escalate_price,
    _escalate_rule,
    _exact_product,
    _format_bound,
    _identity,
    _Pricing,
    _require_non_negative,
    _round_to_step,
    _to_decimal,
    _true_up_lines,
    round_money,
)

ONE_DAY = timedelta(days=1)
DEFAULT_PRECISION = Precision()


@dataclass(frozen=True)
class StaffingStep:
    """From ``date_from`` on, ``fte`` people of ``role`` at ``rate`` per FTE per full period.
    ``role_key`` identifies the role (the ORM passes its id); ``role`` is its label."""

    role: str
    date_from: date
    fte: Decimal
    rate: Decimal
    role_key: Hashable = None

    def __post_init__(self):
        object.__setattr__(self, "fte", _to_decimal(self.fte))
        object.__setattr__(self, "rate", _to_decimal(self.rate))
        _require_non_negative(f"FTE of {self.role!r} from {self.date_from}", self.fte)
        _require_non_negative(f"Rate of {self.role!r} from {self.date_from}", self.rate)
        if self.role_key is None:
            object.__setattr__(self, "role_key", self.role)


@dataclass(frozen=True)
class StaffingLine(InvoiceLine):
    """An invoice line of a staffing rule, with what it bills in people and hours."""

    role_key: Hashable = None
    fte_periods: Fraction = Fraction(0)
    hours: Decimal = ZERO


def _staffing_line(line: InvoiceLine, **extra) -> StaffingLine:
    values = {field.name: getattr(line, field.name) for field in fields(InvoiceLine)}
    return StaffingLine(**values, **extra)


def _pricing(cover, precision, translate, format_date) -> _Pricing:
    return _Pricing(cover, precision, translate or _identity, format_date or date.isoformat)


def _segments(steps: list[StaffingStep], cover: Coverage):
    """(step, first day, last day) of each step of one role within the covered days."""
    ordered = sorted(steps, key=lambda step: step.date_from)
    ends = [following.date_from - ONE_DAY for following in ordered[1:]] + [cover.end]
    for step, end in zip(ordered, ends, strict=True):
        first, last = max(step.date_from, cover.start), min(end, cover.end)
        if first <= last:
            yield step, first, last


def _by_role(steps: Iterable[StaffingStep]) -> dict:
    """Steps grouped by role, roles in the order they first appear."""
    roles = {}
    for step in steps:
        roles.setdefault(step.role_key, []).append(step)
    return roles


def _role_lines(name, steps, rate_of, pricing: _Pricing) -> tuple[list[StaffingLine], Decimal]:
    """One line per rate of one role, and the role's FTE-days in the covered days."""
    _ = pricing.translate
    by_rate: dict[Decimal, list] = {}
    for step, first, last in _segments(steps, pricing.cover):
        if step.fte:
            by_rate.setdefault(rate_of(step.rate), []).append((step, first, last))
    lines, role_days = [], ZERO
    period_days = pricing.cover.period_days
    for rate, segments in by_rate.items():
        fte_days = sum(
            (step.fte * ((last - first).days + 1) for step, first, last in segments), ZERO
        )
        role_days += fte_days
        fte_periods = Fraction(fte_days) / period_days
        label = _("%(name)s - %(role)s", name=name, role=segments[0][0].role)
        step, first, last = segments[0]
        spans_period = len(segments) == 1 and (last - first).days + 1 == period_days
        if spans_period:
            line = _charge_line(pricing, label, step.fte, rate)
        else:
            detail = ", ".join(
                _(
                    "%(fte)s FTE %(start)s to %(end)s",
                    fte=pricing.qty(step.fte),
                    start=pricing.format_date(first),
                    end=pricing.format_date(last),
                )
                for step, first, last in segments
            )
            description = _(
                "%(label)s: %(detail)s = %(days)s FTE-days / %(period)s x %(rate)s",
                label=label,
                detail=detail,
                days=_format_bound(fte_days),
                period=period_days,
                rate=pricing.price(rate),
            )
            amount = round_money(fte_periods * Fraction(rate), pricing.precision.currency_rounding)
            line = pricing.line("charge", description, ONE, amount)
        lines.append(_staffing_line(line, role_key=step.role_key, fte_periods=fte_periods))
    return lines, role_days


def _floor_lines(name, floor, floor_rate, staffed_days, pricing: _Pricing) -> list[StaffingLine]:
    """A true-up for the FTE-days missing to the floor over the covered days, if any."""
    due_days = floor * pricing.cover.covered_days
    if staffed_days >= due_days:
        return []
    _ = pricing.translate
    missing = due_days - staffed_days
    amount = round_money(
        Fraction(missing) * Fraction(floor_rate) / pricing.cover.period_days,
        pricing.precision.currency_rounding,
    )
    description = _(
        "%(name)s: minimum %(floor)s FTE for %(dates)s, %(staffed)s of %(due)s FTE-days "
        "staffed, true-up %(missing)s FTE-days / %(period)s x %(rate)s",
        name=name,
        floor=pricing.qty(floor),
        dates=pricing.dates(),
        staffed=_format_bound(staffed_days),
        due=_format_bound(due_days),
        missing=_format_bound(missing),
        period=pricing.cover.period_days,
        rate=pricing.price(floor_rate),
    )
    return [_staffing_line(pricing.line("true_up", description, ONE, amount))]


def _commitment_lines(name, minimum, maximum, escalation, pricing, charges) -> list[StaffingLine]:
    """The rule's minimum commitment true-up and cap, as ``price_rule`` applies them."""
    indexed = _escalate_rule(
        Rule("seat", name, minimum_amount=minimum, maximum_amount=maximum),
        escalation,
        pricing.precision,
    )
    charged = sum((line.amount for line in charges), ZERO)
    return [
        _staffing_line(line)
        for line in _true_up_lines(indexed, pricing, charged)
        + _cap_lines(indexed, pricing, charged)
    ]


def _check_common(name, escalation, minimum, maximum):
    if escalation <= 0:
        raise ValueError(f"Escalation factor must be positive (got {escalation})")
    _require_non_negative(f"Minimum amount of {name!r}", minimum)
    _require_non_negative(f"Maximum amount of {name!r}", maximum)
    if minimum and maximum and minimum > maximum:
        raise ValueError(f"Minimum amount {minimum} of {name!r} exceeds its maximum {maximum}")


def price_fte_plan(
    name: str,
    cover: Coverage,
    steps: Iterable[StaffingStep],
    *,
    floor=ZERO,
    floor_rate=ZERO,
    minimum_amount=ZERO,
    maximum_amount=ZERO,
    escalation=ONE,
    precision=DEFAULT_PRECISION,
    translate: Callable[..., str] | None = None,
    format_date: Callable[[date], str] | None = None,
) -> list[StaffingLine]:
    """Invoice lines of a staffing plan over the covered days (module docstring: the rules).

    Returns one charge line per role (and rate) staffed in the covered days, then at most one
    floor true-up, then the rule's minimum true-up or cap. ValueError for invalid input."""
    floor, floor_rate = _to_decimal(floor), _to_decimal(floor_rate)
    minimum_amount, maximum_amount = _to_decimal(minimum_amount), _to_decimal(maximum_amount)
    escalation = _to_decimal(escalation)
    _require_non_negative(f"FTE floor of {name!r}", floor)
    _require_non_negative(f"Floor rate of {name!r}", floor_rate)
    _check_common(name, escalation, minimum_amount, maximum_amount)
    pricing = _pricing(cover, precision, translate, format_date)

    def rate_of(rate):
        return _escalate_price(rate, escalation, precision.price_digits)

    charges, staffed_days = [], ZERO
    for role_steps in _by_role(steps).values():
        lines, role_days = _role_lines(name, role_steps, rate_of, pricing)
        charges += lines
        staffed_days += role_days
    if floor:
        charges += _floor_lines(name, floor, rate_of(floor_rate), staffed_days, pricing)
    return charges + _commitment_lines(
        name, minimum_amount, maximum_amount, escalation, pricing, charges
    )


def price_hours(
    name: str,
    cover: Coverage,
    hours,
    rate,
    *,
    contracted_hours=ZERO,
    overtime_multiplier=ONE,
    minimum_amount=ZERO,
    maximum_amount=ZERO,
    escalation=ONE,
    precision=DEFAULT_PRECISION,
    translate: Callable[..., str] | None = None,
    format_date: Callable[[date], str] | None = None,
) -> list[StaffingLine]:
    """Invoice lines of the productive ``hours`` of the covered days (module docstring: the
    rules): the hours up to the contracted hours, then the overtime, then the rule's minimum
    true-up or cap. ValueError for invalid input."""
    hours, rate = _to_decimal(hours), _to_decimal(rate)
    contracted_hours = _to_decimal(contracted_hours)
    overtime_multiplier = _to_decimal(overtime_multiplier)
    minimum_amount, maximum_amount = _to_decimal(minimum_amount), _to_decimal(maximum_amount)
    escalation = _to_decimal(escalation)
    for label, value in (
        ("Hours", hours),
        ("Hourly rate", rate),
        ("Contracted hours", contracted_hours),
    ):
        _require_non_negative(f"{label} of {name!r}", value)
    if overtime_multiplier <= 0:
        raise ValueError(f"Overtime multiplier of {name!r} must be positive")
    _check_common(name, escalation, minimum_amount, maximum_amount)
    pricing = _pricing(cover, precision, translate, format_date)
    _ = pricing.translate
    rate = _escalate_price(rate, escalation, precision.price_digits)
    contracted = _round_to_step(
        _exact_product(contracted_hours, cover.ratio), _digits_step(precision.quantity_digits)
    )
    overtime = max(ZERO, hours - contracted) if contracted else ZERO
    regular = hours - overtime
    label = name
    if contracted:
        label = _(
            "%(name)s (%(hours)s hours worked, %(contracted)s contracted)",
            name=name,
            hours=pricing.qty(hours),
            contracted=pricing.qty(contracted),
        )
    charges = [_staffing_line(_charge_line(pricing, label, regular, rate), hours=regular)]
    if overtime:
        overtime_label = _(
            "%(name)s: overtime above %(contracted)s hours at %(multiplier)s x %(rate)s",
            name=name,
            contracted=pricing.qty(contracted),
            multiplier=_format_bound(overtime_multiplier),
            rate=pricing.price(rate),
        )
        overtime_rate = rate * overtime_multiplier
        charges.append(
            _staffing_line(
                _charge_line(pricing, overtime_label, overtime, overtime_rate), hours=overtime
            )
        )
    return charges + _commitment_lines(
        name, minimum_amount, maximum_amount, escalation, pricing, charges
    )
