from datetime import date

from odoo import Command
from odoo.tests import tagged

from .common import BpoBillingCommon


@tagged("post_install", "-at_install")
class TestStatementReport(BpoBillingCommon):
    """The client's statement of account lists open items with their ageing."""

    def _invoice(self, invoice_date, price):
        invoice = self.env["account.move"].create(
            {
                "move_type": "out_invoice",
                "partner_id": self.client.id,
                "invoice_date": invoice_date,
                "invoice_payment_term_id": self.env.ref(
                    "account.account_payment_term_immediate"
                ).id,
                "invoice_line_ids": [
                    Command.create({"product_id": self.product_retainer.id, "price_unit": price})
                ],
            }
        )
        invoice.action_post()
        return invoice

    def test_statement_ages_the_open_items(self):
        statement_date = date(2026, 6, 30)
        not_due = self._invoice(date(2026, 7, 10), 100.0)  # 115.00, due after the statement
        late_20 = self._invoice(date(2026, 6, 10), 200.0)  # 230.00, 20 days late
        late_45 = self._invoice(date(2026, 5, 16), 300.0)  # 345.00, 45 days late
        late_120 = self._invoice(date(2026, 3, 2), 400.0)  # 460.00, 120 days late
        paid = self._invoice(date(2026, 3, 2), 500.0)
        self.env["account.payment.register"].with_context(
            active_model="account.move", active_ids=paid.ids
        ).create({"payment_date": date(2026, 3, 5)})._create_payments()

        statement = self.client._bpo_statement(statement_date)

        self.assertEqual(
            [item["invoice"] for item in statement["items"]], [late_120, late_45, late_20, not_due]
        )
        self.assertEqual([item["days_late"] for item in statement["items"]], [120, 45, 20, 0])
        self.assertEqual(
            statement["ageing"],
            {"current": 115.00, "1_30": 230.00, "31_60": 345.00, "61_90": 0.00, "90_plus": 460.00},
        )
        # 115.00 + 230.00 + 345.00 + 460.00 = 1 150.00, the client's receivable balance
        self.assertEqual(statement["total"], 1150.00)
        receivable = sum(
            (not_due | late_20 | late_45 | late_120 | paid)
            .line_ids.filtered(lambda line: line.account_id.account_type == "asset_receivable")
            .mapped("amount_residual")
        )
        self.assertEqual(receivable, 1150.00)

        html, _format = (
            self.env["ir.actions.report"]
            .with_context(bpo_statement_date=statement_date)
            ._render_qweb_html("bpo_billing.action_report_bpo_statement", self.client.ids)
        )
        html = html.decode()
        self.assertIn("Statement of Account", html)
        for invoice in (not_due, late_20, late_45, late_120):
            self.assertIn(invoice.name, html)
        self.assertNotIn(paid.name, html)
        self.assertIn("1,150.00", html)
