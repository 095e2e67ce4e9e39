from odoo import api, fields, models
from odoo.exceptions import ValidationError
from odoo.tools import SQL


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
    bpo_sla_id = fields.Many2one(
        "bpo.sla", string="Service Level", readonly=True, copy=False, index="btree_not_null"
    )
    bpo_line_kind = fields.Selection(
        [
            ("charge", "Charge"),
            ("true_up", "Minimum True-up"),
            ("cap", "Cap"),
            ("pass_through", "Pass-through Cost"),
            ("sla_credit", "Service Credit"),
            ("sla_earn_back", "Service Credit Earn-back"),
            ("usage_adjustment", "Usage Adjustment"),
        ],
        string="Billing Line Kind",
        readonly=True,
        copy=False,
        help="What the pricing module billed with this line: the rule's charge, the true-up "
        "to its minimum commitment, or the reduction to its cap.",
    )

    # pass-through costs: a vendor bill line re-billed to an agreement's client, once
    bpo_rebill_agreement_id = fields.Many2one(
        "bpo.agreement",
        string="Re-bill to Agreement",
        copy=False,
        index="btree_not_null",
        domain="[('company_id', '=', company_id), ('state', 'in', ('draft', 'active'))]",
        help="Re-bill this vendor cost to the agreement's client, at cost or with the "
        "agreement's markup, on its next invoice.",
    )
    bpo_rebill_source_id = fields.Many2one(
        "account.move.line",
        string="Re-billed Cost",
        readonly=True,
        copy=False,
        index="btree_not_null",
        help="The vendor bill line this customer invoice line re-bills.",
    )
    bpo_rebill_line_ids = fields.One2many("account.move.line", "bpo_rebill_source_id")
    bpo_rebilled_line_id = fields.Many2one(
        "account.move.line",
        string="Re-billed on",
        compute="_compute_bpo_rebilled_line_id",
        store=True,
        copy=False,
        help="The customer invoice line that re-billed this cost (a cancelled invoice frees it).",
    )

    def init(self):
        result = super().init()
        # billed once: one live customer line per re-billed cost, whatever runs at once
        self.env.cr.execute(
            SQL(
                """CREATE UNIQUE INDEX IF NOT EXISTS account_move_line_bpo_rebill_once
                ON account_move_line (bpo_rebill_source_id)
                WHERE bpo_rebill_source_id IS NOT NULL AND parent_state != 'cancel'"""
            )
        )
        return result

    @api.depends("bpo_rebill_line_ids.parent_state")
    def _compute_bpo_rebilled_line_id(self):
        for line in self:
            line.bpo_rebilled_line_id = line.bpo_rebill_line_ids.filtered(
                lambda rebill: rebill.parent_state != "cancel"
            )[:1]

    @api.constrains("bpo_rebill_agreement_id")
    def _check_bpo_rebill_agreement(self):
        for line in self:
            invoice = line.bpo_rebilled_line_id.move_id
            if invoice and invoice.bpo_agreement_id != line.bpo_rebill_agreement_id:
                raise ValidationError(
                    self.env._(
                        "%(cost)s was already re-billed on %(invoice)s; it stays with its "
                        "agreement.",
                        cost=line.display_name,
                        invoice=invoice.display_name,
                    )
                )
            if not line.bpo_rebill_agreement_id:
                continue
            if line.move_id.move_type != "in_invoice":
                raise ValidationError(
                    self.env._(
                        "Only vendor bill lines are re-billed to an agreement (%(line)s).",
                        line=line.display_name,
                    )
                )
            if line.bpo_rebill_agreement_id.company_id != line.company_id:
                raise ValidationError(
                    self.env._(
                        "%(line)s: the agreement %(agreement)s belongs to another company.",
                        line=line.display_name,
                        agreement=line.bpo_rebill_agreement_id.display_name,
                    )
                )
