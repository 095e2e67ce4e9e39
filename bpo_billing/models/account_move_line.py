from odoo import fields, models


class AccountMoveLine(models.Model):
    _inherit = "account.move.line"

    bpo_agreement_line_id = fields.Many2one(
        "bpo.agreement.line",
        string="Billing Rule",
        readonly=True,
        copy=False,
        index="btree_not_null",
    )
    bpo_period_start = fields.Date(string="Service From", copy=False)
    bpo_period_end = fields.Date(string="Service To", copy=False)
