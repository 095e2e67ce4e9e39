from datetime import date

from odoo.exceptions import UserError, ValidationError
from odoo.tests import tagged

from .common import BpoBillingCommon

CSV_COLUMNS = ["Agreement Reference", "Service Code", "Date", "Quantity", "External Reference"]
CSV_FIELDS = ["agreement_ref", "product_code", "date", "quantity", "external_ref"]


@tagged("post_install", "-at_install")
class TestUsageCapture(BpoBillingCommon):
    """Usage through Odoo's standard CSV import and through RPC-style calls."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.agreement = cls._create_agreement(
            [{"product_id": cls.product_minute.id, "price_unit": 0.85}], billing_timing="arrears"
        )
        cls.minutes = cls.agreement.line_ids

    def _import_csv(self, rows):
        lines = [",".join(CSV_COLUMNS)] + [",".join(row) for row in rows]
        wizard = self.env["base_import.import"].create(
            {
                "res_model": "bpo.usage",
                "file": "\n".join(lines).encode(),
                "file_type": "text/csv",
                "file_name": "usage.csv",
            }
        )
        return wizard.execute_import(
            CSV_FIELDS,
            CSV_COLUMNS,
            {"quoting": '"', "separator": ",", "has_headers": True, "date_format": "%Y-%m-%d"},
        )

    def test_csv_import_names_the_rule_by_agreement_and_service_code(self):
        result = self._import_csv(
            [
                (self.agreement.name, "BPO-MIN", "2026-01-05", "1200.5", "ACD-1"),
                (self.agreement.name, "BPO-MIN", "2026-01-06", "800", "ACD-2"),
            ]
        )

        self.assertFalse(result["messages"])
        usage = self.env["bpo.usage"].browse(result["ids"])
        self.assertEqual(usage.agreement_line_id, self.minutes)
        self.assertEqual(usage.mapped("quantity"), [1200.5, 800.0])
        self.assertEqual(usage.mapped("date"), [date(2026, 1, 5), date(2026, 1, 6)])

    def test_csv_reimport_records_nothing_new(self):
        rows = [(self.agreement.name, "BPO-MIN", "2026-01-05", "1200", "ACD-1")]
        first = self._import_csv(rows)

        second = self._import_csv(rows)

        self.assertEqual(second["ids"], first["ids"])
        self.assertEqual(
            self.env["bpo.usage"].search_count([("agreement_id", "=", self.agreement.id)]), 1
        )

    def test_csv_import_with_an_unknown_service_is_refused_whole(self):
        result = self._import_csv(
            [
                (self.agreement.name, "BPO-MIN", "2026-01-05", "10", "ACD-1"),
                (self.agreement.name, "NO-SUCH", "2026-01-06", "10", "ACD-2"),
            ]
        )

        self.assertTrue(result["messages"])
        self.assertIn("no metered usage rule for service NO-SUCH", result["messages"][0]["message"])
        self.assertFalse(self.env["bpo.usage"].search([("agreement_id", "=", self.agreement.id)]))

    def test_rpc_create_with_references(self):
        usage = self.env["bpo.usage"].create(
            [
                {
                    "agreement_ref": self.agreement.name,
                    "product_code": "BPO-MIN",
                    "date": "2026-01-10",
                    "quantity": 42.0,
                    "external_ref": "RPC-1",
                },
            ]
        )

        self.assertEqual(usage.agreement_line_id, self.minutes)
        self.assertEqual(
            (usage.agreement_ref, usage.product_code), (self.agreement.name, "BPO-MIN")
        )

    def test_rpc_resend_of_the_same_measure_returns_the_recorded_usage(self):
        vals = {
            "agreement_ref": self.agreement.name,
            "product_code": "BPO-MIN",
            "date": "2026-01-10",
            "quantity": 42.0,
            "external_ref": "RPC-1",
        }
        first = self.env["bpo.usage"].create([vals])

        second = self.env["bpo.usage"].create([dict(vals)])

        self.assertEqual(second, first)

    def test_rpc_resend_with_another_quantity_is_refused(self):
        vals = {
            "agreement_ref": self.agreement.name,
            "product_code": "BPO-MIN",
            "date": "2026-01-10",
            "quantity": 42.0,
            "external_ref": "RPC-1",
        }
        self.env["bpo.usage"].create([vals])

        with self.assertRaisesRegex(
            ValidationError, "Row 1: usage RPC-1 .* already recorded with 42.0"
        ):
            self.env["bpo.usage"].create([{**vals, "quantity": 43.0}])

    def test_rpc_unknown_agreement_names_the_row(self):
        with self.assertRaisesRegex(
            UserError, "Row 2: no metered usage rule for service BPO-MIN on agreement AGR/NOPE"
        ):
            self.env["bpo.usage"].create(
                [
                    {
                        "agreement_ref": self.agreement.name,
                        "product_code": "BPO-MIN",
                        "date": "2026-01-10",
                        "quantity": 1.0,
                    },
                    {
                        "agreement_ref": "AGR/NOPE",
                        "product_code": "BPO-MIN",
                        "date": "2026-01-10",
                        "quantity": 1.0,
                    },
                ]
            )

    def test_usage_outside_the_agreement_is_refused(self):
        with self.assertRaisesRegex(ValidationError, "the Date 2025-12-31 is outside agreement"):
            self._record_usage(self.minutes, date(2025, 12, 31), 5)

    def test_negative_usage_is_refused(self):
        with self.assertRaisesRegex(ValidationError, "the Quantity cannot be negative"):
            self._record_usage(self.minutes, date(2026, 1, 3), -5)
