"""A client's dispute of an invoice: open -> under review -> accepted (a credit note for
the accepted amount, Odoo's reversal) or rejected (the client is told why). While a dispute
is open or under review its invoice is ``bpo_disputed`` and gets no reminder."""

from odoo import api, fields, models

OPEN_STATES = ("open", "review")


class BpoDispute(models.Model):
    _name = "bpo.dispute"
    _description = "Invoice Dispute"
    _inherit = ["mail.thread", "mail.activity.mixin"]
    _order = "date desc, id desc"
    _check_company_auto = True

    name = fields.Char(string="Reference", readonly=True, copy=False, default="/")
    move_id = fields.Many2one(
        "account.move",
        string="Invoice",
        required=True,
        index=True,
        ondelete="cascade",
        check_company=True,
        domain="[('move_type', '=', 'out_invoice'), ('state', '=', 'posted')]",
        tracking=True,
    )
    partner_id = fields.Many2one(
        "res.partner",
        string="Client",
        related="move_id.commercial_partner_id",
        store=True,
        index=True,
    )
    agreement_id = fields.Many2one(
        related="move_id.bpo_agreement_id", string="Agreement", store=True, index=True
    )
    company_id = fields.Many2one(related="move_id.company_id", store=True, index=True)
    currency_id = fields.Many2one(related="move_id.currency_id", store=True)
    move_line_ids = fields.Many2many(
        "account.move.line",
        string="Lines Concerned",
        domain="[('move_id', '=', move_id), ('display_type', '=', 'product')]",
    )
    amount = fields.Monetary(string="Disputed Amount", required=True, tracking=True)
    reason = fields.Text(string="Client's Reason", required=True)
    date = fields.Date(
        string="Opened On", required=True, default=fields.Date.context_today, readonly=True
    )
    date_closed = fields.Date(string="Closed On", readonly=True, copy=False)
    state = fields.Selection(
        [
            ("open", "Open"),
            ("review", "Under Review"),
            ("accepted", "Accepted"),
            ("rejected", "Rejected"),
        ],
        default="open",
        required=True,
        readonly=True,
        tracking=True,
        group_expand=True,
    )
    accepted_amount = fields.Monetary(string="Accepted Amount", tracking=True, copy=False)
    credit_note_id = fields.Many2one(
        "account.move", string="Credit Note", readonly=True, copy=False
    )
    rejection_reason = fields.Text(string="Reason for Rejection", copy=False)
    source = fields.Selection(
        [("portal", "Client Portal"), ("backend", "Accountant")],
        default="backend",
        required=True,
        readonly=True,
    )

    @api.model
    def _open_states(self):
        return OPEN_STATES
