from odoo import fields, models


class BpoDunningLine(models.Model):
    """One reminder stage applied to one invoice: the run finds it next time and does
    nothing, so a stage is applied to an invoice at most once."""

    _name = "bpo.dunning.line"
    _description = "BPO Reminder Sent"
    _order = "date desc, id desc"

    move_id = fields.Many2one(
        "account.move", string="Invoice", required=True, ondelete="cascade", index=True
    )
    stage_id = fields.Many2one("bpo.dunning.stage", required=True, ondelete="restrict")
    policy_id = fields.Many2one(related="stage_id.policy_id", store=True)
    partner_id = fields.Many2one("res.partner", string="Client", index=True)
    company_id = fields.Many2one(related="move_id.company_id", store=True, index=True)
    currency_id = fields.Many2one(related="move_id.currency_id")
    date = fields.Date(required=True)
    days_late = fields.Integer(help="Days after the due date; negative before it.")
    open_amount = fields.Monetary(help="What was still due on the invoice that day.")
    fee_move_id = fields.Many2one("account.move", string="Fee Invoice", index="btree_not_null")
    fee_amount = fields.Monetary(related="fee_move_id.amount_total", string="Fee")
    interest_until = fields.Date(
        help="Last day the interest charged with this reminder covers; the next interest "
        "charge starts the day after."
    )
    mail_id = fields.Many2one("mail.mail", string="Email", index="btree_not_null")
    skipped = fields.Boolean(
        help="Skipped by hand from the follow-up: nothing was sent or charged."
    )

    _sql_constraints = [
        (
            "move_stage_uniq",
            "unique(move_id, stage_id)",
            "A reminder stage is applied to an invoice only once.",
        ),
    ]
