import base64
import io
from datetime import date

from odoo import Command
from odoo.exceptions import UserError
from odoo.tests import tagged
from odoo.tools.pdf import PdfFileReader

from .common import BpoBillingCommon

INVOICE_DATE = date(2026, 1, 1)
DUE_DATE = date(2026, 1, 31)  # 30 days net


@tagged("post_install", "-at_install")
class TestDunningRun(BpoBillingCommon):
    """The reminder run: stages by days late, once each, grouped emails, fees, suspension."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.standard = cls.env.ref("bpo_billing.dunning_policy_standard")
        cls.company.bpo_dunning_policy_id = cls.standard
        cls.net_30 = cls.env["account.payment.term"].create(
            {
                "name": "30 days",
                "line_ids": [
                    Command.create({"value": "percent", "value_amount": 100.0, "nb_days": 30})
                ],
            }
        )
        cls.client.email = "ap@northwind.example.com"
        cls.billing_contact = cls.env["res.partner"].create(
            {
                "name": "Northwind Accounts Payable",
                "type": "invoice",
                "parent_id": cls.client.id,
                "email": "invoices@northwind.example.com",
            }
        )

    def _invoice(self, price=1000.0, partner=None, **values):
        """A posted agreement invoice of price + 15 % tax, dated 1 January, due 31 January."""
        agreement = self._create_agreement(
            [{"product_id": self.product_retainer.id, "price_unit": price}],
            partner=partner,
            payment_term_id=self.net_30.id,
            **values,
        )
        return agreement.action_generate_invoices(INVOICE_DATE)

    def _run(self, day):
        return self.env["account.move"]._bpo_run_dunning(day)

    def _mails_to(self, partner):
        """The queued emails of the reminders sent to the client."""
        return self.env["bpo.dunning.line"].search([("partner_id", "=", partner.id)]).mail_id

    def _dispute(self, invoice):
        return self.env["bpo.dispute"].create(
            {"move_id": invoice.id, "amount": 100.0, "reason": "Hours not worked"}
        )

    def _pay(self, invoice, amount, day):
        self.env["account.payment.register"].with_context(
            active_model="account.move", active_ids=invoice.ids
        ).create({"amount": amount, "payment_date": day})._create_payments()

    def test_each_stage_on_its_boundary_day(self):
        invoice = self._invoice()  # 1 150.00 due 31 January
        courtesy, first, second, final = self.standard.stage_ids
        expected = [
            (date(2026, 1, 27), False),  # 4 days before: nothing yet
            (date(2026, 1, 28), courtesy),  # 3 days before
            (date(2026, 1, 31), courtesy),  # due date: nothing new
            (date(2026, 2, 6), courtesy),  # 6 days late
            (date(2026, 2, 7), first),  # 7 days late
            (date(2026, 2, 15), second),  # 15 days late
            (date(2026, 3, 2), final),  # 30 days late
        ]
        for day, stage in expected:
            self._run(day)
            self.assertEqual(
                invoice.bpo_dunning_stage_id, stage or self.env["bpo.dunning.stage"], day
            )
        self.assertEqual(invoice.bpo_dunning_line_ids.stage_id, self.standard.stage_ids)
        self.assertEqual(invoice.bpo_dunning_date, date(2026, 3, 2))
        self.assertEqual(len(self._mails_to(self.client)), 4)

    def test_second_run_the_same_day_sends_nothing(self):
        invoice = self._invoice()

        self.assertEqual(self._run(date(2026, 2, 7)), 1)
        self.assertEqual(self._run(date(2026, 2, 7)), 0)

        self.assertEqual(len(invoice.bpo_dunning_line_ids), 1)
        self.assertEqual(len(self._mails_to(self.client)), 1)

    def test_a_late_first_run_applies_only_the_highest_stage_reached(self):
        invoice = self._invoice()

        self._run(date(2026, 2, 20))  # 20 days late

        second = self.standard.stage_ids[2]
        self.assertEqual(invoice.bpo_dunning_line_ids.stage_id, second)
        self.assertEqual(len(self._mails_to(self.client)), 1)

    def test_one_email_per_client_and_stage_with_the_invoices_attached(self):
        first_invoice, second_invoice = self._invoice(1000.0), self._invoice(2000.0)
        other_client_invoice = self._invoice(500.0, partner=self.client_b)

        self._run(date(2026, 2, 7))

        mail = self._mails_to(self.client)
        self.assertEqual(len(mail), 1)
        self.assertIn(first_invoice.name, mail.body_html)
        self.assertIn(second_invoice.name, mail.body_html)
        self.assertNotIn(other_client_invoice.name, mail.body_html)
        self.assertEqual(mail.recipient_ids, self.billing_contact)
        self.assertEqual(
            sorted(mail.attachment_ids.mapped("name")),
            sorted(
                invoice._get_invoice_report_filename() for invoice in first_invoice | second_invoice
            ),
        )
        first_document = mail.attachment_ids.filtered(
            lambda attachment: attachment.name == first_invoice._get_invoice_report_filename()
        )
        self.assertIn(first_invoice.name.encode(), first_document.raw)
        self.assertNotIn(second_invoice.name.encode(), first_document.raw)
        self.assertEqual(mail.state, "outgoing")
        self.assertEqual((first_invoice | second_invoice).bpo_dunning_line_ids.mail_id, mail)
        self.assertEqual(len(self._mails_to(self.client_b)), 1)

    def test_the_invoice_pdf_the_client_was_sent_is_attached_again(self):
        invoice = self._invoice()
        invoice.invoice_pdf_report_file = base64.b64encode(b"%PDF-1.4 sent to the client")
        sent = invoice.invoice_pdf_report_id
        self.assertTrue(sent)

        self._run(date(2026, 2, 7))

        self.assertEqual(self._mails_to(self.client).attachment_ids, sent)

    def test_real_pdfs_one_per_invoice(self):
        """With wkhtmltopdf (test mode renders HTML otherwise), each invoice gets its own
        PDF. One invoice per wkhtmltopdf run: Debian's build (unpatched Qt) cannot merge
        several documents in one run as the wkhtmltopdf.org build Odoo recommends does."""
        self.env["ir.config_parameter"].set_param("account.pdf_generation_batch", 1)
        first_invoice, second_invoice = self._invoice(1000.0), self._invoice(2000.0)
        invoices = (first_invoice | second_invoice).with_context(force_report_rendering=True)

        attachments = invoices._bpo_invoice_pdf_attachments()

        for invoice in first_invoice | second_invoice:
            document = attachments[invoice]
            self.assertTrue(document.raw.startswith(b"%PDF-"), invoice.name)
            self.assertEqual(document.name, invoice._get_invoice_report_filename())
            self.assertEqual(PdfFileReader(io.BytesIO(document.raw)).getNumPages(), 1)

    def test_reminder_is_traced_in_the_invoice_chatter(self):
        invoice = self._invoice()

        self._run(date(2026, 2, 15))

        note = invoice.message_ids.filtered(
            lambda message: "Second reminder" in (message.body or "")
        )
        self.assertEqual(len(note), 1)
        self.assertIn("15 days after the due date", note.body)
        self.assertIn("Late fee", note.body)

    def test_fixed_fee_is_a_posted_invoice_linked_to_the_overdue_one(self):
        invoice = self._invoice()

        self._run(date(2026, 2, 15))

        fee = invoice.bpo_dunning_line_ids.fee_move_id
        self.assertEqual(fee.state, "posted")
        self.assertEqual(fee.bpo_fee_origin_id, invoice)
        self.assertEqual(fee.partner_id, invoice.partner_id)
        self.assertEqual(fee.amount_total, 40.00)  # the fee product carries no tax
        self.assertEqual(
            fee.invoice_line_ids.product_id, self.env.ref("bpo_billing.product_late_payment_fee")
        )

    def test_no_fee_when_the_agreement_charges_none(self):
        invoice = self._invoice(late_fees=False)

        self._run(date(2026, 2, 15))

        self.assertFalse(invoice.bpo_dunning_line_ids.fee_move_id)

    def _fee_policy(self, *stages):
        return self.env["bpo.dunning.policy"].create(
            {
                "name": "Fees",
                "stage_ids": [
                    Command.create(
                        {
                            "name": f"Stage {offset}",
                            "offset_days": offset,
                            "fee_type": fee_type,
                            "fee_amount": amount,
                            "fee_product_id": self.env.ref(
                                "bpo_billing.product_late_payment_fee"
                            ).id,
                        }
                    )
                    for offset, fee_type, amount in stages
                ],
            }
        )

    def test_interest_never_charges_the_same_days_twice(self):
        policy = self._fee_policy((10, "interest", 12.0), (20, "interest", 12.0))
        invoice = self._invoice(dunning_policy_id=policy.id)

        self._run(date(2026, 2, 10))
        self._run(date(2026, 2, 20))

        first, second = invoice.bpo_dunning_line_ids.sorted("date")
        # 1 150.00 × 12 % × 10 / 365 = 3.7808… → 3.78 for 1–10 February,
        # then the same for 11–20 February, not 20 days again
        self.assertEqual(first.fee_move_id.amount_total, 3.78)
        self.assertEqual(second.fee_move_id.amount_total, 3.78)
        self.assertEqual(second.interest_until, date(2026, 2, 20))

    def test_percent_fee_on_what_is_left_after_a_partial_payment(self):
        policy = self._fee_policy((10, "percent", 2.0))
        invoice = self._invoice(dunning_policy_id=policy.id)
        self._pay(invoice, 650.00, date(2026, 2, 5))

        self._run(date(2026, 2, 10))

        # 1 150.00 − 650.00 = 500.00 open; 2 % = 10.00
        line = invoice.bpo_dunning_line_ids
        self.assertEqual(line.open_amount, 500.00)
        self.assertEqual(line.fee_move_id.amount_total, 10.00)

    def test_final_notice_suspends_the_agreement_until_paid(self):
        invoice = self._invoice()
        agreement = invoice.bpo_agreement_id

        self._run(date(2026, 3, 2))

        self.assertEqual(agreement.state, "suspended")
        self.assertTrue(agreement.suspended_by_dunning)
        self.assertTrue(self.client.bpo_credit_hold)
        self.assertTrue(self.client.bpo_credit_hold_by_dunning)
        self.assertIn(invoice.name, self.client.bpo_credit_hold_reason)
        activity = invoice.activity_ids
        self.assertEqual(len(activity), 1)
        self.assertEqual(activity.user_id, agreement.user_id)

        self._pay(invoice, invoice.amount_residual, date(2026, 3, 5))

        self.assertEqual(agreement.state, "active")
        self.assertFalse(agreement.suspended_by_dunning)
        self.assertFalse(self.client.bpo_credit_hold)
        self.assertFalse(self.client.bpo_credit_hold_by_dunning)
        self.assertIn("Activated again", agreement.message_ids[0].body)
        self.assertEqual(self._run(date(2026, 3, 20)), 0)

    def test_a_hold_set_by_hand_stays_after_payment(self):
        invoice = self._invoice()
        self.client._bpo_set_credit_hold("Bankruptcy filing")
        self._run(date(2026, 3, 2))  # final notice: the client already on hold keeps it

        self._pay(invoice, invoice.amount_residual, date(2026, 3, 5))

        self.assertEqual(invoice.bpo_agreement_id.state, "active")
        self.assertTrue(self.client.bpo_credit_hold)
        self.assertEqual(self.client.bpo_credit_hold_reason, "Bankruptcy filing")

    def test_hold_stays_while_another_invoice_is_at_the_final_stage(self):
        first, second = self._invoice(), self._invoice(2000.0)
        self._run(date(2026, 3, 2))  # both at the final notice

        self._pay(first, first.amount_residual, date(2026, 3, 5))

        self.assertEqual(first.bpo_agreement_id.state, "active")
        self.assertEqual(second.bpo_agreement_id.state, "suspended")
        self.assertTrue(self.client.bpo_credit_hold)
        self._pay(second, second.amount_residual, date(2026, 3, 6))
        self.assertFalse(self.client.bpo_credit_hold)

    def test_paid_invoice_gets_no_more_reminders(self):
        invoice = self._invoice()
        self._run(date(2026, 2, 7))
        self._pay(invoice, invoice.amount_residual, date(2026, 2, 8))

        self._run(date(2026, 2, 15))

        self.assertEqual(len(invoice.bpo_dunning_line_ids), 1)

    def test_disputed_invoice_is_skipped(self):
        invoice = self._invoice()
        self._dispute(invoice)

        self.assertEqual(self._run(date(2026, 2, 15)), 0)
        self.assertFalse(invoice.bpo_dunning_line_ids)

    def test_open_amount_below_the_policy_minimum_is_skipped(self):
        self.standard.minimum_amount = 2000.0
        invoice = self._invoice()  # 1 150.00 open

        self.assertEqual(self._run(date(2026, 2, 15)), 0)
        self.assertFalse(invoice.bpo_dunning_line_ids)

    def test_client_with_reminders_turned_off_is_skipped(self):
        self.client.bpo_dunning_opt_out = True
        invoice = self._invoice()

        self.assertEqual(self._run(date(2026, 2, 15)), 0)
        self.assertFalse(invoice.bpo_dunning_line_ids)

    def test_a_run_in_one_company_never_touches_another(self):
        other = self.setup_other_company()
        service = self.env["product.product"].create(
            {
                "name": "Other retainer",
                "type": "service",
                "bpo_billing_model": "fixed",
                "company_id": other["company"].id,
                "taxes_id": [Command.clear()],
            }
        )
        service.with_company(other["company"]).property_account_income_id = other[
            "default_account_revenue"
        ]
        their_agreement = (
            self.env["bpo.agreement"]
            .sudo()
            .create(
                {
                    "partner_id": self.client_b.id,
                    "company_id": other["company"].id,
                    "journal_id": other["default_journal_sale"].id,
                    "payment_term_id": self.net_30.id,
                    "dunning_policy_id": self.standard.id,
                    "date_start": INVOICE_DATE,
                    "line_ids": [Command.create({"product_id": service.id, "price_unit": 700.0})],
                }
            )
        )
        their_agreement.action_activate()
        theirs = their_agreement.action_generate_invoices(INVOICE_DATE)
        mine = self._invoice()

        moves = self.env["account.move"].with_context(allowed_company_ids=self.company.ids)
        moves._bpo_run_dunning(date(2026, 2, 15))

        self.assertTrue(mine.bpo_dunning_line_ids)
        self.assertFalse(theirs.bpo_dunning_line_ids)
        # it was due all along: the scheduler, in every company, reminds it
        self.env["account.move"].sudo()._bpo_run_dunning(date(2026, 2, 15))
        self.assertTrue(theirs.bpo_dunning_line_ids)

    def test_a_claim_can_be_narrowed_to_chosen_invoices(self):
        invoice, other = self._invoice(), self._invoice()

        claimed = invoice._bpo_claim_due_stages(
            date(2026, 2, 7), 10, invoice.browse(), only=invoice
        )

        self.assertEqual(claimed, {invoice: self.standard.stage_ids[1]})
        self.assertNotIn(other, claimed)

    def test_send_reminder_button_refuses_when_nothing_is_reached(self):
        invoice = self._invoice()
        invoice.action_bpo_send_reminder()  # long overdue today: the final notice
        self.assertEqual(invoice.bpo_dunning_stage_id, self.standard.stage_ids[-1])

        with self.assertRaisesRegex(UserError, "reached no reminder stage it has not received yet"):
            invoice.action_bpo_send_reminder()

    def test_reminders_resume_once_the_dispute_is_rejected(self):
        invoice = self._invoice()
        dispute = self._dispute(invoice)

        self.assertEqual(self._run(date(2026, 2, 15)), 0)
        dispute.rejection_reason = "The hours were worked."
        dispute.action_reject()
        self.assertEqual(self._run(date(2026, 2, 15)), 1)

    def test_fee_invoices_get_no_reminder_of_their_own(self):
        invoice = self._invoice()
        self._run(date(2026, 2, 15))  # second reminder: a 40.00 fee invoice, due at once
        fee = invoice.bpo_dunning_line_ids.fee_move_id

        self._run(date(2026, 4, 30))

        self.assertTrue(fee)
        self.assertFalse(fee.bpo_dunning_line_ids)

    def _plain_invoice(self):
        invoice = self.env["account.move"].create(
            {
                "move_type": "out_invoice",
                "partner_id": self.client.id,
                "invoice_date": INVOICE_DATE,
                "invoice_payment_term_id": self.net_30.id,
                "invoice_line_ids": [
                    Command.create({"product_id": self.product_retainer.id, "price_unit": 300.0})
                ],
            }
        )
        invoice.action_post()
        return invoice

    def test_invoices_outside_agreements_only_with_the_company_setting(self):
        invoice = self._plain_invoice()
        self.assertEqual(self._run(date(2026, 2, 15)), 0)

        self.company.bpo_dunning_all_invoices = True
        self.assertEqual(self._run(date(2026, 2, 15)), 1)

        line = invoice.bpo_dunning_line_ids
        self.assertEqual(line.stage_id, self.standard.stage_ids[2])
        self.assertFalse(line.fee_move_id)  # late fees belong to agreements
        self.assertTrue(line.mail_id)

    def test_skipping_a_stage_records_it_without_sending(self):
        invoice = self._invoice()
        _courtesy, first, second, _final = self.standard.stage_ids
        self._run(date(2026, 1, 28))  # courtesy reminder

        invoice.action_bpo_skip_stage()  # the first reminder will not be sent

        skipped = invoice.bpo_dunning_line_ids.filtered("skipped")
        self.assertEqual(skipped.stage_id, first)
        self.assertFalse(skipped.mail_id)
        self.assertEqual(invoice.bpo_dunning_stage_id, first)
        self.assertEqual(self._run(date(2026, 2, 7)), 0)  # first stage's day: nothing
        self._run(date(2026, 2, 15))
        self.assertEqual(invoice.bpo_dunning_stage_id, second)
        self.assertEqual(len(self._mails_to(self.client)), 2)  # courtesy and second
