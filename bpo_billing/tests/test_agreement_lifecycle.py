"""Agreement lifecycle: references, state buttons, chatter and partner count."""

import re
from datetime import date, datetime

from odoo import fields
from odoo.exceptions import UserError
from odoo.tests import tagged

from .common import BpoBillingCommon


@tagged("post_install", "-at_install")
class TestAgreementReference(BpoBillingCommon):
    def test_reference_comes_from_sequence(self):
        agreement = self._create_agreement(
            [{"product_id": self.product_retainer.id}], activate=False
        )
        # the sequence stamps the year of today's date: AGR/<year>/<5 digits>
        year = fields.Date.context_today(agreement).year
        self.assertRegex(agreement.name, rf"^AGR/{year}/\d{{5}}$")

    def test_references_are_consecutive(self):
        first, second = (
            self._create_agreement([{"product_id": self.product_retainer.id}], activate=False)
            for _index in range(2)
        )
        first_number = int(first.name.rsplit("/", 1)[1])
        self.assertEqual(second.name, f"{first.name.rsplit('/', 1)[0]}/{first_number + 1:05d}")

    def test_given_reference_is_kept(self):
        agreement = self._create_agreement(
            [{"product_id": self.product_retainer.id}],
            activate=False,
            name="CONTRACT-2026-17",
        )
        self.assertEqual(agreement.name, "CONTRACT-2026-17")


@tagged("post_install", "-at_install")
class TestAgreementStates(BpoBillingCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.agreement = cls._create_agreement(
            [{"product_id": cls.product_retainer.id}],
            activate=False,
            date_start=date(2026, 3, 15),
        )

    def assertRefused(self, action, message):
        with self.assertRaisesRegex(
            UserError, rf"Agreement {re.escape(self.agreement.name)} {message}"
        ):
            action()

    def test_new_agreement_is_draft_without_next_period(self):
        self.assertRecordValues(self.agreement, [{"state": "draft", "next_period_start": False}])

    def test_activate_from_draft(self):
        self.agreement.action_activate()
        self.assertEqual(self.agreement.state, "active")

    def test_activation_sets_next_period_start_to_start_date(self):
        self.agreement.action_activate()
        self.assertEqual(self.agreement.next_period_start, date(2026, 3, 15))

    def test_full_lifecycle(self):
        self.agreement.action_activate()
        self.assertEqual(self.agreement.state, "active")
        self.agreement.action_suspend()
        self.assertEqual(self.agreement.state, "suspended")
        self.agreement.action_activate()
        self.assertEqual(self.agreement.state, "active")
        self.agreement.action_close()
        self.assertEqual(self.agreement.state, "closed")

    def test_reactivation_keeps_next_period_start(self):
        self.agreement.action_activate()
        self.agreement.next_period_start = date(2026, 5, 1)  # as after billing March and April
        self.agreement.action_suspend()
        self.agreement.action_activate()
        self.assertEqual(self.agreement.next_period_start, date(2026, 5, 1))

    def test_close_from_draft(self):
        self.agreement.action_close()
        self.assertEqual(self.agreement.state, "closed")

    def test_close_from_suspended(self):
        self.agreement.action_activate()
        self.agreement.action_suspend()
        self.agreement.action_close()
        self.assertEqual(self.agreement.state, "closed")

    def test_activate_without_lines_refused(self):
        agreement = self._create_agreement([], activate=False)
        with self.assertRaisesRegex(
            UserError,
            rf"Agreement {re.escape(agreement.name)} has no billing rule: "
            r"add at least one line before activating it\.",
        ):
            agreement.action_activate()
        self.assertEqual(agreement.state, "draft")

    def test_activate_active_refused(self):
        self.agreement.action_activate()
        self.assertRefused(
            self.agreement.action_activate,
            r"cannot be activated from the state Active\.",
        )

    def test_activate_closed_refused(self):
        self.agreement.action_close()
        self.assertRefused(
            self.agreement.action_activate,
            r"cannot be activated from the state Closed\.",
        )

    def test_suspend_draft_refused(self):
        self.assertRefused(self.agreement.action_suspend, r"cannot suspend from the state Draft\.")

    def test_suspend_suspended_refused(self):
        self.agreement.action_activate()
        self.agreement.action_suspend()
        self.assertRefused(
            self.agreement.action_suspend, r"cannot suspend from the state Suspended\."
        )

    def test_suspend_closed_refused(self):
        self.agreement.action_close()
        self.assertRefused(self.agreement.action_suspend, r"cannot suspend from the state Closed\.")

    def test_close_closed_refused(self):
        self.agreement.action_close()
        self.assertRefused(self.agreement.action_close, r"cannot close from the state Closed\.")

    def test_refused_transition_leaves_state_unchanged(self):
        self.agreement.action_close()
        with self.assertRaises(UserError):
            self.agreement.action_activate()
        self.assertEqual(self.agreement.state, "closed")

    def test_batch_activation_refused_when_one_is_closed(self):
        closed = self._create_agreement([{"product_id": self.product_fte.id}], activate=False)
        closed.action_close()
        with self.assertRaises(UserError):
            (self.agreement | closed).action_activate()
        self.assertEqual(self.agreement.state, "draft")


@tagged("post_install", "-at_install")
class TestAgreementChatter(BpoBillingCommon):
    @classmethod
    def default_env_context(cls):
        # tracking is what these tests check: keep it on
        return {}

    def _flush_tracking(self):
        """Write the pending tracking values, as the end of a request does."""
        self.env.flush_all()
        self.env.cr.precommit.run()

    def _trackings(self, agreement, field_name):
        return agreement.message_ids.tracking_value_ids.filtered(
            lambda tracking: tracking.field_id.name == field_name
        ).sorted("id")

    def test_state_changes_are_tracked_in_chatter(self):
        agreement = self._create_agreement(
            [{"product_id": self.product_retainer.id}], activate=False
        )
        self._flush_tracking()
        for action in (
            "action_activate",
            "action_suspend",
            "action_activate",
            "action_close",
        ):
            getattr(agreement, action)()
            self._flush_tracking()
        trackings = self._trackings(agreement, "state")
        self.assertEqual(
            [(tracking.old_value_char, tracking.new_value_char) for tracking in trackings],
            [
                ("Draft", "Active"),
                ("Active", "Suspended"),
                ("Suspended", "Active"),
                ("Active", "Closed"),
            ],
        )

    def test_state_change_posts_one_message(self):
        agreement = self._create_agreement(
            [{"product_id": self.product_retainer.id}], activate=False
        )
        self._flush_tracking()
        messages_before = agreement.message_ids
        agreement.action_activate()
        self._flush_tracking()
        new_messages = agreement.message_ids - messages_before
        self.assertEqual(len(new_messages), 1)
        self.assertIn("state", new_messages.tracking_value_ids.field_id.mapped("name"))

    def test_activation_tracks_next_period_start(self):
        agreement = self._create_agreement(
            [{"product_id": self.product_retainer.id}], activate=False
        )
        self._flush_tracking()
        agreement.action_activate()
        self._flush_tracking()
        self.assertRecordValues(
            self._trackings(agreement, "next_period_start"),
            [
                {
                    "old_value_datetime": False,
                    "new_value_datetime": datetime(2026, 1, 1),
                }
            ],
        )


@tagged("post_install", "-at_install")
class TestPartnerAgreementCount(BpoBillingCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.contact = cls.env["res.partner"].create(
            {
                "name": "Ana Ruiz",
                "parent_id": cls.client.id,
                "type": "contact",
            }
        )
        cls.invoice_address = cls.env["res.partner"].create(
            {
                "name": "Northwind Accounts Payable",
                "parent_id": cls.client.id,
                "type": "invoice",
            }
        )
        cls._create_agreement([{"product_id": cls.product_retainer.id}], partner=cls.client)
        cls._create_agreement(
            [{"product_id": cls.product_fte.id}], partner=cls.contact, activate=False
        )
        cls._create_agreement([{"product_id": cls.product_setup.id}], partner=cls.invoice_address)
        cls._create_agreement([{"product_id": cls.product_retainer.id}], partner=cls.client_b)

    def test_commercial_partner_counts_agreements_of_its_contacts(self):
        # 1 on the company + 1 on its contact + 1 on its invoice address
        self.assertEqual(self.client.bpo_agreement_count, 3)

    def test_contact_counts_agreements_of_its_company(self):
        self.assertEqual(self.contact.bpo_agreement_count, 3)

    def test_other_client_counts_only_its_own(self):
        self.assertEqual(self.client_b.bpo_agreement_count, 1)

    def test_partner_without_agreement_counts_zero(self):
        newcomer = self.env["res.partner"].create(
            {"name": "Fabrikam Logistics", "is_company": True}
        )
        self.assertEqual(newcomer.bpo_agreement_count, 0)

    def test_counts_in_batch(self):
        partners = self.client | self.client_b | self.contact
        self.assertEqual(partners.mapped("bpo_agreement_count"), [3, 1, 3])

    def test_smart_button_opens_agreements_of_commercial_partner(self):
        action = self.contact.action_view_bpo_agreements()
        self.assertEqual(action["res_model"], "bpo.agreement")
        agreements = self.env["bpo.agreement"].search(action["domain"])
        self.assertEqual(len(agreements), 3)
        self.assertEqual(agreements.partner_id.commercial_partner_id, self.client)
