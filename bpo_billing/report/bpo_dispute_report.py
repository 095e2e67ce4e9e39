"""Disputes: amounts under dispute, accepted and rejected, and how long disputes stay open.

One row per dispute. Amounts are converted from the invoice's currency to the company's at
the invoice's own rate (its total in company currency over its total), rounded to the
company currency, so they add up with the ledger. Age is counted in days from the day the
dispute was opened to today while it is open or under review, to the day it was closed once
accepted or rejected.
"""

from odoo import api, fields, models
from odoo.tools import SQL

AGE_BUCKETS = [
    ("0_30", "0-30 Days"),
    ("31_60", "31-60 Days"),
    ("61_90", "61-90 Days"),
    ("90_plus", "Over 90 Days"),
]


class BpoDisputeReport(models.Model):
    _name = "bpo.dispute.report"
    _description = "BPO Dispute Analysis"
    _auto = False
    _rec_name = "dispute_id"
    _order = "date desc, id desc"
    _depends = {
        "bpo.dispute": [
            "move_id",
            "partner_id",
            "agreement_id",
            "company_id",
            "state",
            "date",
            "date_closed",
            "amount",
            "accepted_amount",
        ],
        "account.move": ["amount_total", "amount_total_signed"],
        "res.company": ["currency_id"],
        "res.currency": ["rounding"],
    }

    dispute_id = fields.Many2one("bpo.dispute", readonly=True)
    move_id = fields.Many2one("account.move", string="Invoice", readonly=True)
    partner_id = fields.Many2one("res.partner", string="Client", readonly=True)
    agreement_id = fields.Many2one("bpo.agreement", readonly=True)
    company_id = fields.Many2one("res.company", readonly=True)
    currency_id = fields.Many2one("res.currency", string="Company Currency", readonly=True)
    state = fields.Selection(
        [
            ("open", "Open"),
            ("review", "Under Review"),
            ("accepted", "Accepted"),
            ("rejected", "Rejected"),
        ],
        string="Status",
        readonly=True,
    )
    is_open = fields.Boolean(string="Open or Under Review", readonly=True)
    date = fields.Date(string="Opened On", readonly=True)
    date_closed = fields.Date(string="Closed On", readonly=True)
    age_days = fields.Integer(string="Age (Days)", readonly=True, aggregator="avg")
    age_bucket = fields.Selection(AGE_BUCKETS, string="Age", readonly=True)
    amount = fields.Monetary(string="Disputed Amount", readonly=True)
    accepted_amount = fields.Monetary(readonly=True)
    open_amount = fields.Monetary(
        string="Amount Still Disputed",
        readonly=True,
        help="The disputed amount of disputes open or under review.",
    )
    rejected_amount = fields.Monetary(
        readonly=True,
        help="What the client disputed and was not granted: the whole amount of a rejected "
        "dispute, the disputed amount less the accepted amount of an accepted one.",
    )

    @property
    def _table_query(self):
        return self._query()

    @api.model
    def _query(self):
        return SQL(
            """
            WITH disputes AS (
                SELECT dispute.id,
                       dispute.move_id,
                       dispute.partner_id,
                       dispute.agreement_id,
                       dispute.company_id,
                       company.currency_id,
                       dispute.state,
                       dispute.state IN ('open', 'review') AS is_open,
                       dispute.date,
                       dispute.date_closed,
                       COALESCE(
                           CASE WHEN dispute.state IN ('open', 'review') THEN CURRENT_DATE
                                ELSE dispute.date_closed END,
                           CURRENT_DATE
                       ) - dispute.date AS age_days,
                       CASE WHEN move.amount_total != 0
                            THEN ABS(move.amount_total_signed / move.amount_total)
                            ELSE 1 END AS rate,
                       currency.rounding,
                       COALESCE(dispute.amount, 0) AS amount,
                       COALESCE(dispute.accepted_amount, 0) AS accepted_amount
                  FROM bpo_dispute dispute
                  JOIN account_move move ON move.id = dispute.move_id
                  JOIN res_company company ON company.id = dispute.company_id
                  JOIN res_currency currency ON currency.id = company.currency_id
            ),
            converted AS (
                SELECT disputes.*,
                       ROUND(amount * rate / rounding) * rounding AS amount_company,
                       ROUND(accepted_amount * rate / rounding) * rounding
                           AS accepted_amount_company
                  FROM disputes
            )
            SELECT id,
                   id AS dispute_id,
                   move_id,
                   partner_id,
                   agreement_id,
                   company_id,
                   currency_id,
                   state,
                   is_open,
                   date,
                   date_closed,
                   age_days,
                   CASE WHEN age_days <= 30 THEN '0_30'
                        WHEN age_days <= 60 THEN '31_60'
                        WHEN age_days <= 90 THEN '61_90'
                        ELSE '90_plus'
                   END AS age_bucket,
                   amount_company AS amount,
                   CASE WHEN state = 'accepted' THEN accepted_amount_company ELSE 0 END
                       AS accepted_amount,
                   CASE WHEN is_open THEN amount_company ELSE 0 END AS open_amount,
                   CASE WHEN state = 'rejected' THEN amount_company
                        WHEN state = 'accepted' THEN amount_company - accepted_amount_company
                        ELSE 0 END AS rejected_amount
              FROM converted
            """
        )
