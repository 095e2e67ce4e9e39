from odoo import fields, models


class ResPartner(models.Model):
    _inherit = "res.partner"

    bpo_agreement_ids = fields.One2many("bpo.agreement", "partner_id", string="Agreements")
    bpo_dunning_opt_out = fields.Boolean(
        string="No Payment Reminders",
        help="Overdue invoices of this client get no reminder, fee or suspension.",
    )
    bpo_agreement_count = fields.Integer(
        string="Agreement Count", compute="_compute_bpo_agreement_count"
    )

    def _compute_bpo_agreement_count(self):
        counts = dict(
            self.env["bpo.agreement"]._read_group(
                [("partner_id", "child_of", self.commercial_partner_id.ids)],
                ["partner_id"],
                ["__count"],
            )
        )
        for partner in self:
            partner.bpo_agreement_count = sum(
                count
                for agreement_partner, count in counts.items()
                if agreement_partner.commercial_partner_id == partner.commercial_partner_id
            )

    def action_view_bpo_agreements(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id("bpo_billing.action_bpo_agreement")
        action["domain"] = [("partner_id", "child_of", self.commercial_partner_id.id)]
        action["context"] = {"default_partner_id": self.commercial_partner_id.id}
        return action
