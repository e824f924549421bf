"""A group's week of attendance: one bulk POST against one POST per participation. Not a test.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/<scratch db> \\
        nice -n 10 .venv/bin/python bench/attendance_bulk.py [--sizes 10 50 200] [--runs 3]

The script creates a fresh test database beside the one DATABASE_URL names (migrated, as the test
runner does) and drops it when done. For each group size it reports a week for the whole group
through the API in-process (Django's test client, token-less force_authenticate, so the figures
are the view, the service and the database, not HTTP): once as one
`POST /api/v1/participations/attendance/bulk/`, once as one `POST /participations/{id}/attendance/`
per participation, each on a week of its own (all rows new), alternating run by run so that the
machine's changing load hits both alike. It prints the queries and the median time of each, and
as its last line one JSON object.
"""

from __future__ import annotations

import argparse
import datetime
import json
import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.test")

import django  # noqa: E402

django.setup()

from django.db import connection  # noqa: E402
from django.test.utils import CaptureQueriesContext, setup_test_environment  # noqa: E402
from django.utils import timezone  # noqa: E402
from rest_framework.test import APIClient  # noqa: E402

WEEKS_BACK = 20  # at most this many weeks, one per bulk or single round, before this week


def group(size: int):
    from cases.models import Role
    from tests.factories.cases import StaffFactory, UnitFactory
    from tests.factories.insatser import InsatsFactory, ParticipationFactory

    unit = UnitFactory(code=f"bench-{size}")
    staff = StaffFactory(role=Role.INSATS_STAFF, unit=unit, username=f"bench-{size}")
    insats = InsatsFactory(provider_unit=unit)
    start = timezone.localdate() - datetime.timedelta(weeks=WEEKS_BACK + 2)  # every week benched is in the period
    return staff, [ParticipationFactory(insats=insats, start_date=start) for _ in range(size)]


def bulk(client, participations, week) -> None:
    body = {"week_start": week.isoformat(),
            "rows": [{"participation": p.pk, "attended_hours": "31"} for p in participations]}
    response = client.post("/api/v1/participations/attendance/bulk/", body, format="json")
    assert response.status_code == 200, response.content[:500]


def single(client, participations, week) -> None:
    for p in participations:
        response = client.post(f"/api/v1/participations/{p.pk}/attendance/",
                               {"week_start": week.isoformat(), "attended_hours": "31"}, format="json")
        assert response.status_code == 200, response.content[:500]


def timed(call, *args) -> tuple[float, int]:
    with CaptureQueriesContext(connection) as ctx:
        started = time.perf_counter()
        call(*args)
        return time.perf_counter() - started, len(ctx.captured_queries)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", type=int, nargs="+", default=[10, 50, 200])
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    setup_test_environment()
    old_name = connection.settings_dict["NAME"]
    connection.creation.create_test_db(verbosity=0, autoclobber=True)
    results = {}
    try:
        this_monday = timezone.localdate() - datetime.timedelta(days=timezone.localdate().weekday())
        weeks = iter(this_monday - datetime.timedelta(weeks=k) for k in range(1, WEEKS_BACK + 1))
        for size in args.sizes:
            staff, participations = group(size)
            client = APIClient()
            client.force_authenticate(staff)

            if not results:  # warm up (URL resolver, serializers, the first connection) outside the figures
                bulk(client, participations[:1], next(weeks))
            figures = {"bulk": [], "single": []}
            queries = {}
            for _ in range(args.runs):
                for name, call in (("bulk", bulk), ("single", single)):
                    week = next(weeks)
                    seconds, count = timed(call, client, participations, week)
                    figures[name].append(seconds)
                    queries[name] = count
            results[size] = {
                "bulk_s": round(statistics.median(figures["bulk"]), 4),
                "single_s": round(statistics.median(figures["single"]), 4),
                "bulk_queries": queries["bulk"], "single_queries": queries["single"],
            }
            r = results[size]
            print(f"{size:>4} rows: bulk {r['bulk_s'] * 1000:8.1f} ms, {r['bulk_queries']:>5} queries | "
                  f"single POSTs {r['single_s'] * 1000:8.1f} ms, {r['single_queries']:>5} queries | "
                  f"{r['single_s'] / r['bulk_s']:.1f}x")
    finally:
        connection.creation.destroy_test_db(old_name, verbosity=0)
    print(json.dumps({"load_average": os.getloadavg()[0], "runs": args.runs, "sizes": results}))


if __name__ == "__main__":
    main()
