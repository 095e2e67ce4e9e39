from odoo import api, fields, models

from ..pricing import periods
from ..pricing import sla as sla_pricing


class BpoSlaMeasure(models.Model):
    _name = "bpo.sla.measure"
    _description = "BPO Measured KPI"
    _inherit = ["mail.thread"]
    _order = "period_start desc, sla_id, id"

    sla_id = fields.Many2one(
        "bpo.sla", string="KPI", required=True, ondelete="cascade", index=True, tracking=True
    )
    agreement_id = fields.Many2one(related="sla_id.agreement_id", store=True, index=True)
    partner_id = fields.Many2one(related="sla_id.partner_id", store=True, string="Client")
    company_id = fields.Many2one(related="sla_id.company_id", store=True, index=True)
    date = fields.Date(
        required=True,
        default=fields.Date.context_today,
        tracking=True,
        help="Any day of the measured period; the measure counts for the whole billing period.",
    )
    period_start = fields.Date(compute="_compute_period", store=True, string="Period From")
    period_end = fields.Date(compute="_compute_period", store=True, string="Period To")
    value = fields.Float(string="Measured", digits=(16, 4), required=True, tracking=True)
    unit = fields.Char(related="sla_id.unit")
    target = fields.Float(related="sla_id.target")
    target_met = fields.Boolean(compute="_compute_target_met", store=True)
    external_ref = fields.Char(
        string="External Reference",
        help="Identifier of the measure in the source system (WFM, ACD, ITSM). Sending the same "
        "reference again for a KPI updates the measure instead of adding one.",
    )
    note = fields.Char()

    _sql_constraints = [
        (
            "sla_period_uniq",
            "unique(sla_id, period_start)",
            "A KPI has one measure per billing period.",
        ),
        (
            "external_ref_uniq",
            "unique(sla_id, external_ref)",
            "This external reference was already recorded for the KPI.",
        ),
    ]

    @api.depends("date", "sla_id.agreement_id.billing_frequency")
    def _compute_period(self):
        for measure in self:
            frequency = measure.sla_id.agreement_id.billing_frequency
            if measure.date and frequency:
                measure.period_start, measure.period_end = periods.period_bounds(
                    measure.date, frequency
                )
            else:
                measure.period_start = measure.period_end = False

    @api.depends("value", "sla_id.target", "sla_id.direction")
    def _compute_target_met(self):
        for measure in self:
            measure.target_met = bool(measure.sla_id) and sla_pricing.meets_target(
                measure.value, measure.sla_id.target, measure.sla_id.direction
            )

    @api.model_create_multi
    def create(self, vals_list):
        """Record measures. A row whose ``external_ref`` is already recorded for its KPI
        updates that measure (value, date, note) instead: importing or sending the same
        figures twice records them once. Measures of periods already invoiced give their
        credit at once (on the draft invoice, else by credit note)."""
        existing = self._find_by_reference(vals_list)
        new_vals = [vals for vals in vals_list if self._reference_key(vals) not in existing]
        created = iter(super().create(new_vals) if new_vals else self.browse())
        measures = self.browse()
        for vals in vals_list:
            key = self._reference_key(vals)
            if key in existing:
                measure = existing[key]
                updates = {
                    field: vals[field] for field in ("value", "date", "note") if field in vals
                }
                measure.write(updates)
                measures |= measure
            else:
                measures |= next(created)
        if new_vals:
            measures.agreement_id._sla_settle_billed_periods(measures)
        return measures

    def write(self, vals):
        result = super().write(vals)
        if {"value", "date", "sla_id"} & set(vals):
            self.agreement_id._sla_settle_billed_periods(self)
        return result

    @api.model
    def _reference_key(self, vals):
        return (vals.get("sla_id"), vals.get("external_ref")) if vals.get("external_ref") else None

    @api.model
    def _find_by_reference(self, vals_list):
        keys = {key for vals in vals_list if (key := self._reference_key(vals))}
        if not keys:
            return {}
        found = self.search(
            [
                ("sla_id", "in", [sla_id for sla_id, _ref in keys]),
                ("external_ref", "in", [ref for _sla_id, ref in keys]),
            ]
        )
        return {
            key: measure
            for measure in found
            if (key := (measure.sla_id.id, measure.external_ref)) in keys
        }

    def action_settle_credit(self):
        """Button: give now the credit these measures earn on periods already invoiced (a
        line on a draft invoice, else a credit note); nothing when it was already given."""
        self.agreement_id._sla_settle_billed_periods(self)
        return True
