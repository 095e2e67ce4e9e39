"""Invoice generation against Odoo's own floor, on the same data.

For each N, one database holds N active agreements (a mix of fixed fees, seats and metered
usage with graduated tiers and allowances) and their usage. It is copied three times:

- ``bpo_billing``: the nightly cron entry, batch after batch, committing each batch;
- ``floor, same batches``: the same invoices (same partners, lines, taxes, journal) built in
  advance, then created the fastest way plain Odoo can: one
  ``account.move.with_context(tracking_disable=True).create(vals_list)`` + ``action_post()``
  per batch of the same size, committed per batch;
- ``floor, one call``: the same, all N invoices in one create and one post.

Each run reports seconds, invoices per second, queries per invoice and the peak resident
memory it added. Not part of the test suite; run it with (see benchmarks/README.md):

    python3 benchmarks/bench_generation.py [--sizes 100 1000 10000] [--batch-size 100]
"""

import argparse
import json
import os
import subprocess
import sys
import threading
import time
from contextlib import contextmanager
from datetime import date

import psutil

import odoo
from odoo import SUPERUSER_ID, Command, api, sql_db
from odoo.modules.registry import Registry
from odoo.tools import config

RUNS = ("ours", "batched", "single")
REPO_ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
BILLING_DATE = date(2026, 2, 1)  # every agreement bills January, in arrears: one invoice each


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n", 1)[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[100, 1000, 10000])
    parser.add_argument("--batch-size", type=int, default=100)
    parser.add_argument(
        "--work-dir",
        default=os.environ.get("BPO_WORK_DIR", os.path.expanduser("~/.cache/bpo_billing")),
    )
    parser.add_argument("--keep", action="store_true", help="keep the benchmark databases")
    parser.add_argument("--measure", choices=RUNS, help=argparse.SUPPRESS)
    parser.add_argument("--db", help=argparse.SUPPRESS)
    return parser.parse_args()


def setup_odoo(work_dir):
    os.makedirs(work_dir, exist_ok=True)
    config.parse_config(
        [
            f"--addons-path={REPO_ROOT}",
            f"--data-dir={os.path.join(work_dir, 'data')}",
            "--log-level=warn",
            "--without-demo=all",
        ]
    )
    odoo.service.server.load_server_wide_modules()


def run_odoo(*args):
    subprocess.run(
        [sys.executable, "-c", "import odoo.cli; odoo.cli.main()", *args],
        check=True,
        stdout=subprocess.DEVNULL,
    )


def create_database(name, work_dir):
    """A database with bpo_billing and a chart of accounts, without demo data."""
    subprocess.run(["dropdb", "--if-exists", name], check=True)
    run_odoo(
        "--addons-path",
        REPO_ROOT,
        "--data-dir",
        os.path.join(work_dir, "data"),
        "-d",
        name,
        "-i",
        "bpo_billing",
        "--without-demo=all",
        "--stop-after-init",
        "--log-level=warn",
    )


def copy_database(template, name):
    subprocess.run(["dropdb", "--if-exists", name], check=True)
    subprocess.run(["createdb", "-T", template, name], check=True)


def release(dbname):
    """Drop the registry and the pooled connections of a database, so it can be copied."""
    Registry.delete(dbname)
    sql_db.close_db(dbname)


@contextmanager
def environment(dbname, context=None):
    registry = Registry(dbname)
    with registry.cursor() as cr:
        yield api.Environment(cr, SUPERUSER_ID, context or {})


def build_book(env, count):
    """``count`` active agreements over count / 5 clients, a third of each kind."""
    company = env.company
    if not company.chart_template:
        env["account.chart.template"].try_loading("generic_coa", company, install_demo=False)
    tax = env["account.tax"].create({"name": "Bench 15%", "amount": 15.0, "type_tax_use": "sale"})
    products = env["product.product"].create(
        [
            {
                "name": name,
                "type": "service",
                "lst_price": price,
                "bpo_billing_model": model,
                "taxes_id": [Command.set(tax.ids)],
            }
            for name, model, price in [
                ("Retainer", "fixed", 8000.0),
                ("Agent FTE", "seat", 3200.0),
                ("Handled minute", "usage", 0.85),
            ]
        ]
    )
    retainer, agent, minute = products
    clients = env["res.partner"].create(
        [{"name": f"Client {index:05d}", "is_company": True} for index in range(max(count // 5, 1))]
    )
    tiers = [
        Command.create({"sequence": 1, "from_quantity": 0, "price_unit": 0.85}),
        Command.create({"sequence": 2, "from_quantity": 50000, "price_unit": 0.75}),
        Command.create({"sequence": 3, "from_quantity": 100000, "price_unit": 0.65}),
    ]
    kinds = [
        [
            {"product_id": retainer.id, "price_unit": 8000.0},
            {"product_id": agent.id, "quantity": 12, "price_unit": 3200.0},
        ],
        [
            {"product_id": agent.id, "quantity": 4, "price_unit": 3100.0},
            {
                "product_id": minute.id,
                "price_unit": 0.85,
                "tier_mode": "graduated",
                "tier_ids": tiers,
                "minimum_amount": 20000.0,
            },
        ],
        [
            {"product_id": retainer.id, "price_unit": 5000.0},
            {"product_id": minute.id, "price_unit": 18.0, "included_quantity": 500},
        ],
    ]
    for start in range(0, count, 1000):
        chunk = range(start, min(start + 1000, count))
        agreements = env["bpo.agreement"].create(
            [
                {
                    "partner_id": clients[index % len(clients)].id,
                    "date_start": date(2026, 1, 1),
                    "billing_timing": "arrears",
                    "line_ids": [Command.create(dict(line)) for line in kinds[index % 3]],
                }
                for index in chunk
            ]
        )
        agreements.action_activate()
        usage_lines = agreements.line_ids.filtered(lambda line: line.billing_model == "usage")
        env["bpo.usage"].create(
            [
                {
                    "agreement_line_id": line.id,
                    "date": date(2026, 1, 20),
                    "quantity": 40000 + (line.id * 7919) % 90000,
                    "external_ref": f"U-{line.id}",
                }
                for line in usage_lines
            ]
        )
        env.cr.commit()
        env.invalidate_all()


class PeakMemory:
    """Peak resident memory added while the block runs, sampled every 20 ms."""

    def __init__(self):
        self.process = psutil.Process()
        self.peak = 0
        self.running = False

    def __enter__(self):
        self.baseline = self.process.memory_info().rss
        self.peak = self.baseline
        self.running = True
        self.thread = threading.Thread(target=self._sample, daemon=True)
        self.thread.start()
        return self

    def _sample(self):
        while self.running:
            self.peak = max(self.peak, self.process.memory_info().rss)
            time.sleep(0.02)

    def __exit__(self, *_args):
        self.running = False
        self.thread.join()

    @property
    def added_mib(self):
        return (self.peak - self.baseline) / 2**20


def measure_in_child(script, run, dbname, args, options=()):
    """One measurement, ``script --measure run [options]``, in a fresh process so that its
    peak memory is its own; the child prints its result row as JSON on its last line."""
    command = [sys.executable, os.path.abspath(script), "--measure", run, "--db", dbname]
    command += ["--batch-size", str(args.batch_size), "--work-dir", args.work_dir, *options]
    child = subprocess.run(command, check=False, capture_output=True, text=True)
    if child.returncode:
        sys.exit(f"{' '.join(command)} failed:\n{child.stderr[-3000:]}")
    return json.loads(child.stdout.strip().splitlines()[-1])


@contextmanager
def scratch_databases(base, work_dir, keep=False):
    """Create ``base`` (bpo_billing, no demo data) and yield the list of the benchmark's
    databases, ``base`` first; every database in it is dropped on exit unless ``keep``."""
    print("Creating the benchmark database (bpo_billing, no demo data)…", flush=True)
    create_database(base, work_dir)
    created = [base]
    try:
        yield created
    finally:
        for name in created:
            release(name)
            if not keep:
                subprocess.run(["dropdb", "--if-exists", name], check=False)


def measure(label, dbname, work):
    """Run ``work(env)`` → number of invoices; return a result row."""
    with environment(dbname) as env:
        env.cr.commit()
        queries_before = env.cr.sql_log_count
        with PeakMemory() as memory:
            started = time.perf_counter()
            invoices = work(env)
            seconds = time.perf_counter() - started
        queries = env.cr.sql_log_count - queries_before
    return {
        "run": label,
        "invoices": invoices,
        "seconds": seconds,
        "per_second": invoices / seconds if seconds else 0.0,
        "queries_per_invoice": queries / invoices if invoices else 0.0,
        "peak_mib": memory.added_mib,
    }


def generate_with_bpo_billing(batch_size):
    def work(env):
        cron = env.ref("bpo_billing.ir_cron_bpo_generate_invoices")
        agreements = env["bpo.agreement"].with_context(cron_id=cron.id)
        agreements._cron_generate_invoices(BILLING_DATE, batch_size=batch_size)
        env.cr.execute("SELECT COUNT(*) FROM account_move WHERE bpo_agreement_id IS NOT NULL")
        return env.cr.fetchone()[0]

    return work


def prepare_floor_values(dbname):
    """The values of the invoices bpo_billing would create, computed (not timed) with its
    own pricing, as plain ``account.move`` values without any bpo_billing field."""
    with environment(dbname) as env:
        agreements = env["bpo.agreement"].search([("state", "=", "active")], order="id")
        values = []
        for agreement in agreements:
            span = agreement._next_span()
            usage_span = agreement._usage_span(span)
            usage = agreement._get_unbilled_usage(usage_span[1]) if usage_span else {}
            lines = agreement._prepare_invoice_lines(span, usage, set())
            values.append(
                {
                    "move_type": "out_invoice",
                    "partner_id": agreement.partner_id.id,
                    "journal_id": agreement.journal_id.id,
                    "invoice_date": BILLING_DATE,
                    "invoice_payment_term_id": agreement.payment_term_id.id,
                    "invoice_line_ids": [
                        Command.create(
                            {
                                key: value
                                for key, value in line.items()
                                if not key.startswith("bpo_")
                            }
                        )
                        for line in lines
                    ],
                }
            )
            env.invalidate_all()
        return values


def create_with_odoo(values, batch_size):
    def work(env):
        moves = env["account.move"].with_context(tracking_disable=True)
        for start in range(0, len(values), batch_size):
            moves.create(values[start : start + batch_size]).action_post()
            env.cr.commit()
            env.invalidate_all()
        return len(values)

    return work


def print_rows(count, rows):
    print(f"\nN = {count}")
    print(
        f"{'run':<24}{'invoices':>9}{'seconds':>10}{'inv/s':>9}{'queries/inv':>13}{'peak MiB':>10}"
    )
    for row in rows:
        print(
            f"{row['run']:<24}{row['invoices']:>9}{row['seconds']:>10.1f}{row['per_second']:>9.1f}"
            f"{row['queries_per_invoice']:>13.1f}{row['peak_mib']:>10.1f}"
        )
    ours, floor = rows[0], rows[1]
    print(
        f"bpo_billing takes {ours['seconds'] / floor['seconds']:.2f}x the time and "
        f"{ours['queries_per_invoice'] / floor['queries_per_invoice']:.2f}x the queries per "
        "invoice of the same-batch floor"
    )


def measure_one(args):
    """The child side of measure_in_child: print one result row as JSON."""
    if args.measure == "ours":
        row = measure("bpo_billing", args.db, generate_with_bpo_billing(args.batch_size))
    else:
        values = prepare_floor_values(args.db)
        batch_size = args.batch_size if args.measure == "batched" else len(values)
        label = "floor, same batches" if args.measure == "batched" else "floor, one call"
        row = measure(label, args.db, create_with_odoo(values, batch_size))
    print(json.dumps(row))


def main():
    args = parse_args()
    setup_odoo(args.work_dir)
    if args.measure:
        return measure_one(args)
    with scratch_databases("bpo_bench_base", args.work_dir, args.keep) as created:
        for count in args.sizes:
            book = f"bpo_bench_{count}"
            copy_database(created[0], book)
            created.append(book)
            with environment(book) as env:
                build_book(env, count)
            release(book)
            runs = {name: f"{book}_{name}" for name in RUNS}
            for name in runs.values():
                copy_database(book, name)
                created.append(name)
            rows = [measure_in_child(__file__, name, dbname, args) for name, dbname in runs.items()]
            print_rows(count, rows)
            sys.stdout.flush()
            for name in [book, *runs.values()]:
                release(name)


if __name__ == "__main__":
    main()
