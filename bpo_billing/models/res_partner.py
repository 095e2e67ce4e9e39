import json
from datetime import timedelta

from dateutil.relativedelta import relativedelta

from odoo import api, fields, models
from odoo.exceptions import AccessError, ValidationError
from odoo.tools import SQL, format_date, split_every, sql

AGEING_BUCKETS = ((0, "current"), (30, "1_30"), (60, "31_60"), (90, "61_90"))
DEFAULT_HISTORY_BATCH_SIZE = 1000
GRAPH_MONTHS = 12
# company-dependent columns written by _bpo_refresh_payment_history, from the statistics query
HISTORY_COLUMNS = {
    "bpo_avg_days_late": "avg_days_late",
    "bpo_on_time_rate": "on_time_rate",
    "bpo_overdue_amount": "overdue_amount",
    "bpo_dso": "dso",
    "bpo_reliability_grade": "grade",
    "bpo_payment_trend": "trend",
}
CREDIT_HOLD_FIELDS = {"bpo_credit_hold", "bpo_credit_hold_reason"}


class ResPartner(models.Model):
    _inherit = "res.partner"

    bpo_agreement_ids = fields.One2many("bpo.agreement", "partner_id", string="Agreements")
    bpo_dunning_opt_out = fields.Boolean(
        string="No Payment Reminders",
        help="Overdue invoices of this client get no reminder, fee or suspension.",
    )
    # Payment history, per company (amounts in its currency): written in SQL by
    # _bpo_refresh_payment_history; the rules are in report/bpo_payment_history.py
    bpo_avg_days_late = fields.Float(
        string="Average Days Late",
        company_dependent=True,
        readonly=True,
        copy=False,
        help="Amount-weighted average days late of the invoice amounts due in the last 365 "
        "days: paid ones by their payment date, still open ones as of the refresh date.",
        groups="base.group_user",
    )
    bpo_on_time_rate = fields.Float(
        string="Paid on Time (%)",
        company_dependent=True,
        readonly=True,
        copy=False,
        help="Share of the invoice amounts due in the last 365 days paid by their due date.",
        groups="base.group_user",
    )
    bpo_overdue_amount = fields.Float(
        string="Overdue Amount",
        company_dependent=True,
        readonly=True,
        copy=False,
        help="Open amount of the client's invoices past due on the refresh date.",
        groups="base.group_user",
    )
    bpo_dso = fields.Float(
        string="DSO (90 days)",
        company_dependent=True,
        readonly=True,
        copy=False,
        help="Days sales outstanding: receivable balance / credit sales of the last 90 days × 90.",
        groups="base.group_user",
    )
    bpo_reliability_grade = fields.Selection(
        [("A", "A"), ("B", "B"), ("C", "C"), ("D", "D")],
        string="Payment Grade",
        company_dependent=True,
        readonly=True,
        copy=False,
        help="A: at least 90 % paid on time and 5 days late on average at most; B: 75 % and "
        "15 days; C: 50 % and 30 days; D: worse. Empty without invoices due in the last year.",
        groups="base.group_user",
    )
    bpo_payment_trend = fields.Selection(
        [("better", "Improving"), ("stable", "Stable"), ("worse", "Worsening")],
        string="Payment Trend",
        company_dependent=True,
        readonly=True,
        copy=False,
        help="Average days late of the last 90 days against the 90 days before: improving or "
        "worsening by more than 2 days, else stable.",
        groups="base.group_user",
    )
    bpo_history_currency_id = fields.Many2one(
        "res.currency", string="History Currency", compute="_compute_bpo_history_currency_id"
    )
    bpo_history_date = fields.Date(
        string="Payment History As Of",
        readonly=True,
        copy=False,
        help="Reference date of the payment figures: refreshed every night and on demand.",
        groups="base.group_user",
    )
    bpo_payment_graph = fields.Text(
        compute="_compute_bpo_payment_graph", groups="bpo_billing.group_bpo_user"
    )
    bpo_credit_hold = fields.Boolean(
        string="Credit Hold",
        tracking=True,
        copy=False,
        help="No new invoice is generated for a client on credit hold.",
        groups="base.group_user",
    )
    bpo_credit_hold_reason = fields.Char(
        string="Credit Hold Reason", tracking=True, copy=False, groups="base.group_user"
    )
    bpo_credit_hold_by_dunning = fields.Boolean(
        string="Credit Hold by Reminders",
        readonly=True,
        copy=False,
        groups="base.group_user",
        help="Set by a reminder stage that suspends agreements; released when the client has "
        "paid the invoices that reached it.",
    )
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

    # ------------------------------------------------------------------ payment history

    def _auto_init(self):
        # the pre-release scaffold kept one figure for all companies in plain columns, which
        # PostgreSQL cannot cast to per-company jsonb: drop them (derived data, recomputed by
        # the next refresh) and let the ORM create them anew
        columns = sql.table_columns(self.env.cr, self._table)
        for fname in HISTORY_COLUMNS:
            if fname in columns and columns[fname]["udt_name"] != "jsonb":
                self.env.cr.execute(
                    SQL(
                        "ALTER TABLE %s DROP COLUMN %s",
                        SQL.identifier(self._table),
                        SQL.identifier(fname),
                    )
                )
        return super()._auto_init()

    @api.depends_context("company")
    def _compute_bpo_history_currency_id(self):
        self.bpo_history_currency_id = self.env.company.currency_id

    @api.depends("bpo_history_date")
    @api.depends_context("company")
    def _compute_bpo_payment_graph(self):
        for partner in self:
            partner.bpo_payment_graph = json.dumps(partner._bpo_payment_graph_data())

    def _bpo_payment_graph_data(self):
        """Data of the small bar chart on the client form (``dashboard_graph`` widget): the
        average days late of each of the 12 months up to the figures' date, this company."""
        self.ensure_one()
        date_to = self.bpo_history_date or fields.Date.context_today(self)
        first_month = date_to.replace(day=1) - relativedelta(months=GRAPH_MONTHS - 1)
        days_late = {}
        if self.id:
            self.env.cr.execute(
                self.env["bpo.payment.history"]._get_monthly_days_late_query(
                    self.commercial_partner_id.id, self.env.company.id, first_month, date_to
                )
            )
            days_late = dict(self.env.cr.fetchall())
        months = [first_month + relativedelta(months=index) for index in range(GRAPH_MONTHS)]
        values = [
            {
                "label": format_date(self.env, month, date_format="MMM yy"),
                "value": round(float(days_late.get(month, 0)), 1),
                "type": "past",
            }
            for month in months
        ]
        return [{"key": self.env._("Average days late"), "values": values}]

    def _bpo_refresh_payment_history(self, date_ref=None):
        """Recompute, in one SQL statement, the payment figures of the commercial partners of
        ``self`` in every company, as of ``date_ref`` (default: today). Rules: see
        ``report/bpo_payment_history.py``. Safe to re-run: the figures are overwritten."""
        clients = self.commercial_partner_id
        if not clients:
            return
        date_ref = date_ref or fields.Date.context_today(self)
        self.env.flush_all()
        statistics = self.env["bpo.payment.history"]._get_partner_statistics_query(
            clients.ids, date_ref
        )
        per_company = SQL(", ").join(
            SQL(
                """jsonb_strip_nulls(jsonb_object_agg(stats.company_id::text, stats.%s)
                   FILTER (WHERE stats.company_id IS NOT NULL)) AS %s""",
                SQL.identifier(column),
                SQL.identifier(fname),
            )
            for fname, column in HISTORY_COLUMNS.items()
        )
        assignments = SQL(", ").join(
            SQL("%s = by_client.%s", SQL.identifier(fname), SQL.identifier(fname))
            for fname in HISTORY_COLUMNS
        )
        self.env.cr.execute(
            SQL(
                """WITH stats AS (%(statistics)s),
                        by_client AS (
                            SELECT client.id, %(per_company)s
                              FROM unnest(%(ids)s::int[]) AS client(id)
                              LEFT JOIN stats ON stats.partner_id = client.id
                             GROUP BY client.id)
                   UPDATE res_partner
                      SET %(assignments)s, bpo_history_date = %(date_ref)s
                     FROM by_client
                    WHERE res_partner.id = by_client.id""",
                statistics=statistics,
                per_company=per_company,
                ids=clients.ids,
                assignments=assignments,
                date_ref=date_ref,
            )
        )
        clients.invalidate_recordset([*HISTORY_COLUMNS, "bpo_history_date", "bpo_payment_graph"])

    @api.model
    def _cron_bpo_refresh_payment_history(self, date_ref=None, batch_size=None):
        """Scheduler entry: refresh every client with customer invoices (or figures to clear),
        the stalest first, one committed batch at a time. Returns the number refreshed."""
        date_ref = date_ref or fields.Date.context_today(self)
        batch_size = batch_size or int(
            self.env["ir.config_parameter"]
            .sudo()
            .get_param("bpo_billing.payment_history_batch_size", DEFAULT_HISTORY_BATCH_SIZE)
        )
        client_ids = self._bpo_get_history_client_ids()
        done = 0
        for batch_ids in split_every(batch_size, client_ids):
            self.browse(batch_ids)._bpo_refresh_payment_history(date_ref)
            done += len(batch_ids)
            self.env["ir.cron"]._notify_progress(done=done, remaining=len(client_ids) - done)
            if self.env.context.get("cron_id"):
                self.env.cr.commit()  # pylint: disable=invalid-commit
                self.env.invalidate_all()
        return done

    @api.model
    def _bpo_get_history_client_ids(self):
        """Commercial partners with posted customer invoices or credit notes, or with figures
        that may need clearing, those refreshed longest ago first (a run cut short by a
        time-out resumes with the clients it had not reached)."""
        self.env.flush_all()
        self.env.cr.execute(
            SQL(
                """SELECT partner.id FROM res_partner partner
                    WHERE partner.bpo_history_date IS NOT NULL
                       OR partner.id IN (SELECT commercial_partner_id FROM account_move
                                          WHERE move_type IN ('out_invoice', 'out_refund')
                                            AND state = 'posted')
                    ORDER BY partner.bpo_history_date NULLS FIRST, partner.id"""
            )
        )
        return [row[0] for row in self.env.cr.fetchall()]

    def action_bpo_refresh_payment_history(self):
        """Button: refresh the payment figures of these clients as of today."""
        self._bpo_refresh_payment_history()
        return True

    def action_view_bpo_payment_history(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "bpo_billing.action_bpo_payment_history"
        )
        client = self.commercial_partner_id
        date_to = self.bpo_history_date or fields.Date.context_today(self)
        action["domain"] = [
            ("partner_id", "=", client.id),
            ("payment_date", ">", date_to - timedelta(days=365)),
        ]
        action["display_name"] = self.env._("Payment History: %(client)s", client=client.name)
        return action

    # ------------------------------------------------------------------ credit hold

    @api.constrains("bpo_credit_hold", "bpo_credit_hold_reason")
    def _check_bpo_credit_hold_reason(self):
        for partner in self:
            if partner.bpo_credit_hold and not (partner.bpo_credit_hold_reason or "").strip():
                raise ValidationError(
                    self.env._(
                        "%(client)s: give the Credit Hold Reason, it is shown wherever billing "
                        "is blocked.",
                        client=partner.display_name,
                    )
                )

    def write(self, vals):
        if CREDIT_HOLD_FIELDS & vals.keys():
            self._bpo_check_credit_hold_access()
            if "bpo_credit_hold" in vals and not vals["bpo_credit_hold"]:
                vals = {
                    **vals,
                    "bpo_credit_hold_reason": False,
                    "bpo_credit_hold_by_dunning": False,
                }
        return super().write(vals)

    def _bpo_check_credit_hold_access(self):
        # a credit hold stops billing: only billing users (or the dunning run) change it
        if not self.env.su and not self.env.user.has_group("bpo_billing.group_bpo_user"):
            raise AccessError(
                self.env._("Only BPO Billing users can set or release a credit hold.")
            )

    def _bpo_set_credit_hold(self, reason):
        """Put the commercial partners of ``self`` on credit hold: no new invoice is generated
        for them until released. ``reason`` is shown to users wherever billing is blocked.
        Clients already on hold keep their hold and its reason. Returns the clients newly
        put on hold; each gets a note in its chatter."""
        clients = self.commercial_partner_id.filtered(lambda client: not client.bpo_credit_hold)
        if not clients:
            return clients
        clients.with_context(mail_notrack=True).write(
            {"bpo_credit_hold": True, "bpo_credit_hold_reason": reason}
        )
        body = self.env._(
            "Credit hold: no new invoice is generated for this client. Reason: %(reason)s",
            reason=reason,
        )
        clients._message_log_batch(bodies=dict.fromkeys(clients.ids, body))
        return clients

    def _bpo_release_credit_hold(self):
        """Release the credit hold of the commercial partners of ``self``: their agreements
        are billed again from the next run. Returns the clients released."""
        clients = self.commercial_partner_id.filtered("bpo_credit_hold")
        if not clients:
            return clients
        clients.with_context(mail_notrack=True).write({"bpo_credit_hold": False})
        body = self.env._("Credit hold released: invoices are generated again.")
        clients._message_log_batch(bodies=dict.fromkeys(clients.ids, body))
        return clients
