"""Recurring invoice generation: the pipeline that turns due periods into invoices.

select due agreements -> claim them (row locks) -> open their period rows -> claim and
aggregate their usage -> price every rule (pure pricing module) -> create the invoices in
one call -> post them -> close the periods and advance the agreements -> report.
"""

import logging
from collections import defaultdict
from decimal import Decimal

from dateutil.relativedelta import relativedelta
from markupsafe import Markup
from psycopg2 import errors as pg_errors

from odoo import api, fields, models
from odoo.exceptions import UserError
from odoo.tools import SQL, format_amount, format_date

from ..pricing import periods, rules

_logger = logging.getLogger(__name__)

# another worker is billing the same agreement: leave it to them
CONCURRENCY_ERRORS = (
    pg_errors.SerializationFailure,
    pg_errors.UniqueViolation,
    pg_errors.LockNotAvailable,
    pg_errors.DeadlockDetected,
)
DEFAULT_BATCH_SIZE = 100


class BpoAgreement(models.Model):
    _inherit = "bpo.agreement"

    # ------------------------------------------------------------------ entry points

    def action_generate_invoices(self, date=None):
        """Bill every period of these agreements that is due on ``date`` (default: today).

        Returns the created ``account.move`` records. Agreements another worker is billing
        at the same moment are left to it; a failing agreement gets its period in error.
        """
        date = date or fields.Date.context_today(self)
        not_active = self.filtered(lambda agreement: agreement.state != "active")
        if not_active:
            raise UserError(
                self.env._(
                    "Only active agreements are billed; %(names)s is %(state)s.",
                    names=", ".join(not_active.mapped("name")),
                    state=not_active[0]._state_label(),
                )
            )
        self._check_client_credit_hold()
        moves = self.env["account.move"]
        excluded = self.browse()
        while True:
            due = (self - excluded)._lock_due(date)
            if not due:
                return moves
            batch_moves, failed = due._generate_batch(date)
            moves |= batch_moves
            excluded |= failed

    def _check_client_credit_hold(self):
        """Refuse to bill agreements whose client is on credit hold, naming client and reason."""
        held = self.filtered("client_credit_hold")
        if held:
            clients = held.partner_id.commercial_partner_id
            raise UserError(
                self.env._(
                    "On credit hold: %(clients)s. No invoice is generated for %(names)s until "
                    "the hold is released.",
                    clients="; ".join(
                        f"{client.display_name} ({client.bpo_credit_hold_reason})"
                        for client in clients
                    ),
                    names=", ".join(held.mapped("name")),
                )
            )

    @api.model
    def _cron_generate_invoices(self, date=None, batch_size=None):
        """Scheduler entry: bill everything due, one committed batch at a time."""
        date = date or fields.Date.context_today(self)
        batch_size = batch_size or int(
            self.env["ir.config_parameter"]
            .sudo()
            .get_param("bpo_billing.generation_batch_size", DEFAULT_BATCH_SIZE)
        )
        done = 0
        excluded = self.browse()
        while True:
            agreements = self._claim_due_agreements(date, batch_size, excluded)
            if not agreements:
                break
            _moves, failed = agreements._generate_batch(date)
            excluded |= failed
            done += len(agreements)
            remaining = self.search_count(
                self._get_due_domain(date) + [("id", "not in", excluded.ids)]
            )
            self.env["ir.cron"]._notify_progress(done=done, remaining=remaining)
            self._commit_if_scheduled()
        return done

    def _commit_if_scheduled(self):
        """Under the scheduler, commit the batch just billed: a crash or a time-out later
        keeps it, and Odoo's cron progress resumes from there."""
        if self.env.context.get("cron_id"):
            self.env.cr.commit()  # pylint: disable=invalid-commit
            # release what the batch loaded: memory stays flat however large the run
            self.env.invalidate_all()

    # ------------------------------------------------------------------ select and claim

    @api.model
    def _get_due_domain(self, date_ref):
        return [
            ("state", "=", "active"),
            ("next_invoice_date", "<=", date_ref),
            ("client_credit_hold", "=", False),
        ]

    @api.model
    def _claim_due_agreements(self, date_ref, limit, excluded):
        """Lock up to ``limit`` due agreements that no other worker holds: of every company
        for the scheduler (superuser), else of the companies the user works in. Agreements
        of clients on credit hold are left out."""
        rows = self._claim_rows(
            SQL(
                """SELECT id FROM bpo_agreement
                WHERE state = 'active' AND next_invoice_date <= %(date)s
                  AND NOT id = ANY(%(excluded)s) %(in_companies)s
                  AND NOT EXISTS (
                      SELECT 1 FROM res_partner contact
                        JOIN res_partner client ON client.id = contact.commercial_partner_id
                       WHERE contact.id = bpo_agreement.partner_id AND client.bpo_credit_hold)
                ORDER BY id LIMIT %(limit)s
                FOR UPDATE SKIP LOCKED""",
                date=date_ref,
                excluded=excluded.ids,
                in_companies=self._in_user_companies("company_id"),
                limit=limit,
            )
        )
        return self.browse(row[0] for row in rows)

    @api.model
    def _in_user_companies(self, column):
        """A condition keeping the rows of the companies the user works in; every company
        for the scheduler (superuser)."""
        if self.env.su:
            return SQL()
        return SQL("AND %s = ANY(%s)", SQL.identifier(*column.split(".")), self.env.companies.ids)

    @api.model
    def _claim_rows(self, query):
        """Run a claiming query (``FOR UPDATE SKIP LOCKED``) and return its rows. Under the
        scheduler it runs in a fresh transaction, so that rows other workers changed and
        committed meanwhile are seen as they are now, not as a conflict."""
        for _attempt in range(3):
            self._commit_if_scheduled()
            self.env.flush_all()
            try:
                self.env.cr.execute(query)
            except pg_errors.SerializationFailure:
                # a row changed after our snapshot began; only a new transaction can retry
                if not self.env.context.get("cron_id"):
                    raise
                self.env.cr.rollback()
                continue
            return self.env.cr.fetchall()
        return []

    def _lock_due(self, date_ref):
        """The due agreements among ``self`` that this transaction could lock."""
        if not self:
            return self
        self.flush_model()
        self.env.cr.execute(
            SQL(
                """SELECT id FROM bpo_agreement
                WHERE id = ANY(%(ids)s) AND state = 'active' AND next_invoice_date <= %(date)s
                ORDER BY id FOR UPDATE SKIP LOCKED""",
                ids=self.ids,
                date=date_ref,
            )
        )
        locked = self.browse(row[0] for row in self.env.cr.fetchall())
        locked.invalidate_recordset(["next_period_start", "next_period_end", "next_invoice_date"])
        return locked

    # ------------------------------------------------------------------ isolate failures

    def _generate_batch(self, date_ref):
        """Bill the next period of every agreement in ``self`` whose period is not held: in
        one go, or agreement by agreement when the batch fails. Returns (created moves,
        agreements left out)."""
        held = self.filtered(lambda agreement: agreement._billing_held(agreement._next_span()))
        to_bill = self - held
        try:
            with self.env.cr.savepoint():
                return to_bill._bill_next_periods(date_ref), held
        except Exception:  # noqa: BLE001 - the per-agreement pass below reports each error
            _logger.info("Billing batch of %s agreements failed; retrying one by one", len(self))
        moves = self.env["account.move"]
        left_out = held
        for agreement in to_bill:
            try:
                with self.env.cr.savepoint():
                    moves |= agreement._bill_next_periods(date_ref)
            except CONCURRENCY_ERRORS:
                left_out |= agreement
            except Exception as error:  # noqa: BLE001 - one agreement never stops the run
                left_out |= agreement
                with self.env.cr.savepoint():
                    agreement._mark_period_error(error)
        return moves, left_out

    def _mark_period_error(self, error):
        self.ensure_one()
        start, end = self._next_span()
        message = str(error.args[0] if isinstance(error, UserError) and error.args else error)
        period = self.period_ids.filtered(lambda period: period.date_start == start)
        vals = {"state": "error", "error_message": message, "date_end": end}
        if period:
            period.sudo().write(vals)
        else:
            self._billing_ledger().create({**vals, "agreement_id": self.id, "date_start": start})
        summary = self.env._("Invoice generation failed")
        self.message_post(
            body=self.env._(
                "The period %(start)s → %(end)s could not be billed: %(error)s",
                start=format_date(self.env, start),
                end=format_date(self.env, end),
                error=message,
            )
        )
        if not self.activity_ids.filtered(lambda activity: activity.summary == summary):
            self.activity_schedule(
                "mail.mail_activity_data_warning",
                summary=summary,
                note=message,
                user_id=(self.user_id or self.env.user).id,
            )

    # ------------------------------------------------------------------ bill one period each

    def _bill_next_periods(self, date_ref):
        spans = {agreement: agreement._next_span() for agreement in self}
        billing_periods = self._create_billing_periods(spans)
        usage = self._claim_usage(spans, billing_periods)
        one_offs_billed = self._get_billed_one_off_lines()
        invoice_vals = {}
        for agreement in self:
            lines_vals = agreement._prepare_invoice_lines(spans[agreement], usage, one_offs_billed)
            if lines_vals:
                invoice_vals[agreement] = agreement._prepare_invoice(
                    date_ref, billing_periods[agreement], lines_vals
                )
        moves = self._create_invoices(invoice_vals)
        self._close_billing_periods(billing_periods, moves)
        self._advance_next_period(spans)
        self._log_billing(spans, moves)
        return moves

    def _next_span(self):
        self.ensure_one()
        return periods.billing_span(
            self.next_period_start, self.billing_frequency, self.date_end or None
        )

    def _usage_span(self, span):
        """Usage is billed in arrears: with the period it measures, or, for agreements billed
        in advance, on the next period's invoice. None when no usage period has ended yet."""
        self.ensure_one()
        if self.billing_timing == "arrears":
            return span
        previous_end = span[0] - relativedelta(days=1)
        if previous_end < self.date_start:
            return None
        previous_start = max(
            periods.period_bounds(previous_end, self.billing_frequency)[0], self.date_start
        )
        return previous_start, previous_end

    def _billing_ledger(self):
        # period rows are the billing engine's ledger: users read them, only billing writes
        return self.env["bpo.billing.period"].sudo()

    def _create_billing_periods(self, spans):
        """One period row per agreement, written in the same transaction as its invoice; the
        unique (agreement, start) index refuses a period another run already billed."""
        failed_before = (
            self._billing_ledger()
            .search(
                [
                    ("agreement_id", "in", self.ids),
                    ("state", "=", "error"),
                ]
            )
            .filtered(lambda period: period.date_start == spans[period.agreement_id][0])
        )
        failed_before.unlink()
        created = self._billing_ledger().create(
            [
                {"agreement_id": agreement.id, "date_start": span[0], "date_end": span[1]}
                for agreement, span in spans.items()
            ]
        )
        return dict(zip(spans, created, strict=True))

    def _claim_usage(self, spans, billing_periods):
        """Mark every unbilled usage record up to the end of each agreement's usage period as
        billed in its period, and return the billed quantity per rule, in one query."""
        windows = [
            (agreement.id, billing_periods[agreement].id, usage_span[1])
            for agreement, span in spans.items()
            if (usage_span := agreement._usage_span(span))
        ]
        if not windows:
            return {}
        self.env["bpo.usage"].flush_model()
        values = SQL(", ").join(
            SQL("(%s, %s, %s::date)", agreement_id, period_id, window_end)
            for agreement_id, period_id, window_end in windows
        )
        self.env.cr.execute(
            SQL(
                """WITH claimed AS (
                   UPDATE bpo_usage u SET period_id = w.period_id
                     FROM (VALUES %(values)s) AS w(agreement_id, period_id, window_end)
                    WHERE u.agreement_id = w.agreement_id AND u.period_id IS NULL
                      AND u.date <= w.window_end
                RETURNING u.agreement_line_id, u.quantity)
               SELECT agreement_line_id, SUM(quantity) FROM claimed GROUP BY agreement_line_id""",
                values=values,
            )
        )
        usage = {line_id: Decimal(str(quantity)) for line_id, quantity in self.env.cr.fetchall()}
        self.env["bpo.usage"].invalidate_model(["period_id"])
        return usage

    def _get_billed_one_off_lines(self):
        one_off_lines = self.line_ids.filtered(lambda line: line.billing_model == "one_off")
        if not one_off_lines:
            return set()
        groups = self.env["account.move.line"]._read_group(
            [("bpo_agreement_line_id", "in", one_off_lines.ids), ("parent_state", "!=", "cancel")],
            ["bpo_agreement_line_id"],
        )
        return {line.id for (line,) in groups}

    # ------------------------------------------------------------------ prepare values

    def _prepare_invoice_lines(self, span, usage, one_offs_billed):
        """Invoice line values for the period ``span``, priced by the pricing module."""
        self.ensure_one()
        precision = self._pricing_precision()
        escalation = periods.escalation_factor(
            Decimal(str(self.escalation_percent)), self.escalation_date or None, span[0]
        )
        env = self.with_context(lang=self.partner_id.lang).env
        usage_span = self._usage_span(span)
        lines_vals = []
        for line in self.line_ids:
            if line.billing_model == "one_off" and line.id in one_offs_billed:
                continue
            priced_span = usage_span if line.billing_model == "usage" else span
            cover = priced_span and periods.coverage(
                priced_span[0],
                priced_span[1],
                self.billing_frequency,
                line.date_start or None,
                line.date_end or None,
            )
            if not cover:
                continue
            priced = line._price_period(
                cover, usage.get(line.id, Decimal(0)), escalation, precision, env
            )
            lines_vals += [line._prepare_invoice_line(invoice_line) for invoice_line in priced]
        return lines_vals + self._prepare_extra_invoice_lines(span, lines_vals)

    def _prepare_extra_invoice_lines(self, span, lines_vals):
        """Hook: invoice line values added to the period ``span`` after its billing rules'
        lines ``lines_vals`` (credits, re-billed costs...). None by default."""
        self.ensure_one()
        return []

    def _billing_held(self, span):
        """Hook: why the period ``span`` must wait before it is billed (a reason shown to
        users), or an empty string when it may be billed now."""
        self.ensure_one()
        return ""

    def _pricing_precision(self):
        decimal_precision = self.env["decimal.precision"]
        return rules.Precision(
            currency_rounding=Decimal(str(self.currency_id.rounding)),
            price_digits=decimal_precision.precision_get("Product Price"),
            quantity_digits=decimal_precision.precision_get("Product Unit of Measure"),
        )

    def _prepare_invoice(self, date_ref, billing_period, lines_vals):
        self.ensure_one()
        return {
            "move_type": "out_invoice",
            "partner_id": self.partner_id.id,
            "company_id": self.company_id.id,
            "currency_id": self.currency_id.id,
            "journal_id": self.journal_id.id,
            "invoice_date": date_ref,
            "invoice_payment_term_id": self.payment_term_id.id,
            "fiscal_position_id": self.fiscal_position_id.id,
            "invoice_user_id": self.user_id.id,
            "invoice_origin": self.name,
            "bpo_agreement_id": self.id,
            "bpo_period_id": billing_period.id,
            "invoice_line_ids": [fields.Command.create(vals) for vals in lines_vals],
        }

    # ------------------------------------------------------------------ write

    def _create_invoices(self, invoice_vals):
        """Create the invoices in one call per company (each in its own books), then post
        those of the agreements that post automatically."""
        vals_by_company = defaultdict(list)
        for agreement, vals in invoice_vals.items():
            vals_by_company[agreement.company_id].append(vals)
        moves = self.env["account.move"]
        for company, vals_list in vals_by_company.items():
            moves |= (
                self.env["account.move"]
                .with_company(company)
                .with_context(tracking_disable=True, default_move_type="out_invoice")
                .create(vals_list)
            )
        to_post = moves.filtered(lambda move: move.bpo_agreement_id.auto_post)
        if to_post:
            to_post.action_post()
        return moves.with_env(self.env)

    def _close_billing_periods(self, billing_periods, moves):
        period_ids = [period.id for period in billing_periods.values()]
        self.env["account.move"].flush_model(["bpo_period_id"])
        self.env.cr.execute(
            SQL(
                """UPDATE bpo_billing_period p
                  SET state = CASE WHEN m.id IS NULL THEN 'skipped' ELSE 'invoiced' END,
                      move_id = m.id, error_message = NULL
                 FROM bpo_billing_period p2
            LEFT JOIN account_move m ON m.bpo_period_id = p2.id
                WHERE p.id = p2.id AND p.id = ANY(%(ids)s)""",
                ids=period_ids,
            )
        )
        self.env["bpo.billing.period"].invalidate_model(["state", "move_id", "error_message"])

    def _advance_next_period(self, spans):
        by_next_start = defaultdict(lambda: self.browse())
        for agreement, span in spans.items():
            by_next_start[span[1] + relativedelta(days=1)] |= agreement
        for next_start, agreements in by_next_start.items():
            agreements.with_context(tracking_disable=True).next_period_start = next_start

    def _log_billing(self, spans, moves):
        move_by_agreement = {move.bpo_agreement_id: move for move in moves}
        bodies = {}
        for agreement, (start, end) in spans.items():
            move = move_by_agreement.get(agreement)
            period = f"{format_date(self.env, start)} → {format_date(self.env, end)}"
            if move:
                bodies[agreement.id] = Markup(
                    self.env._("Period %(period)s billed: %(invoice)s, %(amount)s.")
                ) % {
                    "period": period,
                    "invoice": move._get_html_link(),
                    "amount": format_amount(self.env, move.amount_total, move.currency_id),
                }
            else:
                bodies[agreement.id] = self.env._(
                    "Period %(period)s: nothing to bill.", period=period
                )
            if agreement._escalates_in(start):
                bodies[agreement.id] += Markup(" ") + self.env._(
                    "Prices escalated by %(percent)s%% from %(date)s.",
                    percent=agreement.escalation_percent,
                    date=format_date(self.env, start),
                )
        self._message_log_batch(bodies=bodies)

    def _escalates_in(self, period_start):
        """Whether a yearly escalation takes effect with the period starting on ``period_start``."""
        self.ensure_one()
        if not (self.escalation_percent and self.escalation_date):
            return False
        percent = Decimal(str(self.escalation_percent))
        before = periods.escalation_factor(
            percent, self.escalation_date, period_start - relativedelta(days=1)
        )
        return periods.escalation_factor(percent, self.escalation_date, period_start) != before

    # ------------------------------------------------------------------ preview

    def _preview_next_invoice(self, date_ref):
        """(next span, number of periods due on ``date_ref``, untaxed amount of the next
        invoice), computed without writing anything."""
        self.ensure_one()
        span = self._next_span()
        usage_span = self._usage_span(span)
        usage = self._get_unbilled_usage(usage_span[1]) if usage_span else {}
        lines_vals = self._prepare_invoice_lines(span, usage, self._get_billed_one_off_lines())
        untaxed = sum(
            (
                Decimal(str(vals["quantity"])) * Decimal(str(vals["price_unit"]))
                for vals in lines_vals
            ),
            Decimal(0),
        )
        return span, self._count_due_periods(date_ref), untaxed

    def _get_unbilled_usage(self, window_end):
        self.ensure_one()
        groups = self.env["bpo.usage"]._read_group(
            [("agreement_id", "=", self.id), ("period_id", "=", False), ("date", "<=", window_end)],
            ["agreement_line_id"],
            ["quantity:sum"],
        )
        return {line.id: Decimal(str(quantity)) for line, quantity in groups}

    def _count_due_periods(self, date_ref):
        self.ensure_one()
        count, start = 0, self.next_period_start
        while start and (
            span := periods.billing_span(start, self.billing_frequency, self.date_end or None)
        ):
            due_on = (
                span[0] if self.billing_timing == "advance" else span[1] + relativedelta(days=1)
            )
            if due_on > date_ref:
                break
            count, start = count + 1, span[1] + relativedelta(days=1)
        return count
