"""Monthly statements of account by email: one per client that asked for it and owes
something, once a month however often the cron runs."""

from datetime import date

from odoo.tests import tagged

from .common import BpoBillingCommon


@tagged("post_install", "-at_install")
class TestStatementEmail(BpoBillingCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.billing_contact = cls.env["res.partner"].create(
            {
                "name": "Northwind Accounts Payable",
                "type": "invoice",
                "parent_id": cls.client.id,
                "email": "invoices@northwind.example.com",
            }
        )
        lines = [{"product_id": cls.product_retainer.id, "price_unit": 1000.0}]
        cls.retainer = cls._create_agreement(lines, send_statement=True)
        cls.second = cls._create_agreement(lines, send_statement=True)
        cls.not_opted_in = cls._create_agreement(lines, partner=cls.client_b)
        (cls.retainer | cls.not_opted_in).action_generate_invoices(date(2026, 1, 1))

    def _statements(self):
        return self.env["mail.mail"].search(
            [("model", "=", "res.partner"), ("subject", "like", "statement of account")]
        )

    def test_one_statement_per_client_with_the_pdf(self):
        sent = self.env["bpo.agreement"]._cron_send_statements(date(2026, 2, 1))

        self.assertEqual(sent, 1)  # two opted-in agreements, one client; client B not opted in
        mail = self._statements()
        self.assertEqual(len(mail), 1)
        self.assertEqual(mail.res_id, self.client.id)
        self.assertEqual(mail.recipient_ids, self.billing_contact)
        # test mode renders reports as HTML: Statement - Northwind Retail.html
        self.assertEqual(mail.attachment_ids.name.rsplit(".")[0], "Statement - Northwind Retail")
        self.assertIn(self.retainer.invoice_ids.name.encode(), mail.attachment_ids.raw)
        self.assertEqual(
            (self.retainer | self.second).mapped("statement_date"), [date(2026, 2, 1)] * 2
        )
        self.assertIn("statement of account sent", self.client.message_ids[0].body)

    def test_once_a_month_however_often_it_runs(self):
        self.env["bpo.agreement"]._cron_send_statements(date(2026, 2, 1))
        self.assertEqual(self.env["bpo.agreement"]._cron_send_statements(date(2026, 2, 1)), 0)
        self.assertEqual(self.env["bpo.agreement"]._cron_send_statements(date(2026, 2, 28)), 0)
        self.assertEqual(self.env["bpo.agreement"]._cron_send_statements(date(2026, 3, 1)), 1)
        self.assertEqual(len(self._statements()), 2)

    def test_no_statement_when_nothing_is_owed(self):
        self.retainer.invoice_ids.button_draft()
        self.retainer.invoice_ids.button_cancel()

        self.assertEqual(self.env["bpo.agreement"]._cron_send_statements(date(2026, 2, 1)), 0)
        self.assertFalse(self._statements())
        self.assertEqual(self.retainer.statement_date, date(2026, 2, 1))

    def test_batches_cover_every_agreement(self):
        sent = self.env["bpo.agreement"]._cron_send_statements(date(2026, 2, 1), batch_size=1)

        self.assertEqual(sent, 1)
        self.assertEqual(self.second.statement_date, date(2026, 2, 1))
