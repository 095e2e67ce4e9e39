"""Usage review window on the billing engine: a period's usage is locked and sent to the
client before it is invoiced (bpo.usage.review); the period is held until the client
approves, the window ends or a manager releases it; it is billed for the locked quantities,
and usage recorded or changed after the lock is billed on a later invoice as an adjustment
for its period, priced by the pricing module."""

from decimal import Decimal

from odoo import api, fields, models
from odoo.tools import SQL, format_date

from ..pricing import periods, plain_number, rules, usage_adjustment
from .bpo_usage_review import DONE_STATES


# one file per pipeline, as for the generation in bpo_agreement_billing.py
class BpoAgreement(models.Model):
    _inherit = "bpo.agreement"  # pylint: disable=consider-merging-classes-inherited

    usage_review = fields.Boolean(
        string="Client Approves Usage",
        tracking=True,
        help="Once a period has ended, its usage is locked and sent to the client, who "
        "approves it (or comments) on the portal before the period is invoiced.",
    )
    usage_review_days = fields.Integer(
        string="Approval Window (days)",
        default=5,
        tracking=True,
        help="Days the client has to answer; without an answer the usage counts as approved.",
    )
    usage_review_ids = fields.One2many("bpo.usage.review", "agreement_id", string="Usage Reviews")
    usage_review_hold_reason = fields.Char(
        string="Waiting for Approval", compute="_compute_usage_review_hold_reason"
    )

    @api.depends(
        "state",
        "next_period_start",
        "usage_review",
        "usage_review_ids.state",
        "usage_review_ids.date_deadline",
    )
    def _compute_usage_review_hold_reason(self):
        for agreement in self:
            span = (
                agreement.state == "active"
                and agreement.next_period_start
                and agreement._next_span()
            )
            agreement.usage_review_hold_reason = (
                span and agreement._usage_review_held(span)
            ) or False

    # ------------------------------------------------------------------ send

    @api.model
    def _cron_send_usage_reviews(self, date_ref=None):
        """Lock and send the usage of every reviewed period that has ended; end the windows
        that passed. Returns the reviews sent."""
        date_ref = date_ref or fields.Date.context_today(self)
        self.env["bpo.usage.review"].search([("state", "=", "sent")])._expire(date_ref)
        agreements = self.search([("state", "=", "active"), ("usage_review", "=", True)])
        return agreements._send_usage_reviews(date_ref)

    def action_send_usage_review(self):
        """Button: lock and send the usage of the next period now (it must have ended)."""
        return self._send_usage_reviews(fields.Date.context_today(self))

    def _send_usage_reviews(self, date_ref):
        reviews = self.env["bpo.usage.review"]
        for agreement in self.filtered(lambda agreement: agreement.state == "active"):
            span = agreement._next_span()
            usage_span = span and agreement._usage_span(span)
            if not usage_span or usage_span[1] >= date_ref:
                continue
            if agreement._usage_review_for(span):
                continue
            reviews |= self.env["bpo.usage.review"].create(
                {
                    "agreement_id": agreement.id,
                    "period_start": span[0],
                    "period_end": span[1],
                    "usage_start": usage_span[0],
                    "usage_end": usage_span[1],
                }
            )
        reviews._send(date_ref)
        return reviews

    def _usage_review_for(self, span):
        self.ensure_one()
        return self.usage_review_ids.filtered(lambda review: review.period_start == span[0])

    # ------------------------------------------------------------------ billing hooks

    def _billing_held(self, span):
        reason = super()._billing_held(span)
        return reason or self._usage_review_held(span)

    def _usage_review_held(self, span):
        """Why the period ``span`` waits for the client's approval of its usage, or ""."""
        self.ensure_one()
        if not self.usage_review or not self._usage_span(span):
            return ""
        review = self._usage_review_for(span)
        if not review or review.state == "draft":
            return self.env._(
                "Waiting for the usage of %(start)s → %(end)s to be sent to the client for "
                "approval.",
                start=format_date(self.env, self._usage_span(span)[0]),
                end=format_date(self.env, self._usage_span(span)[1]),
            )
        if review.state == "sent":
            return self.env._(
                "Waiting for the client's approval of usage until %(deadline)s.",
                deadline=format_date(self.env, review.date_deadline),
            )
        if review.state == "commented":
            return self.env._(
                "The client commented on the usage: %(comment)s", comment=review.client_comment
            )
        return ""

    def _generate_batch(self, date_ref):
        # a review window that ended before the billing day counts as approved
        self.usage_review_ids.filtered(lambda review: review.state == "sent")._expire(date_ref)
        return super()._generate_batch(date_ref)

    def _claim_usage(self, spans, billing_periods):
        """A reviewed period is billed for its locked usage; usage dated in a reviewed period
        is left to the adjustments (``_prepare_extra_invoice_lines``)."""
        usage = super()._claim_usage(spans, billing_periods)
        reviewed = [agreement for agreement in spans if agreement._usage_reviews_done()]
        if not reviewed:
            return usage
        usage = dict(usage)
        claimed = self.env["bpo.usage"].search(
            [("period_id", "in", [billing_periods[agreement].id for agreement in reviewed])]
        )
        for agreement in reviewed:
            done = agreement._usage_reviews_done()
            for row in claimed.filtered(
                lambda row, agreement=agreement: row.agreement_id == agreement
            ):
                if any(review.usage_start <= row.date <= review.usage_end for review in done):
                    line_id = row.agreement_line_id.id
                    usage[line_id] = usage.get(line_id, Decimal(0)) - Decimal(str(row.quantity))
            current = agreement._usage_review_for(spans[agreement])
            if current.state in DONE_STATES:
                for line_id, quantity in current._locked_quantities().items():
                    usage[line_id] = usage.get(line_id, Decimal(0)) + Decimal(str(quantity))
        return usage

    def _usage_reviews_done(self):
        self.ensure_one()
        return self.usage_review_ids.filtered(lambda review: review.state in DONE_STATES)

    def _prepare_extra_invoice_lines(self, span, lines_vals):
        extra = super()._prepare_extra_invoice_lines(span, lines_vals)
        usage_span = self._usage_span(span)
        if not usage_span or not self.usage_review_ids:
            return extra
        return extra + [
            vals for _review_line, _live, vals in self._usage_adjustments(usage_span[0])
        ]

    def _bill_next_periods(self, date_ref):
        usage_starts = {
            agreement: usage_span[0]
            for agreement in self
            if agreement.usage_review_ids
            and (usage_span := agreement._usage_span(agreement._next_span()))
        }
        moves = super()._bill_next_periods(date_ref)
        billed = moves.mapped("bpo_agreement_id")
        for agreement, usage_start in usage_starts.items():
            if agreement not in billed:
                continue
            for review_line, live, _vals in agreement._usage_adjustments(usage_start):
                review_line.quantity_adjusted = live - review_line.quantity
                review_line.review_id.message_post(
                    body=self.env._(
                        "%(rule)s: usage now %(live)s against %(locked)s locked; the "
                        "difference is billed as an adjustment on %(invoice)s.",
                        rule=review_line.agreement_line_id.display_name,
                        live=plain_number(live),
                        locked=plain_number(review_line.quantity),
                        invoice=moves.filtered(
                            lambda move, agreement=agreement: move.bpo_agreement_id == agreement
                        ).display_name,
                    )
                )
        return moves

    # ------------------------------------------------------------------ adjustments

    def _usage_review_live_quantities(self, start, end):
        """{rule id: quantity} of the usage dated ``start`` → ``end``, billed or not."""
        self.ensure_one()
        groups = self.env["bpo.usage"]._read_group(
            [("agreement_id", "=", self.id), ("date", ">=", start), ("date", "<=", end)],
            ["agreement_line_id"],
            ["quantity:sum"],
        )
        return {line.id: quantity for line, quantity in groups}

    @api.model
    def _usage_review_decimal(self, quantities):
        return {line_id: Decimal(str(quantity)) for line_id, quantity in quantities.items()}

    def _usage_adjustments(self, before):
        """[(review line, live quantity, invoice line values)] for the reviewed periods whose
        usage ended before ``before`` and changed since it was billed: one query for the
        live usage of all of them."""
        self.ensure_one()
        self.env["bpo.usage"].flush_model()
        self.env["bpo.usage.review"].flush_model()
        self.env["bpo.usage.review.line"].flush_model()
        self.env.cr.execute(
            SQL(
                """SELECT line.id, COALESCE(SUM(usage.quantity), 0)
                     FROM bpo_usage_review review
                     JOIN bpo_usage_review_line line ON line.review_id = review.id
                LEFT JOIN bpo_usage usage ON usage.agreement_line_id = line.agreement_line_id
                      AND usage.date BETWEEN review.usage_start AND review.usage_end
                    WHERE review.agreement_id = %(agreement)s AND review.state = ANY(%(states)s)
                      AND review.usage_end < %(before)s
                 GROUP BY line.id, line.quantity, line.quantity_adjusted
                   HAVING COALESCE(SUM(usage.quantity), 0)
                          != COALESCE(line.quantity, 0) + COALESCE(line.quantity_adjusted, 0)
                 ORDER BY line.id""",
                agreement=self.id,
                states=list(DONE_STATES),
                before=before,
            )
        )
        rows = self.env.cr.fetchall()
        review_lines = self.env["bpo.usage.review.line"].browse(row[0] for row in rows)
        precision = self._pricing_precision()
        rounding = Decimal(str(self.currency_id.rounding))
        env = self.with_context(lang=self.partner_id.lang).env
        result = []
        for review_line, (_line_id, live) in zip(review_lines, rows, strict=True):
            review = review_line.review_id
            rule = review_line.agreement_line_id
            billed = Decimal(str(review_line.quantity + review_line.quantity_adjusted))
            live = Decimal(str(live))
            cover = periods.coverage(
                review.usage_start,
                review.usage_end,
                self.billing_frequency,
                rule.date_start or None,
                rule.date_end or None,
            )
            if not cover:
                continue
            escalation = periods.escalation_factor(
                Decimal(str(self.escalation_percent)),
                self.escalation_date or None,
                review.period_start,
            )
            adjustment = usage_adjustment(
                rule._price_period(cover, billed, escalation, precision, env),
                rule._price_period(cover, live, escalation, precision, env),
                billed,
                live,
                rounding,
                precision.price_digits,
            )
            if not adjustment:
                continue
            uom = rule.product_id.uom_id.with_env(env).name
            name = env._(
                "Usage adjustment for %(start)s → %(end)s: %(delta)s %(uom)s (%(product)s, "
                "recorded after the usage was approved)",
                start=format_date(env, review.usage_start),
                end=format_date(env, review.usage_end),
                delta=("+" if adjustment.delta > 0 else "") + plain_number(adjustment.delta),
                uom=uom,
                product=rule.product_id.with_env(env).display_name,
            )
            vals = rule._prepare_invoice_line(
                rules.InvoiceLine(
                    "usage_adjustment",
                    name,
                    adjustment.quantity,
                    adjustment.price_unit,
                    adjustment.amount,
                    review.usage_start,
                    review.usage_end,
                )
            )
            result.append((review_line, float(live), vals))
        return result
