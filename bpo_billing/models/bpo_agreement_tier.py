from odoo import api, fields, models


class BpoAgreementTier(models.Model):
    _name = "bpo.agreement.tier"
    _description = "BPO Usage Tier"
    _order = "line_id, sequence, from_quantity, id"

    line_id = fields.Many2one("bpo.agreement.line", required=True, ondelete="cascade", index=True)
    sequence = fields.Integer(default=10)
    from_quantity = fields.Float(
        digits="Product Unit of Measure",
        required=True,
        help="The tier applies from this quantity up to the next tier's From Quantity.",
    )
    price_unit = fields.Float(string="Unit Price", digits="Product Price", required=True)

    @api.constrains("from_quantity", "price_unit", "sequence", "line_id")
    def _check_tiers(self):
        self.line_id._check_tiers()

    def unlink(self):
        lines = self.line_id
        result = super().unlink()
        lines._check_tiers()
        return result
