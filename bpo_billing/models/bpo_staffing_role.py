from odoo import fields, models


class BpoStaffingRole(models.Model):
    _name = "bpo.staffing.role"
    _description = "BPO Staffing Role"
    _order = "sequence, id"

    name = fields.Char(required=True, translate=True)
    sequence = fields.Integer(default=10)
    active = fields.Boolean(default=True)

    _sql_constraints = [
        ("name_uniq", "unique(name)", "A staffing role with this name already exists."),
    ]
