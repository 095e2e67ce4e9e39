"""The client portal: agreements, usage statements and disputes, and the isolation between
two clients' contacts through the portal pages, JSON-RPC and the ORM."""

import csv
import io
from datetime import date

from odoo import Command, http
from odoo.exceptions import AccessError
from odoo.tests import HttpCase, tagged

from .common import BpoBillingCommon


class BpoPortalCommon(BpoBillingCommon, HttpCase):
    """Two clients, Northwind (A) and Contoso (B), each with an agreement billed in arrears
    for January 2026 (a retainer and metered minutes), its invoice, a dispute filed by the
    accountant, and one contact with a portal user."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.agreement_a = cls._create_billed_agreement(
            cls.client,
            [
                (date(2026, 1, 5), 1200.0, "NW-0001", "Inbound calls"),
                (date(2026, 1, 20), 300.5, "NW-0002", False),
            ],
        )
        cls.agreement_b = cls._create_billed_agreement(
            cls.client_b, [(date(2026, 1, 7), 50.0, "CO-0001", "Claims hotline")]
        )
        cls.invoice_a = cls.agreement_a.invoice_ids
        cls.invoice_b = cls.agreement_b.invoice_ids
        cls.period_a = cls.agreement_a.period_ids
        cls.period_b = cls.agreement_b.period_ids
        cls.dispute_a = cls._create_dispute(cls.invoice_a, "Retainer invoiced twice")
        cls.dispute_b = cls._create_dispute(cls.invoice_b, "Minutes not ours")
        cls.user_a = cls._create_portal_contact(cls.client, "northwind_contact")
        cls.user_b = cls._create_portal_contact(cls.client_b, "contoso_contact")

    @classmethod
    def _create_billed_agreement(cls, client, usage_rows):
        agreement = cls._create_agreement(
            [
                {
                    "product_id": cls.product_retainer.id,
                    "price_unit": 1000.0,
                    "tax_ids": [Command.clear()],
                },
                {
                    "product_id": cls.product_minute.id,
                    "price_unit": 0.85,
                    "tax_ids": [Command.clear()],
                },
            ],
            partner=client,
            billing_timing="arrears",
        )
        minutes = agreement.line_ids.filtered(lambda line: line.billing_model == "usage")
        for day, quantity, ref, note in usage_rows:
            cls._record_usage(minutes, day, quantity, ref=ref).note = note
        invoice = agreement.action_generate_invoices(date(2026, 2, 1))
        assert len(invoice) == 1 and invoice.state == "posted"
        return agreement

    @classmethod
    def _create_dispute(cls, invoice, reason):
        return cls.env["bpo.dispute"].create(
            {"move_id": invoice.id, "amount": 10.0, "reason": reason, "source": "backend"}
        )

    def _login(self, user):
        # new_test_user's password is the login (padded to 8 characters)
        self.authenticate(user.login, user.login)

    def _statement_url(self, agreement, period, report_type, token=None):
        url = f"/my/agreements/{agreement.id}/usage-statement/{period.id}?report_type={report_type}"
        return f"{url}&access_token={token}" if token else url

    def _post_dispute(self, invoice, data, files=None):
        return self.url_open(
            f"/my/invoices/{invoice.id}/dispute",
            data=[("csrf_token", http.Request.csrf_token(self)), *data],
            files=files,
        )


@tagged("post_install", "-at_install")
class TestPortalAgreements(BpoPortalCommon):
    def test_home_counts_own_agreements(self):
        self._login(self.user_a)
        counters = self.make_jsonrpc_request("/my/counters", {"counters": ["bpo_agreement_count"]})
        # one agreement for Northwind; Contoso's is not counted
        self.assertEqual(counters["bpo_agreement_count"], 1)

    def test_home_counter_skips_draft_agreements(self):
        self._create_agreement([{"product_id": self.product_fte.id}], activate=False)
        self._login(self.user_a)
        counters = self.make_jsonrpc_request("/my/counters", {"counters": ["bpo_agreement_count"]})
        self.assertEqual(counters["bpo_agreement_count"], 1)

    def test_agreement_list_shows_own_agreements_only(self):
        self._login(self.user_a)
        response = self.url_open("/my/agreements")
        self.assertEqual(response.status_code, 200)
        self.assertIn(self.agreement_a.name, response.text)
        self.assertIn(f'href="/my/agreements/{self.agreement_a.id}?access_token=', response.text)
        self.assertNotIn(self.agreement_b.name, response.text)

    def test_agreement_list_sorts_by_next_invoice(self):
        later = self._create_agreement(
            [{"product_id": self.product_fte.id, "tax_ids": [Command.clear()]}],
            date_start=date(2026, 6, 1),
        )
        self._login(self.user_a)
        text = self.url_open("/my/agreements?sortby=next_invoice").text
        # agreement A next bills on 1 March 2026, the later one on 1 June 2026
        self.assertLess(text.index(self.agreement_a.name), text.index(later.name))
        text = self.url_open("/my/agreements?sortby=date").text
        # by start date, newest first: 1 June 2026 before 1 January 2026
        self.assertLess(text.index(later.name), text.index(self.agreement_a.name))

    def test_agreement_page_shows_rules_periods_invoices_and_reminder_stage(self):
        self.invoice_a.bpo_dunning_stage_id = self.env.ref("bpo_billing.dunning_stage_final")
        self._login(self.user_a)
        response = self.url_open(f"/my/agreements/{self.agreement_a.id}")
        self.assertEqual(response.status_code, 200)
        text = response.text
        for expected in (
            "Helpdesk Retainer",
            "Fixed fee",
            "1,000.00",
            "Handled Minute",
            "Metered usage",
            "0.85",
            # January billed in arrears: next period February, invoiced on 1 March 2026
            "03/01/2026",
            "01/01/2026",
            "01/31/2026",
            self.invoice_a.name,
            "Not Paid",
            self.env.ref("bpo_billing.dunning_stage_final").name,
            self.dispute_a.name,
        ):
            self.assertIn(expected, text)
        statement = f"/my/agreements/{self.agreement_a.id}/usage-statement/{self.period_a.id}?"
        self.assertIn(statement, text)
        self.assertNotIn(self.invoice_b.name, text)
        self.assertNotIn(self.dispute_b.name, text)

    def test_agreement_page_hides_internal_notes(self):
        self.agreement_a.note = "<p>Client negotiates hard on rates</p>"
        self.agreement_a.message_post(
            body="Internal: client may churn", subtype_xmlid="mail.mt_note"
        )
        self._login(self.user_a)
        text = self.url_open(f"/my/agreements/{self.agreement_a.id}").text
        self.assertNotIn("negotiates hard", text)
        self.assertNotIn("may churn", text)

    def test_agreement_page_with_access_token_for_visitor(self):
        self.authenticate(None, None)
        token = self.agreement_b._portal_ensure_token()
        response = self.url_open(f"/my/agreements/{self.agreement_b.id}?access_token={token}")
        self.assertEqual(response.status_code, 200)
        self.assertIn(self.invoice_b.name, response.text)
        response = self.url_open(
            f"/my/agreements/{self.agreement_b.id}?access_token=not-the-token",
            allow_redirects=False,
        )
        self.assertEqual(response.status_code, 303)
        self.assertTrue(response.headers["Location"].endswith("/my"))

    def test_access_url(self):
        self.assertEqual(self.agreement_a.access_url, f"/my/agreements/{self.agreement_a.id}")


@tagged("post_install", "-at_install")
class TestPortalUsageStatement(BpoPortalCommon):
    def test_csv_statement_rows(self):
        self._login(self.user_a)
        response = self.url_open(self._statement_url(self.agreement_a, self.period_a, "csv"))
        self.assertEqual(response.status_code, 200)
        self.assertEqual(response.headers["Content-Type"], "text/csv; charset=utf-8")
        self.assertIn("attachment;", response.headers["Content-Disposition"])
        self.assertIn(".csv", response.headers["Content-Disposition"])
        rows = list(csv.reader(io.StringIO(response.content.decode())))
        agreement, invoice = self.agreement_a.name, self.invoice_a.name
        period = ["2026-01-01", "2026-01-31"]
        self.assertEqual(
            rows,
            [
                [
                    "Agreement",
                    "Period Start",
                    "Period End",
                    "Invoice",
                    "Service",
                    "Date",
                    "Quantity",
                    "External Reference",
                    "Note",
                ],
                [agreement, *period, invoice, "[BPO-MIN] Handled Minute", "2026-01-05"]
                + ["1200.00", "NW-0001", "Inbound calls"],
                [agreement, *period, invoice, "[BPO-MIN] Handled Minute", "2026-01-20"]
                + ["300.50", "NW-0002", ""],
            ],
        )

    def test_pdf_statement(self):
        self._login(self.user_a)
        url = self._statement_url(self.agreement_a, self.period_a, "pdf") + "&download=true"
        response = self.url_open(url)
        self.assertEqual(response.status_code, 200)
        self.assertEqual(response.headers["Content-Type"], "application/pdf")
        disposition = response.headers["Content-Disposition"]
        self.assertTrue(disposition.startswith("attachment;"), disposition)
        self.assertIn(".pdf", disposition)
        # tests render reports as HTML unless forced: the body is the statement's markup
        text = response.content.decode()
        for expected in ("NW-0001", "NW-0002", "Inbound calls", self.invoice_a.name):
            self.assertIn(expected, text)
        # 1 200.00 + 300.50 = 1 500.50 minutes billed in January
        self.assertIn("1,500.50", text)
        self.assertNotIn("CO-0001", text)

    def test_statement_report_groups_usage_by_rule(self):
        statement = self.env["report.bpo_billing.report_bpo_usage_statement"]._usage_statement(
            self.period_a
        )
        minutes = self.agreement_a.line_ids.filtered(lambda line: line.billing_model == "usage")
        self.assertEqual(len(statement), 1)
        self.assertEqual(statement[0]["rule"], minutes)
        self.assertEqual(statement[0]["usage"].mapped("external_ref"), ["NW-0001", "NW-0002"])
        self.assertEqual(statement[0]["total"], 1500.5)

    def test_statement_with_access_token_for_visitor(self):
        self.authenticate(None, None)
        token = self.agreement_a._portal_ensure_token()
        response = self.url_open(self._statement_url(self.agreement_a, self.period_a, "csv", token))
        self.assertEqual(response.status_code, 200)
        self.assertIn("NW-0001", response.text)

    def test_statement_of_unbilled_period_is_not_found(self):
        self.period_a.sudo().state = "error"
        self._login(self.user_a)
        response = self.url_open(self._statement_url(self.agreement_a, self.period_a, "csv"))
        self.assertEqual(response.status_code, 404)


@tagged("post_install", "-at_install")
class TestPortalDispute(BpoPortalCommon):
    def _product_lines(self, invoice):
        return invoice.invoice_line_ids.filtered(lambda line: line.display_type == "product")

    def test_file_dispute_with_lines_and_attachment(self):
        minutes_line = self._product_lines(self.invoice_a).filtered(
            lambda line: line.product_id == self.product_minute
        )
        self._login(self.user_a)
        response = self._post_dispute(
            self.invoice_a,
            [
                ("line_ids", str(minutes_line.id)),
                ("amount", "255.09"),
                ("reason", "  300.5 minutes were a test campaign  "),
            ],
            files={"attachment": ("call-log.txt", b"2026-01-20 test campaign", "text/plain")},
        )
        self.assertEqual(response.status_code, 200)
        self.assertIn("Your dispute was sent", response.text)
        dispute = self.env["bpo.dispute"].search(
            [("move_id", "=", self.invoice_a.id), ("source", "=", "portal")]
        )
        self.assertRecordValues(
            dispute,
            [
                {
                    "amount": 255.09,
                    "reason": "300.5 minutes were a test campaign",
                    "state": "open",
                    "partner_id": self.client.id,
                    "agreement_id": self.agreement_a.id,
                    "move_line_ids": minutes_line.ids,
                }
            ],
        )
        self.assertEqual(dispute.create_uid, self.user_a)
        attachment = self.env["ir.attachment"].search(
            [("res_model", "=", "bpo.dispute"), ("res_id", "=", dispute.id)]
        )
        self.assertEqual(attachment.name, "call-log.txt")
        self.assertEqual(attachment.raw, b"2026-01-20 test campaign")
        message = dispute.message_ids.filtered("attachment_ids")
        self.assertEqual(message.author_id, self.user_a.partner_id)
        self.assertEqual(message.attachment_ids, attachment)
        self.assertIn(dispute.name, response.text)

    def test_visitor_with_invoice_link_files_dispute_as_the_client(self):
        self.authenticate(None, None)
        token = self.invoice_a._portal_ensure_token()
        self._post_dispute(
            self.invoice_a,
            [("access_token", token), ("amount", "20"), ("reason", "Sent from the email link")],
            files={"attachment": ("note.txt", b"see call log", "text/plain")},
        )
        dispute = self.env["bpo.dispute"].search([("source", "=", "portal")])
        self.assertEqual(dispute.amount, 20.0)
        self.assertEqual(dispute.message_ids.filtered("attachment_ids").author_id, self.client)

    def test_visitor_without_token_cannot_dispute(self):
        self.authenticate(None, None)
        self._post_dispute(self.invoice_a, [("amount", "20"), ("reason", "No token")])
        self.assertFalse(self.env["bpo.dispute"].search([("source", "=", "portal")]))

    def test_html_attachment_is_stored_as_text(self):
        self._login(self.user_a)
        self._post_dispute(
            self.invoice_a,
            [("amount", "10"), ("reason", "See page")],
            files={"attachment": ("page.html", b"<script>alert(1)</script>", "text/html")},
        )
        dispute = self.env["bpo.dispute"].search(
            [("move_id", "=", self.invoice_a.id), ("source", "=", "portal")]
        )
        attachment = self.env["ir.attachment"].search(
            [("res_model", "=", "bpo.dispute"), ("res_id", "=", dispute.id)]
        )
        self.assertEqual(attachment.mimetype, "text/plain")

    def test_invalid_disputes_are_refused_with_a_message(self):
        # 1 000.00 + 1 500.50 × 0.85 = 1 000.00 + 1 275.43 = 2 275.43 due, no tax
        self.assertEqual(self.invoice_a.amount_residual, 2275.43)
        foreign_line = self._product_lines(self.invoice_b)[0]
        cases = [
            ([("amount", "0"), ("reason", "x")], "greater than zero"),
            ([("amount", "-5"), ("reason", "x")], "greater than zero"),
            ([("amount", "abc"), ("reason", "x")], "as a number"),
            ([("amount", "2275.44"), ("reason", "x")], "cannot exceed the amount due"),
            ([("amount", "50"), ("reason", "   ")], "why you dispute"),
            (
                [("line_ids", str(foreign_line.id)), ("amount", "50"), ("reason", "x")],
                "must be lines of this invoice",
            ),
        ]
        self._login(self.user_a)
        for data, message in cases:
            with self.subTest(message=message, data=data):
                response = self._post_dispute(self.invoice_a, data)
                self.assertEqual(response.status_code, 200)
                self.assertIn(message, response.text)
        self.assertFalse(
            self.env["bpo.dispute"].search([("source", "=", "portal")]),
            "no invalid dispute may be created",
        )

    def test_whole_amount_due_can_be_disputed(self):
        self._login(self.user_a)
        self._post_dispute(self.invoice_a, [("amount", "2275.43"), ("reason", "Not ordered")])
        dispute = self.env["bpo.dispute"].search([("source", "=", "portal")])
        self.assertEqual(dispute.amount, 2275.43)
        self.assertFalse(dispute.move_line_ids)

    def test_paid_invoice_cannot_be_disputed(self):
        self.env["account.payment.register"].with_context(
            active_model="account.move", active_ids=self.invoice_a.ids
        ).create({"payment_date": date(2026, 2, 10)})._create_payments()
        self.assertEqual(self.invoice_a.amount_residual, 0.0)
        self._login(self.user_a)
        page = self.url_open(self.invoice_a.get_portal_url()).text
        self.assertNotIn('id="bpo_dispute_button"', page)
        response = self._post_dispute(self.invoice_a, [("amount", "10"), ("reason", "Late")])
        self.assertIn("nothing left to dispute", response.text)

    def test_invoice_page_shows_dispute_button_and_own_disputes(self):
        self._login(self.user_a)
        response = self.url_open(self.invoice_a.get_portal_url())
        self.assertEqual(response.status_code, 200)
        self.assertIn('id="bpo_dispute_button"', response.text)
        self.assertIn('<textarea id="bpo_dispute_reason"', response.text)
        self.assertIn(self.dispute_a.name, response.text)
        self.assertNotIn(self.dispute_b.name, response.text)


@tagged("post_install", "-at_install")
class TestPortalIsolation(BpoPortalCommon):
    """Neither client's contact reaches the other's agreement, invoice, usage, period or
    dispute: through the portal pages, JSON-RPC, or the ORM as that user."""

    def _own_and_foreign(self):
        own_a = {
            "agreement": self.agreement_a,
            "invoice": self.invoice_a,
            "period": self.period_a,
            "dispute": self.dispute_a,
        }
        own_b = {
            "agreement": self.agreement_b,
            "invoice": self.invoice_b,
            "period": self.period_b,
            "dispute": self.dispute_b,
        }
        return [(self.user_a, own_a, own_b), (self.user_b, own_b, own_a)]

    def _records(self, records):
        agreement = records["agreement"]
        return {
            "bpo.agreement": agreement,
            "bpo.agreement.line": agreement.line_ids,
            "bpo.usage": self.env["bpo.usage"].search([("agreement_id", "=", agreement.id)]),
            "bpo.billing.period": records["period"],
            "account.move": records["invoice"],
            "bpo.dispute": records["dispute"],
        }

    def test_orm_reads_own_records_only(self):
        for user, own, foreign in self._own_and_foreign():
            for model, records in self._records(own).items():
                with self.subTest(user=user.login, model=model, own=True):
                    self.assertEqual(
                        records.with_user(user).read(["display_name"]),
                        [{"id": rec.id, "display_name": rec.display_name} for rec in records],
                    )
                    self.assertEqual(self.env[model].with_user(user).search([]), records)
            for model, records in self._records(foreign).items():
                with (
                    self.subTest(user=user.login, model=model, own=False),
                    self.assertRaises(AccessError),
                ):
                    records.with_user(user).read(["display_name"])

    def test_orm_reads_through_relations_stay_own(self):
        agreement = self.agreement_a.with_user(self.user_a)
        # the agreement's invoices and periods, read as the client, are its own only
        self.assertEqual(agreement.read(["invoice_ids"])[0]["invoice_ids"], self.invoice_a.ids)
        self.assertEqual(
            self.env["bpo.usage"]
            .with_user(self.user_a)
            .search([("agreement_id", "=", self.agreement_b.id)]),
            self.env["bpo.usage"],
        )

    def test_orm_writes_nothing(self):
        agreement = self.agreement_a.with_user(self.user_a)
        with self.assertRaises(AccessError):
            agreement.write({"billing_frequency": "yearly"})
        with self.assertRaises(AccessError):
            self.env["bpo.usage"].with_user(self.user_a).create(
                {
                    "agreement_line_id": self.agreement_a.line_ids[1].id,
                    "date": date(2026, 2, 3),
                    "quantity": 1.0,
                }
            )
        with self.assertRaises(AccessError):
            self.env["bpo.dispute"].with_user(self.user_a).create(
                {"move_id": self.invoice_a.id, "amount": 5.0, "reason": "RPC"}
            )
        with self.assertRaises(AccessError):
            self.dispute_a.with_user(self.user_a).write({"state": "accepted"})

    def test_orm_hides_internal_notes_and_messages(self):
        self.agreement_a.note = "<p>Client negotiates hard on rates</p>"
        note = self.agreement_a.message_post(
            body="Internal: client may churn", subtype_xmlid="mail.mt_note"
        )
        public = self.agreement_a.message_post(
            body="Your agreement is active", subtype_xmlid="mail.mt_comment"
        )
        agreement = self.agreement_a.with_user(self.user_a)
        with self.assertRaises(AccessError):
            agreement.read(["note"])
        message_ids = agreement.read(["message_ids"])[0]["message_ids"]
        self.assertIn(public.id, message_ids)
        self.assertNotIn(note.id, message_ids)

    def test_json_rpc_search_read_returns_own_agreements(self):
        self._login(self.user_a)
        result = self.make_jsonrpc_request(
            "/web/dataset/call_kw/bpo.agreement/search_read",
            {
                "model": "bpo.agreement",
                "method": "search_read",
                "args": [[]],
                "kwargs": {"fields": ["name"]},
            },
        )
        self.assertEqual(result, [{"id": self.agreement_a.id, "name": self.agreement_a.name}])

    def test_portal_pages_refuse_the_other_client(self):
        for user, own, foreign in self._own_and_foreign():
            self._login(user)
            with self.subTest(user=user.login):
                listing = self.url_open("/my/agreements").text
                self.assertIn(own["agreement"].name, listing)
                self.assertNotIn(foreign["agreement"].name, listing)
                for url in (
                    f"/my/agreements/{foreign['agreement'].id}",
                    f"/my/invoices/{foreign['invoice'].id}",
                    self._statement_url(foreign["agreement"], foreign["period"], "csv"),
                    self._statement_url(foreign["agreement"], foreign["period"], "pdf"),
                ):
                    response = self.url_open(url, allow_redirects=False)
                    self.assertEqual(response.status_code, 303, url)
                    self.assertTrue(response.headers["Location"].endswith("/my"), url)
                # the own agreement with the other client's period
                response = self.url_open(
                    self._statement_url(own["agreement"], foreign["period"], "csv")
                )
                self.assertEqual(response.status_code, 404)
                own_page = self.url_open(f"/my/agreements/{own['agreement'].id}").text
                self.assertNotIn(foreign["invoice"].name, own_page)
                self.assertNotIn(foreign["dispute"].name, own_page)

    def test_dispute_on_the_other_client_invoice_is_refused(self):
        self._login(self.user_a)
        response = self.url_open(
            f"/my/invoices/{self.invoice_b.id}/dispute",
            data={
                "csrf_token": http.Request.csrf_token(self),
                "amount": "10",
                "reason": "Not mine",
            },
            allow_redirects=False,
        )
        self.assertEqual(response.status_code, 303)
        self.assertFalse(self.env["bpo.dispute"].search([("source", "=", "portal")]))
