import base64
import binascii
import bisect
import json
import math
import os
import re
from dataclasses import dataclass, field
from datetime import datetime

from lxml import etree

from odoo import fields, models
from odoo.exceptions import UserError
from odoo.tools.float_utils import float_compare
from odoo.tools.misc import file_path

USAGE_NAMESPACE = "urn:bpo-billing:usage:1"
NAMESPACE_PREFIX = f"{{{USAGE_NAMESPACE}}}"
USAGE_XSD_PATH = "bpo_billing/schemas/bpo_usage.xsd"
REQUIRED_KEYS = ("ref", "agreement", "product", "date", "quantity")
TEXT_KEYS = ("ref", "agreement", "product")
ACCEPTED_KEYS = (*REQUIRED_KEYS, "note")
ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")


@dataclass
class UsageRow:
    """One usage of the file, from its raw values to the rule it is recorded on."""

    number: int
    data: object
    line: int | None = None
    errors: list = field(default_factory=list)
    ref: str | None = None
    agreement_ref: str | None = None
    product_code: str | None = None
    date: object = None
    quantity: float | None = None
    note: str | None = None
    rule: object = None
    recorded: object = None


class BpoUsageImport(models.TransientModel):
    _name = "bpo.usage.import"
    _description = "Import BPO Usage"

    file = fields.Binary(
        required=True,
        help="XML file following the schema bpo_billing/schemas/bpo_usage.xsd, or a "
        'JSON file {"usages": [{"ref", "agreement", "product", "date", "quantity", '
        '"note"}]}.',
    )
    filename = fields.Char()
    result = fields.Text(readonly=True)

    def action_import(self):
        """Record the usage of the uploaded XML or JSON file, all rows or none.

        Every row is checked before anything is written; when any row is wrong, one
        UserError lists every bad row with its number and reason. Rows already
        recorded with the same date and quantity are skipped. Returns an action
        showing the counts.
        """
        self.ensure_one()
        rows = self._read_rows()
        self._validate_rows(rows)
        new_rows = [row for row in rows if not row.recorded]
        self._create_usage(new_rows)
        self.result = self.env._(
            "%(imported)s usage records imported, %(skipped)s already recorded (skipped).",
            imported=len(new_rows),
            skipped=len(rows) - len(new_rows),
        )
        return self._action_show_result()

    # Read

    def _read_rows(self):
        readers = {".xml": self._read_xml_rows, ".json": self._read_json_rows}
        extension = os.path.splitext(self.filename or "")[1].lower()
        if extension not in readers:
            raise UserError(
                self.env._(
                    "The file %(name)s cannot be imported: accepted formats are "
                    "XML (.xml) and JSON (.json).",
                    name=self.filename or "",
                )
            )
        rows = readers[extension](self._get_content())
        if not rows:
            raise UserError(self.env._("The file %(name)s contains no usage.", name=self.filename))
        return rows

    def _get_content(self):
        try:
            return base64.b64decode(self.file or b"", validate=True)
        except binascii.Error as error:
            raise UserError(
                self.env._("The uploaded file could not be read: %(error)s", error=error)
            ) from error

    def _read_xml_rows(self, content):
        root = self._parse_xml(content)
        elements = list(root.iterchildren(etree.Element))
        self._check_xsd(root, [element.sourceline for element in elements])
        return [
            UsageRow(
                number=number,
                line=element.sourceline,
                data=self._xml_usage_values(element),
            )
            for number, element in enumerate(elements, 1)
        ]

    def _parse_xml(self, content):
        # No entities, no network: a file must never make the server read a local
        # file or fetch a URL (XXE).
        parser = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False)
        try:
            root = etree.fromstring(content, parser)
        except etree.XMLSyntaxError as error:
            raise UserError(
                self.env._(
                    "The file %(name)s is not well-formed XML (line %(line)s): %(error)s",
                    name=self.filename,
                    line=error.lineno,
                    error=error.msg,
                )
            ) from error
        if root.getroottree().docinfo.doctype:
            raise UserError(
                self.env._(
                    "The file %(name)s declares a document type (DOCTYPE); usage "
                    "files may not contain document types or entities.",
                    name=self.filename,
                )
            )
        return root

    def _check_xsd(self, root, row_lines):
        """Validate against the shipped XSD, reporting each violation on its row."""
        schema = etree.XMLSchema(etree.parse(file_path(USAGE_XSD_PATH)))
        if schema.validate(root):
            return
        messages = [self._xsd_error_message(error, row_lines) for error in schema.error_log]
        raise UserError(self._error_summary(messages))

    def _xsd_error_message(self, error, row_lines):
        # libxml2 names elements {namespace}tag; the bare tag reads better.
        message = error.message.replace(NAMESPACE_PREFIX, "")
        return f"{self._xsd_error_location(error.line, row_lines)}: {message}"

    def _xsd_error_location(self, line, row_lines):
        # An error belongs to the last usage element starting on or before its line.
        row_number = bisect.bisect_right(row_lines, line)
        if not row_number:
            return self.env._("Line %(line)s", line=line)
        return self.env._("Row %(row)s (line %(line)s)", row=row_number, line=line)

    def _xml_usage_values(self, element):
        values = dict(element.attrib)
        # The XSD guarantees a non-negative decimal; JSON carries a number already.
        values["quantity"] = float(values["quantity"])
        note = element.find(f"{NAMESPACE_PREFIX}note")
        if note is not None:
            values["note"] = note.text or ""
        return values

    def _read_json_rows(self, content):
        try:
            payload = json.loads(content.decode("utf-8-sig"))
        except UnicodeDecodeError as error:
            raise UserError(
                self.env._("The file %(name)s is not UTF-8 encoded JSON.", name=self.filename)
            ) from error
        except json.JSONDecodeError as error:
            raise UserError(
                self.env._(
                    "The file %(name)s is not valid JSON "
                    "(line %(line)s, column %(column)s): %(error)s",
                    name=self.filename,
                    line=error.lineno,
                    column=error.colno,
                    error=error.msg,
                )
            ) from error
        usages = payload.get("usages") if isinstance(payload, dict) else payload
        if not isinstance(usages, list):
            raise UserError(
                self.env._(
                    'The file %(name)s must hold {"usages": [...]} or a list of usages.',
                    name=self.filename,
                )
            )
        return [UsageRow(number=number, data=values) for number, values in enumerate(usages, 1)]

    # Validate

    def _validate_rows(self, rows):
        """Check every row, resolving its rule and any recorded usage on the row itself;
        raise one UserError listing every bad row."""
        for row in rows:
            self._parse_row(row)
        parsed_rows = [row for row in rows if not row.errors]
        agreements = self._get_agreements(parsed_rows)
        rules = self._get_usage_rules(agreements, parsed_rows)
        recorded = self._get_recorded_usage(agreements, parsed_rows)
        for row in parsed_rows:
            self._check_row(row, agreements.get(row.agreement_ref), rules, recorded)
        self._check_duplicate_refs(parsed_rows)
        self._raise_row_errors(rows)

    def _parse_row(self, row):
        if not isinstance(row.data, dict):
            row.errors.append(
                self.env._(
                    "a usage must be an object with the fields %(fields)s.",
                    fields=", ".join(REQUIRED_KEYS),
                )
            )
            return
        self._check_keys(row)
        row.ref, row.agreement_ref, row.product_code = (
            self._parse_text(row, key) for key in TEXT_KEYS
        )
        row.date = self._parse_date(row)
        row.quantity = self._parse_quantity(row)
        row.note = self._parse_note(row)

    def _check_keys(self, row):
        for key in sorted(row.data.keys() - set(ACCEPTED_KEYS)):
            row.errors.append(self.env._('unknown field "%(field)s".', field=key))
        for key in REQUIRED_KEYS:
            if row.data.get(key) in (None, ""):
                row.errors.append(self.env._('the field "%(field)s" is missing.', field=key))

    def _parse_text(self, row, key):
        value = row.data.get(key)
        if value in (None, ""):
            return None
        if not isinstance(value, str) or not value.strip():
            row.errors.append(
                self.env._('the field "%(field)s" must be a non-empty text.', field=key)
            )
            return None
        return value.strip()

    def _parse_note(self, row):
        value = row.data.get("note")
        if value is not None and not isinstance(value, str):
            row.errors.append(self.env._('the field "note" must be a text.'))
        return value or None

    def _parse_date(self, row):
        value = row.data.get("date")
        if value in (None, ""):
            return None
        try:
            if not (isinstance(value, str) and ISO_DATE.fullmatch(value)):
                raise ValueError(value)
            return datetime.strptime(value, "%Y-%m-%d").date()
        except ValueError:
            row.errors.append(
                self.env._(
                    'the field "date" (%(value)s) is not a date written YYYY-MM-DD.',
                    value=value,
                )
            )
            return None

    def _parse_quantity(self, row):
        value = row.data.get("quantity")
        if value in (None, ""):
            return None
        # bool is an int in Python, but true/false is no quantity.
        if (
            isinstance(value, bool)
            or not isinstance(value, (int, float))
            or not math.isfinite(value)
        ):
            row.errors.append(
                self.env._('the field "quantity" (%(value)s) is not a number.', value=value)
            )
            return None
        if value < 0:
            row.errors.append(
                self.env._('the field "quantity" (%(value)s) is negative.', value=value)
            )
            return None
        return float(value)

    def _get_agreements(self, rows):
        """Agreements of the current company named by the rows, by reference.
        One search for the whole file."""
        agreements = self.env["bpo.agreement"].search(
            [
                ("name", "in", list({row.agreement_ref for row in rows})),
                ("company_id", "=", self.env.company.id),
            ]
        )
        return {agreement.name: agreement for agreement in agreements}

    def _get_usage_rules(self, agreements, rows):
        """Metered usage rules of those agreements by (agreement, product code).
        One search for the whole file."""
        rules = self.env["bpo.agreement.line"].search(
            [
                ("agreement_id", "in", self._ids_of(agreements)),
                ("billing_model", "=", "usage"),
                ("product_id.default_code", "in", list({r.product_code for r in rows})),
            ]
        )
        rules_by_key = {}
        for rule in rules:
            key = (rule.agreement_id.id, rule.product_id.default_code)
            rules_by_key[key] = rules_by_key.get(key, rule.browse()) | rule
        return rules_by_key

    def _get_recorded_usage(self, agreements, rows):
        """Usage already recorded for the rows' references by (agreement, reference).
        One search for the whole file."""
        recorded = self.env["bpo.usage"].search(
            [
                ("agreement_id", "in", self._ids_of(agreements)),
                ("external_ref", "in", list({row.ref for row in rows})),
            ]
        )
        return {(usage.agreement_id.id, usage.external_ref): usage for usage in recorded}

    def _ids_of(self, agreements):
        return [agreement.id for agreement in agreements.values()]

    def _check_row(self, row, agreement, rules, recorded):
        if not agreement:
            row.errors.append(
                self.env._(
                    'unknown agreement "%(agreement)s": no agreement has this '
                    "reference in %(company)s.",
                    agreement=row.agreement_ref,
                    company=self.env.company.name,
                )
            )
            return
        self._check_agreement_accepts(row, agreement)
        row.rule = self._select_rule(rules.get((agreement.id, row.product_code)), row.date)
        if not row.rule:
            row.errors.append(
                self.env._(
                    'unknown product code "%(product)s" on agreement %(agreement)s: '
                    "it has no metered usage rule for it.",
                    product=row.product_code,
                    agreement=agreement.name,
                )
            )
        usage = recorded.get((agreement.id, row.ref))
        if usage:
            self._check_recorded(row, usage)

    def _check_agreement_accepts(self, row, agreement):
        # Draft agreements are not signed yet and closed ones are over.
        if agreement.state not in ("active", "suspended"):
            row.errors.append(
                self.env._(
                    "agreement %(agreement)s is %(state)s; only active or suspended "
                    "agreements accept usage.",
                    agreement=agreement.name,
                    state=agreement._state_label(),
                )
            )
        if row.date < agreement.date_start or (
            agreement.date_end and row.date > agreement.date_end
        ):
            row.errors.append(
                self.env._(
                    'the field "date" (%(date)s) is outside agreement %(agreement)s '
                    "(%(start)s → %(end)s).",
                    date=row.date,
                    agreement=agreement.name,
                    start=agreement.date_start,
                    end=agreement.date_end or "…",
                )
            )

    def _select_rule(self, rules, usage_date):
        # A service may have successive rules (a rate change): take the running one.
        if not rules:
            return None
        running = rules.filtered(
            lambda rule: (
                (not rule.date_start or rule.date_start <= usage_date)
                and (not rule.date_end or usage_date <= rule.date_end)
            )
        )
        return (running or rules)[0]

    def _check_recorded(self, row, usage):
        digits = usage._fields["quantity"].get_digits(self.env)[1]
        if usage.date == row.date and not float_compare(
            usage.quantity, row.quantity, precision_digits=digits
        ):
            row.recorded = usage
        elif usage.period_id:
            row.errors.append(
                self.env._(
                    'the reference "%(ref)s" was already billed in %(period)s with '
                    "quantity %(quantity)s on %(date)s; billed usage can no longer "
                    "change.",
                    ref=row.ref,
                    period=usage.period_id.display_name,
                    quantity=usage.quantity,
                    date=usage.date,
                )
            )
        else:
            row.errors.append(
                self.env._(
                    'the reference "%(ref)s" was already recorded with quantity '
                    "%(quantity)s on %(date)s; correct the recorded usage instead of "
                    "importing it again.",
                    ref=row.ref,
                    quantity=usage.quantity,
                    date=usage.date,
                )
            )

    def _check_duplicate_refs(self, rows):
        # A reference is unique per agreement, so a file may not carry it twice.
        first_rows = {}
        for row in rows:
            first = first_rows.setdefault((row.agreement_ref, row.ref), row)
            if first is not row:
                row.errors.append(
                    self.env._(
                        'the reference "%(ref)s" of agreement %(agreement)s already '
                        "appears in row %(row)s.",
                        ref=row.ref,
                        agreement=row.agreement_ref,
                        row=first.number,
                    )
                )

    def _raise_row_errors(self, rows):
        messages = [f"{self._row_label(row)}: {error}" for row in rows for error in row.errors]
        if messages:
            raise UserError(self._error_summary(messages))

    def _row_label(self, row):
        if row.line:
            return self.env._("Row %(row)s (line %(line)s)", row=row.number, line=row.line)
        return self.env._("Row %(row)s", row=row.number)

    def _error_summary(self, messages):
        return "\n".join(
            [
                self.env._(
                    "Nothing was imported from %(name)s; correct these rows and "
                    "import the file again:",
                    name=self.filename,
                ),
                *messages,
            ]
        )

    # Create and report

    def _create_usage(self, rows):
        """Record the new rows with one create; returns the created usage."""
        if not rows:
            return self.env["bpo.usage"]
        return self.env["bpo.usage"].create([self._prepare_usage_vals(row) for row in rows])

    def _prepare_usage_vals(self, row):
        return {
            "agreement_line_id": row.rule.id,
            "external_ref": row.ref,
            "date": row.date,
            "quantity": row.quantity,
            "note": row.note,
        }

    def _action_show_result(self):
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("Import Usage"),
            "res_model": self._name,
            "res_id": self.id,
            "view_mode": "form",
            "views": [(False, "form")],
            "target": "new",
        }
