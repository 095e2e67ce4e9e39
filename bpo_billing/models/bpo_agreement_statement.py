"""Monthly statements of account by email, for the clients whose agreement asks for one:

claim the opted-in agreements not served this month (row locks) -> one email per client and
company with the statement PDF -> mark the agreements served -> commit per batch.
"""

from dateutil.relativedelta import relativedelta

from odoo import api, fields, models
from odoo.tools import SQL

DEFAULT_STATEMENT_BATCH_SIZE = 200


# one file per pipeline, as for the generation in bpo_agreement_billing.py
class BpoAgreement(models.Model):
    _inherit = "bpo.agreement"  # pylint: disable=consider-merging-classes-inherited

    send_statement = fields.Boolean(
        string="Monthly Statement by Email",
        tracking=True,
        help="Early each month, the client's contact for invoices receives a statement of "
        "account (open invoices and their ageing) as a PDF.",
    )
    statement_date = fields.Date(
        string="Last Statement Sent",
        readonly=True,
        copy=False,
        help="The day the last monthly statement was sent for this agreement's client.",
    )

    @api.model
    def _cron_send_statements(self, date_ref=None, batch_size=DEFAULT_STATEMENT_BATCH_SIZE):
        """Send this month's statements not sent yet; returns the number of emails queued.
        Safe to run twice in a month and on several workers at once."""
        date_ref = date_ref or fields.Date.context_today(self)
        sent = 0
        while agreements := self._claim_statements_due(date_ref, batch_size):
            sent += agreements._send_statements(date_ref)
            self.env["ir.cron"]._notify_progress(done=sent, remaining=0)
            self._commit_if_scheduled()
        return sent

    @api.model
    def _claim_statements_due(self, date_ref, limit):
        """Lock the due agreements of the clients of up to ``limit`` opted-in agreements
        whose client has had no statement since the first day of ``date_ref``'s month,
        skipping those another worker holds. Only clients whose due agreements are all
        locked here are returned: a client split between two workers waits for the next
        run rather than get two statements."""
        first_rows = self._claim_rows(
            SQL(
                """WITH due AS (%(due)s)
                SELECT agreement.id, due.client_id FROM bpo_agreement agreement
                JOIN due ON due.id = agreement.id
                ORDER BY due.client_id, agreement.id LIMIT %(limit)s
                FOR UPDATE OF agreement SKIP LOCKED""",
                due=self._statements_due_query(date_ref),
                limit=limit,
            )
        )
        clients = list({client_id for _agreement_id, client_id in first_rows})
        # the clients' other due agreements; our own locks do not block us
        self.env.cr.execute(
            SQL(
                """WITH due AS (%(due)s), locked AS (
                    SELECT agreement.id FROM bpo_agreement agreement
                    JOIN due ON due.id = agreement.id
                    FOR UPDATE OF agreement SKIP LOCKED
                )
                SELECT array_agg(due.id) FROM due LEFT JOIN locked ON locked.id = due.id
                GROUP BY due.client_id HAVING bool_and(locked.id IS NOT NULL)""",
                due=self._statements_due_query(date_ref, clients),
            )
        )
        return self.browse(
            agreement_id for (ids,) in self.env.cr.fetchall() for agreement_id in ids
        )

    @api.model
    def _statements_due_query(self, date_ref, clients=None):
        """The opted-in agreements not served since the first day of ``date_ref``'s month,
        with their client (commercial partner); only those of ``clients`` when given."""
        return SQL(
            """SELECT agreement.id, client.commercial_partner_id AS client_id
            FROM bpo_agreement agreement
            JOIN res_partner client ON client.id = agreement.partner_id
            WHERE agreement.send_statement
              AND agreement.state IN ('active', 'suspended')
              AND (agreement.statement_date IS NULL OR agreement.statement_date < %(month_start)s)
              %(in_companies)s %(among_clients)s""",
            month_start=date_ref + relativedelta(day=1),
            in_companies=self._in_user_companies("agreement.company_id"),
            among_clients=SQL("AND client.commercial_partner_id = ANY(%s)", clients)
            if clients is not None
            else SQL(),
        )

    def _send_statements(self, date_ref):
        """One statement per client and company, when the client owes something."""
        template = self.env.ref("bpo_billing.mail_template_statement")
        sent = 0
        for (company, client), agreements in self.grouped(
            lambda agreement: (agreement.company_id, agreement.partner_id.commercial_partner_id)
        ).items():
            statement_env = client.with_company(company).with_context(bpo_statement_date=date_ref)
            if statement_env._bpo_statement(date_ref)["total"]:
                recipient = client.address_get(["invoice"])["invoice"]
                template.with_company(company).with_context(bpo_statement_date=date_ref).send_mail(
                    client.id, email_values={"recipient_ids": [(6, 0, [recipient])]}
                )
                client.message_post(
                    body=self.env._(
                        "Monthly statement of account sent (%(agreements)s).",
                        agreements=", ".join(agreements.mapped("name")),
                    )
                )
                sent += 1
        self.write({"statement_date": date_ref})
        return sent
