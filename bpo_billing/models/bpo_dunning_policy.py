from odoo import api, fields, models


class BpoDunningPolicy(models.Model):
    _name = "bpo.dunning.policy"
    _description = "BPO Reminder Policy"
    _order = "name, id"
    _check_company_auto = True

    name = fields.Char(required=True, translate=True)
    active = fields.Boolean(default=True)
    company_id = fields.Many2one(
        "res.company",
        index=True,
        help="Leave empty to use the policy in every company.",
    )
    stage_ids = fields.One2many("bpo.dunning.stage", "policy_id", string="Stages", copy=True)
    minimum_amount = fields.Monetary(
        string="Minimum Open Amount",
        currency_field="currency_id",
        help="Invoices with less than this still to pay get no reminder.",
    )
    currency_id = fields.Many2one(
        "res.currency",
        compute="_compute_currency_id",
        help="The company's currency, in which the minimum open amount is expressed.",
    )

    def _compute_currency_id(self):
        for policy in self:
            policy.currency_id = (policy.company_id or self.env.company).currency_id

    def _late_fee_terms(self, currency):
        """The late-payment rule of this policy in plain words, for the invoice: one
        sentence per stage that charges a fee."""
        self.ensure_one()
        return " ".join(
            stage._fee_terms(currency) for stage in self.stage_ids if stage.fee_type != "none"
        )

    @api.model
    def _cron_run_dunning(self):
        """Scheduler entry: the nightly reminder run, as the scheduler's user."""
        return self.env["account.move"]._bpo_run_dunning()
