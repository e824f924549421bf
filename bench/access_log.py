"""A year of access-log rows at bulk speed into the monthly partitions (PostgreSQL). Prints figures,
the last line one JSON object; not a test.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/eb_hpart nice -n 10 .venv/bin/python bench/access_log.py --persons 100000

Point DATABASE_URL at a scratch database as a role that owns the tables: the script migrates it
and EMPTIES the access log, the change events and the chain tables first. It writes
`--reads` access-log rows per person over one calendar year (`--year`, by default two years
back, so a month of it is old enough to drop), one INSERT ... SELECT over generate_series per
month through the real triggers (every row linked into the hash chain), times in the order of
the time of day, persons and actions mixed as in the service. Then it reports rows, seconds,
insert rate, the size per million rows (table and indexes, every partition), the partitions, the
time to drop one month through gallring (its chain links kept), and (`--verify`) the time to
verify the whole chain afterwards.
"""

from __future__ import annotations

import argparse
import datetime
import json
import os
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.local")

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django.utils import timezone  # noqa: E402

settings.DEBUG = False

from audit.control.log_retention import access_log_months_purge  # noqa: E402
from audit.recording import chain, partitions  # noqa: E402

# One month's rows: times spread over the month in order (08-17 mostly, as staff work), a person
# drawn per row, a caseworker per 50 persons, reads and lists mostly, the API and the UI.
_MONTH = """
INSERT INTO audit_accesslogentry (occurred_at, actor_id, actor_username, actor_role, action, person_id,
                                  object_type, object_id, channel, ip_address, endpoint, prev_hash, row_hash)
SELECT t, 1000 + p / 50, 'handl' || (p / 50), 'caseworker',
       (ARRAY['read', 'read', 'read', 'list', 'read', 'update', 'search', 'read'])[1 + g %% 8],
       p, (ARRAY['cases.applicant', 'cases.case', 'planning.followup', 'insatser.participation'])[1 + g %% 4],
       p::text, CASE WHEN g %% 3 = 0 THEN 'api' ELSE 'ui' END, ('10.0.' || (p %% 250) || '.' || (g %% 250))::inet,
       (ARRAY['applicant-detail', 'case-detail', 'api:applicant-detail', 'caseload'])[1 + g %% 4], '', ''
FROM (
    SELECT g, 1 + ((g::bigint * 2654435761) %% %(persons)s) AS p,
           %(lo)s::timestamptz + (%(hi)s::timestamptz - %(lo)s::timestamptz) * ((g - 0.5) / %(rows)s)::float8 AS t
    FROM generate_series(1, %(rows)s) g
) s
"""


def _sizes() -> dict:
    with connection.cursor() as cursor:
        cursor.execute(
            """SELECT coalesce(sum(pg_table_size(i.inhrelid)), 0), coalesce(sum(pg_indexes_size(i.inhrelid)), 0)
               FROM pg_inherits i WHERE i.inhparent = 'audit_accesslogentry'::regclass"""
        )
        table, indexes = cursor.fetchone()
    return {"table": int(table), "indexes": int(indexes)}


def _empty() -> None:
    with connection.cursor() as cursor:
        cursor.execute("TRUNCATE audit_accesslogentry, audit_changeevent, audit_purgedchainlink, audit_chainhead")


def _month_bounds(year: int, month: int) -> tuple[datetime.datetime, datetime.datetime]:
    tz = timezone.get_current_timezone()
    lo = datetime.datetime(year, month, 1, tzinfo=tz)
    hi = datetime.datetime(year + month // 12, month % 12 + 1, 1, tzinfo=tz)
    return lo, hi


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--persons", type=int, default=10_000)
    parser.add_argument("--reads", type=int, default=20, help="access-log rows per person and year")
    parser.add_argument("--year", type=int, default=timezone.localdate().year - 2)
    parser.add_argument("--verify", action="store_true", help="verify the whole chain afterwards (timed)")
    args = parser.parse_args()
    if connection.vendor != "postgresql":
        raise SystemExit("PostgreSQL only: the log is partitioned there.")
    call_command("migrate", verbosity=0)
    _empty()
    partitions.ensure(first=datetime.date(args.year, 1, 1), months=12)
    partitions.ensure()
    per_month = args.persons * args.reads // 12
    months = []
    start = time.perf_counter()
    for month in range(1, 13):
        lo, hi = _month_bounds(args.year, month)
        began = time.perf_counter()
        with connection.cursor() as cursor:
            cursor.execute(_MONTH, {"persons": args.persons, "rows": per_month, "lo": lo, "hi": hi})
        seconds = time.perf_counter() - began
        months.append(seconds)
        print(f"{args.year}-{month:02d}: {per_month} rows in {seconds:.1f} s ({per_month / seconds:,.0f} rows/s)", flush=True)
    seconds = time.perf_counter() - start
    rows = per_month * 12
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE audit_accesslogentry")
    sizes = _sizes()
    listing = partitions.listing()
    print(f"{rows} rows in {seconds:.1f} s: {rows / seconds:,.0f} rows/s; table {sizes['table'] / 2**20:.0f} MB, "
          f"indexes {sizes['indexes'] / 2**20:.0f} MB; {len(listing)} partitions", flush=True)

    began = time.perf_counter()
    protocol = access_log_months_purge(before=datetime.date(args.year, 2, 1))
    drop_s = time.perf_counter() - began
    dropped = protocol.counts["audit.accesslogentry"]
    print(f"dropped {args.year}-01 ({dropped} rows, their chain links kept) in {drop_s:.2f} s", flush=True)

    verify = {}
    if args.verify:
        began = time.perf_counter()
        result = chain.verify()
        verify = {"verify_s": round(time.perf_counter() - began, 1), "verify_intact": result.intact,
                  "verify_rows": result.rows_checked}
        print(result.describe(), flush=True)
    per_million = 1e6 / rows / 2**20
    print(json.dumps({
        "persons": args.persons,
        "rows": rows,
        "seconds": round(seconds, 1),
        "rows_per_s": round(rows / seconds),
        "slowest_month_s": round(max(months), 1),
        "mb_per_million_rows": round((sizes["table"] + sizes["indexes"]) * per_million, 1),
        "table_mb_per_million_rows": round(sizes["table"] * per_million, 1),
        "indexes_mb_per_million_rows": round(sizes["indexes"] * per_million, 1),
        "partitions": len(listing),
        "drop_month_rows": dropped,
        "drop_month_s": round(drop_s, 2),
        **verify,
    }))


if __name__ == "__main__":
    main()
