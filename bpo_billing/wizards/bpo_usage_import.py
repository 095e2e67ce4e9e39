from odoo import fields, models


class BpoUsageImport(models.TransientModel):
    _name = "bpo.usage.import"
    _description = "Import BPO Usage"

    file = fields.Binary(string="File", required=True)
    filename = fields.Char()
