from datetime import date

from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.tests import new_test_user, tagged

from .common import BpoBillingCommon

JANUARY = date(2026, 1, 1)


@tagged("post_install", "-at_install")
class TestCreditHold(BpoBillingCommon):
    """A client on credit hold gets no new invoice, with the reason shown wherever it blocks."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        retainer = [{"product_id": cls.product_retainer.id, "price_unit": 1000.0}]
        cls.contact = cls.env["res.partner"].create(
            {"name": "Northwind Operations", "parent_id": cls.client.id}
        )
        # billed to a contact: the hold is read on the client (commercial partner)
        cls.held_agreement = cls._create_agreement(retainer, partner=cls.contact)
        cls.other_agreement = cls._create_agreement(retainer, partner=cls.client_b)
        cls.reason = "Final notice INV/2025/00042 unpaid"

    def test_set_on_the_commercial_partner_with_a_chatter_note(self):
        placed = self.contact._bpo_set_credit_hold(self.reason)

        self.assertEqual(placed, self.client)
        self.assertTrue(self.client.bpo_credit_hold)
        self.assertEqual(self.client.bpo_credit_hold_reason, self.reason)
        self.assertFalse(self.contact.bpo_credit_hold)
        self.assertIn(self.reason, self.client.message_ids[0].body)
        self.assertTrue(self.held_agreement.client_credit_hold)
        self.assertEqual(self.held_agreement.client_credit_hold_reason, self.reason)

    def test_a_second_hold_keeps_the_first_reason(self):
        self.client._bpo_set_credit_hold(self.reason)
        notes = len(self.client.message_ids)

        placed = self.client._bpo_set_credit_hold("Another reason")

        self.assertFalse(placed)
        self.assertEqual(self.client.bpo_credit_hold_reason, self.reason)
        self.assertEqual(len(self.client.message_ids), notes)

    def test_release_clears_the_reason(self):
        self.client._bpo_set_credit_hold(self.reason)

        released = self.contact._bpo_release_credit_hold()

        self.assertEqual(released, self.client)
        self.assertFalse(self.client.bpo_credit_hold)
        self.assertFalse(self.client.bpo_credit_hold_reason)
        self.assertIn("released", self.client.message_ids[0].body)

    def test_a_hold_by_hand_needs_a_reason(self):
        with self.assertRaises(ValidationError):
            self.client.write({"bpo_credit_hold": True})
        self.client.write({"bpo_credit_hold": True, "bpo_credit_hold_reason": "Disputed fees"})
        self.assertTrue(self.client.bpo_credit_hold)

    def test_only_billing_users_change_a_hold(self):
        contact_editor = new_test_user(
            self.env, login="contact_editor", groups="base.group_user,base.group_partner_manager"
        )
        client = self.client.with_user(contact_editor)
        client.phone = "+1 555 0100"  # other fields stay editable
        with self.assertRaises(AccessError):
            client.write({"bpo_credit_hold": True, "bpo_credit_hold_reason": "Mine"})

    def test_generation_on_a_held_agreement_names_client_and_reason(self):
        self.client._bpo_set_credit_hold(self.reason)

        with self.assertRaises(UserError) as refused:
            self.held_agreement.action_generate_invoices(JANUARY)

        message = str(refused.exception)
        self.assertIn(self.client.display_name, message)
        self.assertIn(self.reason, message)
        self.assertIn(self.held_agreement.name, message)
        self.assertFalse(self.held_agreement.invoice_ids)
        self.assertFalse(self.held_agreement.period_ids)

    def test_cron_leaves_held_clients_out_until_released(self):
        self.client._bpo_set_credit_hold(self.reason)

        self.env["bpo.agreement"]._cron_generate_invoices(JANUARY)

        self.assertFalse(self.held_agreement.invoice_ids)
        self.assertEqual(self.held_agreement.next_period_start, JANUARY)
        self.assertEqual(len(self.other_agreement.invoice_ids), 1)

        self.client._bpo_release_credit_hold()
        self.env["bpo.agreement"]._cron_generate_invoices(JANUARY)

        self.assertEqual(len(self.held_agreement.invoice_ids), 1)
        self.assertEqual(len(self.other_agreement.invoice_ids), 1)

    def test_wizard_lists_held_agreements_as_left_out(self):
        self.client._bpo_set_credit_hold(self.reason)
        wizard = self.env["bpo.generate.invoices.wizard"].create({"date": JANUARY})

        self.assertIn("o_bpo_credit_hold", wizard.preview)
        self.assertIn(self.held_agreement.name, wizard.preview)
        self.assertIn(self.reason, wizard.preview)

        wizard.action_generate()

        self.assertFalse(self.held_agreement.invoice_ids)
        self.assertEqual(len(self.other_agreement.invoice_ids), 1)
