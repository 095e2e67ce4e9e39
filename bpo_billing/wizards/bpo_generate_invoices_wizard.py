from markupsafe import Markup

from odoo import api, fields, models
from odoo.tools import format_amount, format_date

PREVIEW_LIMIT = 200


class BpoGenerateInvoicesWizard(models.TransientModel):
    _name = "bpo.generate.invoices.wizard"
    _description = "Generate BPO Invoices"

    date = fields.Date(
        string="Bill Periods Due On",
        required=True,
        default=fields.Date.context_today,
        help="Every period due on this date is billed: in advance from its first day, in "
        "arrears from the day after its last day.",
    )
    agreement_ids = fields.Many2many(
        "bpo.agreement",
        string="Agreements",
        domain="[('state', '=', 'active')]",
        help="Leave empty to bill every active agreement that is due.",
    )
    preview = fields.Html(compute="_compute_preview", sanitize=False)

    def _due_agreements(self):
        domain = self.env["bpo.agreement"]._get_due_domain(self.date)
        if self.agreement_ids:
            return self.agreement_ids.filtered_domain(domain)
        return self.env["bpo.agreement"].search(domain)

    @api.depends("date", "agreement_ids")
    def _compute_preview(self):
        for wizard in self:
            wizard.preview = wizard._render_preview() if wizard.date else False

    def _render_preview(self):
        return self._render_due_table() + self._render_suspended_note() + self._render_held_note()

    def _render_suspended_note(self):
        """Say which agreements would be due but are suspended, and so are not billed."""
        domain = [("state", "=", "suspended"), ("next_invoice_date", "<=", self.date)]
        if self.agreement_ids:
            domain.append(("id", "in", self.agreement_ids.ids))
        suspended = self.env["bpo.agreement"].search(domain, limit=PREVIEW_LIMIT)
        if not suspended:
            return Markup()
        return Markup("<p class='text-warning o_bpo_suspended'>%s</p>") % self.env._(
            "Suspended, not billed until activated again: %(names)s",
            names=", ".join(suspended.mapped("name")),
        )

    def _render_held_note(self):
        """Say which agreements would be due but are not billed: their client is on credit
        hold, and why."""
        domain = [
            ("state", "=", "active"),
            ("next_invoice_date", "<=", self.date),
            ("client_credit_hold", "=", True),
        ]
        if self.agreement_ids:
            domain.append(("id", "in", self.agreement_ids.ids))
        held = self.env["bpo.agreement"].search(domain, limit=PREVIEW_LIMIT)
        if not held:
            return Markup()
        return Markup("<p class='text-warning o_bpo_credit_hold'>%s</p>") % self.env._(
            "Client on credit hold, not billed until the hold is released: %(agreements)s",
            agreements="; ".join(
                f"{agreement.name} ({agreement.partner_id.commercial_partner_id.display_name}: "
                f"{agreement.client_credit_hold_reason})"
                for agreement in held
            ),
        )

    def _render_due_table(self):
        agreements = self._due_agreements()
        if not agreements:
            return Markup("<p>%s</p>") % self.env._("Nothing is due on this date.")
        rows = Markup().join(
            self._render_preview_row(agreement, *agreement._preview_next_invoice(self.date))
            for agreement in agreements[:PREVIEW_LIMIT]
        )
        more = len(agreements) - PREVIEW_LIMIT
        footer = (
            Markup("<p>%s</p>") % self.env._("…and %(count)s more agreements.", count=more)
            if more > 0
            else ""
        )
        header = Markup(
            "<tr><th>%s</th><th>%s</th><th>%s</th>"
            "<th class='text-end'>%s</th><th class='text-end'>%s</th></tr>"
        ) % (
            self.env._("Agreement"),
            self.env._("Client"),
            self.env._("Next period"),
            self.env._("Periods due"),
            self.env._("Untaxed amount"),
        )
        return Markup(
            "<table class='table table-sm o_bpo_preview'>"
            "<thead>%s</thead><tbody>%s</tbody></table>%s"
        ) % (
            header,
            rows,
            footer,
        )

    def _render_preview_row(self, agreement, span, periods_due, untaxed):
        return Markup(
            "<tr><td>%s</td><td>%s</td><td>%s → %s</td>"
            "<td class='text-end'>%s</td><td class='text-end'>%s</td></tr>"
        ) % (
            agreement.name,
            agreement.partner_id.display_name,
            format_date(self.env, span[0]),
            format_date(self.env, span[1]),
            periods_due,
            format_amount(self.env, float(untaxed), agreement.currency_id),
        )

    def action_generate(self):
        self.ensure_one()
        moves = self._due_agreements().action_generate_invoices(self.date)
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "account.action_move_out_invoice_type"
        )
        action["domain"] = [("id", "in", moves.ids)]
        action["context"] = {"create": False}
        return action
