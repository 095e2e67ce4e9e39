from decimal import Decimal
from itertools import pairwise

from odoo import api, fields, models
from odoo.exceptions import UserError, ValidationError
from odoo.tools import format_date

from ..pricing import rules

BILLING_MODELS = [
    ("fixed", "Fixed fee"),
    ("seat", "Per seat / FTE"),
    ("usage", "Metered usage"),
    ("one_off", "One-off"),
]


class BpoAgreementLine(models.Model):
    _name = "bpo.agreement.line"
    _description = "BPO Agreement Billing Rule"
    _inherit = ["analytic.mixin"]
    _order = "agreement_id, sequence, id"
    _check_company_auto = True

    agreement_id = fields.Many2one("bpo.agreement", required=True, ondelete="cascade", index=True)
    company_id = fields.Many2one(
        related="agreement_id.company_id", store=True, index=True, precompute=True
    )
    currency_id = fields.Many2one(related="agreement_id.currency_id")
    sequence = fields.Integer(default=10)
    product_id = fields.Many2one(
        "product.product",
        string="Service",
        required=True,
        check_company=True,
        domain="[('sale_ok', '=', True)]",
    )
    name = fields.Text(
        string="Description",
        compute="_compute_name",
        store=True,
        readonly=False,
        required=True,
        precompute=True,
    )
    billing_model = fields.Selection(
        BILLING_MODELS,
        required=True,
        compute="_compute_billing_model",
        store=True,
        readonly=False,
        precompute=True,
        help="Fixed fee: a flat amount per period. Per seat / FTE: quantity × unit price per "
        "period. Metered usage: the period's recorded volume × rate (with optional tiers). "
        "One-off: billed once, with the first period.",
    )
    quantity = fields.Float(
        digits="Product Unit of Measure",
        default=1.0,
        help="Seats, FTEs or licences billed each period (per seat), or units billed once "
        "(one-off).",
    )
    price_unit = fields.Float(
        string="Unit Price",
        digits="Product Price",
        compute="_compute_price_unit",
        store=True,
        readonly=False,
        precompute=True,
    )
    tier_ids = fields.One2many("bpo.agreement.tier", "line_id", string="Volume Tiers", copy=True)
    tier_mode = fields.Selection(
        [("volume", "Volume"), ("graduated", "Graduated")],
        default="graduated",
        required=True,
        help="Volume: the whole quantity at the rate of the tier reached. Graduated: each "
        "slice of quantity at its own tier's rate.",
    )
    included_quantity = fields.Float(
        digits="Product Unit of Measure",
        help="Allowance per full period, billed at zero; tiers apply to the quantity above it.",
    )
    minimum_amount = fields.Monetary(
        string="Minimum per Period",
        help="Period commitment: when the period's charges are lower, a true-up line brings "
        "them up to this amount (prorated for a partial period).",
    )
    maximum_amount = fields.Monetary(
        string="Cap per Period",
        help="The period's charges for this rule never exceed this amount (prorated for a "
        "partial period). Zero means no cap.",
    )
    tax_ids = fields.Many2many(
        "account.tax",
        string="Taxes",
        compute="_compute_tax_ids",
        store=True,
        readonly=False,
        precompute=True,
        check_company=True,
        domain="[('type_tax_use', '=', 'sale')]",
    )
    date_start = fields.Date(
        string="From",
        help="Leave empty when the rule applies from the start of the agreement.",
    )
    date_end = fields.Date(
        string="Until",
        help="Leave empty when the rule applies until the end of the agreement.",
    )
    usage_ids = fields.One2many("bpo.usage", "agreement_line_id")

    @api.depends("product_id")
    def _compute_name(self):
        for line in self:
            if line.product_id:
                line.name = line.product_id.get_product_multiline_description_sale()
            elif not line.name:
                line.name = False

    @api.depends("product_id")
    def _compute_billing_model(self):
        for line in self:
            line.billing_model = line.product_id.bpo_billing_model or line.billing_model or "fixed"

    @api.depends("product_id")
    def _compute_price_unit(self):
        for line in self:
            if line.product_id and not line.price_unit:
                line.price_unit = line.product_id.lst_price

    @api.depends("product_id", "company_id")
    def _compute_tax_ids(self):
        for line in self:
            company = line.company_id or self.env.company
            line.tax_ids = line.product_id.taxes_id._filter_taxes_by_company(company)

    @api.constrains(
        "quantity", "price_unit", "included_quantity", "minimum_amount", "maximum_amount"
    )
    def _check_amounts(self):
        for line in self:
            for field_name in (
                "quantity",
                "price_unit",
                "included_quantity",
                "minimum_amount",
                "maximum_amount",
            ):
                if line[field_name] < 0:
                    raise ValidationError(
                        self.env._(
                            "Agreement %(agreement)s, line %(line)s: %(field)s cannot be negative.",
                            agreement=line.agreement_id.display_name,
                            line=line._label(),
                            field=line._fields[field_name]._description_string(self.env),
                        )
                    )
            if line.maximum_amount and line.minimum_amount > line.maximum_amount:
                raise ValidationError(
                    self.env._(
                        "Agreement %(agreement)s, line %(line)s: the Minimum per Period is above "
                        "the Cap per Period.",
                        agreement=line.agreement_id.display_name,
                        line=line._label(),
                    )
                )

    @api.constrains("billing_model", "price_unit", "tier_ids")
    def _check_usage_rate(self):
        for line in self.filtered(lambda line: line.billing_model == "usage"):
            if not line.price_unit and not line.tier_ids:
                raise ValidationError(
                    self.env._(
                        "Agreement %(agreement)s, line %(line)s: a metered usage rule needs a "
                        "Unit Price or volume tiers.",
                        agreement=line.agreement_id.display_name,
                        line=line._label(),
                    )
                )

    @api.constrains("date_start", "date_end")
    def _check_dates(self):
        for line in self:
            if line.date_start and line.date_end and line.date_end < line.date_start:
                raise ValidationError(
                    self.env._(
                        "Agreement %(agreement)s, line %(line)s: the Until date is before the "
                        "From date.",
                        agreement=line.agreement_id.display_name,
                        line=line._label(),
                    )
                )

    @api.constrains("tier_ids")
    def _check_tiers(self):
        """A rate card starts at 0 and climbs: checked on the line, so that removing a tier
        is checked too."""
        for line in self:
            tiers = line.tier_ids.sorted(lambda tier: (tier.sequence, tier.id))
            label = line._label()
            agreement = line.agreement_id.display_name
            for position, tier in enumerate(tiers, start=1):
                for field_name in ("from_quantity", "price_unit"):
                    if tier[field_name] < 0:
                        raise ValidationError(
                            self.env._(
                                "Agreement %(agreement)s, line %(line)s, tier %(tier)s: the "
                                "%(field)s cannot be negative.",
                                agreement=agreement,
                                line=label,
                                tier=position,
                                field=tier._fields[field_name]._description_string(self.env),
                            )
                        )
            if tiers and tiers[0].from_quantity != 0:
                raise ValidationError(
                    self.env._(
                        "Agreement %(agreement)s, line %(line)s: the first tier must start at "
                        "quantity 0.",
                        agreement=agreement,
                        line=label,
                    )
                )
            for position, (lower, upper) in enumerate(pairwise(tiers), start=2):
                if upper.from_quantity <= lower.from_quantity:
                    raise ValidationError(
                        self.env._(
                            "Agreement %(agreement)s, line %(line)s, tier %(tier)s: its From "
                            "Quantity (%(quantity)s) must be above the previous tier's "
                            "(%(previous)s); tiers may neither overlap nor be out of order.",
                            agreement=agreement,
                            line=label,
                            tier=position,
                            quantity=upper.from_quantity,
                            previous=lower.from_quantity,
                        )
                    )

    def _label(self):
        self.ensure_one()
        return self.product_id.display_name or self.name or str(self.sequence)

    def _pricing_rule(self):
        """This rule as the pricing module reads it."""
        self.ensure_one()

        def exact(value):
            return Decimal(str(value))

        return rules.Rule(
            billing_model=self.billing_model,
            name=self.name or self.product_id.display_name,
            price_unit=exact(self.price_unit),
            quantity=exact(self.quantity),
            tiers=tuple(
                rules.Tier(
                    from_quantity=exact(tier.from_quantity), price_unit=exact(tier.price_unit)
                )
                for tier in self.tier_ids.sorted("from_quantity")
            ),
            tier_mode=self.tier_mode,
            included_quantity=exact(self.included_quantity),
            minimum_amount=exact(self.minimum_amount),
            maximum_amount=exact(self.maximum_amount),
        )

    def _price_period(self, cover, usage_quantity, escalation, precision, env):
        """The pricing module's invoice lines of this rule for the covered part ``cover`` of
        a period, ``usage_quantity`` measured; a hook for rules priced otherwise."""
        self.ensure_one()
        return rules.price_rule(
            self._pricing_rule(),
            cover,
            usage_quantity=usage_quantity,
            escalation=escalation,
            precision=precision,
            translate=env._,
            format_date=lambda day: format_date(env, day),
        )

    def _prepare_invoice_line(self, invoice_line):
        """Invoice line values for one line priced by the pricing module."""
        self.ensure_one()
        fiscal_position = self.agreement_id.fiscal_position_id
        self._check_income_account(fiscal_position)
        return {
            "product_id": self.product_id.id,
            "name": invoice_line.name,
            "quantity": float(invoice_line.quantity),
            "price_unit": float(invoice_line.price_unit),
            "tax_ids": [fields.Command.set(fiscal_position.map_tax(self.tax_ids).ids)],
            "analytic_distribution": self.analytic_distribution,
            "bpo_agreement_line_id": self.id,
            "bpo_period_start": invoice_line.period_start,
            "bpo_period_end": invoice_line.period_end,
            "bpo_line_kind": invoice_line.kind,
        }

    def _check_income_account(self, fiscal_position):
        """Refuse to bill a service that no income account can be found for, as Odoo would
        find it: on the product, its category, or the journal."""
        accounts = self.product_id.product_tmpl_id.with_company(
            self.company_id
        ).get_product_accounts(fiscal_pos=fiscal_position)
        if not (accounts["income"] or self.agreement_id.journal_id.default_account_id):
            raise UserError(
                self.env._(
                    "Agreement %(agreement)s, line %(line)s: no income account for "
                    "%(product)s. Set one on the product or its category, or a default account "
                    "on the journal %(journal)s.",
                    agreement=self.agreement_id.display_name,
                    line=self._label(),
                    product=self.product_id.display_name,
                    journal=self.agreement_id.journal_id.display_name,
                )
            )
