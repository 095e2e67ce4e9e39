from odoo import api, fields, models
from odoo.tools import float_round


class SaleOrder(models.Model):
    _inherit = "sale.order"

    bpo_agreement_ids = fields.One2many("bpo.agreement", "sale_order_id", string="Agreements")
    bpo_agreement_count = fields.Integer(compute="_compute_bpo_agreement_count")

    @api.depends("bpo_agreement_ids")
    def _compute_bpo_agreement_count(self):
        for order in self:
            order.bpo_agreement_count = len(order.bpo_agreement_ids)

    def _action_confirm(self):
        result = super()._action_confirm()
        self._create_bpo_agreements()
        return result

    def _create_bpo_agreements(self):
        """One service agreement per confirmed order selling BPO services."""
        orders = self.filtered(
            lambda order: not order.bpo_agreement_ids and order.order_line._bpo_service_lines()
        )
        if not orders:
            return self.env["bpo.agreement"]
        agreements = self.env["bpo.agreement"].create(
            [order._prepare_bpo_agreement() for order in orders]
        )
        for agreement in agreements:
            agreement.message_post_with_source(
                "mail.message_origin_link",
                render_values={"self": agreement, "origin": agreement.sale_order_id},
                subtype_xmlid="mail.mt_note",
            )
        to_activate = agreements.filtered(
            lambda agreement: agreement.company_id.bpo_activate_from_sale
        )
        to_activate.action_activate()
        return agreements

    def _prepare_bpo_agreement(self):
        self.ensure_one()
        journal = self.env["bpo.agreement"].with_company(self.company_id)._default_journal()
        return {
            "partner_id": self.partner_invoice_id.id,
            "company_id": self.company_id.id,
            "currency_id": self.currency_id.id,
            "user_id": self.user_id.id,
            "sale_order_id": self.id,
            "date_start": fields.Date.to_date(self.commitment_date)
            or fields.Date.context_today(self),
            "payment_term_id": self.payment_term_id.id,
            "fiscal_position_id": self.fiscal_position_id.id,
            "journal_id": self.journal_id.id or journal.id,
            "line_ids": [
                fields.Command.create(line._prepare_bpo_agreement_line())
                for line in self.order_line._bpo_service_lines()
            ],
        }

    def action_view_bpo_agreements(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id("bpo_billing.action_bpo_agreement")
        action["domain"] = [("sale_order_id", "=", self.id)]
        if len(self.bpo_agreement_ids) == 1:
            action.update(
                view_mode="form", views=[(False, "form")], res_id=self.bpo_agreement_ids.id
            )
        return action


class SaleOrderLine(models.Model):
    _inherit = "sale.order.line"

    def _bpo_service_lines(self):
        return self.filtered(
            lambda line: not line.display_type and line.product_id.bpo_billing_model
        )

    def _prepare_bpo_agreement_line(self):
        self.ensure_one()
        digits = self.env["decimal.precision"].precision_get("Product Price")
        return {
            "sequence": self.sequence,
            "product_id": self.product_id.id,
            "name": self.name,
            "billing_model": self.product_id.bpo_billing_model,
            "quantity": self.product_uom_qty,
            # the agreement bills the price the client accepted, discount included
            "price_unit": float_round(
                self.price_unit * (1 - (self.discount or 0.0) / 100.0), digits
            ),
            "tax_ids": [fields.Command.set(self.tax_id.ids)],
            "analytic_distribution": self.analytic_distribution,
        }

    def _compute_qty_to_invoice(self):
        """Services sold under an agreement are invoiced by the agreement, never by the order."""
        result = super()._compute_qty_to_invoice()
        self._bpo_service_lines().qty_to_invoice = 0.0
        return result
