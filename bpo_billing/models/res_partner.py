from odoo import fields, models

AGEING_BUCKETS = ((0, "current"), (30, "1_30"), (60, "31_60"), (90, "61_90"))


class ResPartner(models.Model):
    _inherit = "res.partner"

    bpo_agreement_ids = fields.One2many("bpo.agreement", "partner_id", string="Agreements")
    bpo_dunning_opt_out = fields.Boolean(
        string="No Payment Reminders",
        help="Overdue invoices of this client get no reminder, fee or suspension.",
    )
    # Payment history: refreshed in SQL by _bpo_refresh_payment_history (nightly cron)
    bpo_avg_days_late = fields.Float(string="Average Days Late", readonly=True)
    bpo_on_time_rate = fields.Float(string="Paid on Time (%)", readonly=True)
    bpo_overdue_amount = fields.Monetary(
        string="Overdue Amount", readonly=True, currency_field="bpo_history_currency_id"
    )
    bpo_dso = fields.Float(string="DSO (90 days)", readonly=True)
    bpo_reliability_grade = fields.Selection(
        [("A", "A"), ("B", "B"), ("C", "C"), ("D", "D")],
        string="Payment Grade",
        readonly=True,
    )
    bpo_payment_trend = fields.Selection(
        [("better", "Improving"), ("stable", "Stable"), ("worse", "Worsening")],
        string="Payment Trend",
        readonly=True,
    )
    bpo_history_currency_id = fields.Many2one(
        "res.currency", string="History Currency", readonly=True
    )
    bpo_history_date = fields.Datetime(string="Payment History Refreshed", readonly=True)
    bpo_credit_hold = fields.Boolean(
        string="Credit Hold",
        tracking=True,
        help="No new invoice is generated for a client on credit hold.",
    )
    bpo_credit_hold_reason = fields.Char(string="Credit Hold Reason", tracking=True)
    bpo_agreement_count = fields.Integer(
        string="Agreement Count", compute="_compute_bpo_agreement_count"
    )

    def _compute_bpo_agreement_count(self):
        counts = dict(
            self.env["bpo.agreement"]._read_group(
                [("partner_id", "child_of", self.commercial_partner_id.ids)],
                ["partner_id"],
                ["__count"],
            )
        )
        for partner in self:
            partner.bpo_agreement_count = sum(
                count
                for agreement_partner, count in counts.items()
                if agreement_partner.commercial_partner_id == partner.commercial_partner_id
            )

    def action_view_bpo_agreements(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id("bpo_billing.action_bpo_agreement")
        action["domain"] = [("partner_id", "child_of", self.commercial_partner_id.id)]
        action["context"] = {"default_partner_id": self.commercial_partner_id.id}
        return action

    def _bpo_statement(self, date_ref=None):
        """The client's open customer invoices on ``date_ref`` (default: today), oldest
        first, with their days late and the amount due in each ageing bucket (company
        currency)."""
        self.ensure_one()
        date_ref = date_ref or fields.Date.context_today(self)
        invoices = self.env["account.move"].search(
            [
                ("commercial_partner_id", "=", self.commercial_partner_id.id),
                ("move_type", "in", ("out_invoice", "out_refund")),
                ("state", "=", "posted"),
                ("payment_state", "in", ("not_paid", "partial")),
            ],
            order="invoice_date_due, id",
        )
        ageing = dict.fromkeys(["current", "1_30", "31_60", "61_90", "90_plus"], 0.0)
        items = []
        for invoice in invoices:
            days_late = (date_ref - invoice.invoice_date_due).days
            bucket = next((name for limit, name in AGEING_BUCKETS if days_late <= limit), "90_plus")
            ageing[bucket] += invoice.amount_residual_signed
            items.append({"invoice": invoice, "days_late": max(days_late, 0), "bucket": bucket})
        currency = self.env.company.currency_id
        return {
            "items": items,
            "ageing": {name: currency.round(amount) for name, amount in ageing.items()},
            "total": currency.round(sum(ageing.values())),
            "currency": currency,
            "date": date_ref,
        }
