from datetime import date

from odoo.tests import tagged

from .common import BpoBillingCommon


@tagged("post_install", "-at_install")
class TestInvoiceReport(BpoBillingCommon):
    """The invoice PDF shows each line's service period and the agreement."""

    def test_invoice_prints_service_period_and_agreement(self):
        agreement = self._create_agreement(
            [{"product_id": self.product_retainer.id, "price_unit": 1000.0}],
            date_start=date(2026, 1, 15),
        )
        invoice = agreement.action_generate_invoices(date(2026, 1, 15))

        html, _format = self.env["ir.actions.report"]._render_qweb_html(
            "account.report_invoice", invoice.ids
        )

        html = html.decode()
        self.assertIn("o_bpo_service_period", html)
        self.assertIn("01/15/2026", html)
        self.assertIn("01/31/2026", html)
        self.assertIn(agreement.name, html)
