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

    def _bpo_late_fee_terms(self):
        """The late-payment rule printed on an agreement's invoice, or an empty string."""
        self.ensure_one()
        agreement = self.bpo_agreement_id
        if not (agreement.late_fees and agreement.dunning_policy_id):
            return ""
        return agreement.dunning_policy_id._late_fee_terms(self.currency_id)
