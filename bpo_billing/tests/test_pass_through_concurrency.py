"""Re-billed costs are taken once, with real transactions: a cost another transaction holds
is left for the next period instead of being waited for or taken twice."""

from datetime import date

from odoo import Command
from odoo.tests import tagged

from .common_real import RealTransactionCase


@tagged("post_install", "-at_install")
class TestPassThroughConcurrency(RealTransactionCase):
    agreement_count = 1

    def setUp(self):
        super().setUp()
        with self._environment() as env:
            vendor = env["res.partner"].create({"name": "Race carrier"})
            bill = env["account.move"].create(
                {
                    "move_type": "in_invoice",
                    "company_id": env.ref("base.main_company").id,
                    "partner_id": vendor.id,
                    "ref": "RACE-1",
                    "invoice_date": date(2025, 12, 20),
                    "invoice_line_ids": [
                        Command.create(
                            {
                                "name": "Trunk lines",
                                "price_unit": 250.0,
                                "tax_ids": [Command.clear()],
                                "bpo_rebill_agreement_id": self.agreement_ids[0],
                            }
                        )
                    ],
                }
            )
            bill.action_post()
            self.vendor_id, self.bill_id = vendor.id, bill.id
            self.cost_id = bill.invoice_line_ids.id
        self.addCleanup(self._remove_bill)

    def _remove_bill(self):
        with self._environment() as env:
            bill = env["account.move"].browse(self.bill_id)
            bill.button_draft()
            bill.with_context(force_delete=True).unlink()
            env["res.partner"].browse(self.vendor_id).unlink()

    def _rebilled(self, move):
        return move.invoice_line_ids.filtered(
            lambda line: line.bpo_rebill_source_id.id == self.cost_id
        )

    def test_cost_held_by_another_transaction_waits_for_the_next_period(self):
        with self._environment() as holder:
            # another transaction holds the cost (say, an accountant saving the bill)
            holder.cr.execute(
                "SELECT id FROM account_move_line WHERE id = %s FOR UPDATE", [self.cost_id]
            )
            with self._environment() as worker:
                agreement = worker["bpo.agreement"].browse(self.agreement_ids)
                # billed in advance: January on 1 January, without waiting for the lock
                january = agreement.action_generate_invoices(date(2026, 1, 1))
                self.assertEqual(len(january), 1)
                self.assertFalse(self._rebilled(january))

        with self._environment() as worker:
            agreement = worker["bpo.agreement"].browse(self.agreement_ids)
            february = agreement.action_generate_invoices(date(2026, 2, 1))
            # released: February re-bills it, at cost, 250.00
            self.assertEqual(self._rebilled(february).price_subtotal, 250.00)
            march = agreement.action_generate_invoices(date(2026, 3, 1))
            self.assertFalse(self._rebilled(march))
            cost = worker["account.move.line"].browse(self.cost_id)
            self.assertEqual(cost.bpo_rebilled_line_id.move_id, february)
