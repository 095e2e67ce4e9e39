"""Calendar billing periods, proration coverage and yearly price indexation.

Periods follow the calendar: months start on the 1st, quarters in January, April, July
and October, half-years in January and July, years on 1 January. Every date comes in as
an argument; nothing here reads today's date.
"""

from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal, localcontext
from fractions import Fraction

from dateutil.relativedelta import relativedelta

FREQUENCY_MONTHS = {"monthly": 1, "quarterly": 3, "semiannual": 6, "yearly": 12}

ONE_DAY = timedelta(days=1)


def _period_months(frequency: str) -> int:
    """Length of a `frequency` period in months; ValueError for an unknown frequency."""
    try:
        return FREQUENCY_MONTHS[frequency]
    except KeyError:
        raise ValueError(
            f"Unknown billing frequency {frequency!r}; expected one of {sorted(FREQUENCY_MONTHS)}"
        ) from None


def period_bounds(day: date, frequency: str) -> tuple[date, date]:
    """Calendar period containing `day`: months start on the 1st, quarters in Jan/Apr/Jul/Oct,
    half-years in Jan/Jul, years on 1 January. Returns (first day, last day)."""
    months = _period_months(frequency)
    first_month = (day.month - 1) // months * months + 1
    first_day = date(day.year, first_month, 1)
    return first_day, first_day + relativedelta(months=months) - ONE_DAY


def next_period_start(day: date, frequency: str) -> date:
    """First day of the calendar period after the one containing `day`."""
    return period_bounds(day, frequency)[1] + ONE_DAY


def billing_span(
    start: date, frequency: str, date_end: date | None = None
) -> tuple[date, date] | None:
    """The span billed from `start` (may be mid-period, e.g. the agreement's first day): from
    `start` to the end of its calendar period, cut at `date_end` when that falls inside. None when
    date_end < start."""
    period_end = period_bounds(start, frequency)[1]
    if date_end is None:
        return start, period_end
    if date_end < start:
        return None
    return start, min(period_end, date_end)


@dataclass(frozen=True)
class Coverage:
    """The days of one calendar period that a rule bills, and the proration ratio they imply."""

    start: date
    end: date
    covered_days: int
    period_days: int

    def __post_init__(self):
        # A coverage outside 1..period_days would prorate to a nonsense (or negative) amount.
        if not 0 < self.covered_days <= self.period_days:
            raise ValueError(
                f"Coverage of {self.covered_days} days must be between 1 and the period's "
                f"{self.period_days} days"
            )

    @property
    def is_full(self) -> bool:
        """True when every day of the calendar period is covered (no proration)."""
        return self.covered_days == self.period_days

    @property
    def ratio(self) -> Fraction:
        """covered_days / period_days, exact."""
        return Fraction(self.covered_days, self.period_days)


def coverage(
    span_start: date,
    span_end: date,
    frequency: str,
    rule_start: date | None = None,
    rule_end: date | None = None,
) -> Coverage | None:
    """Intersection of the billed span with the rule's own validity (a line may start/stop inside
    the agreement). period_days are those of the calendar period containing span_start. None when
    they do not overlap."""
    period_start, period_end = period_bounds(span_start, frequency)
    if span_end < span_start or span_end > period_end:
        raise ValueError(
            f"Billed span {span_start} to {span_end} must lie within one {frequency} period "
            f"({period_start} to {period_end})"
        )
    start = max(span_start, rule_start or span_start)
    end = min(span_end, rule_end or span_end)
    if start > end:
        return None
    return Coverage(
        start=start,
        end=end,
        covered_days=(end - start).days + 1,
        period_days=(period_end - period_start).days + 1,
    )


def _anniversaries_reached(escalation_date: date, on_date: date) -> int:
    """How many of escalation_date, +1 year, +2 years... fall on or before on_date
    (29 Feb -> 28 Feb)."""
    count = 0
    # relativedelta from the original date each time, so 29 Feb comes back in leap years.
    while escalation_date + relativedelta(years=count) <= on_date:
        count += 1
    return count


def escalation_factor(percent, escalation_date: date | None, on_date: date) -> Decimal:
    """Yearly price indexation: (1 + percent/100) ** n, n = number of anniversaries of
    escalation_date (escalation_date itself, +1 year, +2 years, ... via relativedelta,
    29 Feb -> 28 Feb) that are <= on_date.
    1 when percent is 0/None or escalation_date is None or on_date < escalation_date.
    Exact Decimal."""
    if not percent or escalation_date is None or on_date < escalation_date:
        return Decimal(1)
    # Floats (Odoo Float fields) go through repr so 2.5 stays 2.5, not its binary approximation.
    rate = Decimal(repr(percent)) if isinstance(percent, float) else Decimal(percent)
    if rate <= -100:
        raise ValueError(f"Escalation percent {percent} would make prices zero or negative")
    base = 1 + rate / 100
    years = _anniversaries_reached(escalation_date, on_date)
    # Enough significant digits that the power is exact, whatever the number of years.
    with localcontext() as exact:
        exact.prec = len(base.as_tuple().digits) * years + 2
        return base**years
