from odoo import fields, models


class ResCompany(models.Model):
    _inherit = "res.company"

    bpo_activate_from_sale = fields.Boolean(
        string="Activate Agreements from Quotations",
        help="When a confirmed quotation creates a service agreement, activate it at once "
        "instead of leaving it in draft for review.",
    )
    bpo_dunning_policy_id = fields.Many2one(
        "bpo.dunning.policy",
        string="Default Reminder Policy",
        help="Reminder policy of new service agreements.",
    )
    bpo_dunning_all_invoices = fields.Boolean(
        string="Remind All Customer Invoices",
        help="Chase every overdue customer invoice with the default reminder policy, not only "
        "those of service agreements (without late fees).",
    )
