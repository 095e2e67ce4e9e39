from odoo import fields, models


class BpoUsageReviewLine(models.Model):
    _name = "bpo.usage.review.line"
    _description = "BPO Usage Review: Locked Quantity"
    _order = "review_id, id"

    review_id = fields.Many2one("bpo.usage.review", required=True, ondelete="cascade", index=True)
    company_id = fields.Many2one(related="review_id.company_id", store=True)
    agreement_line_id = fields.Many2one(
        "bpo.agreement.line", string="Billing Rule", required=True, ondelete="cascade"
    )
    product_id = fields.Many2one(related="agreement_line_id.product_id")
    quantity = fields.Float(
        string="Locked Quantity",
        digits="Product Unit of Measure",
        readonly=True,
        help="The usage the client reviews; the period is billed for this quantity.",
    )
    quantity_adjusted = fields.Float(
        string="Adjusted Later",
        digits="Product Unit of Measure",
        readonly=True,
        help="Usage recorded or changed after the lock, billed as adjustments on later invoices.",
    )
