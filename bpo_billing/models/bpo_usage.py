from odoo import api, fields, models
from odoo.exceptions import UserError, ValidationError


class BpoUsage(models.Model):
    _name = "bpo.usage"
    _description = "BPO Metered Usage"
    _order = "date desc, id desc"

    agreement_line_id = fields.Many2one(
        "bpo.agreement.line",
        string="Billing Rule",
        required=True,
        ondelete="restrict",
        index=True,
        domain="[('billing_model', '=', 'usage')]",
    )
    agreement_id = fields.Many2one(
        related="agreement_line_id.agreement_id", store=True, index=True, precompute=True
    )
    partner_id = fields.Many2one(related="agreement_id.partner_id", store=True)
    product_id = fields.Many2one(related="agreement_line_id.product_id", store=True)
    company_id = fields.Many2one(related="agreement_id.company_id", store=True, index=True)
    date = fields.Date(required=True, default=fields.Date.context_today, index=True)
    quantity = fields.Float(digits="Product Unit of Measure", required=True)
    external_ref = fields.Char(
        string="External Reference",
        help="Identifier of the record in the source system. Importing the same reference "
        "twice for an agreement records it once.",
    )
    period_id = fields.Many2one(
        "bpo.billing.period",
        string="Billed In",
        readonly=True,
        copy=False,
        index="btree_not_null",
        ondelete="restrict",
    )
    note = fields.Char()
    # the rule named as a person or another system names it: for CSV/XLSX imports and RPC
    agreement_ref = fields.Char(
        string="Agreement Reference",
        compute="_compute_rule_reference",
        inverse="_inverse_rule_reference",
        help="Reference of the agreement (AGR/…). With the Service Code, names the billing rule.",
    )
    product_code = fields.Char(
        string="Service Code",
        compute="_compute_rule_reference",
        inverse="_inverse_rule_reference",
        help="Internal reference of the metered service on the agreement.",
    )

    _sql_constraints = [
        (
            "external_ref_uniq",
            "unique(agreement_id, external_ref)",
            "This external reference was already recorded for the agreement.",
        ),
    ]

    @api.model_create_multi
    def create(self, vals_list):
        """Record usage. Besides ``agreement_line_id``, a row may name its rule with
        ``agreement_ref`` (the agreement's reference) and ``product_code`` (the service's
        internal reference), as RPC clients do. A row whose ``external_ref`` is already
        recorded with the same date and quantity is not recorded again; the existing record
        is returned in its place."""
        vals_list = self._resolve_rule_references(vals_list)
        existing = self._find_recorded(vals_list)
        new_vals = [vals for vals in vals_list if self._natural_key(vals) not in existing]
        created = iter(super().create(new_vals) if new_vals else self.browse())
        records = self.browse()
        for vals in vals_list:
            key = self._natural_key(vals)
            records |= existing[key] if key in existing else next(created)
        return records

    @api.depends("agreement_line_id")
    def _compute_rule_reference(self):
        for usage in self:
            usage.agreement_ref = usage.agreement_id.name
            usage.product_code = usage.product_id.default_code

    def _inverse_rule_reference(self):
        for usage in self:
            vals = {"agreement_ref": usage.agreement_ref, "product_code": usage.product_code}
            usage.agreement_line_id = self._resolve_rule_references([vals])[0]["agreement_line_id"]

    @api.model
    def _resolve_rule_references(self, vals_list):
        """Replace ``agreement_ref`` + ``product_code`` by ``agreement_line_id`` in every row,
        with one search for all rows."""
        named = [
            (row, vals)
            for row, vals in enumerate(vals_list, 1)
            if "agreement_ref" in vals or "product_code" in vals
        ]
        if not named:
            return vals_list
        rules = self.env["bpo.agreement.line"].search(
            [
                ("agreement_id.name", "in", [vals.get("agreement_ref") for _row, vals in named]),
                (
                    "product_id.default_code",
                    "in",
                    [vals.get("product_code") for _row, vals in named],
                ),
                ("billing_model", "=", "usage"),
            ]
        )
        rule_by_name = {
            (rule.agreement_id.name, rule.product_id.default_code): rule for rule in rules
        }
        resolved = list(vals_list)
        for row, vals in named:
            vals = dict(vals)
            agreement_ref, product_code = (
                vals.pop("agreement_ref", None),
                vals.pop("product_code", None),
            )
            rule = rule_by_name.get((agreement_ref, product_code))
            if not vals.get("agreement_line_id"):
                if not rule:
                    raise UserError(
                        self.env._(
                            "Row %(row)s: no metered usage rule for service %(product)s on "
                            "agreement %(agreement)s.",
                            row=row,
                            product=product_code,
                            agreement=agreement_ref,
                        )
                    )
                vals["agreement_line_id"] = rule.id
            resolved[row - 1] = vals
        return resolved

    @api.model
    def _natural_key(self, vals):
        if not vals.get("external_ref"):
            return None
        line = self.env["bpo.agreement.line"].browse(vals["agreement_line_id"])
        return (line.agreement_id.id, vals["external_ref"])

    def _find_recorded(self, vals_list):
        """Already recorded usage for the rows' (agreement, external reference), refusing a
        reference that comes back with another date or quantity."""
        keys = {self._natural_key(vals) for vals in vals_list} - {None}
        if not keys:
            return {}
        recorded = self.search(
            [
                ("agreement_id", "in", [agreement_id for agreement_id, _ref in keys]),
                ("external_ref", "in", [ref for _agreement_id, ref in keys]),
            ]
        )
        by_key = {(usage.agreement_id.id, usage.external_ref): usage for usage in recorded}
        for row, vals in enumerate(vals_list, 1):
            usage = by_key.get(self._natural_key(vals))
            if usage and not usage._same_measure(vals):
                raise ValidationError(
                    self.env._(
                        "Row %(row)s: usage %(ref)s of agreement %(agreement)s was already "
                        "recorded with %(quantity)s on %(date)s; correct it in place instead of "
                        "importing it again.",
                        row=row,
                        ref=usage.external_ref,
                        agreement=usage.agreement_id.name,
                        quantity=usage.quantity,
                        date=usage.date,
                    )
                )
        return {key: usage for key, usage in by_key.items() if key in keys}

    def _same_measure(self, vals):
        self.ensure_one()
        same_date = fields.Date.to_date(vals.get("date") or self.date) == self.date
        same_quantity = float(vals.get("quantity", self.quantity)) == self.quantity
        return same_date and same_quantity

    @api.constrains("quantity")
    def _check_quantity(self):
        for usage in self:
            if usage.quantity < 0:
                raise ValidationError(
                    self.env._(
                        "Usage %(ref)s of agreement %(agreement)s: the Quantity cannot be "
                        "negative.",
                        ref=usage.external_ref or usage.id,
                        agreement=usage.agreement_id.name,
                    )
                )

    @api.constrains("date", "agreement_line_id")
    def _check_date(self):
        for usage in self:
            agreement = usage.agreement_id
            if usage.date < agreement.date_start or (
                agreement.date_end and usage.date > agreement.date_end
            ):
                raise ValidationError(
                    self.env._(
                        "Usage %(ref)s: the Date %(date)s is outside agreement %(agreement)s "
                        "(%(start)s → %(end)s).",
                        ref=usage.external_ref or usage.id,
                        date=usage.date,
                        agreement=agreement.name,
                        start=agreement.date_start,
                        end=agreement.date_end or "…",
                    )
                )
            if usage.agreement_line_id.billing_model != "usage":
                raise ValidationError(
                    self.env._(
                        "Usage %(ref)s: the Billing Rule %(line)s of agreement %(agreement)s is "
                        "not a metered usage rule.",
                        ref=usage.external_ref or usage.id,
                        line=usage.agreement_line_id._label(),
                        agreement=agreement.name,
                    )
                )

    def write(self, vals):
        if set(vals) - {"period_id", "note"}:
            self._check_not_billed()
        return super().write(vals)

    def unlink(self):
        self._check_not_billed()
        return super().unlink()

    def _check_not_billed(self):
        billed = self.filtered("period_id")
        if billed:
            raise UserError(
                self.env._(
                    "Usage %(refs)s is already billed (%(period)s) and can no longer change.",
                    refs=", ".join(
                        billed.mapped(lambda usage: usage.external_ref or str(usage.id))
                    ),
                    period=billed[0].period_id.display_name,
                )
            )
