from odoo import fields, models


# what a staffing rule billed with each line, for the staffing analysis
class AccountMoveLine(models.Model):
    _inherit = "account.move.line"  # pylint: disable=consider-merging-classes-inherited

    bpo_staffing_role_id = fields.Many2one(
        "bpo.staffing.role", string="Staffing Role", readonly=True, copy=False
    )
    bpo_fte_periods = fields.Float(
        string="FTE Billed",
        digits=(16, 6),
        readonly=True,
        copy=False,
        help="FTE-days of the staffing plan billed by this line over the days of its billing "
        "period: 1.0 is one FTE for a whole period.",
    )
    bpo_staffed_hours = fields.Float(
        string="Hours Billed",
        digits="Product Unit of Measure",
        readonly=True,
        copy=False,
    )
