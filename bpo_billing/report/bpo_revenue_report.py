"""Recurring revenue by billing model, service and month: amounts billed, MRR and ARR, and
how each agreement's MRR moved since the month before (new, expansion, contraction, churn).

One row per billing rule and calendar month, built in steps:

``rule_lines``
    Posted customer invoice and credit note lines that bill an agreement rule, at their
    service dates, for ``-balance`` (company currency; credit notes count negative).
``reversal_lines``
    Lines of credit notes that reverse an agreement invoice but carry no rule (Odoo's
    reversal does not copy it): they take the rule and service dates of the reversed
    invoice's line of the same service (same description and price first).
``billed_lines``
    Both, with their rule, and the first and last calendar month of their service period.
``rule_months``
    Each line spread evenly over the months its service period covers: ``amount`` is what was
    billed for service starting that month (its total is the revenue in the ledger); ``mrr``
    the line amount over the number of months it covers (a quarter's fee counts a third in
    each of its months), rounded to the company currency. One-off fees are revenue but not
    recurring: their MRR is zero.
``rule_rows``
    Every rule-month, with the rule's MRR of the month before, plus a churn row for the
    month after a rule's last billed month once the rule is known to have stopped: it was
    billed again later, or its agreement is closed, or the agreement or the rule ended
    before that month. (A rule merely not billed yet, as usage billed in arrears, gets no
    churn row.)
``classified``
    Each agreement-month compared with the month before over the rules shown that month:
    ``new`` (the agreement's first month of MRR), ``reactivation`` (MRR again after a month
    without), ``expansion`` (higher), ``contraction`` (lower), ``churn`` (none left),
    ``stable``. ``mrr_change`` is each rule's own change, so it adds up to the agreement's;
    ``new_mrr``, ``expansion_mrr``, ``contraction_mrr`` and ``churned_mrr`` split it by the
    agreement's class.

ARR is 12 x MRR. MRR and ARR are monthly figures: read them per month, not summed over a
year.
"""

from odoo import api, fields, models
from odoo.tools import SQL

from ..models.bpo_agreement_line import BILLING_MODELS

CHANGE_TYPES = [
    ("new", "New"),
    ("reactivation", "Reactivation"),
    ("expansion", "Expansion"),
    ("contraction", "Contraction"),
    ("churn", "Churn"),
    ("stable", "Stable"),
]


class BpoRevenueReport(models.Model):
    _name = "bpo.revenue.report"
    _description = "BPO Recurring Revenue"
    _auto = False
    _rec_name = "month"
    _order = "month desc, agreement_id, agreement_line_id"
    _depends = {
        "account.move.line": [
            "move_id",
            "bpo_agreement_line_id",
            "bpo_period_start",
            "bpo_period_end",
            "date",
            "balance",
            "parent_state",
            "display_type",
            "product_id",
            "name",
            "price_unit",
        ],
        "account.move": ["move_type", "reversed_entry_id"],
        "bpo.agreement.line": ["agreement_id", "billing_model", "product_id", "date_end"],
        "bpo.agreement": ["state", "date_end", "company_id", "partner_id"],
        "res.company": ["currency_id"],
        "res.currency": ["rounding"],
    }

    month = fields.Date(readonly=True)
    company_id = fields.Many2one("res.company", readonly=True)
    currency_id = fields.Many2one("res.currency", string="Company Currency", readonly=True)
    partner_id = fields.Many2one("res.partner", string="Client", readonly=True)
    agreement_id = fields.Many2one("bpo.agreement", readonly=True)
    agreement_line_id = fields.Many2one("bpo.agreement.line", string="Billing Rule", readonly=True)
    product_id = fields.Many2one("product.product", string="Service", readonly=True)
    billing_model = fields.Selection(BILLING_MODELS, readonly=True)
    amount = fields.Monetary(
        string="Billed",
        readonly=True,
        help="Invoiced less credited for service starting in the month, untaxed.",
    )
    mrr = fields.Monetary(
        string="MRR",
        readonly=True,
        help="Monthly recurring revenue: each recurring charge spread over the months of its "
        "service period.",
    )
    arr = fields.Monetary(string="ARR", readonly=True, help="Annual run rate: 12 x MRR.")
    previous_mrr = fields.Monetary(string="MRR Month Before", readonly=True)
    mrr_change = fields.Monetary(string="MRR Change", readonly=True)
    new_mrr = fields.Monetary(string="New MRR", readonly=True)
    expansion_mrr = fields.Monetary(string="Expansion MRR", readonly=True)
    contraction_mrr = fields.Monetary(string="Contraction MRR", readonly=True)
    churned_mrr = fields.Monetary(string="Churned MRR", readonly=True)
    change_type = fields.Selection(
        CHANGE_TYPES,
        string="Agreement Change",
        readonly=True,
        help="How the agreement's MRR moved since the month before.",
    )

    @property
    def _table_query(self):
        return self._query()

    @api.model
    def _query(self):
        return SQL(
            """
            WITH rule_lines AS (
                SELECT aml.id,
                       aml.bpo_agreement_line_id AS agreement_line_id,
                       COALESCE(aml.bpo_period_start, aml.date) AS service_start,
                       COALESCE(aml.bpo_period_end, aml.bpo_period_start, aml.date)
                           AS service_end,
                       -aml.balance AS amount
                  FROM account_move_line aml
                  JOIN account_move move ON move.id = aml.move_id
                 WHERE aml.parent_state = 'posted'
                   AND move.move_type IN ('out_invoice', 'out_refund')
                   AND aml.display_type = 'product'
                   AND aml.bpo_agreement_line_id IS NOT NULL
            ),
            reversal_lines AS (
                SELECT DISTINCT ON (aml.id)
                       aml.id,
                       origin.bpo_agreement_line_id AS agreement_line_id,
                       COALESCE(origin.bpo_period_start, origin.date) AS service_start,
                       COALESCE(origin.bpo_period_end, origin.bpo_period_start, origin.date)
                           AS service_end,
                       -aml.balance AS amount
                  FROM account_move_line aml
                  JOIN account_move move ON move.id = aml.move_id
                  JOIN account_move_line origin
                    ON origin.move_id = move.reversed_entry_id
                   AND origin.product_id = aml.product_id
                   AND origin.bpo_agreement_line_id IS NOT NULL
                 WHERE aml.parent_state = 'posted'
                   AND move.move_type = 'out_refund'
                   AND aml.display_type = 'product'
                   AND aml.bpo_agreement_line_id IS NULL
              ORDER BY aml.id,
                       origin.name IS NOT DISTINCT FROM aml.name DESC,
                       origin.price_unit = aml.price_unit DESC,
                       origin.id
            ),
            billed_lines AS (
                SELECT line.agreement_line_id,
                       line.amount,
                       rule.agreement_id,
                       rule.billing_model,
                       DATE_TRUNC('month', line.service_start)::date AS first_month,
                       DATE_TRUNC('month', GREATEST(line.service_end, line.service_start))::date
                           AS last_month
                  FROM (SELECT * FROM rule_lines UNION ALL SELECT * FROM reversal_lines) line
                  JOIN bpo_agreement_line rule ON rule.id = line.agreement_line_id
            ),
            rule_months AS (
                SELECT line.agreement_id,
                       line.agreement_line_id,
                       service_month::date AS month,
                       SUM(CASE WHEN service_month = line.first_month THEN line.amount ELSE 0 END)
                           AS amount,
                       ROUND(
                           SUM(CASE WHEN line.billing_model = 'one_off' THEN 0
                                    ELSE line.amount / (
                                        (EXTRACT(YEAR FROM line.last_month)
                                            - EXTRACT(YEAR FROM line.first_month)) * 12
                                        + EXTRACT(MONTH FROM line.last_month)
                                        - EXTRACT(MONTH FROM line.first_month) + 1)
                               END) / currency.rounding
                       ) * currency.rounding AS mrr
                  FROM billed_lines line
                  JOIN bpo_agreement agreement ON agreement.id = line.agreement_id
                  JOIN res_company company ON company.id = agreement.company_id
                  JOIN res_currency currency ON currency.id = company.currency_id
            CROSS JOIN LATERAL GENERATE_SERIES(
                           line.first_month, line.last_month, INTERVAL '1 month'
                       ) AS service_month
              GROUP BY line.agreement_id, line.agreement_line_id, service_month,
                       currency.rounding
            ),
            candidate_months AS (
                SELECT agreement_line_id, month FROM rule_months
                 UNION
                SELECT agreement_line_id, (month + INTERVAL '1 month')::date FROM rule_months
            ),
            rule_rows AS (
                SELECT candidate.agreement_line_id,
                       candidate.month,
                       rule.agreement_id,
                       COALESCE(billed_now.amount, 0) AS amount,
                       COALESCE(billed_now.mrr, 0) AS mrr,
                       COALESCE(billed_before.mrr, 0) AS previous_mrr
                  FROM candidate_months candidate
                  JOIN bpo_agreement_line rule ON rule.id = candidate.agreement_line_id
                  JOIN bpo_agreement agreement ON agreement.id = rule.agreement_id
             LEFT JOIN rule_months billed_now
                    ON billed_now.agreement_line_id = candidate.agreement_line_id
                   AND billed_now.month = candidate.month
             LEFT JOIN rule_months billed_before
                    ON billed_before.agreement_line_id = candidate.agreement_line_id
                   AND billed_before.month = candidate.month - INTERVAL '1 month'
                 WHERE billed_now.agreement_line_id IS NOT NULL
                    OR (billed_before.mrr > 0 AND (
                            agreement.state = 'closed'
                         OR agreement.date_end < candidate.month
                         OR rule.date_end < candidate.month
                         OR EXISTS (
                                SELECT 1 FROM rule_months later
                                 WHERE later.agreement_line_id = candidate.agreement_line_id
                                   AND later.month > candidate.month)))
            ),
            first_mrr_months AS (
                SELECT agreement_id, MIN(month) AS month
                  FROM (SELECT agreement_id, month, SUM(mrr) AS mrr
                          FROM rule_months
                      GROUP BY agreement_id, month) agreement_months
                 WHERE mrr > 0
              GROUP BY agreement_id
            ),
            compared AS (
                SELECT rule_rows.*,
                       SUM(mrr) OVER agreement_month AS agreement_mrr,
                       SUM(previous_mrr) OVER agreement_month AS agreement_previous_mrr,
                       first_mrr_months.month AS first_mrr_month
                  FROM rule_rows
             LEFT JOIN first_mrr_months ON first_mrr_months.agreement_id = rule_rows.agreement_id
                WINDOW agreement_month AS (PARTITION BY rule_rows.agreement_id, rule_rows.month)
            ),
            classified AS (
                SELECT compared.*,
                       mrr - previous_mrr AS mrr_change,
                       CASE WHEN agreement_mrr > 0 AND agreement_previous_mrr <= 0
                                 AND month = first_mrr_month THEN 'new'
                            WHEN agreement_mrr > 0 AND agreement_previous_mrr <= 0
                                 THEN 'reactivation'
                            WHEN agreement_mrr <= 0 AND agreement_previous_mrr > 0 THEN 'churn'
                            WHEN agreement_mrr > agreement_previous_mrr THEN 'expansion'
                            WHEN agreement_mrr < agreement_previous_mrr THEN 'contraction'
                            WHEN agreement_mrr > 0 THEN 'stable'
                       END AS change_type
                  FROM compared
            )
            SELECT ROW_NUMBER() OVER (ORDER BY rev.agreement_line_id, rev.month) AS id,
                   rev.month,
                   agreement.company_id,
                   company.currency_id,
                   agreement.partner_id,
                   rev.agreement_id,
                   rev.agreement_line_id,
                   rule.product_id,
                   rule.billing_model,
                   rev.amount,
                   rev.mrr,
                   12 * rev.mrr AS arr,
                   rev.previous_mrr,
                   rev.mrr_change,
                   CASE WHEN rev.change_type IN ('new', 'reactivation')
                        THEN rev.mrr_change ELSE 0 END AS new_mrr,
                   CASE WHEN rev.change_type = 'expansion' THEN rev.mrr_change ELSE 0 END
                       AS expansion_mrr,
                   CASE WHEN rev.change_type = 'contraction' THEN rev.mrr_change ELSE 0 END
                       AS contraction_mrr,
                   CASE WHEN rev.change_type = 'churn' THEN rev.mrr_change ELSE 0 END
                       AS churned_mrr,
                   rev.change_type
              FROM classified rev
              JOIN bpo_agreement_line rule ON rule.id = rev.agreement_line_id
              JOIN bpo_agreement agreement ON agreement.id = rev.agreement_id
              JOIN res_company company ON company.id = agreement.company_id
            """
        )
