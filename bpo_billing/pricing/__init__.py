"""Pure-Python pricing for bpo_billing: calendar periods, proration and invoice line amounts.

The one place money is computed; it imports nothing from Odoo so it is testable without a database.
"""

from decimal import Decimal

from . import credits, fees, pass_through, periods, rules, sla
from .adjustments import Adjustment, usage_adjustment
from .credits import split_credit
from .fees import late_fee
from .pass_through import Rebill, marked_up, rebill_costs
from .periods import (
    Coverage,
    billing_span,
    coverage,
    escalation_factor,
    next_period_start,
    period_bounds,
)
from .rules import InvoiceLine, Precision, Rule, Tier, plain_number, price_rule, round_money
from .sla import SlaTier, sla_credit
from .staffing import StaffingLine, StaffingStep, price_fte_plan, price_hours

__all__ = [
    "Adjustment",
    "Coverage",
    "InvoiceLine",
    "Precision",
    "Rebill",
    "Rule",
    "SlaTier",
    "StaffingLine",
    "StaffingStep",
    "Tier",
    "billing_span",
    "coverage",
    "credits",
    "escalation_factor",
    "fees",
    "late_fee",
    "marked_up",
    "next_period_start",
    "pass_through",
    "period_bounds",
    "periods",
    "plain_number",
    "price_fte_plan",
    "price_hours",
    "price_rule",
    "rebill_costs",
    "round_money",
    "rules",
    "sla",
    "sla_credit",
    "split_credit",
    "staffing",
    "total",
    "usage_adjustment",
]


def total(lines) -> Decimal:
    """Sum of the lines' amounts; Decimal 0 for no lines."""
    return sum((line.amount for line in lines), Decimal(0))
