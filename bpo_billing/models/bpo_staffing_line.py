from odoo import api, fields, models
from odoo.exceptions import ValidationError
from odoo.tools import format_date


class BpoStaffingLine(models.Model):
    """One dated step of a staffing plan: from ``date_from`` on, ``fte`` people of a role at
    ``rate`` per FTE per full billing period, until the role's next step on the rule. A ramp
    is a series of steps; a step of 0 FTE stops the role."""

    _name = "bpo.staffing.line"
    _description = "BPO Staffing Plan Step"
    _order = "agreement_line_id, date_from, role_sequence, id"
    _check_company_auto = True

    agreement_line_id = fields.Many2one(
        "bpo.agreement.line",
        string="Billing Rule",
        required=True,
        ondelete="cascade",
        index=True,
        domain="[('staffing_mode', '=', 'fte_plan')]",
    )
    agreement_id = fields.Many2one(
        related="agreement_line_id.agreement_id", store=True, index=True, precompute=True
    )
    company_id = fields.Many2one(
        related="agreement_line_id.company_id", store=True, index=True, precompute=True
    )
    currency_id = fields.Many2one(related="agreement_line_id.currency_id")
    role_id = fields.Many2one("bpo.staffing.role", required=True)
    role_sequence = fields.Integer(related="role_id.sequence", store=True)
    date_from = fields.Date(string="From", required=True)
    fte = fields.Float(
        string="FTE",
        digits="Product Unit of Measure",
        required=True,
        help="Full-time equivalents of the role from this date on (0 stops the role).",
    )
    rate = fields.Float(
        string="Rate per FTE",
        digits="Product Price",
        required=True,
        help="Price of one FTE of this role for a full billing period; partial periods and "
        "mid-period changes are prorated by days.",
    )
    note = fields.Char()

    _sql_constraints = [
        (
            "step_uniq",
            "unique(agreement_line_id, role_id, date_from)",
            "A role has one staffing step per date on a billing rule.",
        ),
    ]

    @api.constrains("fte", "rate")
    def _check_values(self):
        for step in self:
            if step.fte < 0 or step.rate < 0:
                raise ValidationError(
                    self.env._(
                        "Agreement %(agreement)s, staffing of %(role)s from %(date)s: the FTE "
                        "and the rate cannot be negative.",
                        agreement=step.agreement_id.display_name,
                        role=step.role_id.display_name,
                        date=format_date(self.env, step.date_from),
                    )
                )

    @api.constrains("agreement_line_id")
    def _check_rule(self):
        for step in self:
            if step.agreement_line_id.staffing_mode != "fte_plan":
                raise ValidationError(
                    self.env._(
                        "Agreement %(agreement)s, line %(line)s: staffing steps need a rule "
                        "billed by FTE staffing plan.",
                        agreement=step.agreement_id.display_name,
                        line=step.agreement_line_id._label(),
                    )
                )

    def _describe(self):
        self.ensure_one()
        return self.env._(
            "%(role)s: %(fte)s FTE from %(date)s at %(rate)s",
            role=self.role_id.display_name,
            fte=self.fte,
            date=format_date(self.env, self.date_from),
            rate=self.rate,
        )

    def _by_agreement(self, texts):
        """{agreement: the texts of its steps, joined}: one chatter message per agreement."""
        by_agreement = {}
        for step, text in zip(self, texts, strict=True):
            by_agreement.setdefault(step.agreement_id, []).append(text)
        return {agreement: "; ".join(items) for agreement, items in by_agreement.items()}

    # a staffing plan changes what is billed: every change is posted on its agreement
    @api.model_create_multi
    def create(self, vals_list):
        steps = super().create(vals_list)
        for agreement, text in steps._by_agreement([step._describe() for step in steps]).items():
            agreement.message_post(body=self.env._("Staffing plan step added: %s", text))
        return steps

    def write(self, vals):
        before = [step._describe() for step in self]
        result = super().write(vals)
        if {"role_id", "date_from", "fte", "rate"} & set(vals):
            changes = [
                f"{old} → {step._describe()}" for old, step in zip(before, self, strict=True)
            ]
            for agreement, text in self._by_agreement(changes).items():
                agreement.message_post(body=self.env._("Staffing plan step changed: %s", text))
        return result

    def unlink(self):
        texts = self._by_agreement([step._describe() for step in self])
        for agreement, text in texts.items():
            agreement.message_post(body=self.env._("Staffing plan step removed: %s", text))
        return super().unlink()
