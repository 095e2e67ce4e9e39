"""Pure-Python pricing for bpo_billing: calendar periods, proration and invoice line amounts.

The one place money is computed; it imports nothing from Odoo so it is testable without a database.
"""

from decimal import Decimal

from . import credits, fees, periods, rules
from .credits import split_credit
from .fees import late_fee
from .periods import (
    Coverage,
    billing_span,
    coverage,
    escalation_factor,
    next_period_start,
    period_bounds,
)
from .rules import InvoiceLine, Precision, Rule, Tier, price_rule, round_money

__all__ = [
    "Coverage",
    "InvoiceLine",
    "Precision",
    "Rule",
    "Tier",
    "billing_span",
    "coverage",
    "credits",
    "escalation_factor",
    "fees",
    "late_fee",
    "next_period_start",
    "period_bounds",
    "periods",
    "price_rule",
    "round_money",
    "rules",
    "split_credit",
    "total",
]


def total(lines) -> Decimal:
    """Sum of the lines' amounts; Decimal 0 for no lines."""
    return sum((line.amount for line in lines), Decimal(0))
