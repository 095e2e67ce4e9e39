"""A client's dispute of an invoice: open -> under review -> accepted (a credit note for
the accepted amount, Odoo's reversal) or rejected (the client is told why). While a dispute
is open or under review its invoice is ``bpo_disputed`` and gets no reminder."""

from markupsafe import Markup

from odoo import Command, api, fields, models
from odoo.exceptions import UserError, ValidationError
from odoo.tools import format_amount

from ..pricing import split_credit

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
    accepted_amount = fields.Monetary(
        string="Accepted Amount (tax excl.)",
        tracking=True,
        copy=False,
        help="Credited on a credit note spread over the lines concerned, taxes added by Odoo.",
    )
    days_open = fields.Integer(compute="_compute_days_open")
    credit_note_id = fields.Many2one("account.move", readonly=True, copy=False)
    rejection_reason = fields.Text(string="Reason for Rejection", copy=False)
    source = fields.Selection(
        [("portal", "Client Portal"), ("backend", "Accountant")],
        default="backend",
        required=True,
        readonly=True,
    )

    _sql_constraints = [
        ("amount_positive", "CHECK (amount > 0)", "A disputed amount must be positive."),
    ]

    @api.depends("date", "date_closed")
    def _compute_days_open(self):
        today = fields.Date.context_today(self)
        for dispute in self:
            dispute.days_open = ((dispute.date_closed or today) - dispute.date).days

    @api.constrains("amount", "move_id")
    def _check_amount(self):
        for dispute in self:
            if dispute.amount > dispute.move_id.amount_total:
                raise ValidationError(
                    self.env._(
                        "Dispute %(dispute)s: the disputed amount %(amount)s exceeds the total "
                        "of invoice %(invoice)s (%(total)s).",
                        dispute=dispute.name,
                        amount=format_amount(self.env, dispute.amount, dispute.currency_id),
                        invoice=dispute.move_id.name,
                        total=format_amount(
                            self.env, dispute.move_id.amount_total, dispute.currency_id
                        ),
                    )
                )

    @api.constrains("move_id", "move_line_ids")
    def _check_invoice(self):
        for dispute in self:
            invoice = dispute.move_id
            if invoice.move_type != "out_invoice" or invoice.state != "posted":
                raise ValidationError(
                    self.env._(
                        "Dispute %(dispute)s: only a posted customer invoice can be disputed, "
                        "not %(invoice)s.",
                        dispute=dispute.name,
                        invoice=invoice.display_name,
                    )
                )
            if dispute.move_line_ids.move_id - invoice:
                raise ValidationError(
                    self.env._(
                        "Dispute %(dispute)s: the lines concerned must be lines of invoice "
                        "%(invoice)s.",
                        dispute=dispute.name,
                        invoice=invoice.name,
                    )
                )

    @api.model_create_multi
    def create(self, vals_list):
        for vals in vals_list:
            if vals.get("name", "/") == "/":
                vals["name"] = self.env["ir.sequence"].next_by_code("bpo.dispute") or "/"
        disputes = super().create(vals_list)
        disputes._log_on_invoices(self.env._("Dispute %(dispute)s opened: %(reason)s"))
        return disputes

    # ------------------------------------------------------------------ steps

    def action_review(self):
        self._check_state(("open",))
        self.state = "review"
        self._log_on_invoices(self.env._("Dispute %(dispute)s is under review."))
        return True

    def action_accept(self):
        """Credit the accepted amount on a posted credit note reconciled with the invoice."""
        self._check_state(OPEN_STATES)
        for dispute in self:
            dispute.credit_note_id = dispute._create_credit_note()
            dispute.write({"state": "accepted", "date_closed": fields.Date.context_today(self)})
            dispute._log_on_invoices(
                self.env._("Dispute %(dispute)s accepted: credit note %(credit_note)s.")
            )
            dispute._notify_client(
                self.env._(
                    "We have accepted your dispute %(dispute)s of invoice %(invoice)s and "
                    "issued the credit note %(credit_note)s.",
                    dispute=dispute.name,
                    invoice=dispute.move_id.name,
                    credit_note=dispute.credit_note_id.name,
                )
            )
        return True

    def action_reject(self):
        """Close the dispute without credit and tell the client why."""
        self._check_state(OPEN_STATES)
        for dispute in self:
            if not (dispute.rejection_reason or "").strip():
                raise UserError(
                    self.env._(
                        "Dispute %(dispute)s: write the reason for rejection first; the client "
                        "receives it.",
                        dispute=dispute.name,
                    )
                )
        self.write({"state": "rejected", "date_closed": fields.Date.context_today(self)})
        for dispute in self:
            dispute._log_on_invoices(self.env._("Dispute %(dispute)s rejected."))
            dispute._notify_client(
                self.env._(
                    "We have reviewed your dispute %(dispute)s of invoice %(invoice)s and cannot "
                    "accept it: %(reason)s",
                    dispute=dispute.name,
                    invoice=dispute.move_id.name,
                    reason=dispute.rejection_reason,
                )
            )
        return True

    def action_view_credit_note(self):
        self.ensure_one()
        return self.credit_note_id._get_records_action()

    # ------------------------------------------------------------------ helpers

    def _check_state(self, allowed):
        for dispute in self:
            if dispute.state not in allowed:
                raise UserError(
                    self.env._(
                        "Dispute %(dispute)s is %(state)s: this step is not possible any more.",
                        dispute=dispute.name,
                        state=dict(self._fields["state"]._description_selection(self.env))[
                            dispute.state
                        ],
                    )
                )

    def _credited_lines(self):
        """The charged invoice lines the credit note takes back: those concerned, or all."""
        self.ensure_one()
        charged = self.move_id.invoice_line_ids.filtered(
            lambda line: line.display_type == "product" and line.price_subtotal > 0
        )
        # credits already on the invoice (service credits, caps) are not credited again
        return (self.move_line_ids & charged) or charged

    def _prepare_credit_lines(self):
        """One credit-note line per line concerned: its product, account, taxes and
        analytics, for its share of the accepted amount (tax excluded)."""
        lines = self._credited_lines()
        subtotals = [line.price_subtotal for line in lines]
        if self.accepted_amount <= 0:
            raise UserError(
                self.env._(
                    "Dispute %(dispute)s: set the accepted amount (tax excluded) before "
                    "accepting it.",
                    dispute=self.name,
                )
            )
        try:
            shares = split_credit(self.accepted_amount, subtotals, self.currency_id.rounding)
        except ValueError:
            raise UserError(
                self.env._(
                    "Dispute %(dispute)s: the accepted amount %(amount)s exceeds the lines "
                    "concerned (%(total)s tax excluded).",
                    dispute=self.name,
                    amount=format_amount(self.env, self.accepted_amount, self.currency_id),
                    total=format_amount(self.env, sum(subtotals), self.currency_id),
                )
            ) from None
        return [
            {
                "product_id": line.product_id.id,
                "name": self.env._(
                    "%(dispute)s: %(line)s", dispute=self.name, line=line.name or ""
                ),
                "account_id": line.account_id.id,
                "quantity": 1,
                "price_unit": float(share),
                "tax_ids": [Command.set(line.tax_ids.ids)],
                "analytic_distribution": line.analytic_distribution,
                "bpo_agreement_line_id": line.bpo_agreement_line_id.id,
                "bpo_period_start": line.bpo_period_start,
                "bpo_period_end": line.bpo_period_end,
            }
            for line, share in zip(lines, shares, strict=True)
            if share
        ]

    def _create_credit_note(self):
        """Odoo's reversal of the invoice, its lines replaced by the accepted shares, posted
        and reconciled with the invoice's open amount."""
        self.ensure_one()
        invoice = self.move_id
        line_values = self._prepare_credit_lines()
        today = fields.Date.context_today(self)
        credit_note = invoice._reverse_moves(
            [
                {
                    "ref": self.env._(
                        "Dispute %(dispute)s of %(invoice)s",
                        dispute=self.name,
                        invoice=invoice.name,
                    ),
                    "date": today,
                    "invoice_date": today,
                }
            ]
        )
        credit_note.write(
            {
                "invoice_line_ids": [Command.clear()]
                + [Command.create(values) for values in line_values]
            }
        )
        credit_note.action_post()
        receivable = (invoice | credit_note).line_ids.filtered(
            lambda line: line.account_id.account_type == "asset_receivable" and not line.reconciled
        )
        if invoice.payment_state in ("not_paid", "partial"):
            receivable.reconcile()
        return credit_note

    def _log_on_invoices(self, message):
        """The same step written in the chatter of each dispute and of its invoice."""
        for dispute in self:
            body = message % {
                "dispute": dispute.name,
                "reason": dispute.reason,
                "credit_note": dispute.credit_note_id.name,
            }
            dispute.message_post(body=body)
            dispute.move_id.message_post(body=Markup("%s %s") % (dispute._get_html_link(), body))

    def _notify_client(self, body):
        """An email to the client's contact for invoices, kept in the dispute's chatter."""
        client = self.move_id.partner_id
        contact = self.env["res.partner"].browse(client.address_get(["invoice"])["invoice"])
        self.message_post(
            body=body,
            partner_ids=contact.ids,
            message_type="comment",
            subtype_xmlid="mail.mt_comment",
        )
