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
                SELECT aml.id,
                       aml.move_id,
                       COALESCE(partner.commercial_partner_id, aml.partner_id) AS partner_id,
                       move.bpo_agreement_id AS agreement_id,
                       aml.company_id,
                       company.currency_id,
                       COALESCE(aml.date_maturity, aml.date) AS date_maturity,
                       aml.amount_residual
                  FROM account_move_line aml
                  JOIN account_move move ON move.id = aml.move_id
                  JOIN account_account account ON account.id = aml.account_id
                  JOIN res_company company ON company.id = aml.company_id
             LEFT JOIN res_partner partner ON partner.id = aml.partner_id
                 WHERE aml.parent_state = 'posted'
                   AND move.move_type IN ('out_invoice', 'out_refund')
                   AND account.account_type = 'asset_receivable'
                   AND account.non_trade IS NOT TRUE
                   AND aml.amount_residual != 0
            ),
            expected AS (
                SELECT open_items.*,
                       ROUND(COALESCE(%(avg_days_late)s, 0)::numeric)::integer AS delay_days
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
            avg_days_late=self._avg_days_late_sql(),
        )

    @api.model
    def _avg_days_late_sql(self):
        """The client's average delay for the item's company: a jsonb value keyed by company
        when the field is company dependent, else the plain column."""
        field = self.env["res.partner"]._fields["bpo_avg_days_late"]
        if field.company_dependent:
            return SQL("(client.bpo_avg_days_late ->> open_items.company_id::text)::float")
        return SQL("client.bpo_avg_days_late")
