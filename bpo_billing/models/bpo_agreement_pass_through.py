"""Pass-through costs: vendor bill lines flagged as re-billable to an agreement are billed to
its client, at cost or with a markup, in their own invoice section, within a per-period cap,
once (see ``pricing/pass_through.py`` for the amounts).

claim the flagged, posted, not yet re-billed costs (row locks) -> price them (pure pricing)
-> one section and one line per cost, each line pointing to its cost (a unique index makes
a second live re-billing impossible) -> attach the vendor bills' documents to the invoice.
"""

from decimal import Decimal

from markupsafe import Markup

from odoo import api, fields, models
from odoo.exceptions import ValidationError
from odoo.tools import SQL, format_amount

from ..pricing import pass_through

# the costs a billing batch claimed, per agreement id, until its invoices are prepared
PASS_THROUGH_CLAIMS = "bpo_billing.pass_through_claims"


class BpoAgreement(models.Model):
    _inherit = "bpo.agreement"  # pylint: disable=consider-merging-classes-inherited

    pass_through_markup = fields.Float(
        string="Pass-through Markup (%)",
        digits=(16, 2),
        tracking=True,
        help="Added to the vendor costs re-billed to the client; 0 bills them at cost.",
    )
    pass_through_cap = fields.Monetary(
        string="Pass-through Cap per Period",
        tracking=True,
        help="The most re-billed costs one invoice may carry (markup included); 0 = no cap. "
        "Costs beyond it wait for the next period, oldest first.",
    )
    pass_through_product_id = fields.Many2one(
        "product.product",
        string="Pass-through Service",
        default=lambda self: self.env.ref(
            "bpo_billing.product_pass_through", raise_if_not_found=False
        ),
        domain="[('sale_ok', '=', True)]",
        help="The service on the customer invoice lines that re-bill vendor costs: its "
        "income account and taxes apply.",
    )
    pass_through_line_ids = fields.One2many(
        "account.move.line",
        "bpo_rebill_agreement_id",
        string="Pass-through Costs",
        readonly=True,
        domain=[("move_id.move_type", "=", "in_invoice"), ("display_type", "=", "product")],
    )

    @api.constrains("pass_through_markup", "pass_through_cap")
    def _check_pass_through_terms(self):
        for agreement in self:
            if agreement.pass_through_markup < 0 or agreement.pass_through_cap < 0:
                raise ValidationError(
                    self.env._(
                        "%(agreement)s: the pass-through markup and cap cannot be negative.",
                        agreement=agreement.display_name,
                    )
                )

    # ------------------------------------------------------------------ billing hooks

    def _claim_usage(self, spans, billing_periods):
        # the batch claims its re-billable costs with its usage: one query for all agreements
        usage = super()._claim_usage(spans, billing_periods)
        period_ends = {agreement: span[1] for agreement, span in spans.items()}
        claimed = self._claim_pass_through_costs(period_ends)
        self.env.cr.cache.setdefault(PASS_THROUGH_CLAIMS, {}).update(
            {agreement.id: (period_ends[agreement], claimed[agreement.id]) for agreement in spans}
        )
        return usage

    def _prepare_extra_invoice_lines(self, span, lines_vals):
        extra = super()._prepare_extra_invoice_lines(span, lines_vals)
        claims = self.env.cr.cache.get(PASS_THROUGH_CLAIMS, {})
        claim = claims.get(self.id)
        if claim and claim[0] == span[1] and not self.env.context.get("bpo_pass_through_preview"):
            costs = claims.pop(self.id)[1]  # claimed by this batch, used once
        else:
            costs = self._claim_pass_through_costs({self: span[1]})[self.id]
        if not costs:
            return extra
        billed = pass_through.rebill_costs(
            [(cost, self._pass_through_cost_amount(cost)) for cost in costs],
            Decimal(str(self.pass_through_markup)),
            Decimal(str(self.pass_through_cap)),
            Decimal(str(self.currency_id.rounding)),
        )
        if not billed:
            return extra
        env = self.with_context(lang=self.partner_id.lang).env
        section = {
            "display_type": "line_section",
            "name": env._("Pass-through costs"),
            "quantity": 0.0,
            "price_unit": 0.0,
        }
        return (
            extra
            + [section]
            + [self._prepare_pass_through_line(rebill, span, env) for rebill in billed]
        )

    def _claim_pass_through_costs(self, period_ends):
        """For each agreement of ``period_ends`` (agreement -> date), the posted vendor bill
        lines flagged to it, dated up to that date and not re-billed yet, oldest first, in
        one query; locked (``SKIP LOCKED``) unless previewing, so that a cost is never taken
        by two runs at once. Returns {agreement id: account.move.line records}."""
        if not period_ends:
            return {}
        self.env["account.move.line"].flush_model(
            ["bpo_rebill_agreement_id", "bpo_rebill_source_id", "parent_state"]
        )
        self.env["account.move"].flush_model(["state", "move_type", "invoice_date", "date"])
        lock = (
            SQL()
            if self.env.context.get("bpo_pass_through_preview")
            else SQL("FOR UPDATE OF cost SKIP LOCKED")
        )
        windows = SQL(", ").join(
            SQL("(%s, %s, %s::date)", agreement.id, agreement.company_id.id, period_end)
            for agreement, period_end in period_ends.items()
        )
        self.env.cr.execute(
            SQL(
                """SELECT w.agreement_id, cost.id
                  FROM (VALUES %(windows)s) AS w(agreement_id, company_id, period_end)
                  JOIN account_move_line cost
                    ON cost.bpo_rebill_agreement_id = w.agreement_id
                   AND cost.company_id = w.company_id
                  JOIN account_move bill ON bill.id = cost.move_id
                 WHERE cost.display_type = 'product'
                   AND bill.move_type = 'in_invoice' AND bill.state = 'posted'
                   AND COALESCE(bill.invoice_date, bill.date) <= w.period_end
                   AND NOT EXISTS (
                       SELECT 1 FROM account_move_line rebill
                        WHERE rebill.bpo_rebill_source_id = cost.id
                          AND rebill.parent_state != 'cancel')
                 ORDER BY COALESCE(bill.invoice_date, bill.date), cost.id
                 %(lock)s""",
                windows=windows,
                lock=lock,
            )
        )
        rows = self.env.cr.fetchall()
        all_ids = [cost_id for _agreement_id, cost_id in rows]
        cost_ids = {agreement.id: [] for agreement in period_ends}
        for agreement_id, cost_id in rows:
            cost_ids[agreement_id].append(cost_id)
        lines = self.env["account.move.line"]
        return {
            agreement_id: lines.browse(ids).with_prefetch(all_ids)
            for agreement_id, ids in cost_ids.items()
        }

    def _pass_through_cost_amount(self, cost):
        """The untaxed cost of a vendor bill line in the agreement's currency: as billed when
        the bill is in that currency, else its booked company-currency amount (at the bill's
        rate), converted at the bill date when the agreement bills in a third currency."""
        self.ensure_one()
        if cost.currency_id == self.currency_id:
            return Decimal(str(cost.price_subtotal))
        company_currency = cost.company_id.currency_id
        amount = cost.balance
        if company_currency != self.currency_id:
            amount = company_currency._convert(
                amount,
                self.currency_id,
                cost.company_id,
                cost.move_id.invoice_date or cost.move_id.date,
            )
        return Decimal(str(self.currency_id.round(amount)))

    def _prepare_pass_through_line(self, rebill, span, env):
        cost = rebill.key
        bill = cost.move_id
        name = env._(
            "%(vendor)s %(bill)s: %(label)s",
            vendor=bill.partner_id.display_name,
            bill=bill.ref or bill.name,
            label=cost.name or cost.product_id.display_name,
        )
        if self.pass_through_markup:
            markup = format(self.pass_through_markup, "g")
            name += " " + env._("(+%(markup)s %% markup)", markup=markup)
        if rebill.capped:
            name += " " + env._(
                "(capped at %(cap)s)",
                cap=format_amount(env, self.pass_through_cap, self.currency_id),
            )
        product = self.pass_through_product_id or self.env.ref("bpo_billing.product_pass_through")
        taxes = product.taxes_id.filtered(lambda tax: tax.company_id in self.company_id.parent_ids)
        return {
            "product_id": product.id,
            "name": name,
            "quantity": 1.0,
            "price_unit": float(rebill.amount),
            "tax_ids": [fields.Command.set(self.fiscal_position_id.map_tax(taxes).ids)],
            "bpo_period_start": span[0],
            "bpo_period_end": span[1],
            "bpo_line_kind": "pass_through",
            "bpo_rebill_source_id": cost.id,
        }

    def _preview_next_invoice(self, date_ref):
        # a preview reads the costs; it must not lock them away from a run going on
        return super(
            BpoAgreement, self.with_context(bpo_pass_through_preview=True)
        )._preview_next_invoice(date_ref)

    def _create_invoices(self, invoice_vals):
        moves = super()._create_invoices(invoice_vals)
        claims = self.env.cr.cache.get(PASS_THROUGH_CLAIMS, {})
        for agreement in self:
            claims.pop(agreement.id, None)
        self._attach_pass_through_documents(moves)
        return moves

    def _attach_pass_through_documents(self, moves):
        """Copy the main document of every re-billed vendor bill onto the customer invoice
        and say so in its chatter, with links to the bills."""
        rebills = moves.invoice_line_ids.filtered("bpo_rebill_source_id")
        for invoice in rebills.move_id:
            bills = rebills.filtered(lambda line, invoice=invoice: line.move_id == invoice).mapped(
                "bpo_rebill_source_id.move_id"
            )
            documents = self.env["ir.attachment"]
            for bill in bills.filtered("message_main_attachment_id"):
                documents |= bill.message_main_attachment_id.copy(
                    {"res_model": "account.move", "res_id": invoice.id}
                )
            invoice.message_post(
                body=Markup(self.env._("Pass-through costs re-billed from %(bills)s."))
                % {"bills": Markup(", ").join(bill._get_html_link() for bill in bills)},
                attachment_ids=documents.ids,
                subtype_xmlid="mail.mt_note",
            )
