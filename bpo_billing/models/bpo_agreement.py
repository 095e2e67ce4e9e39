from dateutil.relativedelta import relativedelta

from odoo import api, fields, models
from odoo.exceptions import UserError, ValidationError

from ..pricing import periods

BILLING_FREQUENCIES = [
    ("monthly", "Monthly"),
    ("quarterly", "Quarterly"),
    ("semiannual", "Semi-annual"),
    ("yearly", "Yearly"),
]


class BpoAgreement(models.Model):
    _name = "bpo.agreement"
    _description = "BPO Service Agreement"
    _inherit = ["mail.thread", "mail.activity.mixin", "portal.mixin"]
    _order = "date_start desc, id desc"
    _check_company_auto = True

    name = fields.Char(
        string="Reference",
        required=True,
        copy=False,
        readonly=True,
        default=lambda self: self.env._("New"),
        tracking=True,
    )
    partner_id = fields.Many2one(
        "res.partner",
        string="Client",
        required=True,
        tracking=True,
        index=True,
        check_company=True,
    )
    company_id = fields.Many2one(
        "res.company",
        required=True,
        index=True,
        default=lambda self: self.env.company,
    )
    currency_id = fields.Many2one(
        "res.currency",
        required=True,
        default=lambda self: self.env.company.currency_id,
        tracking=True,
    )
    user_id = fields.Many2one(
        "res.users",
        string="Responsible",
        default=lambda self: self.env.user,
        tracking=True,
        help="Billing officer who follows this agreement and receives its billing activities.",
    )
    sale_order_id = fields.Many2one(
        "sale.order",
        string="Quotation",
        copy=False,
        readonly=True,
        index="btree_not_null",
        help="The confirmed quotation this agreement was created from.",
    )
    date_start = fields.Date(
        string="Start Date",
        required=True,
        default=fields.Date.context_today,
        tracking=True,
    )
    date_end = fields.Date(
        string="End Date",
        tracking=True,
        help="Last day of service. Leave empty for an open-ended agreement.",
    )
    state = fields.Selection(
        [
            ("draft", "Draft"),
            ("active", "Active"),
            ("suspended", "Suspended"),
            ("closed", "Closed"),
        ],
        default="draft",
        required=True,
        copy=False,
        tracking=True,
        index=True,
    )
    billing_frequency = fields.Selection(
        BILLING_FREQUENCIES,
        required=True,
        default="monthly",
        tracking=True,
        help="Periods follow the calendar: months start on the 1st, quarters in January, "
        "April, July and October, half-years in January and July, years on 1 January.",
    )
    billing_timing = fields.Selection(
        [("advance", "In advance"), ("arrears", "In arrears")],
        required=True,
        default="advance",
        tracking=True,
        help="In advance: each invoice bills the coming period. In arrears: each invoice "
        "bills the period just ended. Metered usage is always billed in arrears.",
    )
    next_period_start = fields.Date(
        copy=False,
        tracking=True,
        index=True,
        help="First day of the next period to bill.",
    )
    next_period_end = fields.Date(
        compute="_compute_next_period_end",
        store=True,
        help="Last day of the next period to bill.",
    )
    next_invoice_date = fields.Date(
        compute="_compute_next_period_end",
        store=True,
        index=True,
        help="Date from which the next period is due for invoicing.",
    )
    payment_term_id = fields.Many2one(
        "account.payment.term",
        string="Payment Terms",
        check_company=True,
        tracking=True,
    )
    fiscal_position_id = fields.Many2one(
        "account.fiscal.position",
        check_company=True,
    )
    journal_id = fields.Many2one(
        "account.journal",
        string="Invoice Journal",
        required=True,
        domain="[('type', '=', 'sale')]",
        check_company=True,
        default=lambda self: self._default_journal(),
    )
    auto_post = fields.Boolean(
        string="Post Invoices",
        default=True,
        help="Post generated invoices at once. Unticked, they stay in draft for review.",
    )
    line_ids = fields.One2many(
        "bpo.agreement.line",
        "agreement_id",
        string="Billing Rules",
        copy=True,
    )
    dunning_policy_id = fields.Many2one(
        "bpo.dunning.policy",
        string="Reminder Policy",
        check_company=True,
        default=lambda self: self.env.company.bpo_dunning_policy_id,
        tracking=True,
        help="How overdue invoices of this agreement are chased: reminders, fees, suspension.",
    )
    late_fees = fields.Boolean(
        string="Charge Late Fees",
        default=True,
        tracking=True,
        help="Apply the fees of the reminder policy's stages to this agreement's overdue "
        "invoices. The rule is printed on its invoices.",
    )
    suspended_by_dunning = fields.Boolean(
        readonly=True,
        copy=False,
        help="Suspended by a reminder stage: paying the overdue invoices activates it again.",
    )
    escalation_percent = fields.Float(
        string="Yearly Escalation (%)",
        digits=(16, 4),
        tracking=True,
        help="Price indexation applied to every rate on the escalation date and on each "
        "anniversary of it, compounded.",
    )
    escalation_date = fields.Date(
        tracking=True,
        help="First day the escalated prices apply. Periods starting on or after it are "
        "billed at the new rates.",
    )
    period_ids = fields.One2many(
        "bpo.billing.period", "agreement_id", string="Billing Periods", readonly=True
    )
    invoice_ids = fields.One2many(
        "account.move", "bpo_agreement_id", string="Invoices", readonly=True
    )
    client_credit_hold = fields.Boolean(
        related="partner_id.commercial_partner_id.bpo_credit_hold",
        string="Client on Credit Hold",
        groups="base.group_user",
    )
    client_credit_hold_reason = fields.Char(
        related="partner_id.commercial_partner_id.bpo_credit_hold_reason",
        string="Client Credit Hold Reason",
        groups="base.group_user",
    )
    invoice_count = fields.Integer(compute="_compute_invoice_count")
    usage_count = fields.Integer(compute="_compute_usage_count")
    # internal: the portal and RPC hide it from clients
    note = fields.Html(string="Terms and Notes", groups="base.group_user")

    _sql_constraints = [
        (
            "name_company_uniq",
            "unique(name, company_id)",
            "An agreement reference must be unique per company.",
        ),
    ]

    @api.model
    def _default_journal(self):
        return self.env["account.journal"].search(
            [
                *self.env["account.journal"]._check_company_domain(self.env.company),
                ("type", "=", "sale"),
            ],
            limit=1,
        )

    @api.depends("next_period_start", "billing_frequency", "billing_timing", "date_end")
    def _compute_next_period_end(self):
        for agreement in self:
            span = agreement.next_period_start and periods.billing_span(
                agreement.next_period_start,
                agreement.billing_frequency,
                agreement.date_end or None,
            )
            agreement.next_period_end = span and span[1]
            if not span:
                agreement.next_invoice_date = False
            elif agreement.billing_timing == "advance":
                agreement.next_invoice_date = span[0]
            else:
                agreement.next_invoice_date = span[1] + relativedelta(days=1)

    def _compute_invoice_count(self):
        counts = dict(
            self.env["account.move"]._read_group(
                [("bpo_agreement_id", "in", self.ids)],
                ["bpo_agreement_id"],
                ["__count"],
            )
        )
        for agreement in self:
            agreement.invoice_count = counts.get(agreement, 0)

    def _compute_access_url(self):
        for agreement in self:
            agreement.access_url = f"/my/agreements/{agreement.id}"

    def _compute_usage_count(self):
        counts = dict(
            self.env["bpo.usage"]._read_group(
                [("agreement_id", "in", self.ids)], ["agreement_id"], ["__count"]
            )
        )
        for agreement in self:
            agreement.usage_count = counts.get(agreement, 0)

    @api.constrains("date_start", "date_end")
    def _check_dates(self):
        for agreement in self:
            if agreement.date_end and agreement.date_end < agreement.date_start:
                raise ValidationError(
                    self.env._(
                        "Agreement %(name)s: the End Date (%(end)s) is before the Start Date "
                        "(%(start)s).",
                        name=agreement.display_name,
                        end=agreement.date_end,
                        start=agreement.date_start,
                    )
                )

    @api.constrains("escalation_percent", "escalation_date")
    def _check_escalation(self):
        for agreement in self:
            if agreement.escalation_percent < 0:
                raise ValidationError(
                    self.env._(
                        "Agreement %(name)s: the Yearly Escalation cannot be negative.",
                        name=agreement.display_name,
                    )
                )
            if agreement.escalation_percent and not agreement.escalation_date:
                raise ValidationError(
                    self.env._(
                        "Agreement %(name)s: set the Escalation Date the Yearly Escalation "
                        "applies from.",
                        name=agreement.display_name,
                    )
                )

    @api.model_create_multi
    def create(self, vals_list):
        for vals in vals_list:
            if vals.get("name", self.env._("New")) == self.env._("New"):
                company = self.env["res.company"].browse(vals.get("company_id")) or self.env.company
                vals["name"] = self.env["ir.sequence"].with_company(company).next_by_code(
                    "bpo.agreement"
                ) or self.env._("New")
        return super().create(vals_list)

    @api.onchange("partner_id")
    def _onchange_partner_id(self):
        partner = self.partner_id.with_company(self.company_id)
        if partner.property_payment_term_id:
            self.payment_term_id = partner.property_payment_term_id
        self.fiscal_position_id = (
            self.env["account.fiscal.position"]
            .with_company(self.company_id)
            ._get_fiscal_position(partner)
        )

    def action_activate(self):
        """Start billing: draft or suspended agreements become active."""
        for agreement in self:
            if agreement.state not in ("draft", "suspended"):
                raise UserError(
                    self.env._(
                        "Agreement %(name)s cannot be activated from the state %(state)s.",
                        name=agreement.display_name,
                        state=agreement._state_label(),
                    )
                )
            if not agreement.line_ids:
                raise UserError(
                    self.env._(
                        "Agreement %(name)s has no billing rule: add at least one line before "
                        "activating it.",
                        name=agreement.display_name,
                    )
                )
        for agreement in self.filtered(lambda a: not a.next_period_start):
            agreement.next_period_start = agreement.date_start
        self.state = "active"
        return True

    def action_suspend(self):
        """Stop billing for a while; reactivating resumes from the next unbilled period."""
        self._check_state_for("suspend", ("active",))
        self.state = "suspended"
        return True

    def action_close(self):
        """End the agreement: no period is billed after closing."""
        self._check_state_for("close", ("draft", "active", "suspended"))
        self.state = "closed"
        return True

    def _check_state_for(self, action_label, allowed_states):
        for agreement in self:
            if agreement.state not in allowed_states:
                raise UserError(
                    self.env._(
                        "Agreement %(name)s cannot %(action)s from the state %(state)s.",
                        name=agreement.display_name,
                        action=action_label,
                        state=agreement._state_label(),
                    )
                )

    def _state_label(self):
        self.ensure_one()
        return dict(self._fields["state"]._description_selection(self.env))[self.state]

    def action_view_invoices(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "account.action_move_out_invoice_type"
        )
        action["domain"] = [("bpo_agreement_id", "=", self.id)]
        action["context"] = {"default_move_type": "out_invoice", "create": False}
        return action

    def action_view_usage(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id("bpo_billing.action_bpo_usage")
        action["domain"] = [("agreement_id", "=", self.id)]
        action["context"] = {"default_agreement_id": self.id}
        return action

    def action_view_sale_order(self):
        self.ensure_one()
        return {
            "type": "ir.actions.act_window",
            "res_model": "sale.order",
            "res_id": self.sale_order_id.id,
            "view_mode": "form",
        }

    def _get_report_base_filename(self):
        self.ensure_one()
        return self.env._("Agreement %(name)s", name=self.name)
