"""The reminder run against the floor of a plain search of the overdue invoices.

Builds M open agreement invoices over C clients (default: 10 000 and 100 000 over 2 000),
about half of them overdue at various stages, then times, on a copy of that database:

- ``bpo_billing``: the nightly reminder run (``account.move._bpo_run_dunning``), committing
  each batch: invoices reminded per second, emails queued, queries per batch;
- ``floor: search``: one ``account.move.search`` of the overdue open agreement invoices.

Not part of the test suite; run it with (see benchmarks/README.md):

    python3 benchmarks/bench_dunning.py [--sizes 10000 100000] [--clients 2000]
"""

import argparse
import json
import os
import sys
import time
from datetime import date, timedelta

from bench_generation import (
    PeakMemory,
    copy_database,
    environment,
    measure_in_child,
    release,
    scratch_databases,
    setup_odoo,
)

import odoo
from odoo import Command

RUN_DATE = date(2026, 6, 30)


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n", 1)[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[10000, 100000])
    parser.add_argument("--clients", type=int, default=2000)
    parser.add_argument("--batch-size", type=int, default=500)
    parser.add_argument(
        "--pdf",
        choices=("html", "wkhtmltopdf"),
        default="html",
        help="html: the invoices' report rendered by QWeb only, as in Odoo's test mode; "
        "wkhtmltopdf: real PDFs (about a second per wkhtmltopdf run)",
    )
    parser.add_argument(
        "--pdf-per-run",
        type=int,
        default=80,
        help="invoices per wkhtmltopdf run (account.pdf_generation_batch); 1 for builds "
        "with unpatched Qt, such as Debian's, which cannot merge documents",
    )
    parser.add_argument(
        "--work-dir",
        default=os.environ.get("BPO_WORK_DIR", os.path.expanduser("~/.cache/bpo_billing")),
    )
    parser.add_argument("--measure", choices=("ours", "search"), help=argparse.SUPPRESS)
    parser.add_argument("--db", help=argparse.SUPPRESS)
    return parser.parse_args()


def build_open_invoices(env, count, clients):
    """``count`` posted agreement invoices, one agreement per client, spread over due dates
    from 60 days before ``RUN_DATE`` to 60 days after it: about half overdue."""
    company = env.company
    if not company.chart_template:
        env["account.chart.template"].try_loading("generic_coa", company, install_demo=False)
    policy = env.ref("bpo_billing.dunning_policy_standard")
    service = env["product.product"].create(
        {
            "name": "Retainer",
            "type": "service",
            "bpo_billing_model": "fixed",
            "taxes_id": [Command.clear()],
        }
    )
    partners = env["res.partner"].create(
        [
            {"name": f"Client {index:05d}", "email": f"ap{index}@client.example.com"}
            for index in range(clients)
        ]
    )
    agreements = env["bpo.agreement"].create(
        [
            {
                "partner_id": partner.id,
                "date_start": date(2026, 1, 1),
                "dunning_policy_id": policy.id,
                "line_ids": [Command.create({"product_id": service.id, "price_unit": 1000.0})],
            }
            for partner in partners
        ]
    )
    agreements.action_activate()
    journal = agreements[:1].journal_id
    for start in range(0, count, 1000):
        moves = (
            env["account.move"]
            .with_context(tracking_disable=True)
            .create(
                [
                    {
                        "move_type": "out_invoice",
                        "partner_id": agreements[index % clients].partner_id.id,
                        "journal_id": journal.id,
                        "invoice_date": RUN_DATE - timedelta(days=60),
                        "invoice_date_due": RUN_DATE - timedelta(days=60 - index % 121),
                        "bpo_agreement_id": agreements[index % clients].id,
                        "invoice_line_ids": [
                            Command.create(
                                {"product_id": service.id, "price_unit": 100.0 + index % 50}
                            )
                        ],
                    }
                    for index in range(start, min(start + 1000, count))
                ]
            )
        )
        moves.action_post()
        env.cr.commit()
        env.invalidate_all()


def measure(args):
    with environment(args.db) as env:
        if args.pdf == "html":  # set once the registry is loaded, or it would run tests
            odoo.tools.config["test_enable"] = True  # QWeb HTML instead of wkhtmltopdf
        env["ir.config_parameter"].set_param("account.pdf_generation_batch", args.pdf_per_run)
        env.cr.commit()
        queries_before = env.cr.sql_log_count
        with PeakMemory() as memory:
            started = time.perf_counter()
            if args.measure == "ours":
                cron = env.ref("bpo_billing.ir_cron_bpo_run_dunning")
                moves = env["account.move"].with_context(cron_id=cron.id)
                reminded = moves._bpo_run_dunning(RUN_DATE, batch_size=args.batch_size)
            else:
                reminded = env["account.move"].search_count(
                    [
                        ("move_type", "=", "out_invoice"),
                        ("state", "=", "posted"),
                        ("payment_state", "in", ("not_paid", "partial")),
                        ("bpo_agreement_id", "!=", False),
                        ("invoice_date_due", "<", RUN_DATE),
                    ]
                )
            seconds = time.perf_counter() - started
        queries = env.cr.sql_log_count - queries_before
        env.cr.execute("SELECT COUNT(*) FROM mail_mail")
        emails = env.cr.fetchone()[0]
    batches = max(1, -(-reminded // args.batch_size))
    print(
        json.dumps(
            {
                "run": f"bpo_billing ({args.pdf})" if args.measure == "ours" else "floor: search",
                "invoices": reminded,
                "seconds": seconds,
                "per_second": reminded / seconds if seconds else 0.0,
                "emails": emails,
                "queries_per_batch": queries / batches,
                "peak_mib": memory.added_mib,
            }
        )
    )


def main():
    args = parse_args()
    setup_odoo(args.work_dir)
    if args.measure:
        return measure(args)
    with scratch_databases("bpo_bench_dunning_base", args.work_dir) as created:
        for count in args.sizes:
            book = f"bpo_bench_dunning_{count}"
            copy_database(created[0], book)
            created.append(book)
            with environment(book) as env:
                build_open_invoices(env, count, min(args.clients, count))
            release(book)
            options = ["--pdf", args.pdf, "--pdf-per-run", str(args.pdf_per_run)]
            rows = [
                measure_in_child(__file__, run, book, args, options) for run in ("search", "ours")
            ]
            print_rows(count, min(args.clients, count), rows)
            sys.stdout.flush()
            release(book)


def print_rows(count, clients, rows):
    print(f"\nM = {count} open invoices, {clients} clients")
    print(
        f"{'run':<26}{'invoices':>9}{'seconds':>9}{'inv/s':>9}{'emails':>8}"
        f"{'queries/batch':>15}{'peak MiB':>10}"
    )
    for row in rows:
        print(
            f"{row['run']:<26}{row['invoices']:>9}{row['seconds']:>9.1f}"
            f"{row['per_second']:>9.1f}{row['emails']:>8}"
            f"{row['queries_per_batch']:>15.1f}{row['peak_mib']:>10.1f}"
        )


if __name__ == "__main__":
    main()
