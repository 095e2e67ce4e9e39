from odoo import fields, models

from .bpo_agreement_line import BILLING_MODELS


class ProductTemplate(models.Model):
    _inherit = "product.template"

    bpo_billing_model = fields.Selection(
        BILLING_MODELS,
        string="BPO Billing Model",
        help="Set it on a BPO service: confirming a quotation that sells it creates a service "
        "agreement billing it this way, instead of invoicing it from the order.",
    )
