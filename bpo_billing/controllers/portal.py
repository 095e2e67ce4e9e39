"""The client portal: agreements, invoices, usage statements and disputes."""

import csv
import io
import math
import re

from odoo import Command, http
from odoo.exceptions import AccessError, MissingError
from odoo.http import content_disposition, request

from odoo.addons.account.controllers.portal import PortalAccount
from odoo.addons.portal.controllers.portal import pager as portal_pager

USAGE_STATEMENT_REPORT = "bpo_billing.action_report_bpo_usage_statement"
USAGE_STATEMENT_MODEL = "report.bpo_billing.report_bpo_usage_statement"


class BpoCustomerPortal(PortalAccount):
    # ------------------------------------------------------------------ home

    def _prepare_home_portal_values(self, counters):
        values = super()._prepare_home_portal_values(counters)
        if "bpo_agreement_count" in counters:
            agreements = request.env["bpo.agreement"]
            values["bpo_agreement_count"] = (
                agreements.search_count(self._bpo_agreements_domain())
                if agreements.has_access("read")
                else 0
            )
        return values

    # ------------------------------------------------------------------ agreements

    def _bpo_agreements_domain(self):
        """The agreements of the user's commercial entity that are no longer drafts; record
        rules already restrict portal users, this also keeps employees to their own."""
        partner = request.env.user.partner_id
        return [
            ("partner_id", "child_of", [partner.commercial_partner_id.id]),
            ("state", "!=", "draft"),
        ]

    def _bpo_agreement_searchbar_sortings(self):
        return {
            "date": {"label": request.env._("Start Date"), "order": "date_start desc, id desc"},
            "name": {"label": request.env._("Reference"), "order": "name"},
            "next_invoice": {
                "label": request.env._("Next Invoice"),
                "order": "next_invoice_date, id",
            },
            "state": {"label": request.env._("Status"), "order": "state, date_start desc"},
        }

    @http.route(
        ["/my/agreements", "/my/agreements/page/<int:page>"],
        type="http",
        auth="user",
        website=True,
    )
    def portal_my_agreements(self, page=1, sortby=None, **kw):
        values = self._prepare_portal_layout_values()
        agreements = request.env["bpo.agreement"]
        domain = self._bpo_agreements_domain()
        sortings = self._bpo_agreement_searchbar_sortings()
        sortby = sortby if sortby in sortings else "date"
        pager = portal_pager(
            url="/my/agreements",
            url_args={"sortby": sortby},
            total=agreements.search_count(domain),
            page=page,
            step=self._items_per_page,
        )
        agreements = agreements.search(
            domain,
            order=sortings[sortby]["order"],
            limit=self._items_per_page,
            offset=pager["offset"],
        )
        request.session["my_bpo_agreements_history"] = agreements.ids[:100]
        values.update(
            {
                # searched as the user above; read with sudo for display, as sale does
                "agreements": agreements.sudo(),
                "page_name": "bpo_agreement",
                "pager": pager,
                "default_url": "/my/agreements",
                "searchbar_sortings": sortings,
                "sortby": sortby,
            }
        )
        return request.render("bpo_billing.portal_my_agreements", values)

    @http.route(["/my/agreements/<int:agreement_id>"], type="http", auth="public", website=True)
    def portal_my_agreement(self, agreement_id, access_token=None, **kw):
        try:
            agreement_sudo = self._document_check_access(
                "bpo.agreement", agreement_id, access_token
            )
        except (AccessError, MissingError):
            return request.redirect("/my")
        values = self._bpo_agreement_page_values(agreement_sudo, access_token, **kw)
        return request.render("bpo_billing.portal_agreement_page", values)

    def _bpo_agreement_page_values(self, agreement_sudo, access_token, **kwargs):
        invoices = agreement_sudo.invoice_ids.filtered(
            lambda move: move.state == "posted" and move.move_type in ("out_invoice", "out_refund")
        ).sorted(lambda move: (move.invoice_date, move.id), reverse=True)
        periods = agreement_sudo.period_ids.filtered(
            lambda period: period.state == "invoiced"
        ).sorted("date_start", reverse=True)
        values = {
            "agreement": agreement_sudo,
            "page_name": "bpo_agreement",
            "lines": agreement_sudo.line_ids,
            "periods": periods,
            "invoices": invoices,
            # the agreement's access was checked: its disputes are the client's own
            "disputes": request.env["bpo.dispute"]
            .sudo()
            .search([("agreement_id", "=", agreement_sudo.id)]),
            "price_digits": request.env["decimal.precision"].precision_get("Product Price"),
            "backend_url": f"/odoo/action-bpo_billing.action_bpo_agreement/{agreement_sudo.id}",
            "res_company": agreement_sudo.company_id,
        }
        return self._get_page_view_values(
            agreement_sudo, access_token, values, "my_bpo_agreements_history", False, **kwargs
        )

    # ------------------------------------------------------------------ usage statements

    @http.route(
        ["/my/agreements/<int:agreement_id>/usage-statement/<int:period_id>"],
        type="http",
        auth="public",
        website=True,
    )
    def portal_my_usage_statement(
        self, agreement_id, period_id, access_token=None, report_type="pdf", download=False, **kw
    ):
        """The usage billed in one period of the agreement, as a PDF (or its HTML preview)
        or as CSV rows."""
        try:
            agreement_sudo = self._document_check_access(
                "bpo.agreement", agreement_id, access_token
            )
        except (AccessError, MissingError):
            return request.redirect("/my")
        period_sudo = agreement_sudo.period_ids.filtered(
            lambda period: period.id == period_id and period.state == "invoiced"
        )
        if not period_sudo or report_type not in ("pdf", "html", "csv"):
            return request.not_found()
        filename = self._bpo_usage_statement_filename(period_sudo)
        if report_type == "csv":
            content = self._bpo_usage_statement_csv(period_sudo)
            headers = [
                ("Content-Type", "text/csv; charset=utf-8"),
                ("Content-Length", len(content)),
                ("Content-Disposition", content_disposition(f"{filename}.csv")),
            ]
            return request.make_response(content, headers)
        reports = request.env["ir.actions.report"].sudo().with_company(period_sudo.company_id)
        render = reports._render_qweb_pdf if report_type == "pdf" else reports._render_qweb_html
        content = render(USAGE_STATEMENT_REPORT, period_sudo.ids)[0]
        headers = [
            ("Content-Type", "application/pdf" if report_type == "pdf" else "text/html"),
            ("Content-Length", len(content)),
        ]
        if report_type == "pdf":
            disposition = "attachment" if download else "inline"
            headers.append(
                ("Content-Disposition", content_disposition(f"{filename}.pdf", disposition))
            )
        return request.make_response(content, headers)

    def _bpo_usage_statement_filename(self, period):
        name = request.env._(
            "Usage Statement %(agreement)s %(start)s",
            agreement=period.agreement_id.name,
            start=period.date_start,
        )
        return re.sub(r"\W+", "_", name)

    def _bpo_usage_statement_csv(self, period):
        rows = request.env[USAGE_STATEMENT_MODEL].sudo()._usage_statement_csv_rows(period)
        buffer = io.StringIO()
        csv.writer(buffer).writerows(rows)
        return buffer.getvalue().encode()

    # ------------------------------------------------------------------ disputes

    def _invoice_get_page_view_values(self, invoice, access_token, **kwargs):
        values = super()._invoice_get_page_view_values(invoice, access_token, **kwargs)
        values.update(
            {
                # the invoice's access was checked: its disputes are the client's own
                "bpo_disputes": request.env["bpo.dispute"]
                .sudo()
                .search([("move_id", "=", invoice.id)]),
                "bpo_can_dispute": self._bpo_can_dispute(invoice),
                "bpo_dispute_lines": invoice.invoice_line_ids.filtered(
                    lambda line: line.display_type == "product"
                ),
                "bpo_dispute_filed": bool(kwargs.get("dispute_filed")),
                "bpo_dispute_form": {},
            }
        )
        return values

    def _bpo_can_dispute(self, invoice):
        return (
            invoice.move_type == "out_invoice"
            and invoice.state == "posted"
            and invoice.currency_id.compare_amounts(invoice.amount_residual, 0) > 0
        )

    @http.route(
        ["/my/invoices/<int:invoice_id>/dispute"],
        type="http",
        auth="public",
        methods=["POST"],
        website=True,
    )
    def portal_invoice_dispute(self, invoice_id, access_token=None, amount=None, reason=None, **kw):
        """File a dispute from the invoice page: the lines concerned (``line_ids``), the
        amount disputed, the reason and supporting files (``attachment``)."""
        try:
            invoice_sudo = self._document_check_access("account.move", invoice_id, access_token)
        except (AccessError, MissingError):
            return request.redirect("/my")
        form = request.httprequest.form
        line_ids = form.getlist("line_ids")
        error, dispute_vals = self._bpo_prepare_dispute(invoice_sudo, amount, reason, line_ids)
        if error:
            values = self._invoice_get_page_view_values(invoice_sudo, access_token)
            values["bpo_dispute_error"] = error
            values["bpo_dispute_form"] = {
                "amount": amount or "",
                "reason": reason or "",
                "line_ids": line_ids,
            }
            return request.render("account.portal_invoice_page", values)
        # a client cannot create disputes (read-only ACL): their access to this invoice was
        # checked and the values validated above, so only this creation runs as superuser
        dispute = (
            request.env["bpo.dispute"]
            .sudo()
            .with_company(invoice_sudo.company_id)
            .create(dispute_vals)
        )
        self._bpo_attach_dispute_files(
            dispute, invoice_sudo, request.httprequest.files.getlist("attachment")
        )
        return request.redirect(
            invoice_sudo.get_portal_url(query_string="&dispute_filed=1", anchor="bpo_disputes")
        )

    def _bpo_prepare_dispute(self, invoice_sudo, amount, reason, line_ids):
        """Validate the dispute form. Returns ``(error message, None)`` or ``(None, values
        of the dispute to create)``."""
        env = request.env
        currency = invoice_sudo.currency_id
        if not self._bpo_can_dispute(invoice_sudo):
            return env._("This invoice has nothing left to dispute."), None
        try:
            amount = float(amount or "")
        except ValueError:
            amount = math.nan
        if not math.isfinite(amount):
            return env._("Enter the amount you dispute, as a number."), None
        amount = currency.round(amount)
        if currency.compare_amounts(amount, 0) <= 0:
            return env._("The disputed amount must be greater than zero."), None
        if currency.compare_amounts(amount, invoice_sudo.amount_residual) > 0:
            return env._("The disputed amount cannot exceed the amount due on this invoice."), None
        reason = (reason or "").strip()
        if not reason:
            return env._("Tell us why you dispute this invoice."), None
        product_lines = invoice_sudo.invoice_line_ids.filtered(
            lambda line: line.display_type == "product"
        )
        try:
            wanted_ids = {int(line_id) for line_id in line_ids}
        except ValueError:
            wanted_ids = {0}
        lines = product_lines.filtered(lambda line: line.id in wanted_ids)
        if len(lines) != len(wanted_ids):
            return env._("The lines concerned must be lines of this invoice."), None
        return None, {
            "move_id": invoice_sudo.id,
            "move_line_ids": [Command.set(lines.ids)],
            "amount": amount,
            "reason": reason,
            "source": "portal",
        }

    def _bpo_attach_dispute_files(self, dispute, invoice_sudo, files):
        """Post the client's files in the dispute's chatter, in the name of the client (the
        invoice's contact when the page was opened with its token); message_post stores them
        as attachments of the dispute, HTML-like files turned to plain text for clients."""
        uploads = [
            (upload.filename, upload.read()) for upload in files if upload and upload.filename
        ]
        if not uploads:
            return
        user = request.env.user
        author = invoice_sudo.partner_id if user._is_public() else user.partner_id
        dispute.message_post(
            body=request.env._("Supporting documents for the dispute."),
            author_id=author.id,
            attachments=uploads,
            message_type="comment",
            subtype_xmlid="mail.mt_comment",
        )
