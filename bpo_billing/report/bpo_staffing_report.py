"""Staffing analysis: what staffing rules bill per FTE, per hour and per transaction.

One row per posted invoice or credit note line billed by a staffing rule (FTE plan or
billable hours), at its service date: ``amount`` is ``-balance`` (company currency, credit
notes negative), ``fte_months`` the FTE it billed expressed in FTE-months (FTE-periods x
months per billing period; a floor true-up bills money but no staffed FTE), ``hours`` the
hours it billed. Plus one row per billed usage record of the other metered rules of the same
agreements, at the first day of its month, carrying ``transactions`` (its quantity: calls,
minutes, tickets…). Grouped in the pivot, the effective rates are ratios of sums: amount per
FTE-month, per hour and per transaction.
"""

from odoo import api, fields, models
from odoo.tools import SQL

from ..models.bpo_agreement_line_staffing import STAFFING_MODES

RATIOS = {
    "rate_per_fte": "fte_months",
    "rate_per_hour": "hours",
    "rate_per_transaction": "transactions",
}


class BpoStaffingReport(models.Model):
    _name = "bpo.staffing.report"
    _description = "BPO Staffing Analysis"
    _auto = False
    _order = "date desc, agreement_id, id"
    _depends = {
        "account.move.line": [
            "move_id",
            "bpo_agreement_line_id",
            "bpo_period_start",
            "bpo_staffing_role_id",
            "bpo_fte_periods",
            "bpo_staffed_hours",
            "balance",
            "parent_state",
            "product_id",
        ],
        "account.move": ["move_type"],
        "bpo.agreement.line": ["agreement_id", "staffing_mode", "billing_model"],
        "bpo.agreement": ["partner_id", "company_id", "billing_frequency"],
        "bpo.usage": ["agreement_line_id", "date", "quantity", "period_id"],
        "res.company": ["currency_id"],
    }

    date = fields.Date(string="Service Month", readonly=True)
    agreement_id = fields.Many2one("bpo.agreement", readonly=True)
    agreement_line_id = fields.Many2one("bpo.agreement.line", string="Billing Rule", readonly=True)
    partner_id = fields.Many2one("res.partner", string="Client", readonly=True)
    product_id = fields.Many2one("product.product", string="Service", readonly=True)
    role_id = fields.Many2one("bpo.staffing.role", readonly=True)
    staffing_mode = fields.Selection(STAFFING_MODES, string="Staffing", readonly=True)
    move_id = fields.Many2one("account.move", string="Invoice", readonly=True)
    company_id = fields.Many2one("res.company", readonly=True)
    currency_id = fields.Many2one("res.currency", string="Company Currency", readonly=True)
    amount = fields.Monetary(string="Billed Amount", readonly=True)
    fte_months = fields.Float(string="FTE-Months", digits=(16, 2), readonly=True)
    hours = fields.Float(digits=(16, 2), readonly=True)
    transactions = fields.Float(digits=(16, 2), readonly=True)
    rate_per_fte = fields.Monetary(
        string="Rate per FTE-Month",
        readonly=True,
        aggregator="avg",
        help="Billed amount over FTE-months billed, for the rows grouped together.",
    )
    rate_per_hour = fields.Monetary(string="Rate per Hour", readonly=True, aggregator="avg")
    rate_per_transaction = fields.Monetary(
        string="Rate per Transaction",
        readonly=True,
        aggregator="avg",
        help="Billed staffing amount over the transactions of the agreement's other metered "
        "rules, for the rows grouped together.",
    )

    @property
    def _table_query(self):
        return self._query()

    @api.model
    def _query(self):
        return SQL(
            """
            WITH staffing_lines AS (
                SELECT aml.id,
                       aml.bpo_period_start AS date,
                       rule.agreement_id,
                       rule.id AS agreement_line_id,
                       agreement.partner_id,
                       aml.product_id,
                       aml.bpo_staffing_role_id AS role_id,
                       rule.staffing_mode,
                       aml.move_id,
                       agreement.company_id,
                       company.currency_id,
                       -aml.balance AS amount,
                       CASE WHEN move.move_type = 'out_refund' THEN -1 ELSE 1 END
                           * COALESCE(aml.bpo_fte_periods, 0)
                           * CASE agreement.billing_frequency WHEN 'quarterly' THEN 3
                                  WHEN 'semiannual' THEN 6 WHEN 'yearly' THEN 12 ELSE 1 END
                           AS fte_months,
                       CASE WHEN move.move_type = 'out_refund' THEN -1 ELSE 1 END
                           * COALESCE(aml.bpo_staffed_hours, 0) AS hours,
                       0.0 AS transactions
                  FROM account_move_line aml
                  JOIN account_move move ON move.id = aml.move_id
                  JOIN bpo_agreement_line rule ON rule.id = aml.bpo_agreement_line_id
                  JOIN bpo_agreement agreement ON agreement.id = rule.agreement_id
                  JOIN res_company company ON company.id = agreement.company_id
                 WHERE aml.parent_state = 'posted'
                   AND move.move_type IN ('out_invoice', 'out_refund')
                   AND rule.staffing_mode IN ('fte_plan', 'hours')
            ),
            transactions AS (
                SELECT -usage.id AS id,
                       date_trunc('month', usage.date)::date AS date,
                       rule.agreement_id,
                       rule.id AS agreement_line_id,
                       agreement.partner_id,
                       rule.product_id,
                       NULL::integer AS role_id,
                       rule.staffing_mode,
                       period.move_id,
                       agreement.company_id,
                       company.currency_id,
                       0.0 AS amount,
                       0.0 AS fte_months,
                       0.0 AS hours,
                       usage.quantity AS transactions
                  FROM bpo_usage usage
                  JOIN bpo_billing_period period ON period.id = usage.period_id
                  JOIN bpo_agreement_line rule ON rule.id = usage.agreement_line_id
                  JOIN bpo_agreement agreement ON agreement.id = rule.agreement_id
                  JOIN res_company company ON company.id = agreement.company_id
                 WHERE period.state = 'invoiced'
                   AND rule.staffing_mode = 'none'
                   AND EXISTS (
                       SELECT 1 FROM bpo_agreement_line staffed
                        WHERE staffed.agreement_id = rule.agreement_id
                          AND staffed.staffing_mode IN ('fte_plan', 'hours'))
            )
            SELECT rows.*,
                   rows.amount / NULLIF(rows.fte_months, 0) AS rate_per_fte,
                   rows.amount / NULLIF(rows.hours, 0) AS rate_per_hour,
                   rows.amount / NULLIF(rows.transactions, 0) AS rate_per_transaction
              FROM (SELECT * FROM staffing_lines UNION ALL SELECT * FROM transactions) rows
            """
        )

    def _read_group_select(self, aggregate_spec, query):
        """Effective rates of a group are ratios of its sums, not averages of its rows."""
        field_name, __, aggregator = aggregate_spec.partition(":")
        if field_name not in RATIOS or aggregator != "avg":
            return super()._read_group_select(aggregate_spec, query)
        return SQL(
            "SUM(%(amount)s) / NULLIF(SUM(%(base)s), 0)",
            amount=self._field_to_sql(self._table, "amount", query),
            base=self._field_to_sql(self._table, RATIOS[field_name], query),
        )
