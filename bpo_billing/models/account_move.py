from odoo import fields, models


class AccountMove(models.Model):
    _inherit = "account.move"

    bpo_agreement_id = fields.Many2one(
        "bpo.agreement",
        string="Agreement",
        readonly=True,
        copy=False,
        index="btree_not_null",
        help="The BPO service agreement this invoice bills.",
    )
    bpo_period_id = fields.Many2one(
        "bpo.billing.period",
        string="Billed Period",
        readonly=True,
        copy=False,
        index="btree_not_null",
    )
