"""Usage adjustments: usage of a period the client already approved, recorded or changed
after the period was locked, billed on a later invoice as the difference it makes.

The period was billed for ``billed_quantity``; its usage now adds up to ``live_quantity``.
The adjustment is what the rule prices for ``live_quantity`` minus what it priced for
``billed_quantity`` (tiers, allowance, minimum and cap included), shown as the quantity
difference at one unit price when that is exact to the cent, else as one lump line.
"""

from dataclasses import dataclass
from decimal import Decimal

from .rules import round_money


@dataclass(frozen=True)
class Adjustment:
    quantity: Decimal
    price_unit: Decimal
    amount: Decimal
    delta: Decimal


def usage_adjustment(
    billed_lines, live_lines, billed_quantity, live_quantity, rounding, price_digits
):
    """The adjustment between two pricings of one rule (``InvoiceLine`` lists), or None when
    it changes nothing. ``amount == round_money(quantity * price_unit)`` always."""
    delta = Decimal(str(live_quantity)) - Decimal(str(billed_quantity))
    amount = sum((line.amount for line in live_lines), Decimal(0)) - sum(
        (line.amount for line in billed_lines), Decimal(0)
    )
    if not delta and not amount:
        return None
    if delta:
        price_unit = (amount / delta).quantize(Decimal(1).scaleb(-price_digits))
        if round_money(delta * price_unit, rounding) == amount:
            return Adjustment(delta, price_unit, amount, delta)
    return Adjustment(Decimal(1), amount, amount, delta)
