from odoo import api, fields, models
from odoo.exceptions import ValidationError


class BpoAgreementTier(models.Model):
    _name = "bpo.agreement.tier"
    _description = "BPO Usage Tier"
    _order = "line_id, sequence, from_quantity, id"

    line_id = fields.Many2one(
        "bpo.agreement.line", required=True, ondelete="cascade", index=True
    )
    sequence = fields.Integer(default=10)
    from_quantity = fields.Float(
        string="From Quantity",
        digits="Product Unit of Measure",
        required=True,
        help="The tier applies from this quantity up to the next tier's From Quantity.",
    )
    price_unit = fields.Float(string="Unit Price", digits="Product Price", required=True)

    @api.constrains("from_quantity", "price_unit", "sequence", "line_id")
    def _check_tiers(self):
        for line in self.line_id:
            tiers = line.tier_ids.sorted(lambda tier: (tier.sequence, tier.id))
            label = line._label()
            agreement = line.agreement_id.display_name
            for position, tier in enumerate(tiers, start=1):
                if tier.from_quantity < 0 or tier.price_unit < 0:
                    raise ValidationError(self.env._(
                        "Agreement %(agreement)s, line %(line)s, tier %(tier)s: quantities and prices cannot be negative.",
                        agreement=agreement, line=label, tier=position,
                    ))
            if tiers and tiers[0].from_quantity != 0:
                raise ValidationError(self.env._(
                    "Agreement %(agreement)s, line %(line)s: the first tier must start at quantity 0.",
                    agreement=agreement, line=label,
                ))
            for position, (lower, upper) in enumerate(zip(tiers, tiers[1:]), start=2):
                if upper.from_quantity <= lower.from_quantity:
                    raise ValidationError(self.env._(
                        "Agreement %(agreement)s, line %(line)s, tier %(tier)s: its From Quantity "
                        "(%(quantity)s) must be above the previous tier's (%(previous)s); tiers may "
                        "neither overlap nor be out of order.",
                        agreement=agreement, line=label, tier=position,
                        quantity=upper.from_quantity, previous=lower.from_quantity,
                    ))
