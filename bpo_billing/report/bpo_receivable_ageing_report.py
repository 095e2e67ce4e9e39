"""Receivables ageing: every open item of the trade receivable accounts, by client and
agreement, in the ageing bucket its due date puts it in today.

One row per posted journal item of a trade receivable account (the accounts Odoo's Partner
Ledger shows) whose residual is not zero: open invoices, the open part of partly paid ones,
open credit notes and unmatched payments. Amounts are residuals in company currency, so the
report's total for a client is that client's receivable balance to the cent. Days overdue are
counted from the due date to the current date of the database server (an SQL view takes no
parameter).
"""

from odoo import api, fields, models
from odoo.tools import SQL

AGEING_BUCKETS = [
    ("current", "Not Due"),
    ("1_30", "1-30 Days"),
    ("31_60", "31-60 Days"),
    ("61_90", "61-90 Days"),
    ("90_plus", "Over 90 Days"),
]


class BpoReceivableAgeingReport(models.Model):
    _name = "bpo.receivable.ageing.report"
    _description = "BPO Receivables Ageing"
    _auto = False
    _rec_name = "move_id"
    _order = "date_maturity, id"
    _depends = {
        "account.move.line": [
            "move_id",
            "partner_id",
            "company_id",
            "account_id",
            "journal_id",
            "date",
            "date_maturity",
            "parent_state",
            "amount_residual",
            "amount_residual_currency",
            "currency_id",
        ],
        "account.move": ["move_type", "bpo_agreement_id"],
        "account.account": ["account_type", "non_trade"],
        "res.partner": ["commercial_partner_id"],
        "res.company": ["currency_id"],
    }

    move_line_id = fields.Many2one("account.move.line", string="Journal Item", readonly=True)
    move_id = fields.Many2one("account.move", string="Entry", readonly=True)
    move_type = fields.Selection(
        [
            ("entry", "Journal Entry"),
            ("out_invoice", "Customer Invoice"),
            ("out_refund", "Customer Credit Note"),
            ("in_invoice", "Vendor Bill"),
            ("in_refund", "Vendor Credit Note"),
            ("out_receipt", "Sales Receipt"),
            ("in_receipt", "Purchase Receipt"),
        ],
        string="Type",
        readonly=True,
    )
    partner_id = fields.Many2one("res.partner", string="Client", readonly=True)
    agreement_id = fields.Many2one("bpo.agreement", readonly=True)
    company_id = fields.Many2one("res.company", readonly=True)
    currency_id = fields.Many2one("res.currency", string="Company Currency", readonly=True)
    account_id = fields.Many2one("account.account", readonly=True)
    journal_id = fields.Many2one("account.journal", readonly=True)
    date = fields.Date(readonly=True)
    date_maturity = fields.Date(string="Due Date", readonly=True)
    days_overdue = fields.Integer(readonly=True, aggregator="max")
    ageing_bucket = fields.Selection(AGEING_BUCKETS, string="Ageing", readonly=True)
    amount_residual = fields.Monetary(string="Open Amount", readonly=True)
    amount_current = fields.Monetary(string="Not Due", readonly=True)
    amount_1_30 = fields.Monetary(string="1-30", readonly=True)
    amount_31_60 = fields.Monetary(string="31-60", readonly=True)
    amount_61_90 = fields.Monetary(string="61-90", readonly=True)
    amount_90_plus = fields.Monetary(string="90+", readonly=True)
    amount_overdue = fields.Monetary(string="Overdue", readonly=True)
    transaction_currency_id = fields.Many2one("res.currency", readonly=True)
    amount_residual_currency = fields.Monetary(
        string="Open Amount in Transaction Currency",
        currency_field="transaction_currency_id",
        readonly=True,
        aggregator=None,
    )

    @property
    def _table_query(self):
        return self._query()

    @api.model
    def _query(self):
        bucket_amounts = SQL(", ").join(
            SQL(
                "CASE WHEN ageing_bucket = %s THEN amount_residual ELSE 0 END AS %s",
                bucket,
                SQL.identifier(f"amount_{bucket}"),
            )
            for bucket, _label in AGEING_BUCKETS
        )
        return SQL(
            """
            WITH open_items AS (
                SELECT aml.id,
                       aml.move_id,
                       move.move_type,
                       COALESCE(partner.commercial_partner_id, aml.partner_id) AS partner_id,
                       move.bpo_agreement_id AS agreement_id,
                       aml.company_id,
                       company.currency_id,
                       aml.account_id,
                       aml.journal_id,
                       aml.date,
                       COALESCE(aml.date_maturity, aml.date) AS date_maturity,
                       CURRENT_DATE - COALESCE(aml.date_maturity, aml.date) AS days_late,
                       aml.amount_residual,
                       aml.currency_id AS transaction_currency_id,
                       aml.amount_residual_currency
                  FROM account_move_line aml
                  JOIN account_move move ON move.id = aml.move_id
                  JOIN account_account account ON account.id = aml.account_id
                  JOIN res_company company ON company.id = aml.company_id
             LEFT JOIN res_partner partner ON partner.id = aml.partner_id
                 WHERE aml.parent_state = 'posted'
                   AND account.account_type = 'asset_receivable'
                   AND account.non_trade IS NOT TRUE
                   AND aml.amount_residual != 0
            ),
            bucketed AS (
                SELECT open_items.*,
                       GREATEST(days_late, 0) AS days_overdue,
                       CASE WHEN days_late <= 0 THEN 'current'
                            WHEN days_late <= 30 THEN '1_30'
                            WHEN days_late <= 60 THEN '31_60'
                            WHEN days_late <= 90 THEN '61_90'
                            ELSE '90_plus'
                       END AS ageing_bucket
                  FROM open_items
            )
            SELECT id,
                   id AS move_line_id,
                   move_id,
                   move_type,
                   partner_id,
                   agreement_id,
                   company_id,
                   currency_id,
                   account_id,
                   journal_id,
                   date,
                   date_maturity,
                   days_overdue,
                   ageing_bucket,
                   amount_residual,
                   %(bucket_amounts)s,
                   CASE WHEN days_late > 0 THEN amount_residual ELSE 0 END AS amount_overdue,
                   transaction_currency_id,
                   amount_residual_currency
              FROM bucketed
            """,
            bucket_amounts=bucket_amounts,
        )
