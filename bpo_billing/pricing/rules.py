"""Turn one billing rule, the days it covers and a measured quantity into invoice line values.

This is the one place bpo_billing computes money. It never imports Odoo: inputs are plain
values, amounts are `decimal.Decimal`, and every emitted line satisfies, exactly as Odoo will
recompute it, ``line.amount == round_money(line.quantity * line.price_unit)``, with a unit
price of at most ``price_digits`` decimals and a quantity of at most ``quantity_digits``.

Rules of :func:`price_rule`:

- Escalation: the unit price and every tier price are multiplied by ``escalation`` and
  rounded half-up to ``price_digits`` (or to the rule's own decimals when it has more, so a
  0.0125 rate is not cut to 0.01) before anything else; the minimum and maximum amounts
  are escalated the same way and rounded to the currency.
- ``fixed``: one charge, 1 x price_unit for a full period. A partial period bills
  round_money(price_unit x covered/period days) as 1 x that amount, the description giving
  the covered dates and "(17/31 days)".
- ``seat``: quantity x price_unit for a full period. A partial period bills
  round_money(quantity x price_unit x ratio) as 1 x that amount, described as
  "12.50 x 3,500.00 x 17/31 days".
- ``one_off``: quantity x price_unit, never prorated.
- ``usage``: a measured volume, never prorated itself. The allowance is included_quantity x
  ratio rounded half-up to ``quantity_digits``; billable = max(0, usage - allowance). Without
  tiers: billable x price_unit. ``volume`` tiers: the whole billable quantity at the rate of
  the tier it reaches (tier i covers [from_i, from_i+1)). ``graduated`` tiers: one line per
  non-empty slice at its own rate, each rounded at the line like Odoo. No billable usage
  still emits one line of quantity 0, so the invoice shows the usage was measured.
- A unit price or quantity with more decimals than Odoo keeps is emitted as 1 x the rounded
  amount, the description stating "qty x rate".
- Minimum commitment (per full period, prorated like a fee): when the rule's charges total
  less than round_money(minimum x ratio), a ``true_up`` line adds the difference.
- Cap (per full period, prorated): when the charges total more than round_money(maximum x
  ratio), a ``cap`` line with a negative amount brings them down to it.
- Minimum and cap apply to each rule's own charges. Invalid input raises ValueError.

Descriptions go through ``translate(source, **kwargs)`` (the ORM passes ``env._``) and dates
through ``format_date(d)``.
"""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from fractions import Fraction
from itertools import pairwise

from .periods import Coverage

BILLING_MODELS = ("fixed", "seat", "usage", "one_off")
TIER_MODES = ("volume", "graduated")

ZERO = Decimal(0)
ONE = Decimal(1)


def _to_decimal(value) -> Decimal:
    """Decimal from an int, str, Decimal or float (floats via repr, as Odoo Float fields hold
    them)."""
    if isinstance(value, float):
        return Decimal(repr(value))
    return Decimal(value)


def _require_non_negative(label: str, value: Decimal) -> None:
    """ValueError naming `label` when `value` is negative."""
    if value < 0:
        raise ValueError(f"{label} must not be negative (got {value})")


@dataclass(frozen=True)
class Tier:
    """One step of a usage rate card: from `from_quantity` on, each unit costs `price_unit`."""

    from_quantity: Decimal
    price_unit: Decimal

    def __post_init__(self):
        object.__setattr__(self, "from_quantity", _to_decimal(self.from_quantity))
        object.__setattr__(self, "price_unit", _to_decimal(self.price_unit))
        _require_non_negative("Tier price", self.price_unit)


@dataclass(frozen=True)
class Rule:
    """One agreement line's pricing terms, as plain values."""

    billing_model: str
    name: str
    price_unit: Decimal = ZERO
    quantity: Decimal = ONE
    tiers: tuple[Tier, ...] = ()
    tier_mode: str = "volume"
    included_quantity: Decimal = ZERO
    minimum_amount: Decimal = ZERO
    maximum_amount: Decimal = ZERO

    def __post_init__(self):
        for name in (
            "price_unit",
            "quantity",
            "included_quantity",
            "minimum_amount",
            "maximum_amount",
        ):
            object.__setattr__(self, name, _to_decimal(getattr(self, name)))
        object.__setattr__(self, "tiers", tuple(self.tiers))
        self._validate()

    def _validate(self) -> None:
        """ValueError with a clear message for any term that cannot be priced."""
        if self.billing_model not in BILLING_MODELS:
            raise ValueError(
                f"Unknown billing model {self.billing_model!r} on {self.name!r}; "
                f"expected one of {BILLING_MODELS}"
            )
        if self.tier_mode not in TIER_MODES:
            raise ValueError(
                f"Unknown tier mode {self.tier_mode!r} on {self.name!r}; "
                f"expected one of {TIER_MODES}"
            )
        for label in (
            "price_unit",
            "quantity",
            "included_quantity",
            "minimum_amount",
            "maximum_amount",
        ):
            _require_non_negative(f"{label} of {self.name!r}", getattr(self, label))
        if (
            self.minimum_amount
            and self.maximum_amount
            and self.minimum_amount > self.maximum_amount
        ):
            raise ValueError(
                f"Minimum amount {self.minimum_amount} of {self.name!r} "
                f"exceeds its maximum amount {self.maximum_amount}"
            )
        _validate_tiers(self.name, self.tiers)


def _validate_tiers(rule_name: str, tiers: tuple[Tier, ...]) -> None:
    """Tiers must start at 0 and have strictly increasing thresholds, or tier lookup is
    ambiguous."""
    if tiers and tiers[0].from_quantity != 0:
        raise ValueError(
            f"The first tier of {rule_name!r} must start at 0 (starts at {tiers[0].from_quantity})"
        )
    for lower, upper in pairwise(tiers):
        if upper.from_quantity <= lower.from_quantity:
            raise ValueError(
                f"Tiers of {rule_name!r} must have strictly increasing thresholds "
                f"({upper.from_quantity} follows {lower.from_quantity})"
            )


@dataclass(frozen=True)
class Precision:
    """The decimals Odoo keeps: currency rounding, 'Product Price' and 'Product Unit of Measure'."""

    currency_rounding: Decimal = Decimal("0.01")
    price_digits: int = 2
    quantity_digits: int = 2

    def __post_init__(self):
        object.__setattr__(self, "currency_rounding", _to_decimal(self.currency_rounding))
        if self.currency_rounding <= 0:
            raise ValueError(f"Currency rounding must be positive (got {self.currency_rounding})")
        if self.price_digits < 0 or self.quantity_digits < 0:
            raise ValueError("Price and quantity digits must not be negative")
        # A 1 x amount line is only exact if the unit price field can hold every currency amount.
        if not _fits(self.currency_rounding, self.price_digits):
            raise ValueError(
                f"Price digits ({self.price_digits}) cannot hold amounts rounded to "
                f"{self.currency_rounding}"
            )


@dataclass(frozen=True)
class InvoiceLine:
    """Values of one invoice line; amount == round_money(quantity * price_unit), always."""

    kind: str
    name: str
    quantity: Decimal
    price_unit: Decimal
    amount: Decimal
    period_start: date
    period_end: date


def _exact_product(*factors) -> Fraction:
    """Product of Decimals and Fractions with no rounding at all (Decimal arithmetic keeps 28
    digits)."""
    product = Fraction(1)
    for factor in factors:
        product *= Fraction(factor)
    return product


def _round_to_step(value: Fraction, step: Decimal) -> Decimal:
    """Exact half-up (away from zero) rounding of `value` to a multiple of `step`."""
    steps = value / Fraction(step)
    rounded = int(abs(steps) + Fraction(1, 2))
    return (-rounded if steps < 0 else rounded) * step


def round_money(amount, rounding: Decimal) -> Decimal:
    """Odoo's float_round for currencies: half-up (away from zero) to a multiple of `rounding`
    (works for 0.01, 0.001, 0.05, 1, 0.5 ...)."""
    rounding = _to_decimal(rounding)
    if rounding <= 0:
        raise ValueError(f"Rounding must be positive (got {rounding})")
    value = amount if isinstance(amount, Fraction) else Fraction(_to_decimal(amount))
    return _round_to_step(value, rounding)


def _digits_step(digits: int) -> Decimal:
    """The smallest step `digits` decimals can hold: 2 -> 0.01."""
    return ONE.scaleb(-digits)


def _decimals(value: Decimal) -> int:
    """Number of significant decimals of `value`: 3500.00 -> 0, 0.0125 -> 4."""
    return max(0, -value.normalize().as_tuple().exponent)


def _fits(value: Decimal, digits: int) -> bool:
    """True when `value` needs no more than `digits` decimals."""
    return _decimals(value) <= digits


def _format_number(value: Decimal, digits: int) -> str:
    """Thousands separators and at least `digits` decimals (more if the value has them)."""
    return f"{value:,.{max(digits, _decimals(value))}f}"


def plain_number(value) -> str:
    """A measure or quantity as people write it, no trailing zeros: 80.0 -> '80',
    78.40 -> '78.4'."""
    return format(_to_decimal(value).normalize(), "f")


def _format_bound(value: Decimal) -> str:
    """A tier threshold as people write it: 1000 -> '1,000', 2.5 -> '2.5'."""
    return f"{value.normalize():,f}"


def _identity(source: str, **kwargs) -> str:
    """Default translation: interpolate the named placeholders, translate nothing."""
    return source % kwargs if kwargs else source


@dataclass(frozen=True)
class _Pricing:
    """What every line of one price_rule call shares: the covered days, precisions and text
    helpers."""

    cover: Coverage
    precision: Precision
    translate: Callable[..., str]
    format_date: Callable[[date], str]

    def line(self, kind: str, name: str, quantity: Decimal, price_unit: Decimal) -> InvoiceLine:
        """An invoice line over the covered days, its amount rounded exactly as Odoo will."""
        amount = round_money(_exact_product(quantity, price_unit), self.precision.currency_rounding)
        return InvoiceLine(
            kind, name, quantity, price_unit, amount, self.cover.start, self.cover.end
        )

    def prorate(self, *factors: Decimal) -> Decimal:
        """Money amount (product of `factors`) for the covered share of the period, rounded to
        the currency."""
        return round_money(
            _exact_product(*factors, self.cover.ratio), self.precision.currency_rounding
        )

    def money(self, amount: Decimal) -> str:
        """An amount with thousands separators and the currency's decimals."""
        return _format_number(amount, _decimals(self.precision.currency_rounding))

    def price(self, price_unit: Decimal) -> str:
        """A unit price with thousands separators and the price digits (more if the rate has
        them)."""
        return _format_number(price_unit, self.precision.price_digits)

    def qty(self, quantity: Decimal) -> str:
        """A quantity with thousands separators and the quantity digits (more if it has them)."""
        return _format_number(quantity, self.precision.quantity_digits)

    def days(self) -> str:
        """Covered over period days, e.g. '17/31'."""
        return f"{self.cover.covered_days}/{self.cover.period_days}"

    def dates(self) -> str:
        """The covered dates, with the day ratio when the period is only partly covered."""
        _ = self.translate
        start, end = self.format_date(self.cover.start), self.format_date(self.cover.end)
        if self.cover.is_full:
            return _("%(start)s to %(end)s", start=start, end=end)
        return _("%(start)s to %(end)s (%(days)s days)", start=start, end=end, days=self.days())


def _charge_line(
    pricing: _Pricing, label: str, quantity: Decimal, price_unit: Decimal
) -> InvoiceLine:
    """quantity x price_unit, or 1 x the rounded amount when Odoo could not hold either value
    exactly."""
    precision = pricing.precision
    if _fits(quantity, precision.quantity_digits) and _fits(price_unit, precision.price_digits):
        return pricing.line("charge", label, quantity, price_unit)
    _ = pricing.translate
    name = _(
        "%(label)s: %(quantity)s x %(rate)s",
        label=label,
        quantity=pricing.qty(quantity),
        rate=pricing.price(price_unit),
    )
    # Zero usage keeps quantity 0 so the invoice still shows it was measured.
    billed_quantity = ONE if quantity else ZERO
    amount = round_money(_exact_product(quantity, price_unit), precision.currency_rounding)
    return pricing.line("charge", name, billed_quantity, amount)


def _fixed_lines(rule: Rule, pricing: _Pricing) -> list[InvoiceLine]:
    """A flat fee: 1 x price for a full period, else 1 x the prorated fee."""
    if pricing.cover.is_full:
        return [_charge_line(pricing, rule.name, ONE, rule.price_unit)]
    _ = pricing.translate
    name = _("%(name)s, %(dates)s", name=rule.name, dates=pricing.dates())
    return [pricing.line("charge", name, ONE, pricing.prorate(rule.price_unit))]


def _seat_lines(rule: Rule, pricing: _Pricing) -> list[InvoiceLine]:
    """Seats x price for a full period, else 1 x the prorated total with the arithmetic spelled
    out."""
    if pricing.cover.is_full:
        return [_charge_line(pricing, rule.name, rule.quantity, rule.price_unit)]
    _ = pricing.translate
    name = _(
        "%(name)s: %(quantity)s x %(price)s x %(days)s days, %(start)s to %(end)s",
        name=rule.name,
        quantity=pricing.qty(rule.quantity),
        price=pricing.price(rule.price_unit),
        days=pricing.days(),
        start=pricing.format_date(pricing.cover.start),
        end=pricing.format_date(pricing.cover.end),
    )
    return [pricing.line("charge", name, ONE, pricing.prorate(rule.quantity, rule.price_unit))]


def _one_off_lines(rule: Rule, pricing: _Pricing) -> list[InvoiceLine]:
    """A one-off fee, never prorated: quantity x price."""
    return [_charge_line(pricing, rule.name, rule.quantity, rule.price_unit)]


def _volume_rate(tiers: tuple[Tier, ...], quantity: Decimal) -> Decimal:
    """Rate of the highest tier whose threshold `quantity` reaches."""
    return [tier.price_unit for tier in tiers if tier.from_quantity <= quantity][-1]


def _graduated_slices(tiers: tuple[Tier, ...], quantity: Decimal):
    """Yield (tier number, tier, upper bound or None, slice quantity) for each non-empty slice."""
    uppers = [tier.from_quantity for tier in tiers[1:]] + [None]
    for number, (tier, upper) in enumerate(zip(tiers, uppers, strict=True), start=1):
        top = quantity if upper is None else min(quantity, upper)
        if top > tier.from_quantity:
            yield number, tier, upper, top - tier.from_quantity


def _tier_label(
    pricing: _Pricing, label: str, number: int, tier: Tier, upper: Decimal | None
) -> str:
    """Description of one graduated slice, e.g. 'Calls - Tier 2: 1,000-5,000'."""
    _ = pricing.translate
    start = _format_bound(tier.from_quantity)
    if upper is None:
        return _("%(label)s - Tier %(number)s: %(start)s+", label=label, number=number, start=start)
    return _(
        "%(label)s - Tier %(number)s: %(start)s-%(end)s",
        label=label,
        number=number,
        start=start,
        end=_format_bound(upper),
    )


def _usage_label(rule: Rule, pricing: _Pricing, usage: Decimal, allowance: Decimal) -> str:
    """The rule's name, stating the measured usage and the allowance deducted when there is one."""
    if not rule.included_quantity:
        return rule.name
    _ = pricing.translate
    return _(
        "%(name)s (%(usage)s measured, %(allowance)s included)",
        name=rule.name,
        usage=pricing.qty(usage),
        allowance=pricing.qty(allowance),
    )


def _usage_lines(rule: Rule, pricing: _Pricing, usage: Decimal) -> list[InvoiceLine]:
    """Metered usage less the prorated allowance, flat-rated or through volume/graduated tiers."""
    quantity_step = _digits_step(pricing.precision.quantity_digits)
    allowance = _round_to_step(
        _exact_product(rule.included_quantity, pricing.cover.ratio), quantity_step
    )
    billable = max(ZERO, usage - allowance)
    label = _usage_label(rule, pricing, usage, allowance)
    first_rate = rule.tiers[0].price_unit if rule.tiers else rule.price_unit
    if not billable:
        return [_charge_line(pricing, label, ZERO, first_rate)]
    if not rule.tiers:
        return [_charge_line(pricing, label, billable, rule.price_unit)]
    if rule.tier_mode == "volume":
        return [_charge_line(pricing, label, billable, _volume_rate(rule.tiers, billable))]
    return [
        _charge_line(
            pricing,
            _tier_label(pricing, label, number, tier, upper),
            slice_quantity,
            tier.price_unit,
        )
        for number, tier, upper, slice_quantity in _graduated_slices(rule.tiers, billable)
    ]


def _true_up_lines(rule: Rule, pricing: _Pricing, charged: Decimal) -> list[InvoiceLine]:
    """A true-up bringing the charges up to the prorated minimum commitment, if they fall short."""
    if not rule.minimum_amount:
        return []
    minimum_due = pricing.prorate(rule.minimum_amount)
    if charged >= minimum_due:
        return []
    _ = pricing.translate
    name = _(
        "%(name)s: minimum commitment %(minimum)s for %(dates)s, true-up",
        name=rule.name,
        minimum=pricing.money(minimum_due),
        dates=pricing.dates(),
    )
    return [pricing.line("true_up", name, ONE, minimum_due - charged)]


def _cap_lines(rule: Rule, pricing: _Pricing, charged: Decimal) -> list[InvoiceLine]:
    """A negative line bringing the charges down to the prorated cap, if they exceed it."""
    if not rule.maximum_amount:
        return []
    cap = pricing.prorate(rule.maximum_amount)
    if charged <= cap:
        return []
    _ = pricing.translate
    name = _(
        "%(name)s: capped at %(cap)s for %(dates)s",
        name=rule.name,
        cap=pricing.money(cap),
        dates=pricing.dates(),
    )
    return [pricing.line("cap", name, ONE, cap - charged)]


def _escalate_price(price_unit: Decimal, escalation: Decimal, price_digits: int) -> Decimal:
    """Indexed unit price, rounded half-up to the price digits (or the rate's own, if finer)."""
    digits = max(price_digits, _decimals(price_unit))
    return _round_to_step(_exact_product(price_unit, escalation), _digits_step(digits))


def _escalate_rule(rule: Rule, escalation: Decimal, precision: Precision) -> Rule:
    """The rule with its prices and commitments indexed by `escalation`."""

    def price(value):
        return _escalate_price(value, escalation, precision.price_digits)

    def money(value):
        return round_money(_exact_product(value, escalation), precision.currency_rounding)

    return Rule(
        billing_model=rule.billing_model,
        name=rule.name,
        price_unit=price(rule.price_unit),
        quantity=rule.quantity,
        tier_mode=rule.tier_mode,
        included_quantity=rule.included_quantity,
        tiers=tuple(Tier(tier.from_quantity, price(tier.price_unit)) for tier in rule.tiers),
        minimum_amount=money(rule.minimum_amount),
        maximum_amount=money(rule.maximum_amount),
    )


_FLAT_PRICERS = {"fixed": _fixed_lines, "seat": _seat_lines, "one_off": _one_off_lines}


def price_rule(
    rule: Rule,
    cover: Coverage,
    *,
    usage_quantity=ZERO,
    escalation=ONE,
    precision=Precision(),
    translate=None,
    format_date=None,
) -> list[InvoiceLine]:
    """Invoice lines for `rule` over the days `cover` bills (see the module docstring for the
    rules).

    `usage_quantity` is the period's measured volume (usage rules only); `escalation` the
    indexation factor from periods.escalation_factor; `translate(source, **kwargs)` and
    `format_date(d)` render descriptions. Returns the charge lines followed by at most one
    true-up or cap line; every amount equals round_money(quantity x price_unit).
    """
    usage_quantity, escalation = _to_decimal(usage_quantity), _to_decimal(escalation)
    _require_non_negative(f"Usage quantity of {rule.name!r}", usage_quantity)
    if escalation <= 0:
        raise ValueError(f"Escalation factor must be positive (got {escalation})")
    pricing = _Pricing(cover, precision, translate or _identity, format_date or date.isoformat)
    indexed = _escalate_rule(rule, escalation, precision)
    if indexed.billing_model == "usage":
        charges = _usage_lines(indexed, pricing, usage_quantity)
    else:
        charges = _FLAT_PRICERS[indexed.billing_model](indexed, pricing)
    charged = sum((line.amount for line in charges), ZERO)
    return (
        charges + _true_up_lines(indexed, pricing, charged) + _cap_lines(indexed, pricing, charged)
    )
