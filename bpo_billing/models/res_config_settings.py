from odoo import fields, models


class ResConfigSettings(models.TransientModel):
    _inherit = "res.config.settings"

    bpo_activate_from_sale = fields.Boolean(
        related="company_id.bpo_activate_from_sale", readonly=False
    )
    bpo_dunning_policy_id = fields.Many2one(
        related="company_id.bpo_dunning_policy_id", readonly=False
    )
    bpo_dunning_all_invoices = fields.Boolean(
        related="company_id.bpo_dunning_all_invoices", readonly=False
    )
