from odoo import api, fields, models
from odoo.exceptions import ValidationError


class BpoSla(models.Model):
    _name = "bpo.sla"
    _description = "BPO Service Level (KPI with Service Credits)"
    _order = "agreement_id, sequence, id"

    agreement_id = fields.Many2one("bpo.agreement", required=True, ondelete="cascade", index=True)
    partner_id = fields.Many2one(related="agreement_id.partner_id", store=True, string="Client")
    company_id = fields.Many2one(related="agreement_id.company_id", store=True, index=True)
    currency_id = fields.Many2one(related="agreement_id.currency_id")
    billing_frequency = fields.Selection(
        related="agreement_id.billing_frequency",
        string="Measurement Period",
        help="A KPI is measured once per billing period of its agreement.",
    )
    sequence = fields.Integer(default=10)
    active = fields.Boolean(default=True)
    name = fields.Char(string="KPI", required=True, translate=True)
    unit = fields.Char(help="How the measure is written on the invoice, e.g. %, s, min.")
    target = fields.Float(required=True, digits=(16, 4))
    direction = fields.Selection(
        [("higher", "Higher is better"), ("lower", "Lower is better")],
        required=True,
        default="higher",
        help="Higher is better: service level, first-contact resolution, QA score, uptime. "
        "Lower is better: average handle time, abandonment rate.",
    )
    line_ids = fields.Many2many(
        "bpo.agreement.line",
        "bpo_sla_agreement_line_rel",
        "sla_id",
        "line_id",
        string="Credited Fees",
        domain="[('agreement_id', '=', agreement_id)]",
        help="The billing rules whose period amount is the base of percentage credits. "
        "Empty: every rule of the agreement.",
    )
    credit_type = fields.Selection(
        [("percent", "% of the fee"), ("fixed", "Fixed amount")],
        required=True,
        default="percent",
    )
    tier_ids = fields.One2many("bpo.sla.tier", "sla_id", string="Credit Tiers", copy=True)
    measure_ids = fields.One2many("bpo.sla.measure", "sla_id", string="Measures")

    @api.constrains("line_ids", "agreement_id")
    def _check_lines(self):
        for sla in self:
            if sla.line_ids.agreement_id - sla.agreement_id:
                raise ValidationError(
                    self.env._(
                        "SLA %(sla)s: the credited fees must be billing rules of its own "
                        "agreement %(agreement)s.",
                        sla=sla.name,
                        agreement=sla.agreement_id.display_name,
                    )
                )

    @api.constrains("tier_ids")
    def _check_tiers(self):
        for sla in self:
            starts = sla.tier_ids.mapped("shortfall_from")
            if len(starts) != len(set(starts)):
                raise ValidationError(
                    self.env._(
                        "SLA %(sla)s: two credit tiers start at the same shortfall.", sla=sla.name
                    )
                )
