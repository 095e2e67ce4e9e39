from odoo import api, fields, models
from odoo.exceptions import ValidationError
from odoo.tools import format_amount

from ..pricing.fees import FEE_TYPES

FEE_TYPE_LABELS = {
    "none": "No fee",
    "fixed": "Fixed amount",
    "percent": "Percentage of the open amount",
    "interest": "Interest (annual rate, per day late)",
}


class BpoDunningStage(models.Model):
    _name = "bpo.dunning.stage"
    _description = "BPO Reminder Stage"
    _order = "policy_id, offset_days, sequence, id"

    policy_id = fields.Many2one("bpo.dunning.policy", required=True, ondelete="cascade", index=True)
    company_id = fields.Many2one(related="policy_id.company_id", store=True)
    sequence = fields.Integer(default=10)
    name = fields.Char(required=True, translate=True)
    offset_days = fields.Integer(
        string="Days After Due Date",
        required=True,
        help="The stage is reached this many days after the due date; a negative number "
        "sends a courtesy reminder before the invoice falls due.",
    )
    mail_template_id = fields.Many2one(
        "mail.template",
        string="Email Template",
        domain="[('model', '=', 'res.partner')]",
    )
    fee_type = fields.Selection(
        [(fee_type, FEE_TYPE_LABELS[fee_type]) for fee_type in FEE_TYPES],
        required=True,
        default="none",
    )
    fee_amount = fields.Float(
        digits="Account",
        help="Fixed amount in the invoice's currency, percentage of the open amount, or annual "
        "interest rate in percent, depending on the fee type.",
    )
    fee_product_id = fields.Many2one(
        "product.product",
        domain="[('type', '=', 'service')]",
        help="The service the fee is invoiced as (its income account and taxes apply).",
    )
    create_activity = fields.Boolean(
        string="Schedule Activity",
        help="Schedule an activity for the agreement's responsible when the stage is applied.",
    )
    suspend_agreement = fields.Boolean(
        help="Suspend the agreement (no more invoices are generated) when the stage is applied.",
    )

    _sql_constraints = [
        (
            "policy_offset_uniq",
            "unique(policy_id, offset_days)",
            "Two stages of a reminder policy cannot fall on the same day.",
        ),
    ]

    @api.constrains("fee_type", "fee_amount", "fee_product_id")
    def _check_fee(self):
        for stage in self:
            if stage.fee_amount < 0:
                raise ValidationError(
                    self.env._(
                        "Reminder policy %(policy)s, stage %(stage)s: the Fee Amount cannot be "
                        "negative.",
                        policy=stage.policy_id.display_name,
                        stage=stage.name,
                    )
                )
            if stage.fee_type != "none" and not (stage.fee_amount and stage.fee_product_id):
                raise ValidationError(
                    self.env._(
                        "Reminder policy %(policy)s, stage %(stage)s: a fee needs a Fee Amount "
                        "and a Fee Product.",
                        policy=stage.policy_id.display_name,
                        stage=stage.name,
                    )
                )

    def _fee_terms(self, currency):
        """This stage's fee in plain words, e.g. "From 15 days after the due date, a fee of
        $ 40.00 is charged."."""
        self.ensure_one()
        amount = format_amount(self.env, self.fee_amount, currency)
        if self.fee_type == "fixed":
            return self.env._(
                "From %(days)s days after the due date, a fee of %(amount)s is charged.",
                days=self.offset_days,
                amount=amount,
            )
        if self.fee_type == "percent":
            return self.env._(
                "From %(days)s days after the due date, a fee of %(rate)s%% of the amount due "
                "is charged.",
                days=self.offset_days,
                rate=self.fee_amount,
            )
        return self.env._(
            "From %(days)s days after the due date, interest of %(rate)s%% a year is charged "
            "on the amount due for each day late.",
            days=self.offset_days,
            rate=self.fee_amount,
        )
