"""Cost of the hash chain per write (PostgreSQL). Prints figures, the last line one JSON object; not a test.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/eb_bench .venv/bin/python bench/hash_chain.py

Point DATABASE_URL at a scratch database as a role that owns the tables (the script migrates it
and switches the chain triggers off and on to compare). It times, with and without the chain:
  1. single writes: one `record_access` of one row per transaction (a page that shows one person),
  2. bulk writes: one `record_changes` of `--bulk` objects (change events + access rows, two INSERTs),
  3. concurrent single writes from `--threads` threads (they queue for the chain head),
and then verifies the whole chain (rows per second).
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.local")

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection, connections, transaction  # noqa: E402

settings.DEBUG = False

from audit.recording import chain  # noqa: E402
from audit.recording.log import Change, record_access, record_changes  # noqa: E402
from cases.models import Role, Staff  # noqa: E402  (an administrator: the one role without a unit)


def _triggers(enabled: bool) -> None:
    with connection.cursor() as cursor:
        for table in chain.LOG_TABLES:
            for trigger in (f"{table}_chain_begin", f"{table}_chain", f"{table}_chain_head"):
                cursor.execute(f"ALTER TABLE {table} {'ENABLE' if enabled else 'DISABLE'} TRIGGER {trigger}")


def _single(actor, n: int) -> float:
    """Microseconds per single-row write, each in its own transaction."""
    start = time.perf_counter()
    for i in range(n):
        with transaction.atomic():
            record_access(actor=actor, action="read", object_type="cases.applicant", subjects=[(i, i)])
    return (time.perf_counter() - start) / n * 1e6


def _bulk(actor, size: int, rounds: int) -> float:
    """Microseconds per row of a bulk write (size change events + size access rows per call)."""
    start = time.perf_counter()
    for _ in range(rounds):
        with transaction.atomic():
            record_changes(
                actor=actor, action="bench.update",
                changes=[Change(actor, [i], {"city": "A"}, {"city": "B"}) for i in range(size)],
            )
    return (time.perf_counter() - start) / (rounds * size * 2) * 1e6


def _concurrent(actor, threads: int, per_thread: int) -> float:
    """Writes per second from several threads at once."""
    def work():
        try:
            _single(actor, per_thread)
        finally:
            connections.close_all()

    pool = [threading.Thread(target=work) for _ in range(threads)]
    start = time.perf_counter()
    for t in pool:
        t.start()
    for t in pool:
        t.join()
    return threads * per_thread / (time.perf_counter() - start)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--single", type=int, default=2000)
    parser.add_argument("--bulk", type=int, default=500)
    parser.add_argument("--rounds", type=int, default=10)
    parser.add_argument("--threads", type=int, default=4)
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args()
    if connection.vendor != "postgresql":
        raise SystemExit("PostgreSQL only: the chain is built by triggers.")
    call_command("migrate", verbosity=0)
    actor, _ = Staff.objects.get_or_create(username="bench-chain", defaults={"role": Role.ADMINISTRATOR})

    figures = {}
    for label, enabled in (("without_chain", False), ("with_chain", True)):
        _triggers(enabled)
        _single(actor, 200)  # warm up
        singles = [_single(actor, args.single) for _ in range(args.repeats)]
        bulks = [_bulk(actor, args.bulk, args.rounds) for _ in range(args.repeats)]
        figures[label] = {
            "single_write_us": round(statistics.median(singles), 1),
            "bulk_row_us": round(statistics.median(bulks), 2),
            "concurrent_writes_per_s": round(_concurrent(actor, args.threads, args.single // args.threads)),
        }
        print(label, figures[label], flush=True)
    _triggers(True)
    # The rows written with the chain off have no place in it; verify only what the chain covers.
    with connection.cursor() as cursor:
        _triggers(False)
        for table in chain.LOG_TABLES:
            cursor.execute(f"ALTER TABLE {table} DISABLE TRIGGER {table}_append_only")
            cursor.execute(f"DELETE FROM {table} WHERE chain_seq IS NULL")
            cursor.execute(f"ALTER TABLE {table} ENABLE TRIGGER {table}_append_only")
        _triggers(True)
    start = time.perf_counter()
    result = chain.verify()
    seconds = time.perf_counter() - start
    on, off = figures["with_chain"], figures["without_chain"]
    summary = {
        "single_write_us_with_chain": on["single_write_us"],
        "single_write_us_without_chain": off["single_write_us"],
        "chain_cost_per_single_write_us": round(on["single_write_us"] - off["single_write_us"], 1),
        "bulk_row_us_with_chain": on["bulk_row_us"],
        "bulk_row_us_without_chain": off["bulk_row_us"],
        "chain_cost_per_bulk_row_us": round(on["bulk_row_us"] - off["bulk_row_us"], 2),
        "concurrent_writes_per_s_with_chain": on["concurrent_writes_per_s"],
        "concurrent_writes_per_s_without_chain": off["concurrent_writes_per_s"],
        "threads": args.threads,
        "verify_rows": result.rows_checked,
        "verify_intact": result.intact,
        "verify_rows_per_s": round(result.rows_checked / seconds) if seconds else None,
    }
    print(json.dumps(summary))


if __name__ == "__main__":
    main()
