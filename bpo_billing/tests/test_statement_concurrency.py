"""Monthly statements on two workers at once: no client gets two statements, on real
transactions."""

from datetime import date

from odoo.tests import tagged

from .common_real import RACE_DATE, RealTransactionCase

STATEMENT_DATE = date(2026, 2, 1)


@tagged("post_install", "-at_install")
class TestStatementConcurrency(RealTransactionCase):
    def setUp(self):
        self.statement_client_ids = []
        self.addCleanup(self._remove_statement_clients)  # runs last, once no invoice is left
        super().setUp()
        with self._environment() as env:
            agreements = env["bpo.agreement"].browse(self.agreement_ids)
            # two agreements per client: a client is claimed whole or not at all
            clients = env["res.partner"].create(
                [
                    {"name": f"Statement client {index}", "email": f"ap{index}@example.com"}
                    for index in range(len(agreements) // 2)
                ]
            )
            self.statement_client_ids = clients.ids
            for index, agreement in enumerate(agreements):
                agreement.write({"partner_id": clients[index // 2].id, "send_statement": True})
            agreements.action_generate_invoices(RACE_DATE)

    def _remove_statement_clients(self):
        with self._environment() as env:
            env["mail.mail"].search(
                [("model", "=", "res.partner"), ("res_id", "in", self.statement_client_ids)]
            ).unlink()
            env["res.partner"].browse(self.statement_client_ids).unlink()

    def test_two_workers_at_once_send_each_client_one_statement(self):
        sent = self._race(
            "bpo_billing.ir_cron_bpo_send_statements",
            lambda env: env["bpo.agreement"]._cron_send_statements(
                STATEMENT_DATE, batch_size=self.batch_size
            ),
        )
        with self._environment() as env:
            # a client whose agreements were split between the workers is left to the
            # next run; that run sends the rest, and nobody gets a second one
            sent_later = env["bpo.agreement"]._cron_send_statements(STATEMENT_DATE)
            mails = env["mail.mail"].search(
                [("model", "=", "res.partner"), ("res_id", "in", self.statement_client_ids)]
            )
            self.assertEqual(sent[0] + sent[1] + sent_later, len(self.statement_client_ids))
            self.assertEqual(sorted(mails.mapped("res_id")), sorted(self.statement_client_ids))

    def test_a_client_partly_held_by_another_worker_waits_for_the_next_run(self):
        with self._environment() as holder:
            held = holder["bpo.agreement"].browse(self.agreement_ids[0])
            held_client_id = held.partner_id.id
            # another worker holds one of the first client's two agreements
            holder.cr.execute("SELECT id FROM bpo_agreement WHERE id = %s FOR UPDATE", [held.id])
            with self._environment() as env:
                claimed = env["bpo.agreement"]._claim_statements_due(STATEMENT_DATE, 100)
                # the demo database may have opted-in clients of its own
                claimed_clients = set(claimed.partner_id.ids) & set(self.statement_client_ids)
        self.assertNotIn(held_client_id, claimed_clients)
        self.assertEqual(claimed_clients, set(self.statement_client_ids) - {held_client_id})
