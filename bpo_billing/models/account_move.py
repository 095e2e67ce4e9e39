"""Invoices of service agreements, and the reminder run that chases them when overdue:

select the invoices whose next stage is reached -> claim them (row locks) -> record each
stage applied (once per invoice and stage) -> invoice the fees -> send one email per client
and stage -> trace in the chatter -> schedule activities, suspend agreements -> report.
"""

import logging
from collections import defaultdict
from datetime import timedelta
from decimal import Decimal

from markupsafe import Markup

from odoo import Command, api, fields, models
from odoo.exceptions import UserError
from odoo.tools import SQL, format_amount, split_every

from ..pricing import late_fee
from .bpo_dispute import OPEN_STATES

_logger = logging.getLogger(__name__)

DEFAULT_DUNNING_BATCH_SIZE = 500


class AccountMove(models.Model):
    _inherit = "account.move"

    bpo_agreement_id = fields.Many2one(
        "bpo.agreement",
        string="Agreement",
        readonly=True,
        copy=False,
        index="btree_not_null",
        help="The BPO service agreement this invoice bills.",
    )
    bpo_dunning_stage_id = fields.Many2one(
        "bpo.dunning.stage",
        string="Reminder Stage",
        readonly=True,
        copy=False,
        tracking=True,
        help="The last reminder stage applied to this invoice.",
    )
    bpo_dunning_date = fields.Date(string="Last Reminder", readonly=True, copy=False)
    bpo_dunning_line_ids = fields.One2many(
        "bpo.dunning.line", "move_id", string="Reminders", readonly=True
    )
    bpo_dispute_ids = fields.One2many("bpo.dispute", "move_id", string="Disputes")
    bpo_dispute_count = fields.Integer(string="Dispute Count", compute="_compute_bpo_dispute_count")
    bpo_disputed = fields.Boolean(
        string="Disputed",
        compute="_compute_bpo_disputed",
        store=True,
        copy=False,
        tracking=True,
        help="A dispute of this invoice is open or under review: it gets no reminder until "
        "the dispute is settled.",
    )
    bpo_fee_origin_id = fields.Many2one(
        "account.move",
        string="Late Fee For",
        readonly=True,
        copy=False,
        index="btree_not_null",
        help="The overdue invoice this late-fee invoice charges for.",
    )
    bpo_period_id = fields.Many2one(
        "bpo.billing.period",
        string="Billed Period",
        readonly=True,
        copy=False,
        index="btree_not_null",
    )

    def _bpo_late_fee_terms(self):
        """The late-payment rule printed on an agreement's invoice, or an empty string."""
        self.ensure_one()
        agreement = self.bpo_agreement_id
        if not (agreement.late_fees and agreement.dunning_policy_id):
            return ""
        return agreement.dunning_policy_id._late_fee_terms(self.currency_id)

    # ------------------------------------------------------------------ entry point

    @api.model
    def _bpo_run_dunning(self, date=None, batch_size=None):
        """Apply to every overdue agreement invoice the highest reminder stage it has reached
        on ``date`` (default: today) and not received yet. Returns the number of invoices
        reminded. Safe to run twice the same day and on several workers at once."""
        date = date or fields.Date.context_today(self)
        batch_size = batch_size or DEFAULT_DUNNING_BATCH_SIZE
        done = 0
        failed = self.browse()
        while stages_due := self._bpo_claim_due_stages(date, batch_size, failed):
            failed |= self._bpo_apply_stages_isolated(stages_due, date)
            done += len(stages_due)
            self.env["ir.cron"]._notify_progress(done=done, remaining=0)
            self.env["bpo.agreement"]._commit_if_scheduled()
        return done

    # ------------------------------------------------------------------ follow-up buttons

    def action_bpo_send_reminder(self):
        """Apply now the reminder stage these invoices have reached and not received."""
        stages_due = self._bpo_claim_due_stages(
            fields.Date.context_today(self), len(self), self.browse(), only=self
        )
        if not stages_due:
            raise UserError(
                self.env._(
                    "%(invoices)s reached no reminder stage it has not received yet.",
                    invoices=", ".join(self.mapped("name")),
                )
            )
        self._bpo_apply_stages(stages_due, fields.Date.context_today(self))
        return True

    def action_bpo_skip_stage(self):
        """Skip the next reminder stage of these invoices: it is recorded as done, without
        email, fee or suspension, and the run goes on with the stages after it."""
        today = fields.Date.context_today(self)
        lines_vals = []
        for move in self:
            stage = move._bpo_next_stage()
            if not stage:
                raise UserError(
                    self.env._("%(invoice)s has no reminder stage left to skip.", invoice=move.name)
                )
            lines_vals.append(
                {
                    "move_id": move.id,
                    "stage_id": stage.id,
                    "partner_id": move.commercial_partner_id.id,
                    "date": today,
                    "days_late": (today - move.invoice_date_due).days,
                    "open_amount": move.amount_residual,
                    "skipped": True,
                }
            )
            move.write({"bpo_dunning_stage_id": stage.id})
            move.message_post(
                body=self.env._("Reminder stage %(stage)s skipped.", stage=stage.name)
            )
        self.env["bpo.dunning.line"].sudo().create(lines_vals)
        return True

    def _bpo_next_stage(self):
        """The first stage of the invoice's policy after its current one, if any."""
        self.ensure_one()
        policy = self.bpo_agreement_id.dunning_policy_id or self.company_id.bpo_dunning_policy_id
        current_offset = self.bpo_dunning_stage_id.offset_days
        later = policy.stage_ids.filtered(
            lambda stage: not self.bpo_dunning_stage_id or stage.offset_days > current_offset
        )
        return later[:1]

    @api.depends("bpo_dispute_ids.state")
    def _compute_bpo_disputed(self):
        for move in self:
            move.bpo_disputed = any(
                dispute.state in OPEN_STATES for dispute in move.bpo_dispute_ids
            )

    def _compute_bpo_dispute_count(self):
        counts = dict(
            self.env["bpo.dispute"]._read_group(
                [("move_id", "in", self.ids)], ["move_id"], ["__count"]
            )
        )
        for move in self:
            move.bpo_dispute_count = counts.get(move, 0)

    def action_bpo_mark_disputed(self):
        """Record the client's dispute: the dispute form for one invoice, prefilled with its
        amount due."""
        self.ensure_one()
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("Dispute of %(invoice)s", invoice=self.name),
            "res_model": "bpo.dispute",
            "view_mode": "form",
            "target": "new",
            "context": {"default_move_id": self.id, "default_amount": self.amount_residual},
        }

    def action_bpo_view_disputes(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id("bpo_billing.action_bpo_dispute")
        action["domain"] = [("move_id", "=", self.id)]
        action["context"] = {"default_move_id": self.id, "default_amount": self.amount_residual}
        return action

    # ------------------------------------------------------------------ select and claim

    @api.model
    def _bpo_claim_due_stages(self, date_ref, limit, excluded, only=None):
        """Lock up to ``limit`` invoices (among ``only`` when given) that reached a stage they
        have not received, with that stage: {invoice: stage}. The highest stage reached
        wins; lower ones skipped since the last run are not sent late."""
        among = SQL("AND m.id = ANY(%s)", only.ids) if only is not None else SQL()
        rows = self.env["bpo.agreement"]._claim_rows(
            SQL(
                """
            SELECT m.id, reached.id
              FROM account_move m
              JOIN res_company company ON company.id = m.company_id
         LEFT JOIN bpo_agreement a ON a.id = m.bpo_agreement_id
              JOIN bpo_dunning_policy policy ON policy.active AND policy.id = COALESCE(
                       a.dunning_policy_id,
                       CASE WHEN a.id IS NULL AND company.bpo_dunning_all_invoices
                            THEN company.bpo_dunning_policy_id END)
              JOIN res_partner client ON client.id = m.commercial_partner_id
              JOIN LATERAL (
                    SELECT stage.id, stage.offset_days FROM bpo_dunning_stage stage
                     WHERE stage.policy_id = policy.id
                       AND m.invoice_date_due + stage.offset_days <= %(date)s
                  ORDER BY stage.offset_days DESC LIMIT 1
                   ) reached ON TRUE
         LEFT JOIN bpo_dunning_stage current_stage ON current_stage.id = m.bpo_dunning_stage_id
             WHERE m.move_type = 'out_invoice' AND m.state = 'posted'
               AND m.bpo_fee_origin_id IS NULL
               AND m.payment_state IN ('not_paid', 'partial')
               AND m.amount_residual_signed >= COALESCE(policy.minimum_amount, 0)
               AND m.amount_residual_signed > 0
               AND NOT COALESCE(m.bpo_disputed, FALSE)
               AND NOT COALESCE(client.bpo_dunning_opt_out, FALSE)
               AND (current_stage.id IS NULL OR reached.offset_days > current_stage.offset_days)
               AND NOT EXISTS (SELECT 1 FROM bpo_dunning_line line
                                WHERE line.move_id = m.id AND line.stage_id = reached.id)
               AND NOT m.id = ANY(%(excluded)s) %(in_companies)s %(among)s
          ORDER BY m.commercial_partner_id, m.id
             LIMIT %(limit)s
               FOR UPDATE OF m SKIP LOCKED""",
                date=date_ref,
                excluded=excluded.ids,
                in_companies=self.env["bpo.agreement"]._in_user_companies("m.company_id"),
                among=among,
                limit=limit,
            )
        )
        stages = self.env["bpo.dunning.stage"].browse({stage_id for _move_id, stage_id in rows})
        stage_by_id = {stage.id: stage for stage in stages}
        return {self.browse(move_id): stage_by_id[stage_id] for move_id, stage_id in rows}

    # ------------------------------------------------------------------ apply

    def _bpo_apply_stages_isolated(self, stages_due, date_ref):
        """Apply the stages in one go, or invoice by invoice when that fails; returns the
        invoices that could not be reminded (left for the next run)."""
        try:
            with self.env.cr.savepoint():
                self._bpo_apply_stages(stages_due, date_ref)
            return self.browse()
        except Exception:  # noqa: BLE001 - the pass below isolates and reports each error
            _logger.info(
                "Reminder batch of %s invoices failed; retrying one by one", len(stages_due)
            )
        failed = self.browse()
        for move, stage in stages_due.items():
            try:
                with self.env.cr.savepoint():
                    self._bpo_apply_stages({move: stage}, date_ref)
            except Exception as error:  # noqa: BLE001 - one invoice never stops the run
                failed |= move
                _logger.warning("Reminder %s of %s failed: %s", stage.name, move.name, error)
                with self.env.cr.savepoint():
                    move.message_post(
                        body=self.env._(
                            "The reminder %(stage)s could not be applied: %(error)s",
                            stage=stage.name,
                            error=error,
                        )
                    )
        return failed

    def _bpo_apply_stages(self, stages_due, date_ref):
        """Apply each invoice's stage: fee, record, email, chatter, activity, suspension."""
        fees = self._bpo_create_fees(stages_due, date_ref)
        lines = self._bpo_create_dunning_lines(stages_due, date_ref, fees)
        self._bpo_send_reminders(lines)
        self._bpo_set_current_stage(stages_due, date_ref)
        self._bpo_log_reminders(lines)
        self._bpo_schedule_activities(lines.filtered("stage_id.create_activity"))
        self._bpo_suspend_agreements(lines.filtered("stage_id.suspend_agreement"))

    def _bpo_interest_start(self):
        """First day not charged with interest yet: the day after the due date, or after
        the last interest charge."""
        self.ensure_one()
        charged = self.bpo_dunning_line_ids.filtered("interest_until")
        last_day = max(charged.mapped("interest_until"), default=self.invoice_date_due)
        return last_day + timedelta(days=1)

    def _bpo_prepare_fee(self, stage, date_ref):
        """(fee amount, last interest day) for this invoice at ``stage``; amount 0 when the
        stage or the agreement charges no fee."""
        self.ensure_one()
        if stage.fee_type == "none" or not self.bpo_agreement_id.late_fees:
            return Decimal(0), False
        interest_until = date_ref if stage.fee_type == "interest" else False
        days = (date_ref - self._bpo_interest_start()).days + 1 if interest_until else 0
        amount = late_fee(
            stage.fee_type,
            stage.fee_amount,
            self.amount_residual,
            max(days, 0),
            Decimal(str(self.currency_id.rounding)),
        )
        return amount, interest_until

    def _bpo_create_fees(self, stages_due, date_ref):
        """One posted fee invoice per overdue invoice whose stage charges a fee:
        {invoice: (fee invoice, last interest day)}."""
        prepared = {
            move: move._bpo_prepare_fee(stage, date_ref) for move, stage in stages_due.items()
        }
        charged = [move for move, (amount, _until) in prepared.items() if amount > 0]
        fee_moves = self.create(
            [
                move._bpo_prepare_fee_invoice(stages_due[move], prepared[move][0], date_ref)
                for move in charged
            ]
        )
        fee_moves.action_post()
        fees = {move: (self.browse(), until) for move, (_amount, until) in prepared.items()}
        fees.update(
            {
                move: (fee_move, prepared[move][1])
                for move, fee_move in zip(charged, fee_moves, strict=True)
            }
        )
        return fees

    def _bpo_prepare_fee_invoice(self, stage, amount, date_ref):
        self.ensure_one()
        return {
            "move_type": "out_invoice",
            "partner_id": self.partner_id.id,
            "company_id": self.company_id.id,
            "currency_id": self.currency_id.id,
            "journal_id": self.journal_id.id,
            "invoice_date": date_ref,
            "invoice_origin": self.name,
            "bpo_agreement_id": self.bpo_agreement_id.id,
            "bpo_fee_origin_id": self.id,
            "invoice_line_ids": [
                Command.create(
                    {
                        "product_id": stage.fee_product_id.id,
                        "name": self.env._(
                            "%(stage)s: late payment of %(invoice)s",
                            stage=stage.name,
                            invoice=self.name,
                        ),
                        "quantity": 1,
                        "price_unit": float(amount),
                    }
                )
            ],
        }

    def _bpo_create_dunning_lines(self, stages_due, date_ref, fees):
        return (
            self.env["bpo.dunning.line"]
            .sudo()
            .create(
                [
                    {
                        "move_id": move.id,
                        "stage_id": stage.id,
                        "partner_id": move.commercial_partner_id.id,
                        "date": date_ref,
                        "days_late": (date_ref - move.invoice_date_due).days,
                        "open_amount": move.amount_residual,
                        "fee_move_id": fees[move][0].id,
                        "interest_until": fees[move][1],
                    }
                    for move, stage in stages_due.items()
                ]
            )
            .sudo(False)
        )

    def _bpo_send_reminders(self, lines):
        """One email per client and stage, listing all their invoices at that stage, with
        each invoice's PDF attached, to the client's contact for invoices."""
        groups = defaultdict(lambda: self.env["bpo.dunning.line"])
        for line in lines.filtered("stage_id.mail_template_id"):
            groups[line.partner_id, line.stage_id] |= line
        if not groups:
            return
        attachments = lines.move_id._bpo_invoice_pdf_attachments()
        for (partner, stage), group in groups.items():
            invoices = group.move_id
            recipient = self.env["res.partner"].browse(partner.address_get(["invoice"])["invoice"])
            mail_id = stage.mail_template_id.with_context(
                bpo_invoice_ids=invoices.ids, bpo_stage_name=stage.name
            ).send_mail(
                partner.id,
                email_values={
                    "recipient_ids": [Command.set(recipient.ids)],
                    "attachment_ids": [
                        Command.set([attachments[invoice].id for invoice in invoices])
                    ],
                },
            )
            group.sudo().mail_id = mail_id

    def _bpo_invoice_pdf_attachments(self):
        """An attachment with each invoice's PDF: the one the client was sent when there is
        one, else rendered as Odoo's own invoice sending does: several invoices of a company
        per report call (one wkhtmltopdf run, split per invoice), as many as the system
        parameter ``account.pdf_generation_batch`` says."""
        sent = self.filtered("invoice_pdf_report_id")
        attachments = {move: move.invoice_pdf_report_id for move in sent}
        report = self.env["ir.actions.report"]
        per_call = int(
            self.env["ir.config_parameter"].sudo().get_param("account.pdf_generation_batch", 80)
        )
        to_render = [
            (company, self.browse(ids))
            for company, moves in (self - sent).grouped("company_id").items()
            for ids in split_every(max(per_call, 1), moves.ids)
        ]
        for company, moves in to_render:
            content, report_type = report.with_company(company)._pre_render_qweb_pdf(
                "account.account_invoices", res_ids=moves.ids
            )
            content_by_id = report._get_splitted_report(
                "account.account_invoices", content, report_type
            )
            created = self.env["ir.attachment"].create(
                [
                    {
                        "name": move._get_invoice_report_filename(),
                        "raw": content_by_id[move.id],
                        "mimetype": "application/pdf",
                        "res_model": "res.partner",
                        "res_id": move.commercial_partner_id.id,
                    }
                    for move in moves
                ]
            )
            attachments.update(zip(moves, created, strict=True))
        return attachments

    def _bpo_set_current_stage(self, stages_due, date_ref):
        by_stage = defaultdict(lambda: self.browse())
        for move, stage in stages_due.items():
            by_stage[stage] |= move
        for stage, moves in by_stage.items():
            moves.write({"bpo_dunning_stage_id": stage.id, "bpo_dunning_date": date_ref})

    def _bpo_log_reminders(self, lines):
        bodies = {}
        for line in lines:
            body = Markup(
                self.env._("Reminder %(stage)s applied, %(days)s days after the due date.")
            ) % {
                "stage": line.stage_id.name,
                "days": line.days_late,
            }
            if line.mail_id:
                body += Markup(" ") + self.env._("Email sent to the client.")
            if line.fee_move_id:
                body += Markup(" ") + Markup(self.env._("Late fee %(amount)s: %(invoice)s.")) % {
                    "amount": format_amount(
                        self.env, line.fee_move_id.amount_total, line.currency_id
                    ),
                    "invoice": line.fee_move_id._get_html_link(),
                }
            bodies[line.move_id.id] = body
        lines.move_id._message_log_batch(bodies=bodies)

    def _bpo_schedule_activities(self, lines):
        for line in lines:
            move = line.move_id
            move.activity_schedule(
                "mail.mail_activity_data_todo",
                summary=self.env._("Overdue: %(stage)s", stage=line.stage_id.name),
                note=self.env._(
                    "%(invoice)s is %(days)s days overdue; call the client.",
                    invoice=move.name,
                    days=line.days_late,
                ),
                user_id=(move.bpo_agreement_id.user_id or move.invoice_user_id or self.env.user).id,
            )

    def _bpo_suspend_agreements(self, lines):
        agreements = lines.move_id.bpo_agreement_id.filtered(
            lambda agreement: agreement.state == "active"
        )
        if not agreements:
            return
        agreements.action_suspend()
        agreements.suspended_by_dunning = True
        overdue = {line.move_id.bpo_agreement_id: line for line in lines}
        for agreement in agreements:
            line = overdue[agreement]
            held = agreement.partner_id._bpo_set_credit_hold(
                self.env._(
                    "%(invoice)s reached the reminder stage %(stage)s.",
                    invoice=line.move_id.name,
                    stage=line.stage_id.name,
                )
            )
            held.bpo_credit_hold_by_dunning = True
        agreements._message_log_batch(
            bodies={
                agreement.id: Markup(
                    self.env._("Suspended by the reminder stage %(stage)s of %(invoice)s.")
                )
                % {
                    "stage": overdue[agreement].stage_id.name,
                    "invoice": overdue[agreement].move_id._get_html_link(),
                }
                for agreement in agreements
            }
        )

    # ------------------------------------------------------------------ payment

    def _invoice_paid_hook(self):
        result = super()._invoice_paid_hook()
        self._bpo_reactivate_agreements()
        return result

    def _bpo_reactivate_agreements(self):
        """Activate again the agreements a reminder suspended, once none of their invoices is
        still open at a suspending stage."""
        agreements = self.bpo_agreement_id.filtered(
            lambda agreement: agreement.state == "suspended" and agreement.suspended_by_dunning
        )
        for agreement in agreements:
            still_overdue = agreement.invoice_ids.filtered(
                lambda move: (
                    move.payment_state in ("not_paid", "partial")
                    and move.bpo_dunning_stage_id.suspend_agreement
                )
            )
            if still_overdue:
                continue
            client = agreement.partner_id.commercial_partner_id
            if client.bpo_credit_hold_by_dunning and not self._bpo_client_still_suspended(client):
                client._bpo_release_credit_hold()
            agreement.action_activate()
            agreement.suspended_by_dunning = False
            agreement.message_post(
                body=Markup(self.env._("Activated again: %(invoices)s paid."))
                % {
                    "invoices": Markup(", ").join(
                        move._get_html_link() for move in self & agreement.invoice_ids
                    ),
                }
            )

    def _bpo_client_still_suspended(self, client):
        """Whether another invoice of the client is still open at a suspending stage."""
        return bool(
            self.search_count(
                [
                    ("commercial_partner_id", "=", client.id),
                    ("move_type", "=", "out_invoice"),
                    ("state", "=", "posted"),
                    ("payment_state", "in", ("not_paid", "partial")),
                    ("bpo_dunning_stage_id.suspend_agreement", "=", True),
                ],
                limit=1,
            )
        )
