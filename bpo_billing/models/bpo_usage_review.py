"""The client's review of a period's usage before it is invoiced: the period's usage is
locked and sent (a pre-bill on the portal); the client approves or comments; approval, the
end of the review window or a manager's release lets the period be billed."""

from dateutil.relativedelta import relativedelta
from markupsafe import Markup

from odoo import api, fields, models
from odoo.exceptions import UserError
from odoo.tools import format_date

# the period may be billed: for its locked usage; later changes become adjustments
DONE_STATES = ("approved", "expired", "released")


class BpoUsageReview(models.Model):
    _name = "bpo.usage.review"
    _description = "BPO Usage Review"
    _inherit = ["mail.thread", "mail.activity.mixin", "portal.mixin"]
    _order = "period_start desc, id desc"

    name = fields.Char(compute="_compute_name", store=True)
    agreement_id = fields.Many2one(
        "bpo.agreement", required=True, ondelete="cascade", index=True, readonly=True
    )
    partner_id = fields.Many2one(related="agreement_id.partner_id", store=True, index=True)
    company_id = fields.Many2one(related="agreement_id.company_id", store=True, index=True)
    currency_id = fields.Many2one(related="agreement_id.currency_id")
    user_id = fields.Many2one(related="agreement_id.user_id")
    period_start = fields.Date(
        string="Billed Period From", required=True, readonly=True, help="The invoice's period."
    )
    period_end = fields.Date(string="Billed Period To", required=True, readonly=True)
    usage_start = fields.Date(
        string="Usage From",
        required=True,
        readonly=True,
        help="The usage reviewed: the billed period, or the period before it when the "
        "agreement bills in advance (usage is always billed in arrears).",
    )
    usage_end = fields.Date(string="Usage To", required=True, readonly=True)
    state = fields.Selection(
        [
            ("draft", "Draft"),
            ("sent", "Waiting for Approval"),
            ("commented", "Commented"),
            ("approved", "Approved"),
            ("expired", "Approved (window ended)"),
            ("released", "Released"),
        ],
        default="draft",
        required=True,
        readonly=True,
        tracking=True,
        copy=False,
    )
    date_sent = fields.Date(string="Sent On", readonly=True, copy=False)
    date_deadline = fields.Date(
        string="Approve By",
        readonly=True,
        copy=False,
        help="Without an answer by this day, the usage counts as approved and is billed.",
    )
    line_ids = fields.One2many("bpo.usage.review.line", "review_id", string="Locked Usage")
    amount_untaxed = fields.Monetary(
        string="Pre-bill (untaxed)",
        readonly=True,
        copy=False,
        help="The untaxed amount of the invoice for this period, as priced when the usage "
        "was locked.",
    )
    recipient_id = fields.Many2one(
        "res.partner", string="Sent To", readonly=True, copy=False, help="The client's contact."
    )
    approved_by_id = fields.Many2one("res.partner", readonly=True)
    client_comment = fields.Text(readonly=True, copy=False)

    _sql_constraints = [
        (
            "period_uniq",
            "unique(agreement_id, period_start)",
            "An agreement's period is reviewed once.",
        ),
    ]

    @api.depends("agreement_id.name", "usage_start", "usage_end")
    def _compute_name(self):
        for review in self:
            review.name = self.env._(
                "%(agreement)s usage %(start)s → %(end)s",
                agreement=review.agreement_id.name or "",
                start=review.usage_start and format_date(self.env, review.usage_start),
                end=review.usage_end and format_date(self.env, review.usage_end),
            )

    def _compute_access_url(self):
        for review in self:
            review.access_url = f"/my/usage-reviews/{review.id}"

    # ------------------------------------------------------------------ lock and send

    def _lock(self, date_ref):
        """Lock the usage of the period as it is now and price the pre-bill."""
        for review in self:
            agreement = review.agreement_id
            quantities = agreement._usage_review_live_quantities(
                review.usage_start, review.usage_end
            )
            rules = agreement.line_ids.filtered(lambda line: line.billing_model == "usage")
            # sent again after a comment: the same lines, locked anew
            existing = {line.agreement_line_id: line for line in review.line_ids}
            review.line_ids = [
                fields.Command.update(existing[rule].id, {"quantity": quantities.get(rule.id, 0.0)})
                if rule in existing
                else fields.Command.create(
                    {"agreement_line_id": rule.id, "quantity": quantities.get(rule.id, 0.0)}
                )
                for rule in rules
            ]
            review.write(
                {
                    "state": "sent",
                    "date_sent": date_ref,
                    "date_deadline": date_ref + relativedelta(days=agreement.usage_review_days),
                    "amount_untaxed": review._prebill_untaxed(),
                    "client_comment": False,
                    "approved_by_id": False,
                }
            )

    def _send(self, date_ref):
        """Lock the usage and email the client the link to the pre-bill."""
        self._lock(date_ref)
        template = self.env.ref("bpo_billing.mail_template_usage_review")
        for review in self:
            client = review.agreement_id.partner_id
            review.recipient_id = client.address_get(["invoice"])["invoice"]
            review.message_post_with_source(template, subtype_xmlid="mail.mt_comment")
            review.agreement_id.message_post(
                body=Markup(
                    self.env._(
                        "Usage of %(start)s → %(end)s locked and sent for approval until "
                        "%(deadline)s: %(review)s."
                    )
                )
                % {
                    "start": format_date(self.env, review.usage_start),
                    "end": format_date(self.env, review.usage_end),
                    "deadline": format_date(self.env, review.date_deadline),
                    "review": review._get_html_link(),
                }
            )

    def action_send(self):
        """Send (or send again, after a comment) with the usage as it is now."""
        todo = self.filtered(lambda review: review.state in ("draft", "commented"))
        if todo != self:
            raise UserError(self.env._("Only draft or commented reviews are sent."))
        todo._send(fields.Date.context_today(self))
        return True

    def action_preview(self):
        """The pre-bill as the client sees it on the portal."""
        self.ensure_one()
        return {"type": "ir.actions.act_url", "target": "self", "url": self.get_portal_url()}

    # ------------------------------------------------------------------ answers

    def _check_waiting(self):
        if self.filtered(lambda review: review.state != "sent"):
            raise UserError(self.env._("This usage review is not waiting for an answer."))

    def action_approve(self, partner=None):
        """The client approves the locked usage: the period may be billed."""
        self._check_waiting()
        partner = partner or self.env.user.partner_id
        for review in self:
            review.write({"state": "approved", "approved_by_id": partner.id})
            review._message_log(
                body=self.env._("Usage approved by %(partner)s.", partner=partner.name),
                author_id=partner.id,
            )
        return True

    def action_comment(self, comment, partner=None):
        """The client comments: the period stays held and the agreement's responsible gets
        an activity to answer (fix the usage and send again, or release)."""
        self._check_waiting()
        comment = (comment or "").strip()
        if not comment:
            raise UserError(self.env._("Write your comment on the usage."))
        partner = partner or self.env.user.partner_id
        for review in self:
            review.write({"state": "commented", "client_comment": comment})
            review._message_log(
                body=self.env._(
                    "Comment from %(partner)s: %(comment)s", partner=partner.name, comment=comment
                ),
                author_id=partner.id,
            )
            review.activity_schedule(
                "mail.mail_activity_data_todo",
                summary=self.env._("Answer the client's comment on the usage"),
                note=comment,
                user_id=(review.agreement_id.user_id or self.env.user).id,
            )
        return True

    def action_release(self):
        """Manager's button: bill the period as locked, whatever the client said."""
        if not self.env.user.has_group("bpo_billing.group_bpo_manager"):
            raise UserError(self.env._("Only a billing manager can release a usage review."))
        if self.filtered(lambda review: review.state not in ("sent", "commented")):
            raise UserError(self.env._("Only reviews waiting for the client are released."))
        for review in self:
            review.state = "released"
            review.message_post(
                body=self.env._("Released for billing by %(user)s.", user=self.env.user.name)
            )
        return True

    def _expire(self, date_ref):
        """Reviews sent whose window ended before ``date_ref`` count as approved."""
        for review in self.filtered(
            lambda review: review.state == "sent" and review.date_deadline < date_ref
        ):
            review.state = "expired"
            review.message_post(
                body=self.env._(
                    "No answer by %(deadline)s: the usage counts as approved.",
                    deadline=format_date(self.env, review.date_deadline),
                )
            )

    # ------------------------------------------------------------------ pre-bill

    def _locked_quantities(self):
        self.ensure_one()
        return {line.agreement_line_id.id: line.quantity for line in self.line_ids}

    def _prebill_lines(self):
        """Invoice line values the period would be billed with, for the locked usage:
        priced by the billing engine, nothing written."""
        self.ensure_one()
        agreement = self.agreement_id
        return agreement._prepare_invoice_lines(
            (self.period_start, self.period_end),
            agreement._usage_review_decimal(self._locked_quantities()),
            agreement._get_billed_one_off_lines(),
        )

    def _prebill_untaxed(self):
        currency = self.currency_id
        return sum(
            currency.round(vals["quantity"] * vals["price_unit"]) for vals in self._prebill_lines()
        )
