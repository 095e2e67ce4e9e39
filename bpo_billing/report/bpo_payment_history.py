"""Payment history: one row per settled portion of a posted customer invoice, and the client
statistics computed from it in one aggregate query.

Rules (amounts in company currency, every date relative to the reference date ``date_ref``):

- A *settled portion* is one partial reconciliation between an invoice's receivable line
  (one line per instalment, with its own due date) and a counterpart: a payment or bank
  statement line (*payment*), a customer credit note (*credit note*) or anything else
  (*other*: write-off, netting entry). Its amount is the part of the invoice it settles,
  valued at the invoice's own rate, so that a foreign-currency invoice paid in full
  weighs its invoiced value whatever the rate on the payment day (exchange differences
  are not portions). Days late = max(0, payment date − due date).
- The *weighed amounts* of a client are the portions settled by payments up to
  ``date_ref`` plus the amounts still open on ``date_ref`` and already past due, of
  instalments due in the 365 days up to ``date_ref``; an open amount counts as late by
  its days overdue on ``date_ref``, so a client who does not pay cannot look punctual.
  Credit notes and other portions are neither on time nor late.
- Average days late: amount-weighted average of the days late of the weighed amounts.
- On-time rate: share of the weighed amounts paid on or before their due date.
- Overdue amount: open amount on ``date_ref`` of instalments past due (any age).
- DSO: receivable balance on ``date_ref`` / net credit sales (invoices minus credit notes,
  taxes included) dated in the 90 days up to ``date_ref`` × 90; 0 without such sales.
- Grade: A with at least 90 % on time and at most 5 days late on average, B with 75 % and
  15 days, C with 50 % and 30 days, D otherwise; no grade without weighed amounts.
- Trend: the average days late of amounts due in the last 90 days against those due in
  the 90 days before: *improving* if lower by more than 2 days, *worsening* if higher by
  more than 2 days, else *stable*; none unless both quarters have weighed amounts.
"""

from datetime import timedelta

from odoo import api, fields, models, tools
from odoo.tools import SQL

# (grade, minimum on-time rate in %, maximum average days late), best first; else "D"
GRADE_RULES = (("A", 90, 5), ("B", 75, 15), ("C", 50, 30))
FALLBACK_GRADE = "D"
HISTORY_DAYS = 365
DSO_DAYS = 90
TREND_DAYS = 90
TREND_TOLERANCE_DAYS = 2

SETTLED_BY = [
    ("payment", "Payment"),
    ("credit_note", "Credit Note"),
    ("other", "Other Entry"),
]
LATENESS = [
    ("on_time", "On Time"),
    ("1_15", "1-15 Days Late"),
    ("16_30", "16-30 Days Late"),
    ("31_60", "31-60 Days Late"),
    ("60_plus", "Over 60 Days Late"),
]


class BpoPaymentHistory(models.Model):
    _name = "bpo.payment.history"
    _description = "Client Payment History"
    _auto = False
    _order = "payment_date desc, id desc"
    _rec_name = "invoice_id"

    invoice_id = fields.Many2one("account.move", readonly=True)
    receivable_line_id = fields.Many2one("account.move.line", string="Instalment", readonly=True)
    settlement_move_id = fields.Many2one("account.move", string="Settled With", readonly=True)
    partner_id = fields.Many2one("res.partner", string="Client", readonly=True)
    company_id = fields.Many2one("res.company", readonly=True)
    currency_id = fields.Many2one("res.currency", string="Company Currency", readonly=True)
    invoice_currency_id = fields.Many2one("res.currency", readonly=True)
    invoice_date = fields.Date(readonly=True)
    date_due = fields.Date(string="Due Date", readonly=True)
    payment_date = fields.Date(
        string="Settlement Date",
        readonly=True,
        help="Date of the payment, bank statement line or credit note that settled the amount.",
    )
    amount = fields.Monetary(
        string="Amount Settled",
        readonly=True,
        help="The part of the invoice settled, in company currency at the invoice's rate.",
    )
    amount_currency = fields.Monetary(
        string="Amount Settled in Invoice Currency",
        currency_field="invoice_currency_id",
        readonly=True,
    )
    days_late = fields.Integer(
        readonly=True,
        aggregator="avg",
        help="Days between the due date and the settlement date; 0 when settled on time.",
    )
    settled_by = fields.Selection(SETTLED_BY, readonly=True)
    lateness = fields.Selection(LATENESS, readonly=True)

    _depends = {
        "account.partial.reconcile": [
            "debit_move_id",
            "credit_move_id",
            "debit_amount_currency",
            "amount",
            "company_id",
        ],
        "account.move.line": [
            "move_id",
            "partner_id",
            "display_type",
            "date",
            "date_maturity",
            "balance",
            "amount_currency",
            "currency_id",
            "company_currency_id",
        ],
        "account.move": [
            "move_type",
            "state",
            "invoice_date",
            "origin_payment_id",
            "statement_line_id",
        ],
    }

    def init(self):
        tools.drop_view_if_exists(self.env.cr, self._table)
        self.env.cr.execute(
            SQL("CREATE VIEW %s AS (%s)", SQL.identifier(self._table), self._view_query())
        )

    @api.model
    def _view_query(self):
        return SQL(
            """
            SELECT partial.id AS id,
                   invoice.id AS invoice_id,
                   line.id AS receivable_line_id,
                   counterpart.move_id AS settlement_move_id,
                   line.partner_id AS partner_id,
                   line.company_id AS company_id,
                   line.company_currency_id AS currency_id,
                   line.currency_id AS invoice_currency_id,
                   invoice.invoice_date AS invoice_date,
                   line.date_maturity AS date_due,
                   counterpart.date AS payment_date,
                   settled.amount AS amount,
                   partial.debit_amount_currency AS amount_currency,
                   GREATEST(counterpart.date - line.date_maturity, 0) AS days_late,
                   CASE WHEN settlement.origin_payment_id IS NOT NULL
                          OR settlement.statement_line_id IS NOT NULL THEN 'payment'
                        WHEN settlement.move_type = 'out_refund' THEN 'credit_note'
                        ELSE 'other' END AS settled_by,
                   CASE WHEN counterpart.date <= line.date_maturity THEN 'on_time'
                        WHEN counterpart.date - line.date_maturity <= 15 THEN '1_15'
                        WHEN counterpart.date - line.date_maturity <= 30 THEN '16_30'
                        WHEN counterpart.date - line.date_maturity <= 60 THEN '31_60'
                        ELSE '60_plus' END AS lateness
              FROM account_partial_reconcile partial
              JOIN account_move_line line ON line.id = partial.debit_move_id
              JOIN account_move invoice ON invoice.id = line.move_id
              JOIN account_move_line counterpart ON counterpart.id = partial.credit_move_id
              JOIN account_move settlement ON settlement.id = counterpart.move_id
              JOIN res_currency company_currency ON company_currency.id = line.company_currency_id
              CROSS JOIN LATERAL (
                   SELECT ROUND(%(invoice_rate_value)s, company_currency.decimal_places) AS amount
              ) settled
             WHERE invoice.move_type = 'out_invoice'
               AND invoice.state = 'posted'
               AND line.display_type = 'payment_term'
               AND settled.amount <> 0
            """,
            invoice_rate_value=self._invoice_rate_value(
                SQL("partial.debit_amount_currency"), SQL("partial.amount")
            ),
        )

    @api.model
    def _invoice_rate_value(self, amount_currency, fallback):
        """SQL: ``amount_currency`` (in the invoice's currency) valued in company currency at
        the rate of the receivable line ``line``; ``fallback`` for a line without one.
        Exchange difference portions settle no invoice currency and so are worth 0."""
        return SQL(
            """CASE WHEN line.currency_id = line.company_currency_id OR line.amount_currency = 0
                    THEN %(fallback)s
                    ELSE %(amount_currency)s * line.balance / line.amount_currency END""",
            amount_currency=amount_currency,
            fallback=fallback,
        )

    # ------------------------------------------------------------------ client statistics

    @api.model
    def _get_partner_statistics_query(self, partner_ids, date_ref):
        """SQL returning one row per (client, company) among the commercial partners
        ``partner_ids`` with anything to report on ``date_ref``: ``partner_id``,
        ``company_id``, ``avg_days_late``, ``on_time_rate``, ``overdue_amount``, ``dso``,
        ``grade``, ``trend`` (see the module docstring for the rules)."""
        return SQL(
            """
            WITH open_items AS (
                SELECT line.partner_id, line.company_id, line.date_maturity AS date_due,
                       ROUND(%(open_value)s, company_currency.decimal_places) AS open_amount
                  FROM account_move_line line
                  JOIN account_move invoice ON invoice.id = line.move_id
                  JOIN res_currency company_currency
                    ON company_currency.id = line.company_currency_id
                  LEFT JOIN LATERAL (
                       SELECT SUM(later.amount_currency) AS amount_currency,
                              SUM(later.amount) AS amount
                         FROM bpo_payment_history later
                        WHERE later.receivable_line_id = line.id
                          AND later.payment_date > %(date_ref)s
                  ) settled_later ON TRUE
                 WHERE line.partner_id = ANY(%(partner_ids)s)
                   AND line.display_type = 'payment_term'
                   AND line.parent_state = 'posted'
                   AND invoice.move_type = 'out_invoice'
                   AND line.date <= %(date_ref)s
                   AND line.date_maturity < %(date_ref)s
                   AND (NOT line.reconciled OR settled_later.amount IS NOT NULL)
            ),
            weighed AS (
                SELECT partner_id, company_id, date_due, days_late, amount,
                       days_late = 0 AS on_time
                  FROM bpo_payment_history
                 WHERE partner_id = ANY(%(partner_ids)s)
                   AND settled_by = 'payment'
                   AND payment_date <= %(date_ref)s
                   AND date_due > %(history_start)s AND date_due <= %(date_ref)s
                 UNION ALL
                SELECT partner_id, company_id, date_due, %(date_ref)s - date_due, open_amount,
                       FALSE
                  FROM open_items
                 WHERE date_due > %(history_start)s AND open_amount > 0
            ),
            behaviour AS (
                SELECT partner_id, company_id,
                       SUM(amount * days_late) / SUM(amount) AS avg_days_late,
                       100 * COALESCE(SUM(amount) FILTER (WHERE on_time), 0) / SUM(amount)
                           AS on_time_rate,
                       SUM(amount * days_late) FILTER (WHERE date_due > %(recent_start)s)
                           / NULLIF(SUM(amount) FILTER (WHERE date_due > %(recent_start)s), 0)
                           AS recent_days_late,
                       SUM(amount * days_late) FILTER (WHERE date_due <= %(recent_start)s
                                                         AND date_due > %(previous_start)s)
                           / NULLIF(SUM(amount) FILTER (WHERE date_due <= %(recent_start)s
                                                          AND date_due > %(previous_start)s), 0)
                           AS previous_days_late
                  FROM weighed
                 GROUP BY partner_id, company_id
                HAVING SUM(amount) > 0
            ),
            overdue AS (
                SELECT partner_id, company_id, SUM(open_amount) AS overdue_amount
                  FROM open_items
                 GROUP BY partner_id, company_id
            ),
            receivable AS (
                SELECT contact.commercial_partner_id AS partner_id, line.company_id,
                       SUM(line.balance) AS balance
                  FROM account_move_line line
                  JOIN res_partner contact ON contact.id = line.partner_id
                  JOIN account_account account ON account.id = line.account_id
                 WHERE line.partner_id IN (
                           SELECT id FROM res_partner
                            WHERE commercial_partner_id = ANY(%(partner_ids)s))
                   AND account.account_type = 'asset_receivable'
                   AND line.parent_state = 'posted'
                   AND line.date <= %(date_ref)s
                 GROUP BY contact.commercial_partner_id, line.company_id
            ),
            sales AS (
                SELECT commercial_partner_id AS partner_id, company_id,
                       SUM(amount_total_signed) AS amount
                  FROM account_move
                 WHERE commercial_partner_id = ANY(%(partner_ids)s)
                   AND move_type IN ('out_invoice', 'out_refund')
                   AND state = 'posted'
                   AND invoice_date > %(dso_start)s AND invoice_date <= %(date_ref)s
                 GROUP BY commercial_partner_id, company_id
            ),
            client_company AS (
                SELECT partner_id, company_id FROM behaviour
                 UNION SELECT partner_id, company_id FROM overdue
                 UNION SELECT partner_id, company_id FROM receivable
                 UNION SELECT partner_id, company_id FROM sales
            )
            SELECT client_company.partner_id,
                   client_company.company_id,
                   ROUND(behaviour.avg_days_late, 2) AS avg_days_late,
                   ROUND(behaviour.on_time_rate, 2) AS on_time_rate,
                   COALESCE(overdue.overdue_amount, 0) AS overdue_amount,
                   CASE WHEN sales.amount > 0
                        THEN ROUND(GREATEST(receivable.balance, 0) / sales.amount
                                   * %(dso_days)s, 1)
                        ELSE 0 END AS dso,
                   %(grade)s AS grade,
                   CASE WHEN behaviour.recent_days_late IS NULL
                          OR behaviour.previous_days_late IS NULL THEN NULL
                        WHEN behaviour.recent_days_late
                             < behaviour.previous_days_late - %(tolerance)s THEN 'better'
                        WHEN behaviour.recent_days_late
                             > behaviour.previous_days_late + %(tolerance)s THEN 'worse'
                        ELSE 'stable' END AS trend
              FROM client_company
              LEFT JOIN behaviour USING (partner_id, company_id)
              LEFT JOIN overdue USING (partner_id, company_id)
              LEFT JOIN receivable USING (partner_id, company_id)
              LEFT JOIN sales USING (partner_id, company_id)
            """,
            partner_ids=list(partner_ids),
            date_ref=date_ref,
            history_start=date_ref - timedelta(days=HISTORY_DAYS),
            recent_start=date_ref - timedelta(days=TREND_DAYS),
            previous_start=date_ref - timedelta(days=2 * TREND_DAYS),
            dso_start=date_ref - timedelta(days=DSO_DAYS),
            dso_days=DSO_DAYS,
            tolerance=TREND_TOLERANCE_DAYS,
            open_value=self._invoice_rate_value(
                SQL("(line.amount_residual_currency + COALESCE(settled_later.amount_currency, 0))"),
                SQL("(line.amount_residual + COALESCE(settled_later.amount, 0))"),
            ),
            grade=self._grade_case(SQL("behaviour.on_time_rate"), SQL("behaviour.avg_days_late")),
        )

    @api.model
    def _grade_case(self, on_time_rate, avg_days_late):
        """SQL: the grade of GRADE_RULES for the given (unrounded) figures, NULL if none."""
        whens = SQL(" ").join(
            SQL(
                "WHEN %s >= %s AND %s <= %s THEN %s",
                on_time_rate,
                minimum_on_time,
                avg_days_late,
                maximum_days_late,
                grade,
            )
            for grade, minimum_on_time, maximum_days_late in GRADE_RULES
        )
        return SQL(
            "CASE WHEN %s IS NULL THEN NULL %s ELSE %s END",
            on_time_rate,
            whens,
            FALLBACK_GRADE,
        )

    @api.model
    def _get_monthly_days_late_query(self, partner_id, company_id, date_from, date_to):
        """SQL: per month of settlement between ``date_from`` and ``date_to``, the
        amount-weighted average days late of one client's payments in one company."""
        return SQL(
            """SELECT date_trunc('month', payment_date)::date AS month,
                      SUM(amount * days_late) / SUM(amount) AS avg_days_late
                 FROM bpo_payment_history
                WHERE partner_id = %(partner_id)s AND company_id = %(company_id)s
                  AND settled_by = 'payment'
                  AND payment_date >= %(date_from)s AND payment_date <= %(date_to)s
                GROUP BY 1
               HAVING SUM(amount) > 0""",
            partner_id=partner_id,
            company_id=company_id,
            date_from=date_from,
            date_to=date_to,
        )
