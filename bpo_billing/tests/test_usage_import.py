"""Usage import wizard: XML (checked against the shipped XSD) and JSON files,
validated row by row before anything is written, idempotent on re-import, and safe
against hostile XML."""

import base64
import json
import tempfile
from datetime import date

from odoo import Command
from odoo.exceptions import UserError
from odoo.tests import tagged

from odoo.addons.account.tests.common import AccountTestInvoicingCommon

XML_HEAD = '<?xml version="1.0" encoding="UTF-8"?>\n<usages xmlns="urn:bpo-billing:usage:1">\n'
XML_TAIL = "</usages>\n"


@tagged("post_install", "-at_install")
class TestUsageImport(AccountTestInvoicingCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.voice = cls._create_product(
            name="Inbound voice minutes", default_code="BPO-VOICE-MIN", type="service"
        )
        cls.fee = cls._create_product(
            name="Management fee", default_code="BPO-MGMT-FEE", type="service"
        )
        cls.agreement = cls._create_agreement()
        cls.agreement_ref = cls.agreement.name
        cls.voice_rule = cls.agreement.line_ids.filtered(lambda line: line.product_id == cls.voice)
        cls.other_agreement = cls._create_agreement()
        cls.draft_agreement = cls._create_agreement(activate=False)
        cls.closed_agreement = cls._create_agreement()
        cls.closed_agreement.action_close()

    @classmethod
    def _create_agreement(cls, activate=True):
        """A 2026 agreement metering voice minutes at 1.00, plus a fixed fee."""
        agreement = cls.env["bpo.agreement"].create(
            {
                "partner_id": cls.partner_a.id,
                "date_start": "2026-01-01",
                "date_end": "2026-12-31",
                "line_ids": [
                    Command.create(
                        {
                            "product_id": cls.voice.id,
                            "billing_model": "usage",
                            "price_unit": 1.0,
                        }
                    ),
                    Command.create(
                        {
                            "product_id": cls.fee.id,
                            "billing_model": "fixed",
                            "price_unit": 500.0,
                        }
                    ),
                ],
            }
        )
        if activate:
            agreement.action_activate()
        return agreement

    # Helpers

    def _usage(self, ref, **values):
        """One JSON usage row on the active agreement, overridable field by field."""
        return {
            "ref": ref,
            "agreement": self.agreement_ref,
            "product": "BPO-VOICE-MIN",
            "date": "2026-11-28",
            "quantity": 100,
            **values,
        }

    def _xml_usage(self, ref, quantity="100", usage_date="2026-11-28", note=""):
        body = f"<note>{note}</note>" if note else ""
        return (
            f'  <usage ref="{ref}" agreement="{self.agreement_ref}" '
            'product="BPO-VOICE-MIN" '
            f'date="{usage_date}" quantity="{quantity}">{body}</usage>\n'
        )

    def _import(self, content, filename):
        if isinstance(content, (dict, list)):
            content = json.dumps(content)
        if isinstance(content, str):
            content = content.encode()
        wizard = self.env["bpo.usage.import"].create(
            {
                "file": base64.b64encode(content),
                "filename": filename,
            }
        )
        wizard.action_import()
        return wizard

    def _import_json(self, *rows):
        return self._import({"usages": list(rows)}, "usage.json")

    def _assert_refused(self, content, filename, *fragments):
        """The import raises a UserError holding every fragment and records nothing."""
        usage_count = self.env["bpo.usage"].search_count([])
        with self.assertRaises(UserError) as caught:
            self._import(content, filename)
        message = str(caught.exception)
        for fragment in fragments:
            self.assertIn(fragment, message)
        self.assertEqual(
            self.env["bpo.usage"].search_count([]),
            usage_count,
            "nothing may be recorded",
        )
        return message

    def _assert_json_refused(self, rows, fragments):
        return self._assert_refused({"usages": rows}, "usage.json", *fragments)

    def _find_usage(self, agreement=None):
        return self.env["bpo.usage"].search(
            [("agreement_id", "=", (agreement or self.agreement).id)],
            order="external_ref",
        )

    # Happy paths

    def test_xml_import_records_every_row_on_its_rule(self):
        content = (
            XML_HEAD
            + self._xml_usage("ACD-2026-11-0001", quantity="38250.5", note="November inbound")
            + self._xml_usage("ACD-2026-11-0002", quantity="12", usage_date="2026-11-30")
            + XML_TAIL
        )
        wizard = self._import(content, "november.xml")
        self.assertEqual(wizard.result, "2 usage records imported, 0 already recorded (skipped).")
        usage = self._find_usage()
        self.assertRecordValues(
            usage,
            [
                {
                    "external_ref": "ACD-2026-11-0001",
                    "agreement_line_id": self.voice_rule.id,
                    "date": date(2026, 11, 28),
                    "quantity": 38250.5,
                    "note": "November inbound",
                    "period_id": False,
                },
                {
                    "external_ref": "ACD-2026-11-0002",
                    "agreement_line_id": self.voice_rule.id,
                    "date": date(2026, 11, 30),
                    "quantity": 12.0,
                    "note": False,
                    "period_id": False,
                },
            ],
        )

    def test_json_import_records_every_row(self):
        wizard = self._import_json(
            self._usage("J-1", quantity=38250.5, note="from the ACD"),
            self._usage("J-2", quantity=7, date="2026-01-01"),
        )
        self.assertEqual(wizard.result, "2 usage records imported, 0 already recorded (skipped).")
        self.assertRecordValues(
            self._find_usage(),
            [
                {
                    "external_ref": "J-1",
                    "agreement_line_id": self.voice_rule.id,
                    "date": date(2026, 11, 28),
                    "quantity": 38250.5,
                    "note": "from the ACD",
                },
                {
                    "external_ref": "J-2",
                    "agreement_line_id": self.voice_rule.id,
                    "date": date(2026, 1, 1),
                    "quantity": 7.0,
                    "note": False,
                },
            ],
        )

    def test_json_bare_list_is_accepted(self):
        wizard = self._import([self._usage("L-1", quantity=3)], "usage.JSON")
        self.assertEqual(wizard.result, "1 usage records imported, 0 already recorded (skipped).")
        self.assertEqual(self._find_usage().mapped("quantity"), [3.0])

    def test_usage_goes_to_the_rule_running_on_its_date(self):
        agreement = self.env["bpo.agreement"].create(
            {
                "partner_id": self.partner_a.id,
                "date_start": "2026-01-01",
                "line_ids": [
                    Command.create(
                        {
                            "product_id": self.voice.id,
                            "billing_model": "usage",
                            "price_unit": 1.0,
                            "date_end": "2026-06-30",
                        }
                    ),
                    Command.create(
                        {
                            "product_id": self.voice.id,
                            "billing_model": "usage",
                            "price_unit": 0.9,
                            "date_start": "2026-07-01",
                        }
                    ),
                ],
            }
        )
        agreement.action_activate()
        old_rate, new_rate = agreement.line_ids
        self._import_json(
            self._usage("RATE-1", agreement=agreement.name, date="2026-03-15"),
            self._usage("RATE-2", agreement=agreement.name, date="2026-11-15"),
        )
        self.assertRecordValues(
            self._find_usage(agreement),
            [
                {"external_ref": "RATE-1", "agreement_line_id": old_rate.id},
                {"external_ref": "RATE-2", "agreement_line_id": new_rate.id},
            ],
        )

    def test_result_is_shown_in_the_wizard(self):
        wizard = self.env["bpo.usage.import"].create(
            {
                "file": base64.b64encode(json.dumps([self._usage("SHOW-1")]).encode()),
                "filename": "usage.json",
            }
        )
        action = wizard.action_import()
        self.assertEqual(
            (action["res_model"], action["res_id"], action["target"]),
            ("bpo.usage.import", wizard.id, "new"),
        )
        self.assertEqual(wizard.result, "1 usage records imported, 0 already recorded (skipped).")

    def test_same_reference_on_two_agreements_is_two_usages(self):
        self._import_json(
            self._usage("SHARED-1"),
            self._usage("SHARED-1", agreement=self.other_agreement.name),
        )
        self.assertEqual(len(self._find_usage()), 1)
        self.assertEqual(len(self._find_usage(self.other_agreement)), 1)

    def test_reimport_of_the_same_file_adds_nothing(self):
        content = (
            XML_HEAD
            + self._xml_usage("R-1", quantity="10")
            + self._xml_usage("R-2", quantity="20")
            + XML_TAIL
        )
        self._import(content, "usage.xml")
        usage = self._find_usage()
        wizard = self._import(content, "usage.xml")
        self.assertEqual(wizard.result, "0 usage records imported, 2 already recorded (skipped).")
        self.assertEqual(self._find_usage(), usage)

    def test_reimport_with_one_new_row_adds_only_it(self):
        self._import_json(self._usage("R-1", quantity=10))
        wizard = self._import_json(self._usage("R-1", quantity=10), self._usage("R-2", quantity=20))
        self.assertEqual(wizard.result, "1 usage records imported, 1 already recorded (skipped).")
        self.assertEqual(self._find_usage().mapped("external_ref"), ["R-1", "R-2"])

    def test_billed_reference_with_same_values_is_skipped(self):
        self._import_json(self._usage("B-1", quantity=10))
        self._bill(self._find_usage())
        wizard = self._import_json(self._usage("B-1", quantity=10))
        self.assertEqual(wizard.result, "0 usage records imported, 1 already recorded (skipped).")

    def test_queries_do_not_grow_with_rows(self):
        # Agreements, rules and recorded usage are each fetched once for the whole file.
        def import_counting_queries(prefix, row_count):
            content = {"usages": [self._usage(f"{prefix}-{index}") for index in range(row_count)]}
            wizard = self.env["bpo.usage.import"].create(
                {
                    "file": base64.b64encode(json.dumps(content).encode()),
                    "filename": "usage.json",
                }
            )
            self.env.flush_all()
            self.env.invalidate_all()
            queries_before = self.env.cr.sql_log_count
            wizard.action_import()
            self.env.flush_all()
            return self.env.cr.sql_log_count - queries_before

        import_counting_queries("WARM", 1)  # fills the caches the first import of a session needs
        self.assertEqual(import_counting_queries("SMALL", 3), import_counting_queries("LARGE", 30))

    def _bill(self, usage):
        period = self.env["bpo.billing.period"].create(
            {
                "agreement_id": usage.agreement_id.id,
                "date_start": "2026-11-01",
                "date_end": "2026-11-30",
                "state": "invoiced",
            }
        )
        usage.period_id = period
        return period

    # Bad rows: each is named with its row number and reason, and nothing is recorded

    def test_unknown_agreement(self):
        self._assert_json_refused(
            [self._usage("U-1"), self._usage("U-2", agreement="AGR/1999/99999")],
            ["Nothing was imported", 'Row 2: unknown agreement "AGR/1999/99999"'],
        )

    def test_product_without_usage_rule_on_the_agreement(self):
        agreement = self.agreement_ref
        message = self._assert_json_refused(
            [
                self._usage("P-1", product="BPO-MGMT-FEE"),
                self._usage("P-2", product="NO-SUCH-CODE"),
            ],
            [
                f'Row 1: unknown product code "BPO-MGMT-FEE" on agreement {agreement}',
                f'Row 2: unknown product code "NO-SUCH-CODE" on agreement {agreement}',
            ],
        )
        self.assertIn("no metered usage rule", message)

    def test_missing_fields(self):
        without_quantity = self._usage("M-1")
        del without_quantity["quantity"]
        self._assert_json_refused(
            [without_quantity, self._usage("", date=None)],
            [
                'Row 1: the field "quantity" is missing.',
                'Row 2: the field "ref" is missing.',
                'Row 2: the field "date" is missing.',
            ],
        )

    def test_non_numeric_quantity(self):
        self._assert_json_refused(
            [
                self._usage("Q-1"),
                self._usage("Q-2", quantity="12,5"),
                self._usage("Q-3", quantity=True),
            ],
            [
                'Row 2: the field "quantity" (12,5) is not a number.',
                'Row 3: the field "quantity" (True) is not a number.',
            ],
        )

    def test_negative_quantity(self):
        self._assert_json_refused(
            [self._usage("N-1", quantity=-5)],
            ['Row 1: the field "quantity" (-5) is negative.'],
        )

    def test_malformed_date(self):
        self._assert_json_refused(
            [
                self._usage("D-1", date="28/11/2026"),
                self._usage("D-2", date="2026-02-30"),
                self._usage("D-3"),
            ],
            [
                'Row 1: the field "date" (28/11/2026) is not a date written YYYY-MM-DD',
                'Row 2: the field "date" (2026-02-30) is not a date written YYYY-MM-DD',
            ],
        )

    def test_date_outside_the_agreement(self):
        outside = f"is outside agreement {self.agreement_ref}"
        self._assert_json_refused(
            [
                self._usage("S-1", date="2025-12-31"),
                self._usage("S-2", date="2027-01-01"),
            ],
            [
                f'Row 1: the field "date" (2025-12-31) {outside}',
                f'Row 2: the field "date" (2027-01-01) {outside}',
            ],
        )

    def test_draft_and_closed_agreements_refuse_usage(self):
        self._assert_json_refused(
            [
                self._usage("A-1", agreement=self.draft_agreement.name),
                self._usage("A-2", agreement=self.closed_agreement.name),
            ],
            [
                f"Row 1: agreement {self.draft_agreement.name} is Draft; only active",
                f"Row 2: agreement {self.closed_agreement.name} is Closed; only active",
            ],
        )

    def test_suspended_agreement_accepts_usage(self):
        self.other_agreement.action_suspend()
        self._import_json(self._usage("SUS-1", agreement=self.other_agreement.name))
        self.assertEqual(self._find_usage(self.other_agreement).mapped("external_ref"), ["SUS-1"])

    def test_duplicate_reference_inside_the_file(self):
        self._assert_json_refused(
            [
                self._usage("DUP-1"),
                self._usage("OK-1"),
                self._usage("DUP-1", quantity=5),
            ],
            [
                f'Row 3: the reference "DUP-1" of agreement {self.agreement_ref}',
                "already appears in row 1.",
            ],
        )

    def test_reference_recorded_with_other_values(self):
        self._import_json(self._usage("CHG-1", quantity=10), self._usage("CHG-2", quantity=10))
        self._assert_json_refused(
            [
                self._usage("CHG-1", quantity=11),
                self._usage("CHG-2", quantity=10, date="2026-11-29"),
            ],
            [
                'Row 1: the reference "CHG-1" was already recorded with quantity 10.0',
                'Row 2: the reference "CHG-2" was already recorded with quantity 10.0',
                "on 2026-11-28; correct the recorded usage",
            ],
        )

    def test_billed_reference_with_other_values(self):
        self._import_json(self._usage("BILLED-1", quantity=10))
        period = self._bill(self._find_usage())
        self._assert_json_refused(
            [self._usage("BILLED-1", quantity=12)],
            [
                'Row 1: the reference "BILLED-1" was already billed in',
                f"{period.display_name} with quantity 10.0 on 2026-11-28; billed usage",
            ],
        )

    def test_unknown_field_and_non_object_rows(self):
        self._assert_json_refused(
            [self._usage("K-1", qty=3), "K-2"],
            ['Row 1: unknown field "qty".', "Row 2: a usage must be an object"],
        )

    def test_every_bad_row_is_listed(self):
        message = self._assert_json_refused(
            [
                self._usage("ALL-1", agreement="NOPE"),
                self._usage("ALL-2"),
                self._usage("ALL-3", quantity=-1),
                self._usage("ALL-4", date="2026-13-01"),
                self._usage("ALL-5", product="NO-SUCH-CODE"),
            ],
            [
                'Row 1: unknown agreement "NOPE"',
                'Row 3: the field "quantity" (-1) is negative.',
                'Row 4: the field "date" (2026-13-01) is not a date',
                'Row 5: unknown product code "NO-SUCH-CODE"',
            ],
        )
        self.assertNotIn("Row 2", message)

    def test_xml_bad_rows_name_their_line(self):
        agreement = self.agreement_ref
        content = (
            XML_HEAD
            + self._xml_usage("X-1")
            + self._xml_usage("X-1", usage_date="2027-02-01")
            + XML_TAIL
        )
        self._assert_refused(
            content,
            "usage.xml",
            'Row 2 (line 4): the field "date" (2027-02-01) is outside agreement',
            f'Row 2 (line 4): the reference "X-1" of agreement {agreement} already',
        )

    # XML schema, file formats and hostile files

    def test_xsd_missing_attribute(self):
        content = (
            XML_HEAD
            + self._xml_usage("XSD-1")
            + (
                f'  <usage ref="XSD-2" agreement="{self.agreement_ref}" '
                'product="BPO-VOICE-MIN" date="2026-11-28"/>\n'
            )
            + XML_TAIL
        )
        self._assert_refused(
            content,
            "usage.xml",
            "Row 2 (line 4): Element 'usage': The attribute 'quantity' is required but missing.",
        )

    def test_xsd_wrong_element(self):
        content = (
            XML_HEAD
            + self._xml_usage("XSD-1")
            + (
                f'  <usge ref="XSD-2" agreement="{self.agreement_ref}" '
                'product="BPO-VOICE-MIN" '
                'date="2026-11-28" quantity="1"/>\n'
            )
            + XML_TAIL
        )
        self._assert_refused(
            content,
            "usage.xml",
            "Row 2 (line 4): Element 'usge': This element is not expected.",
        )

    def test_xsd_bad_values_on_several_rows(self):
        content = (
            XML_HEAD
            + self._xml_usage("XSD-1", quantity="-1")
            + self._xml_usage("XSD-2", usage_date="28/11/2026")
            + XML_TAIL
        )
        self._assert_refused(
            content,
            "usage.xml",
            "Row 1 (line 3): Element 'usage', attribute 'quantity'",
            "Row 2 (line 4): Element 'usage', attribute 'date'",
        )

    def test_xsd_wrong_namespace(self):
        content = (
            XML_HEAD.replace("urn:bpo-billing:usage:1", "urn:other")
            + self._xml_usage("NS-1")
            + XML_TAIL
        )
        self._assert_refused(content, "usage.xml", "Line 2: ")

    def test_xml_not_well_formed(self):
        self._assert_refused(XML_HEAD + "<usage", "usage.xml", "is not well-formed XML")

    def test_json_not_valid(self):
        self._assert_refused('{"usages": [', "usage.json", "is not valid JSON (line 1")

    def test_json_wrong_shape(self):
        self._assert_refused(
            {"rows": []},
            "usage.json",
            'must hold {"usages": [...]} or a list of usages',
        )

    def test_empty_file(self):
        self._assert_refused({"usages": []}, "usage.json", "contains no usage")

    def test_unsupported_extension(self):
        self._assert_refused(
            "ref,agreement\n",
            "usage.csv",
            "accepted formats are XML (.xml) and JSON (.json)",
        )

    def test_external_entity_is_refused_and_not_resolved(self):
        with tempfile.NamedTemporaryFile("w", suffix=".txt") as secret:
            secret.write("TOP-SECRET-CONTENT")
            secret.flush()
            content = (
                '<?xml version="1.0"?>\n'
                f'<!DOCTYPE usages [<!ENTITY secret SYSTEM "file://{secret.name}">]>\n'
                '<usages xmlns="urn:bpo-billing:usage:1">\n'
                f'  <usage ref="XXE-1" agreement="{self.agreement_ref}" '
                'product="BPO-VOICE-MIN" '
                'date="2026-11-28" quantity="1"><note>&secret;</note></usage>\n'
                "</usages>\n"
            )
            message = self._assert_refused(content, "usage.xml", "declares a document type")
        self.assertNotIn("TOP-SECRET-CONTENT", message)
