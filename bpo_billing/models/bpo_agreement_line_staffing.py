"""Staffing on billing rules: a ``seat`` rule billed from a dated FTE plan per role, or a
``usage`` rule billing productive hours with overtime. The money is computed by
``pricing/staffing.py``; this file gathers its inputs and records what each line bills."""

from decimal import Decimal

from odoo import api, fields, models
from odoo.exceptions import ValidationError
from odoo.tools import format_date

from ..pricing import staffing

STAFFING_MODES = [
    ("none", "None"),
    ("fte_plan", "FTE staffing plan"),
    ("hours", "Billable hours"),
]


def _exact(value):
    return Decimal(str(value))


# one file per feature, as for the generation in bpo_agreement_billing.py
class BpoAgreementLine(models.Model):
    _inherit = "bpo.agreement.line"  # pylint: disable=consider-merging-classes-inherited

    staffing_mode = fields.Selection(
        STAFFING_MODES,
        string="Staffing",
        default="none",
        required=True,
        help="FTE staffing plan (per seat rules): dated FTE counts per role at a rate per FTE, "
        "prorated by days, with an optional minimum FTE floor. Billable hours (metered usage "
        "rules): the period's recorded productive hours at the unit price, hours above the "
        "contracted hours at the overtime multiplier.",
    )
    staffing_line_ids = fields.One2many(
        "bpo.staffing.line", "agreement_line_id", string="Staffing Plan", copy=True
    )
    fte_floor = fields.Float(
        string="Minimum FTE",
        digits="Product Unit of Measure",
        help="Minimum total FTE (all roles) billed over the period: FTE-days missing to it are "
        "billed at the rule's Unit Price per FTE, as a true-up line.",
    )
    contracted_hours = fields.Float(
        digits="Product Unit of Measure",
        help="Hours per full period billed at the Unit Price; hours above them are overtime. "
        "Prorated by days for a partial period. Zero: no overtime.",
    )
    overtime_multiplier = fields.Float(
        digits=(16, 4),
        default=1.5,
        help="Overtime hours cost the Unit Price times this multiplier.",
    )

    @api.constrains("staffing_mode", "billing_model", "tier_ids")
    def _check_staffing_mode(self):
        for line in self:
            expected = {"fte_plan": "seat", "hours": "usage"}.get(line.staffing_mode)
            if expected and line.billing_model != expected:
                raise ValidationError(
                    self.env._(
                        "Agreement %(agreement)s, line %(line)s: an FTE staffing plan needs a "
                        "per seat / FTE rule, billable hours a metered usage rule.",
                        agreement=line.agreement_id.display_name,
                        line=line._label(),
                    )
                )
            if line.staffing_mode == "hours" and line.tier_ids:
                raise ValidationError(
                    self.env._(
                        "Agreement %(agreement)s, line %(line)s: billable hours are priced at "
                        "the Unit Price and the overtime multiplier, not with volume tiers.",
                        agreement=line.agreement_id.display_name,
                        line=line._label(),
                    )
                )

    @api.constrains("fte_floor", "contracted_hours", "overtime_multiplier")
    def _check_staffing_values(self):
        for line in self:
            if line.fte_floor < 0 or line.contracted_hours < 0 or line.overtime_multiplier < 1:
                raise ValidationError(
                    self.env._(
                        "Agreement %(agreement)s, line %(line)s: the Minimum FTE and the "
                        "Contracted Hours cannot be negative, and the Overtime Multiplier is at "
                        "least 1.",
                        agreement=line.agreement_id.display_name,
                        line=line._label(),
                    )
                )

    def _price_period(self, cover, usage_quantity, escalation, precision, env):
        """Staffing rules are priced by ``pricing.staffing``; the others as before."""
        if self.staffing_mode == "none":
            return super()._price_period(cover, usage_quantity, escalation, precision, env)
        self.ensure_one()
        common = {
            "minimum_amount": _exact(self.minimum_amount),
            "maximum_amount": _exact(self.maximum_amount),
            "escalation": escalation,
            "precision": precision,
            "translate": env._,
            "format_date": lambda day: format_date(env, day),
        }
        name = self.name or self.product_id.display_name
        if self.staffing_mode == "hours":
            return staffing.price_hours(
                name,
                cover,
                usage_quantity,
                _exact(self.price_unit),
                contracted_hours=_exact(self.contracted_hours),
                overtime_multiplier=_exact(self.overtime_multiplier),
                **common,
            )
        steps = [
            staffing.StaffingStep(
                role=step.role_id.with_env(env).name,
                date_from=step.date_from,
                fte=_exact(step.fte),
                rate=_exact(step.rate),
                role_key=step.role_id.id,
            )
            for step in self.staffing_line_ids.sorted(
                lambda step: (step.role_id.sequence, step.role_id.id, step.date_from)
            )
        ]
        return staffing.price_fte_plan(
            name,
            cover,
            steps,
            floor=_exact(self.fte_floor),
            floor_rate=_exact(self.price_unit),
            **common,
        )

    def _prepare_invoice_line(self, invoice_line):
        """Staffing lines also record the role, FTE and hours they bill, for the analysis."""
        vals = super()._prepare_invoice_line(invoice_line)
        if isinstance(invoice_line, staffing.StaffingLine):
            vals |= {
                "bpo_staffing_role_id": invoice_line.role_key or False,
                "bpo_fte_periods": float(invoice_line.fte_periods),
                "bpo_staffed_hours": float(invoice_line.hours),
            }
        return vals
