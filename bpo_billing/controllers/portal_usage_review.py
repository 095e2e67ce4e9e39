"""The client portal: usage sent for approval, with its pre-bill, approved or commented."""

from odoo import http
from odoo.exceptions import AccessError, MissingError, UserError
from odoo.http import request
from odoo.tools import consteq

from .portal import BpoCustomerPortal

REVIEW_MODEL = "bpo.usage.review"


class BpoUsageReviewPortal(BpoCustomerPortal):
    @http.route(["/my/usage-reviews/<int:review_id>"], type="http", auth="public", website=True)
    def portal_my_usage_review(self, review_id, access_token=None, **kw):
        try:
            review_sudo = self._document_check_access(REVIEW_MODEL, review_id, access_token)
        except (AccessError, MissingError):
            return request.redirect("/my")
        if review_sudo.state == "draft":
            return request.redirect("/my")
        values = self._bpo_usage_review_values(review_sudo, access_token, **kw)
        return request.render("bpo_billing.portal_usage_review_page", values)

    def _bpo_usage_review_values(self, review_sudo, access_token, error=None, **kwargs):
        currency = review_sudo.currency_id
        prebill_lines = [
            {
                "name": vals["name"],
                "quantity": vals["quantity"],
                "price_unit": vals["price_unit"],
                "amount": currency.round(vals["quantity"] * vals["price_unit"]),
            }
            for vals in review_sudo._prebill_lines()
        ]
        values = {
            "review": review_sudo,
            "page_name": "bpo_usage_review",
            "prebill_lines": prebill_lines,
            "review_done": bool(kwargs.get("answered")),
            "review_error": error,
            "res_company": review_sudo.company_id,
        }
        return self._get_page_view_values(
            review_sudo, access_token, values, "my_bpo_usage_reviews_history", False, **kwargs
        )

    def _bpo_usage_review_answerer(self, review_sudo, access_token):
        """The client contact answering: the portal user of the review's client, or the
        review's recipient for a visitor holding its link. None for anyone else (an
        employee answers from the back end, another client not at all)."""
        user = request.env.user
        client = review_sudo.partner_id.commercial_partner_id
        if not user._is_public() and user.partner_id.commercial_partner_id == client:
            return user.partner_id
        token = review_sudo.access_token
        if access_token and token and consteq(token, access_token):
            return review_sudo.recipient_id or review_sudo.partner_id
        return None

    def _bpo_usage_review_answer(self, review_id, access_token, answer):
        try:
            review_sudo = self._document_check_access(REVIEW_MODEL, review_id, access_token)
        except (AccessError, MissingError):
            return request.redirect("/my")
        partner = self._bpo_usage_review_answerer(review_sudo, access_token)
        if not partner:
            return request.redirect("/my")
        try:
            # the client's right to answer was checked above: only this answer runs as sudo
            answer(review_sudo, partner)
        except UserError as error:
            values = self._bpo_usage_review_values(review_sudo, access_token, error=error.args[0])
            return request.render("bpo_billing.portal_usage_review_page", values)
        return request.redirect(review_sudo.get_portal_url(query_string="&answered=1"))

    @http.route(
        ["/my/usage-reviews/<int:review_id>/approve"],
        type="http",
        auth="public",
        methods=["POST"],
        website=True,
    )
    def portal_usage_review_approve(self, review_id, access_token=None, **kw):
        return self._bpo_usage_review_answer(
            review_id, access_token, lambda review, partner: review.action_approve(partner)
        )

    @http.route(
        ["/my/usage-reviews/<int:review_id>/comment"],
        type="http",
        auth="public",
        methods=["POST"],
        website=True,
    )
    def portal_usage_review_comment(self, review_id, access_token=None, comment=None, **kw):
        return self._bpo_usage_review_answer(
            review_id,
            access_token,
            lambda review, partner: review.action_comment(comment, partner),
        )
