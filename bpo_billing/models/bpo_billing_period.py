from odoo import fields, models


class BpoBillingPeriod(models.Model):
    _name = "bpo.billing.period"
    _description = "BPO Billed Period"
    _order = "agreement_id, date_start desc"
    _rec_names_search = ["agreement_id"]

    agreement_id = fields.Many2one(
        "bpo.agreement", required=True, ondelete="restrict", index=True, readonly=True
    )
    partner_id = fields.Many2one(related="agreement_id.partner_id", store=True)
    company_id = fields.Many2one(related="agreement_id.company_id", store=True, index=True)
    date_start = fields.Date(string="Period Start", required=True, readonly=True)
    date_end = fields.Date(string="Period End", required=True, readonly=True)
    move_id = fields.Many2one(
        "account.move", string="Invoice", readonly=True, index="btree_not_null"
    )
    state = fields.Selection(
        [
            ("pending", "Pending"),
            ("invoiced", "Invoiced"),
            ("error", "Error"),
            ("skipped", "Skipped"),
        ],
        default="pending",
        required=True,
        readonly=True,
        index=True,
    )
    error_message = fields.Text(readonly=True)
    usage_ids = fields.One2many("bpo.usage", "period_id", string="Billed Usage")

    _sql_constraints = [
        (
            "agreement_period_uniq",
            "unique(agreement_id, date_start)",
            "A period of an agreement can only be billed once.",
        ),
    ]

    def _compute_display_name(self):
        for period in self:
            period.display_name = (
                f"{period.agreement_id.name} {period.date_start} → {period.date_end}"
            )
