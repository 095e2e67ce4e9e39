from fractions import Fraction

from dateutil.relativedelta import relativedelta

from odoo import api, fields, models
from odoo.exceptions import UserError
from odoo.tools import float_round, format_date

INTERVAL_UNITS = [("days", "Days"), ("weeks", "Weeks"), ("months", "Months")]


class BpoStaffingRamp(models.TransientModel):
    """Writes a ramp-up or ramp-down into a staffing plan: ``step_count`` steps from
    ``start_fte`` to ``target_fte`` in equal increments, one every ``interval`` days,
    weeks or months from ``date_from``. A step already planned on one of these dates for the
    role is updated, not duplicated."""

    _name = "bpo.staffing.ramp"
    _description = "Plan a Staffing Ramp"

    agreement_line_id = fields.Many2one(
        "bpo.agreement.line",
        string="Billing Rule",
        required=True,
        domain="[('staffing_mode', '=', 'fte_plan')]",
    )
    role_id = fields.Many2one("bpo.staffing.role", required=True)
    rate = fields.Float(string="Rate per FTE", digits="Product Price", required=True)
    date_from = fields.Date(string="First Step On", required=True)
    start_fte = fields.Float(string="Start FTE", digits="Product Unit of Measure", required=True)
    target_fte = fields.Float(string="Target FTE", digits="Product Unit of Measure", required=True)
    step_count = fields.Integer(string="Steps", default=4, required=True)
    interval = fields.Integer(string="One Step Every", default=1, required=True)
    interval_unit = fields.Selection(INTERVAL_UNITS, default="weeks", required=True)
    preview = fields.Text(compute="_compute_preview")

    @api.onchange("agreement_line_id")
    def _onchange_agreement_line_id(self):
        if self.agreement_line_id and not self.rate:
            self.rate = self.agreement_line_id.price_unit

    @api.depends("date_from", "start_fte", "target_fte", "step_count", "interval", "interval_unit")
    def _compute_preview(self):
        for ramp in self:
            if not ramp.date_from or ramp.step_count < 2 or ramp.interval < 1:
                ramp.preview = False
                continue
            ramp.preview = "\n".join(
                self.env._(
                    "%(date)s: %(fte)s FTE", date=format_date(self.env, day), fte=format(fte, ".2f")
                )
                for day, fte in ramp._steps()
            )

    def _steps(self):
        """[(date, FTE)]: equal increments from start to target, FTE rounded to the unit of
        measure precision, the last step exactly on target."""
        self.ensure_one()
        digits = self.env["decimal.precision"].precision_get("Product Unit of Measure")
        start, target = Fraction(str(self.start_fte)), Fraction(str(self.target_fte))
        last = self.step_count - 1
        return [
            (
                self.date_from + relativedelta(**{self.interval_unit: self.interval * index}),
                float_round(
                    float(start + (target - start) * Fraction(index, last)),
                    precision_digits=digits,
                ),
            )
            for index in range(self.step_count)
        ]

    def action_apply(self):
        self.ensure_one()
        if self.step_count < 2 or self.interval < 1:
            raise UserError(
                self.env._("A ramp needs at least 2 steps, at least 1 day, week or month apart.")
            )
        if self.start_fte < 0 or self.target_fte < 0 or self.rate < 0:
            raise UserError(self.env._("The FTE and the rate of a ramp cannot be negative."))
        plan = self.agreement_line_id.staffing_line_ids.filtered(
            lambda step: step.role_id == self.role_id
        )
        existing = {step.date_from: step for step in plan}
        to_create = []
        for day, fte in self._steps():
            if day in existing:
                existing[day].write({"fte": fte, "rate": self.rate})
            else:
                to_create.append(
                    {
                        "agreement_line_id": self.agreement_line_id.id,
                        "role_id": self.role_id.id,
                        "date_from": day,
                        "fte": fte,
                        "rate": self.rate,
                        "note": self.env._("Ramp"),
                    }
                )
        self.env["bpo.staffing.line"].create(to_create)
        return {"type": "ir.actions.act_window_close"}
