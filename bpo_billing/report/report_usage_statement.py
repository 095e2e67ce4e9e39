"""The usage statement of one billed period: what was metered, rule by rule, and billed on
the period's invoice. The PDF and the portal's CSV download read the same rows from here."""

from odoo import api, models
from odoo.tools import float_repr, float_round


class ReportBpoUsageStatement(models.AbstractModel):
    _name = "report.bpo_billing.report_bpo_usage_statement"
    _description = "BPO Usage Statement"

    @api.model
    def _get_report_values(self, docids, data=None):
        periods = self.env["bpo.billing.period"].browse(docids)
        return {
            "doc_ids": docids,
            "doc_model": "bpo.billing.period",
            "docs": periods,
            "statements": {period.id: self._usage_statement(period) for period in periods},
        }

    @api.model
    def _usage_statement(self, period):
        """The usage billed in ``period``, grouped by billing rule in the agreement's order.

        Returns a list of ``{"rule": bpo.agreement.line, "usage": bpo.usage (by date),
        "total": float}``, empty when no metered usage was billed in the period.
        """
        digits = self.env["decimal.precision"].precision_get("Product Unit of Measure")
        usage_by_rule = period.usage_ids.sorted(lambda usage: (usage.date, usage.id)).grouped(
            "agreement_line_id"
        )
        rules = sorted(usage_by_rule, key=lambda rule: (rule.sequence, rule.id))
        return [
            {
                "rule": rule,
                "usage": usage_by_rule[rule],
                "total": float_round(
                    sum(usage_by_rule[rule].mapped("quantity")), precision_digits=digits
                ),
            }
            for rule in rules
        ]

    @api.model
    def _usage_statement_csv_rows(self, period):
        """The statement's usage records as CSV rows, a header row first: one row per usage
        record, dates in ISO format, quantities with the unit of measure's precision."""
        digits = self.env["decimal.precision"].precision_get("Product Unit of Measure")
        header = [
            self.env._("Agreement"),
            self.env._("Period Start"),
            self.env._("Period End"),
            self.env._("Invoice"),
            self.env._("Service"),
            self.env._("Date"),
            self.env._("Quantity"),
            self.env._("External Reference"),
            self.env._("Note"),
        ]
        return [header] + [
            [
                period.agreement_id.name,
                period.date_start.isoformat(),
                period.date_end.isoformat(),
                period.move_id.name or "",
                group["rule"].product_id.display_name,
                usage.date.isoformat(),
                float_repr(usage.quantity, digits),
                usage.external_ref or "",
                usage.note or "",
            ]
            for group in self._usage_statement(period)
            for usage in group["usage"]
        ]
