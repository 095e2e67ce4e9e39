"""Billed usage against minimum commitments: for every billed period and metered rule (or rule
with a minimum), the usage billed, what it was charged, the rule's minimum and the true-up that
made up the shortfall.

One row per posted period invoice and billing rule. The quantity is the usage the period
billed (``bpo.usage`` records whose ``period_id`` is the period); amounts are the untaxed
amounts of the invoice lines of that rule, in the agreement's (invoice's) currency, split by
what the pricing module billed with each (``account.move.line.bpo_line_kind``): the charges
for the usage, the true-up to the minimum commitment, the reduction to the cap. The minimum is
the rule's minimum per full period; the true-up is computed on it prorated and escalated, as
billed.
"""

from odoo import api, fields, models
from odoo.tools import SQL

from ..models.bpo_agreement_line import BILLING_MODELS


class BpoCommitmentReport(models.Model):
    _name = "bpo.commitment.report"
    _description = "BPO Usage against Minimum Commitments"
    _auto = False
    _rec_name = "period_id"
    _order = "date_start desc, id"
    _depends = {
        "bpo.billing.period": ["move_id"],
        "account.move": ["state", "currency_id"],
        "account.move.line": [
            "move_id",
            "bpo_agreement_line_id",
            "bpo_period_start",
            "bpo_period_end",
            "bpo_line_kind",
            "price_subtotal",
        ],
        "bpo.usage": ["period_id", "agreement_line_id", "quantity"],
        "bpo.agreement.line": ["agreement_id", "product_id", "billing_model", "minimum_amount"],
        "bpo.agreement": ["partner_id", "company_id"],
    }

    period_id = fields.Many2one("bpo.billing.period", string="Billed Period", readonly=True)
    move_id = fields.Many2one("account.move", string="Invoice", readonly=True)
    agreement_id = fields.Many2one("bpo.agreement", readonly=True)
    agreement_line_id = fields.Many2one("bpo.agreement.line", string="Billing Rule", readonly=True)
    partner_id = fields.Many2one("res.partner", string="Client", readonly=True)
    product_id = fields.Many2one("product.product", string="Service", readonly=True)
    billing_model = fields.Selection(BILLING_MODELS, readonly=True)
    company_id = fields.Many2one("res.company", readonly=True)
    currency_id = fields.Many2one("res.currency", readonly=True)
    date_start = fields.Date(string="Service From", readonly=True)
    date_end = fields.Date(string="Service To", readonly=True)
    usage_quantity = fields.Float(
        string="Billed Usage", digits="Product Unit of Measure", readonly=True
    )
    usage_amount = fields.Monetary(
        string="Charged for Usage", readonly=True, help="The rule's charges before true-up or cap."
    )
    minimum_amount = fields.Monetary(
        string="Minimum Commitment",
        readonly=True,
        help="The rule's minimum per full period (before proration and escalation).",
    )
    shortfall_amount = fields.Monetary(
        string="Shortfall (True-up)",
        readonly=True,
        help="What the period's true-up line billed to bring the charges up to the minimum.",
    )
    cap_amount = fields.Monetary(
        string="Cap Reduction", readonly=True, help="Negative: what the cap took off."
    )
    billed_amount = fields.Monetary(string="Billed", readonly=True)
    commitment_state = fields.Selection(
        [("none", "No Minimum"), ("met", "Minimum Met"), ("shortfall", "Shortfall")],
        string="Commitment",
        readonly=True,
    )

    @property
    def _table_query(self):
        return self._query()

    @api.model
    def _query(self):
        return SQL(
            """
            WITH billed_rules AS (
                SELECT MIN(aml.id) AS id,
                       period.id AS period_id,
                       move.id AS move_id,
                       move.currency_id,
                       aml.bpo_agreement_line_id AS agreement_line_id,
                       MIN(aml.bpo_period_start) AS date_start,
                       MAX(aml.bpo_period_end) AS date_end,
                       COALESCE(SUM(aml.price_subtotal) FILTER (
                           WHERE COALESCE(aml.bpo_line_kind, 'charge') = 'charge'), 0)
                           AS usage_amount,
                       COALESCE(SUM(aml.price_subtotal) FILTER (
                           WHERE aml.bpo_line_kind = 'true_up'), 0) AS shortfall_amount,
                       COALESCE(SUM(aml.price_subtotal) FILTER (
                           WHERE aml.bpo_line_kind = 'cap'), 0) AS cap_amount,
                       COALESCE(SUM(aml.price_subtotal), 0) AS billed_amount
                  FROM bpo_billing_period period
                  JOIN account_move move ON move.id = period.move_id
                  JOIN account_move_line aml ON aml.move_id = move.id
                 WHERE move.state = 'posted'
                   AND aml.bpo_agreement_line_id IS NOT NULL
              GROUP BY period.id, move.id, move.currency_id, aml.bpo_agreement_line_id
            ),
            billed_usage AS (
                SELECT period_id, agreement_line_id, SUM(quantity) AS quantity
                  FROM bpo_usage
                 WHERE period_id IS NOT NULL
              GROUP BY period_id, agreement_line_id
            )
            SELECT billed.id,
                   billed.period_id,
                   billed.move_id,
                   rule.agreement_id,
                   billed.agreement_line_id,
                   agreement.partner_id,
                   rule.product_id,
                   rule.billing_model,
                   agreement.company_id,
                   billed.currency_id,
                   billed.date_start,
                   billed.date_end,
                   COALESCE(measured.quantity, 0) AS usage_quantity,
                   billed.usage_amount,
                   COALESCE(rule.minimum_amount, 0) AS minimum_amount,
                   billed.shortfall_amount,
                   billed.cap_amount,
                   billed.billed_amount,
                   CASE WHEN COALESCE(rule.minimum_amount, 0) = 0 THEN 'none'
                        WHEN billed.shortfall_amount > 0 THEN 'shortfall'
                        ELSE 'met'
                   END AS commitment_state
              FROM billed_rules billed
              JOIN bpo_agreement_line rule ON rule.id = billed.agreement_line_id
              JOIN bpo_agreement agreement ON agreement.id = rule.agreement_id
         LEFT JOIN billed_usage measured
                ON measured.period_id = billed.period_id
               AND measured.agreement_line_id = billed.agreement_line_id
             WHERE rule.billing_model = 'usage' OR rule.minimum_amount > 0
            """
        )
