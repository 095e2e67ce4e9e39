from odoo import api, fields, models
from odoo.exceptions import ValidationError


class BpoSlaTier(models.Model):
    _name = "bpo.sla.tier"
    _description = "BPO Service Credit Tier"
    _order = "sla_id, shortfall_from"

    sla_id = fields.Many2one("bpo.sla", required=True, ondelete="cascade", index=True)
    company_id = fields.Many2one(related="sla_id.company_id", store=True)
    currency_id = fields.Many2one(related="sla_id.currency_id")
    shortfall_from = fields.Float(
        digits=(16, 4),
        help="A measure missing the target by this much or more reaches this tier (the tier "
        "with the highest start reached applies). 0: any miss.",
    )
    credit_percent = fields.Float(
        string="Credit (%)", digits=(16, 4), help="Share of the credited fees given back."
    )
    credit_amount = fields.Monetary(help="For fixed-amount credits.")

    @api.constrains("shortfall_from", "credit_percent", "credit_amount")
    def _check_values(self):
        for tier in self:
            if min(tier.shortfall_from, tier.credit_percent, tier.credit_amount) < 0:
                raise ValidationError(
                    self.env._(
                        "SLA %(sla)s: a credit tier's shortfall, percentage and amount cannot "
                        "be negative.",
                        sla=tier.sla_id.name,
                    )
                )
            if tier.credit_percent > 100:
                raise ValidationError(
                    self.env._(
                        "SLA %(sla)s: a credit tier cannot give back more than 100 %% of the fee.",
                        sla=tier.sla_id.name,
                    )
                )
