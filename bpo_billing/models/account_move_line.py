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
    bpo_line_kind = fields.Selection(
        [("charge", "Charge"), ("true_up", "Minimum True-up"), ("cap", "Cap")],
        string="Billing Line Kind",
        readonly=True,
        copy=False,
        help="What the pricing module billed with this line: the rule's charge, the true-up "
        "to its minimum commitment, or the reduction to its cap.",
    )
