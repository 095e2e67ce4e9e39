"""Cash-collection forecast: when the open customer invoices are expected to be paid, by week.

One row per open receivable item of a posted customer invoice or credit note (an invoice
paid in instalments has one per instalment). The client is expected to pay on the due date
plus its average payment delay (``res.partner.bpo_avg_days_late``, rounded to whole days);
what is expected in the past is expected today, so overdue items fall in the current week.
Weeks start on Monday. Amounts are residuals in company currency (credit notes negative).
"""

from odoo import api, fields, models
from odoo.tools import SQL


class BpoCashForecastReport(models.Model):
    _name = "bpo.cash.forecast.report"
    _description = "BPO Cash Collection Forecast"
    _auto = False
    _rec_name = "move_id"
    _order = "expected_date, id"
    _depends = {
        "account.move.line": [
            "move_id",
            "partner_id",
            "company_id",
            "account_id",
            "date",
            "date_maturity",
            "parent_state",
            "amount_residual",
        ],
        "account.move": ["move_type", "bpo_agreement_id"],
        "account.account": ["account_type", "non_trade"],
        "res.partner": ["commercial_partner_id", "bpo_avg_days_late"],
        "res.company": ["currency_id"],
    }

    move_line_id = fields.Many2one("account.move.line", string="Journal Item", readonly=True)
    move_id = fields.Many2one("account.move", string="Invoice", readonly=True)
    partner_id = fields.Many2one("res.partner", string="Client", readonly=True)
    agreement_id = fields.Many2one("bpo.agreement", readonly=True)
    company_id = fields.Many2one("res.company", readonly=True)
    currency_id = fields.Many2one("res.currency", string="Company Currency", readonly=True)
    date_maturity = fields.Date(string="Due Date", readonly=True)
    delay_days = fields.Integer(
        string="Expected Delay (Days)",
        readonly=True,
        aggregator="avg",
        help="The client's average payment delay, rounded to whole days.",
    )
    expected_date = fields.Date(string="Expected Payment", readonly=True)
    expected_week = fields.Date(readonly=True, help="Monday of the week the payment is expected.")
    is_overdue = fields.Boolean(string="Overdue", readonly=True)
    amount_residual = fields.Monetary(string="Expected Amount", readonly=True)

    @property
    def _table_query(self):
        return self._query()

    @api.model
    def _query(self):
        return SQL(
            """
            WITH open_items AS (
                SELECT * FROM (%(receivables)s) receivable
                 WHERE move_type IN ('out_invoice', 'out_refund')
            ),
            expected AS (
                SELECT open_items.*,
                       ROUND(COALESCE(
                           (client.bpo_avg_days_late ->> open_items.company_id::text)::float, 0
                       )::numeric)::integer AS delay_days
                  FROM open_items
             LEFT JOIN res_partner client ON client.id = open_items.partner_id
            )
            SELECT id,
                   id AS move_line_id,
                   move_id,
                   partner_id,
                   agreement_id,
                   company_id,
                   currency_id,
                   date_maturity,
                   delay_days,
                   GREATEST(date_maturity + delay_days, CURRENT_DATE) AS expected_date,
                   DATE_TRUNC('week', GREATEST(date_maturity + delay_days, CURRENT_DATE))::date
                       AS expected_week,
                   date_maturity < CURRENT_DATE AS is_overdue,
                   amount_residual
              FROM expected
            """,
            receivables=self.env["bpo.receivable.ageing.report"]._query(),
        )
