"""On the demo data: the client's portal user disputes an invoice, the accountant accepts
it with a credit note, and the ageing report still agrees with the partner ledger."""

from odoo import fields, http
from odoo.tests import HttpCase, tagged


@tagged("post_install", "-at_install")
class TestDemoDispute(HttpCase):
    def test_portal_dispute_resolved_with_a_credit_note(self):
        agreement = self.env.ref("bpo_billing.agreement_northwind")
        portal_user = self.env.ref("bpo_billing.user_northwind_portal")
        agreement.action_generate_invoices(fields.Date.context_today(agreement))
        invoice = agreement.invoice_ids.sorted("invoice_date")[:1]  # month 1: 40 000.00 untaxed
        open_before = invoice.amount_residual

        self.authenticate("northwind", "northwind")
        self.assertIn(agreement.name, self.url_open("/my/agreements").text)
        response = self.url_open(
            f"/my/invoices/{invoice.id}/dispute",
            data={
                "csrf_token": http.Request.csrf_token(self),
                "amount": "1000.00",
                "reason": "The true-up ignores the 3 days of outage.",
            },
        )
        self.assertEqual(response.status_code, 200)

        dispute = self.env["bpo.dispute"].search([("move_id", "=", invoice.id)])
        self.assertEqual(dispute.source, "portal")
        self.assertEqual(dispute.partner_id, portal_user.commercial_partner_id)
        self.assertTrue(invoice.bpo_disputed)

        dispute.action_review()
        dispute.accepted_amount = 1000.00
        dispute.action_accept()

        credit_note = dispute.credit_note_id
        self.assertEqual(credit_note.amount_untaxed, 1000.00)
        self.assertEqual(credit_note.reversed_entry_id, invoice)
        self.assertAlmostEqual(
            invoice.amount_residual, open_before - credit_note.amount_total, places=2
        )
        self.assertFalse(invoice.bpo_disputed)

        client = agreement.partner_id.commercial_partner_id
        ageing = self.env["bpo.receivable.ageing.report"].search([("partner_id", "=", client.id)])
        ledger = self.env["account.move.line"].search(
            [
                ("partner_id", "child_of", client.id),
                ("parent_state", "=", "posted"),
                ("account_id.account_type", "=", "asset_receivable"),
                ("company_id", "=", agreement.company_id.id),
            ]
        )
        self.assertEqual(
            agreement.currency_id.round(sum(ageing.mapped("amount_residual"))),
            agreement.currency_id.round(sum(ledger.mapped("balance"))),
        )
