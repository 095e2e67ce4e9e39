"""Who may do what: BPO users, managers, salespeople, portal and plain users."""

from datetime import date

from lxml import etree

from odoo import Command
from odoo.exceptions import AccessError
from odoo.tests import tagged
from odoo.tests.common import new_test_user

from .common import BpoBillingCommon


class BpoAccessCommon(BpoBillingCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.agreement = cls._create_agreement(
            [
                {"product_id": cls.product_retainer.id},
                {"product_id": cls.product_minute.id, "price_unit": 0.85},
            ]
        )
        cls.usage_line = cls.agreement.line_ids.filtered(lambda line: line.billing_model == "usage")
        cls.usage = cls._record_usage(cls.usage_line, date(2026, 1, 10), 1200.0, ref="CALLS-0001")
        cls.period = cls.env["bpo.billing.period"].create(
            {
                "agreement_id": cls.agreement.id,
                "date_start": date(2026, 1, 1),
                "date_end": date(2026, 1, 31),
            }
        )

    @classmethod
    def _new_user(cls, login, groups):
        return new_test_user(
            cls.env,
            login,
            groups=groups,
            company_id=cls.company.id,
            company_ids=[Command.set(cls.company.ids)],
        )


@tagged("post_install", "-at_install")
class TestBpoUserRights(BpoAccessCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.bpo_user = cls._new_user("bpo_officer", "base.group_user,bpo_billing.group_bpo_user")
        cls.user_env = cls.env(user=cls.bpo_user)

    def test_user_creates_agreement_with_lines(self):
        agreement = self.user_env["bpo.agreement"].create(
            {
                "partner_id": self.client.id,
                "date_start": date(2026, 2, 1),
                "journal_id": self.journal.id,
                "line_ids": [Command.create({"product_id": self.product_fte.id, "quantity": 6.0})],
            }
        )
        self.assertRecordValues(
            agreement.line_ids, [{"product_id": self.product_fte.id, "quantity": 6.0}]
        )

    def test_user_reads_agreement(self):
        self.assertEqual(self.agreement.with_user(self.bpo_user).partner_id, self.client)

    def test_user_writes_agreement(self):
        self.agreement.with_user(self.bpo_user).billing_frequency = "quarterly"
        self.assertEqual(self.agreement.billing_frequency, "quarterly")

    def test_user_suspends_agreement(self):
        self.agreement.with_user(self.bpo_user).action_suspend()
        self.assertEqual(self.agreement.state, "suspended")

    def test_user_cannot_delete_agreement(self):
        with self.assertRaises(AccessError):
            self.agreement.with_user(self.bpo_user).unlink()

    def test_user_writes_and_adds_lines(self):
        agreement = self.agreement.with_user(self.bpo_user)
        agreement.line_ids[0].price_unit = 8200.0
        agreement.line_ids = [Command.create({"product_id": self.product_fte.id, "quantity": 2.0})]
        self.assertEqual(len(self.agreement.line_ids), 3)
        self.assertEqual(self.agreement.line_ids[0].price_unit, 8200.0)

    def test_user_records_and_corrects_usage(self):
        usage = (
            self.env["bpo.usage"]
            .with_user(self.bpo_user)
            .create(
                {
                    "agreement_line_id": self.usage_line.id,
                    "date": date(2026, 1, 11),
                    "quantity": 300.0,
                    "external_ref": "CALLS-0002",
                }
            )
        )
        usage.quantity = 350.0
        self.assertEqual(usage.quantity, 350.0)

    def test_user_reads_billing_period(self):
        self.assertEqual(self.period.with_user(self.bpo_user).date_end, date(2026, 1, 31))

    def test_user_cannot_create_billing_period(self):
        with self.assertRaises(AccessError):
            self.env["bpo.billing.period"].with_user(self.bpo_user).create(
                {
                    "agreement_id": self.agreement.id,
                    "date_start": date(2026, 2, 1),
                    "date_end": date(2026, 2, 28),
                }
            )

    def test_user_cannot_write_billing_period(self):
        with self.assertRaises(AccessError):
            self.period.with_user(self.bpo_user).write({"state": "skipped"})

    def test_user_cannot_delete_billing_period(self):
        with self.assertRaises(AccessError):
            self.period.with_user(self.bpo_user).unlink()


@tagged("post_install", "-at_install")
class TestBpoManagerRights(BpoAccessCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.manager = cls._new_user("bpo_manager", "base.group_user,bpo_billing.group_bpo_manager")

    def test_manager_deletes_agreement(self):
        agreement = self._create_agreement([{"product_id": self.product_setup.id}], activate=False)
        agreement.with_user(self.manager).unlink()
        self.assertFalse(agreement.exists())

    def test_manager_creates_billing_period(self):
        period = (
            self.env["bpo.billing.period"]
            .with_user(self.manager)
            .create(
                {
                    "agreement_id": self.agreement.id,
                    "date_start": date(2026, 2, 1),
                    "date_end": date(2026, 2, 28),
                }
            )
        )
        self.assertEqual(period.state, "pending")

    def test_manager_writes_billing_period(self):
        self.period.with_user(self.manager).write({"state": "skipped"})
        self.assertEqual(self.period.state, "skipped")

    def test_manager_deletes_billing_period(self):
        self.period.with_user(self.manager).unlink()
        self.assertFalse(self.period.exists())

    def test_accounting_manager_is_bpo_manager(self):
        adviser = self._new_user("adviser", "base.group_user,account.group_account_manager")
        self.assertTrue(adviser.has_group("bpo_billing.group_bpo_manager"))


@tagged("post_install", "-at_install")
class TestMultiCompanyIsolation(BpoAccessCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        other = cls.setup_other_company(name="BPO Services Europe")
        cls.other_company = other["company"]
        cls.agreement_b = cls.env["bpo.agreement"].create(
            {
                "partner_id": cls.client_b.id,
                "company_id": cls.other_company.id,
                "currency_id": cls.other_company.currency_id.id,
                "date_start": date(2026, 1, 1),
                "journal_id": other["default_journal_sale"].id,
                "line_ids": [
                    Command.create(
                        {
                            "product_id": cls._create_shared_service().id,
                            "price_unit": 500.0,
                            "tax_ids": [Command.clear()],
                        }
                    )
                ],
            }
        )
        cls.salesperson = cls._new_user(
            "seller_a", "base.group_user,sales_team.group_sale_salesman"
        )
        cls.bpo_user = cls._new_user("bpo_officer_a", "base.group_user,bpo_billing.group_bpo_user")

    @classmethod
    def _create_shared_service(cls):
        return cls.env["product.product"].create(
            {
                "name": "Onsite Audit",
                "type": "service",
                "bpo_billing_model": "one_off",
                "company_id": False,
                "taxes_id": [Command.clear()],
            }
        )

    def test_salesperson_cannot_read_other_company_agreement(self):
        with self.assertRaises(AccessError):
            self.agreement_b.with_user(self.salesperson).read(["name"])

    def test_salesperson_search_skips_other_company_agreement(self):
        found = self.env["bpo.agreement"].with_user(self.salesperson).search([])
        self.assertIn(self.agreement, found)
        self.assertNotIn(self.agreement_b, found)

    def test_salesperson_reads_own_company_agreement(self):
        self.assertEqual(self.agreement.with_user(self.salesperson).partner_id, self.client)

    def test_salesperson_cannot_read_other_company_agreement_line(self):
        with self.assertRaises(AccessError):
            self.agreement_b.line_ids.with_user(self.salesperson).read(["name"])

    def test_bpo_user_cannot_read_other_company_agreement(self):
        with self.assertRaises(AccessError):
            self.agreement_b.with_user(self.bpo_user).read(["name"])


@tagged("post_install", "-at_install")
class TestPortalUserReadsOwnRecords(BpoAccessCommon):
    """A client's contact with a portal user reads their own company's agreement, rules,
    usage and periods, and nothing of another client's; they change nothing."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.portal_user = new_test_user(
            cls.env,
            "northwind_portal",
            groups="base.group_portal",
            company_id=cls.company.id,
            company_ids=[Command.set(cls.company.ids)],
        )
        # the client's own contact, as a portal client would be
        cls.portal_user.partner_id.parent_id = cls.client
        cls.agreement_b = cls._create_agreement(
            [{"product_id": cls.product_minute.id, "price_unit": 0.90}], partner=cls.client_b
        )
        cls.usage_b = cls._record_usage(
            cls.agreement_b.line_ids, date(2026, 1, 12), 80.0, ref="CLAIMS-0001"
        )
        cls.period_b = cls.env["bpo.billing.period"].create(
            {
                "agreement_id": cls.agreement_b.id,
                "date_start": date(2026, 1, 1),
                "date_end": date(2026, 1, 31),
            }
        )

    def test_portal_user_reads_own_agreement(self):
        self.assertEqual(
            self.agreement.with_user(self.portal_user).read(["name"]),
            [{"id": self.agreement.id, "name": self.agreement.name}],
        )

    def test_portal_user_reads_own_agreement_lines(self):
        lines = self.agreement.line_ids.with_user(self.portal_user).read(["price_unit"])
        # the retainer at the product's 8 000.00 and the minutes at 0.85
        self.assertEqual(sorted(line["price_unit"] for line in lines), [0.85, 8000.0])

    def test_portal_user_reads_own_usage(self):
        self.assertEqual(
            self.usage.with_user(self.portal_user).read(["quantity"])[0]["quantity"], 1200.0
        )

    def test_portal_user_reads_own_billing_period(self):
        self.assertEqual(
            self.period.with_user(self.portal_user).read(["date_start"])[0]["date_start"],
            date(2026, 1, 1),
        )

    def test_portal_user_searches_own_records_only(self):
        env = self.env(user=self.portal_user)
        self.assertEqual(env["bpo.agreement"].search([]), self.agreement)
        self.assertEqual(env["bpo.agreement.line"].search([]), self.agreement.line_ids)
        self.assertEqual(env["bpo.usage"].search([]), self.usage)
        self.assertEqual(env["bpo.billing.period"].search([]), self.period)

    def test_portal_user_cannot_read_other_client_records(self):
        for records in (self.agreement_b, self.agreement_b.line_ids, self.usage_b, self.period_b):
            with self.subTest(model=records._name), self.assertRaises(AccessError):
                records.with_user(self.portal_user).read(["display_name"])

    def test_portal_user_cannot_change_own_records(self):
        with self.assertRaises(AccessError):
            self.agreement.with_user(self.portal_user).write({"billing_frequency": "yearly"})
        with self.assertRaises(AccessError):
            self.agreement.line_ids[0].with_user(self.portal_user).write({"price_unit": 1.0})
        with self.assertRaises(AccessError):
            self.usage.with_user(self.portal_user).unlink()
        with self.assertRaises(AccessError):
            self.env["bpo.usage"].with_user(self.portal_user).create(
                {
                    "agreement_line_id": self.usage_line.id,
                    "date": date(2026, 1, 11),
                    "quantity": 1.0,
                }
            )

    def test_portal_user_cannot_read_internal_notes(self):
        self.agreement.note = "<p>Client negotiates hard on rates</p>"
        with self.assertRaises(AccessError):
            self.agreement.with_user(self.portal_user).read(["note"])


@tagged("post_install", "-at_install")
class TestOutsidersHaveNoAccess(BpoAccessCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.internal_user = cls._new_user("plain_employee", "base.group_user")

    def test_internal_user_without_bpo_group_cannot_read_agreement(self):
        with self.assertRaises(AccessError):
            self.agreement.with_user(self.internal_user).read(["name"])

    def test_internal_user_without_bpo_group_cannot_create_agreement(self):
        with self.assertRaises(AccessError):
            self.env["bpo.agreement"].with_user(self.internal_user).create(
                {
                    "partner_id": self.client.id,
                    "journal_id": self.journal.id,
                }
            )


@tagged("post_install", "-at_install")
class TestSalespersonSellsServices(BpoAccessCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.salesperson = cls._new_user("seller", "base.group_user,sales_team.group_sale_salesman")

    def _confirm_order_as_salesperson(self):
        order = (
            self.env["sale.order"]
            .with_user(self.salesperson)
            .create(
                {
                    "partner_id": self.client.id,
                    "order_line": [
                        Command.create({"product_id": self.product_fte.id, "product_uom_qty": 4.0})
                    ],
                }
            )
        )
        order.action_confirm()
        return order

    def test_salesperson_confirming_order_creates_agreement(self):
        order = self._confirm_order_as_salesperson()
        self.assertEqual(order.bpo_agreement_count, 1)
        self.assertEqual(order.bpo_agreement_ids.line_ids.quantity, 4.0)

    def test_salesperson_opens_agreement_from_order(self):
        order = self._confirm_order_as_salesperson()
        agreement = order.bpo_agreement_ids
        self.env["bpo.billing.period"].create(
            {
                "agreement_id": agreement.id,
                "date_start": date(2026, 1, 1),
                "date_end": date(2026, 1, 31),
            }
        )
        action = order.action_view_bpo_agreements()
        self.assertEqual((action["res_model"], action["res_id"]), ("bpo.agreement", agreement.id))
        values = self._read_as_form(agreement.with_user(self.salesperson))
        self.assertEqual(values["name"], agreement.name)

    def _read_as_form(self, record):
        """Read the fields the user's form view shows, as the web client does: from the
        arch left after group restrictions."""
        arch = etree.fromstring(record.get_views([(False, "form")])["views"]["form"]["arch"])
        spec = {}
        for node in arch.xpath("//field[not(ancestor::field)]"):
            subfields = node.xpath("./*//field[count(ancestor::field) = 1]/@name")
            spec[node.get("name")] = {"fields": {sub: {} for sub in subfields}} if subfields else {}
        return record.web_read(spec)[0]
