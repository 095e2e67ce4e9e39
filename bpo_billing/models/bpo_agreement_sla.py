"""SLA service credits on the billing engine: the period's measured KPIs -> the credit each
earns (pricing.sla) -> the period's cap -> negative invoice lines; earn-back of a credit when
the next periods meet the target; periods held while KPIs are missing; credits for measures
that arrive after their period was invoiced (on the draft invoice, else a credit note).

KPIs are measured like usage, in arrears: an agreement billed in advance credits the
previous period's shortfall on the next invoice.
"""

from collections import defaultdict
from decimal import Decimal

from dateutil.relativedelta import relativedelta
from markupsafe import Markup

from odoo import fields, models
from odoo.exceptions import UserError
from odoo.tools import format_amount, format_date

from ..pricing import periods, plain_number, round_money
from ..pricing import sla as sla_pricing


# one file per pipeline, as for the generation in bpo_agreement_billing.py
class BpoAgreement(models.Model):
    _inherit = "bpo.agreement"  # pylint: disable=consider-merging-classes-inherited

    sla_ids = fields.One2many("bpo.sla", "agreement_id", string="Service Levels")
    sla_credit_cap_percent = fields.Float(
        string="Service Credit Cap (%)",
        digits=(16, 4),
        tracking=True,
        help="A period's service credits together never exceed this share of the period's "
        "fees (the billing rules' amounts). 0: no cap.",
    )
    sla_earn_back_periods = fields.Integer(
        string="Earn-back After (periods)",
        tracking=True,
        help="A credit is charged back when the KPI meets its target in each of the next N "
        "periods. 0: credits are final.",
    )
    sla_hold_missing = fields.Boolean(
        string="Hold Periods Missing KPIs",
        tracking=True,
        help="A period is not billed until every KPI has its measure, or a manager releases it.",
    )
    sla_release_date = fields.Date(
        string="Released Period",
        readonly=True,
        copy=False,
        help="Start of the period a manager released for billing without all its KPIs.",
    )
    sla_hold_reason = fields.Char(string="Held", compute="_compute_sla_hold_reason")

    def _compute_sla_hold_reason(self):
        for agreement in self:
            span = (
                agreement.state == "active"
                and agreement.next_period_start
                and agreement._next_span()
            )
            agreement.sla_hold_reason = (span and agreement._sla_missing_reason(span)) or False

    def action_release_sla_hold(self):
        """Manager's button: bill the next period without waiting for its missing KPIs."""
        if not self.env.user.has_group("bpo_billing.group_bpo_manager"):
            raise UserError(self.env._("Only a billing manager can release a held period."))
        for agreement in self.filtered("sla_hold_reason"):
            span = agreement._next_span()
            agreement.sla_release_date = span[0]
            agreement.message_post(
                body=self.env._(
                    "Period %(start)s → %(end)s released for billing without its missing KPI "
                    "measures.",
                    start=format_date(self.env, span[0]),
                    end=format_date(self.env, span[1]),
                )
            )
        return True

    # ------------------------------------------------------------------ billing hooks

    def _billing_held(self, span):
        reason = super()._billing_held(span)
        return reason or self._sla_missing_reason(span)

    def _prepare_extra_invoice_lines(self, span, lines_vals):
        extra = super()._prepare_extra_invoice_lines(span, lines_vals)
        if not self.sla_ids:
            return extra
        measured = self._usage_span(span)
        if not measured:
            return extra
        return (
            extra
            + self._prepare_sla_credit_lines(measured, lines_vals, {})
            + self._prepare_sla_earn_back_lines(measured)
        )

    # ------------------------------------------------------------------ measures

    def _sla_measures(self, measured):
        """{sla: measure} of the period ``measured`` (start, end), for the active KPIs."""
        self.ensure_one()
        period_start = periods.period_bounds(measured[0], self.billing_frequency)[0]
        return {
            measure.sla_id: measure
            for measure in self.sla_ids.measure_ids
            if measure.period_start == period_start
        }

    def _sla_missing_reason(self, span):
        """Why the period ``span`` waits for KPI measures, or "" when it may be billed."""
        self.ensure_one()
        if not (self.sla_hold_missing and self.sla_ids) or self.sla_release_date == span[0]:
            return ""
        measured = self._usage_span(span)
        if not measured:
            return ""
        measures = self._sla_measures(measured)
        missing = self.sla_ids.filtered(lambda sla: sla not in measures)
        if not missing:
            return ""
        return self.env._(
            "Waiting for the KPI measures of %(start)s → %(end)s: %(kpis)s.",
            start=format_date(self.env, measured[0]),
            end=format_date(self.env, measured[1]),
            kpis=", ".join(missing.mapped("name")),
        )

    def _sla_previous_span(self, span):
        """The billed span before ``span``, or None before the agreement's start."""
        end = span[0] - relativedelta(days=1)
        if end < self.date_start:
            return None
        return max(periods.period_bounds(end, self.billing_frequency)[0], self.date_start), end

    # ------------------------------------------------------------------ credits

    def _sla_money(self, vals):
        return round_money(
            Decimal(str(vals["quantity"])) * Decimal(str(vals["price_unit"])),
            Decimal(str(self.currency_id.rounding)),
        )

    def _prepare_sla_credit_lines(self, measured, lines_vals, given):
        """Negative invoice line values for the KPIs of the period ``measured`` that missed
        their target, on the invoice whose rule lines are ``lines_vals``. The
        credits already ``given`` ({sla id: amount}) are deducted; the period's cap applies
        to the total."""
        self.ensure_one()
        rounding = Decimal(str(self.currency_id.rounding))
        rule_vals = [vals for vals in lines_vals if vals.get("bpo_agreement_line_id")]
        if not rule_vals:
            return []
        credits = []
        for sla, measure in self._sla_measures(measured).items():
            base_vals = [
                vals
                for vals in rule_vals
                if not sla.line_ids or vals["bpo_agreement_line_id"] in sla.line_ids.ids
            ]
            base_fee = sum((self._sla_money(vals) for vals in base_vals), Decimal(0))
            credit = sla_pricing.sla_credit(
                measure.value,
                sla.target,
                sla.direction,
                [
                    sla_pricing.SlaTier(
                        tier.shortfall_from, tier.credit_percent, tier.credit_amount
                    )
                    for tier in sla.tier_ids
                ],
                base_fee,
                sla.credit_type == "fixed",
                rounding,
            )
            if credit.amount:
                credits.append((sla, measure, credit, base_fee, base_vals[0]))
        period_fee = sum((self._sla_money(vals) for vals in rule_vals), Decimal(0))
        cap = sla_pricing.cap_amount(self.sla_credit_cap_percent, period_fee, rounding)
        capped = sla_pricing.apply_cap(
            [credit.amount for _sla, _measure, credit, _fee, _vals in credits], cap, rounding
        )
        env = self.with_context(lang=self.partner_id.lang).env
        lines = []
        for (sla, measure, credit, base_fee, first_vals), amount in zip(
            credits, capped, strict=True
        ):
            missing = amount - Decimal(str(given.get(sla.id, 0)))
            if missing <= 0:
                continue
            name = self._sla_credit_label(env, sla, measure, credit, base_fee)
            if amount != credit.amount:
                name += env._(
                    " (capped: %(percent)s %% of %(fee)s for the period's credits)",
                    percent=plain_number(self.sla_credit_cap_percent),
                    fee=format_amount(env, float(period_fee), self.currency_id),
                )
            lines.append(
                self._prepare_sla_line(first_vals, name, -missing, measured, sla, "sla_credit")
            )
        return lines

    def _sla_credit_label(self, env, sla, measure, credit, base_fee):
        unit = f" {sla.unit}" if sla.unit else ""
        values = {
            "kpi": sla.with_env(env).name,
            "measured": plain_number(measure.value) + unit,
            "target": plain_number(sla.target) + unit,
            "tier": credit.tier,
        }
        if sla.credit_type == "fixed":
            return env._("%(kpi)s %(measured)s vs %(target)s target: tier %(tier)s", **values)
        tier = sla.tier_ids.sorted("shortfall_from")[credit.tier - 1]
        return env._(
            "%(kpi)s %(measured)s vs %(target)s target: tier %(tier)s, %(percent)s %% of %(base)s",
            percent=plain_number(tier.credit_percent),
            base=format_amount(env, float(base_fee), self.currency_id),
            **values,
        )

    def _prepare_sla_line(self, base_vals, name, amount, measured, sla, kind):
        """One invoice line of ``amount`` for ``sla``, sold and taxed as ``base_vals``."""
        return {
            "product_id": base_vals["product_id"],
            "name": name,
            "quantity": 1.0,
            "price_unit": float(amount),
            "tax_ids": base_vals.get("tax_ids"),
            "analytic_distribution": base_vals.get("analytic_distribution"),
            "bpo_period_start": measured[0],
            "bpo_period_end": measured[1],
            "bpo_line_kind": kind,
            "bpo_sla_id": sla.id,
        }

    def _sla_credit_lines_given(self, measured, kinds=("sla_credit",)):
        """Invoice and credit note lines already giving (or earning back) the credits of
        the period ``measured``."""
        return self.env["account.move.line"].search(
            [
                ("bpo_sla_id", "in", self.sla_ids.ids),
                ("bpo_line_kind", "in", list(kinds)),
                ("bpo_period_start", "=", measured[0]),
                ("parent_state", "!=", "cancel"),
            ]
        )

    def _sla_given(self, move_lines):
        """{sla id: credit given} by ``move_lines`` (negative on invoices, positive on
        credit notes); earn-back lines count against it."""
        given = defaultdict(Decimal)
        for line in move_lines:
            sign = -1 if line.move_id.move_type == "out_invoice" else 1
            given[line.bpo_sla_id.id] += sign * Decimal(str(line.price_subtotal))
        return given

    # ------------------------------------------------------------------ earn-back

    def _prepare_sla_earn_back_lines(self, measured):
        """Positive lines charging back the credit of the period N periods before
        ``measured``, for each KPI that met its target in every period since."""
        self.ensure_one()
        count = self.sla_earn_back_periods
        if count <= 0:
            return []
        spans = [measured]
        for _index in range(count):
            previous = self._sla_previous_span(spans[-1])
            if not previous:
                return []
            spans.append(previous)
        credited, since = spans[-1], spans[:-1]
        measures = [self._sla_measures(span) for span in since]
        kept = [
            sla
            for sla in self.sla_ids
            if all(sla in by_sla and by_sla[sla].target_met for by_sla in measures)
        ]
        if not kept:
            return []
        given_lines = self._sla_credit_lines_given(credited, ("sla_credit", "sla_earn_back"))
        given = self._sla_given(given_lines)
        env = self.with_context(lang=self.partner_id.lang).env
        lines = []
        for sla in kept:
            amount = given.get(sla.id, Decimal(0))
            if amount <= 0:
                continue
            credit_line = given_lines.filtered(lambda line, sla=sla: line.bpo_sla_id == sla)[:1]
            base_vals = {
                "product_id": credit_line.product_id.id,
                "tax_ids": [fields.Command.set(credit_line.tax_ids.ids)],
                "analytic_distribution": credit_line.analytic_distribution,
            }
            name = env._(
                "Earn-back of the %(kpi)s credit of %(start)s → %(end)s: target met in the "
                "%(count)s periods since",
                kpi=sla.with_env(env).name,
                start=format_date(env, credited[0]),
                end=format_date(env, credited[1]),
                count=count,
            )
            lines.append(
                self._prepare_sla_line(base_vals, name, amount, credited, sla, "sla_earn_back")
            )
        return lines

    # ------------------------------------------------------------------ late measures

    def _sla_settle_billed_periods(self, measures):
        """Give the credits earned by ``measures`` whose period is already invoiced and
        not credited yet: lines added to a draft invoice, else a credit note against the
        posted one. Safe to call again: what was given is deducted."""
        for agreement in self:
            own = measures.filtered(
                lambda measure, agreement=agreement: measure.agreement_id == agreement
            )
            starts = set(own.mapped("period_start"))
            for billing_period in agreement.period_ids.filtered(
                lambda period: period.state == "invoiced" and period.move_id
            ):
                measured = agreement._usage_span(
                    (billing_period.date_start, billing_period.date_end)
                )
                if (
                    measured
                    and periods.period_bounds(measured[0], agreement.billing_frequency)[0] in starts
                ):
                    agreement._sla_settle_period(billing_period.move_id, measured)

    def _sla_settle_period(self, invoice, measured):
        self.ensure_one()
        if invoice.state == "cancel":
            return
        rule_lines = invoice.invoice_line_ids.filtered("bpo_agreement_line_id")
        lines_vals = [
            {
                "bpo_agreement_line_id": line.bpo_agreement_line_id.id,
                "product_id": line.product_id.id,
                "quantity": line.quantity,
                "price_unit": line.price_unit,
                "tax_ids": [fields.Command.set(line.tax_ids.ids)],
                "analytic_distribution": line.analytic_distribution,
            }
            for line in rule_lines
        ]
        given = self._sla_given(self._sla_credit_lines_given(measured))
        lines = self._prepare_sla_credit_lines(measured, lines_vals, given)
        if not lines:
            return
        if invoice.state == "draft":
            invoice.write({"invoice_line_ids": [fields.Command.create(vals) for vals in lines]})
            document = invoice
        else:
            document = self._create_sla_credit_note(invoice, lines)
        amount = -sum(self._sla_money(vals) for vals in lines)
        body = Markup(
            self.env._("Service credits of %(start)s → %(end)s: %(amount)s on %(document)s.")
        ) % {
            "start": format_date(self.env, measured[0]),
            "end": format_date(self.env, measured[1]),
            "amount": format_amount(self.env, float(amount), self.currency_id),
            "document": document._get_html_link(),
        }
        self.message_post(body=body)
        if document != invoice:
            invoice.message_post(body=body)

    def _create_sla_credit_note(self, invoice, lines):
        """A credit note against the posted ``invoice`` for the credit ``lines`` (negative
        invoice line values), posted when the agreement posts its invoices."""
        refund = (
            self.env["account.move"]
            .with_company(self.company_id)
            .create(
                {
                    "move_type": "out_refund",
                    "partner_id": invoice.partner_id.id,
                    "company_id": invoice.company_id.id,
                    "currency_id": invoice.currency_id.id,
                    "journal_id": invoice.journal_id.id,
                    "invoice_date": fields.Date.context_today(self),
                    "fiscal_position_id": invoice.fiscal_position_id.id,
                    "invoice_user_id": invoice.invoice_user_id.id,
                    "invoice_origin": invoice.name,
                    "reversed_entry_id": invoice.id,
                    "ref": self.env._("Service credits: %(invoice)s", invoice=invoice.name),
                    "bpo_agreement_id": self.id,
                    "invoice_line_ids": [
                        fields.Command.create({**vals, "price_unit": -vals["price_unit"]})
                        for vals in lines
                    ],
                }
            )
        )
        if self.auto_post:
            refund.action_post()
        return refund
