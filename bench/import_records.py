"""Benchmark of the import from a previous system. Prints figures; not a test.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/eb_bench \
        .venv/bin/python bench/import_records.py --persons 100000 --fresh

Generates a JSON Lines file of N persons with their households (member periods, children),
cases (about a third closed), support barriers, coordinator assignments, plans (a third without
sub-goals or a named responsible, as the auditors found them) with follow-ups, decisions with
execution events and participations; then imports it with `import_records` (the same code as
`manage.py import_records`) and imports it again (nothing new: the idempotent re-run).
The last line is one JSON object: persons, records, import_s, records_per_s, peak_rss_mb, ...

`--fresh` empties the database first (DROP SCHEMA public on PostgreSQL) and migrates it: point
DATABASE_URL at a scratch database.
"""

from __future__ import annotations

import argparse
import datetime
import json
import os
import random
import resource
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.local")

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from stdnum import luhn  # noqa: E402

settings.DEBUG = False  # no query log kept in memory

from audit.control.importing.runner import DEFAULT_BATCH_SIZE, import_records  # noqa: E402
from audit.recording.context import channel_context  # noqa: E402
from cases.models import Role, Staff, Unit  # noqa: E402
from insatser.models import Insats, InsatsType, Track  # noqa: E402

BARRIERS = ["arbetslos-ingen-ersattning", "arbetslos-otillracklig-ersattning", "sjukskriven-ingen-sjukpenning",
            "arbetshinder-sociala-skal", "foraldraledig-otillracklig"]
CLOSING = ["work", "studies", "moved", "other_benefit", "no_application"]
START = datetime.date(2021, 1, 1)


def pnr(index: int) -> str:
    """A unique valid personnummer per index: birth date from index // 800, serial 100-899."""
    birth = datetime.date(1960, 1, 1) + datetime.timedelta(days=index // 800)
    serial = 100 + index % 800
    base = f"{birth:%y%m%d}{serial:03d}"
    return f"{birth:%Y%m%d}{serial:03d}{luhn.calc_check_digit(base)}"


def day(offset: int) -> str:
    return (START + datetime.timedelta(days=offset)).isoformat()


def generate(path: Path, persons: int, seed: int) -> int:
    """Write the file; returns the number of records. Streams: nothing is kept per person."""
    rng = random.Random(seed)
    records = 0
    with path.open("w", encoding="utf-8") as out:
        def put(record: dict) -> None:
            nonlocal records
            out.write(json.dumps(record, ensure_ascii=False) + "\n")
            records += 1

        i = 0
        while i < persons:
            adults = [i] if rng.random() < 0.7 or i + 1 >= persons else [i, i + 1]
            i += len(adults)
            for a in adults:
                put({"type": "person", "external_id": f"P{a}", "personal_identity_number": pnr(a),
                     "first_name": rng.choice(["Anna", "Bo", "Cem", "Dalia", "Erik", "Fatima"]),
                     "last_name": rng.choice(["Berg", "Ay", "Nilsson", "Hassan", "Lind"]),
                     "unit": "ekonomiskt-bistand"})
            h = adults[0]
            opened = rng.randrange(0, 900)
            members = [{"person": f"P{a}", "role": "applicant" if n == 0 else "co_applicant", "valid_from": day(opened)}
                       for n, a in enumerate(adults)]
            members += [{"role": "child", "first_name": "Barn", "birth_date": day(-rng.randrange(365, 6000)),
                         "valid_from": day(opened)} for _ in range(rng.choice([0, 0, 1, 2]))]
            put({"type": "household", "external_id": f"H{h}", "members": members})
            closed = rng.random() < 0.35
            case = {"type": "case", "external_id": f"C{h}", "household": f"H{h}", "unit": "ekonomiskt-bistand",
                    "caseworker": "bench-hl", "opened_on": day(opened),
                    "support_barriers": [{"person": f"P{a}", "barrier": rng.choice(BARRIERS)} for a in adults]}
            closed_on = opened + rng.randrange(60, 500)
            if closed:
                case |= {"closed_on": day(closed_on), "closing_reason": rng.choice(CLOSING)}
            put(case)
            for month in range(rng.choice([1, 2])):
                decided = opened + 5 + 30 * month
                put({"type": "decision", "external_id": f"B{h}-{month}", "case": f"C{h}",
                     "month": day(decided)[:7], "item_kind": "income_support", "outcome": "granted",
                     "amount_applied": rng.randrange(3000, 15000), "legal_basis": "sol-12-1",
                     "delegation_point": "EB-1", "decided_by": "bench-hl", "decided_on": day(decided),
                     "reasoning": "Behov enligt riksnormen.",
                     "execution_events": [{"kind": "executed", "occurred_on": day(decided + rng.randrange(1, 20))}]})
            for a in adults:
                if rng.random() >= 0.6:
                    continue
                start = opened + rng.randrange(5, 40)
                put({"type": "coordinator_assignment", "external_id": f"A{a}", "case": f"C{h}", "person": f"P{a}",
                     "coordinator": "bench-ko", "start_date": day(start),
                     **({"end_date": day(closed_on)} if closed else {})})
                as_audited = rng.random() < 0.33  # no sub-goals, no responsible, no follow-up date
                made = start + 10
                plan = {"type": "plan", "external_id": f"GP{a}", "person": f"P{a}", "case": f"C{h}",
                        "made_on": day(made), "made_by": "bench-ko", "long_term_goal": "Egen försörjning genom arbete.",
                        "participation_recorded": rng.random() < 0.8,
                        "activities": [{"description": "Praktik", "how": "Tre dagar i veckan",
                                        "responsible": "" if as_audited else "Koordinatorn"}]}
                if not as_audited:
                    plan |= {"latest_follow_up_on": day(made + 30), "follow_up_method": "meeting",
                             "subgoals": [{"description": "Söka jobb", "measure": "ansökningar per månad",
                                           "target": "4", "target_date": day(made + 90)}]}
                plan["follow_ups"] = [{"followed_up_on": day(made + 30 * (n + 1)), "follows_plan": True}
                                      for n in range(rng.choice([0, 1, 2, 3]))]
                put(plan)
                if rng.random() < 0.5:
                    p_start = made + 14
                    ended = rng.random() < 0.5
                    put({"type": "participation", "external_id": f"D{a}", "person": f"P{a}", "plan": f"GP{a}",
                         "insats": "Bench-praktik", "start_date": day(p_start),
                         "hours": {d: 8 for d in ("monday", "tuesday", "wednesday", "thursday", "friday")},
                         **({"end_date": day(p_start + rng.randrange(30, 180)), "closing_reason": "work",
                             "closed_by": "bench-ko"} if ended else {})})
    return records


def reference_data() -> Staff:
    eb, _ = Unit.objects.get_or_create(code="ekonomiskt-bistand", defaults={"name": "Ekonomiskt bistånd"})
    ko, _ = Unit.objects.get_or_create(code="koordinator", defaults={"name": "Koordinator"})
    for username, role, unit in (("bench-hl", Role.CASEWORKER, eb), ("bench-ko", Role.COORDINATOR, ko),
                                 ("bench-admin", Role.ADMINISTRATOR, None)):
        Staff.objects.get_or_create(username=username, defaults={"role": role, "unit": unit})
    track = Track.objects.order_by("pk").first()
    Insats.objects.get_or_create(name="Bench-praktik", defaults={
        "insats_type": InsatsType.PRAKTIK, "track": track, "provider_unit": eb, "capacity": 10,
        "normal_hours_per_week": 40})
    return Staff.objects.get(username="bench-admin")


def fresh_database() -> None:
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("DROP SCHEMA public CASCADE; CREATE SCHEMA public;")
    call_command("migrate", verbosity=0)


def run(actor: Staff, path: Path, source: str, batch_size: int):
    started = time.perf_counter()
    with path.open("rb") as handle, channel_context("command", endpoint="bench_import_records"):
        result = import_records(actor=actor, lines=handle, source=source, file_name=path.name, batch_size=batch_size)
    return result, time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--persons", type=int, default=10000)
    parser.add_argument("--batch-size", type=int, default=DEFAULT_BATCH_SIZE)
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--fresh", action="store_true", help="empty and migrate the database first")
    args = parser.parse_args()

    if args.fresh:
        fresh_database()
    else:
        call_command("migrate", verbosity=0)
    actor = reference_data()
    source = f"bench-{int(time.time())}"
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "import.jsonl"
        started = time.perf_counter()
        records = generate(path, args.persons, args.seed)
        generate_s = time.perf_counter() - started
        size_mb = path.stat().st_size / 1e6
        result, import_s = run(actor, path, source, args.batch_size)
        print(f"import: {result.lines} lines in {import_s:.1f} s, refused {result.refused}", file=sys.stderr)
        for refusal in result.refusals[:5]:
            print("  " + refusal.as_text(), file=sys.stderr)
        again, rerun_s = run(actor, path, source, args.batch_size)
    created = sum(c.get("created", 0) + c.get("linked", 0) for c in result.counts.values())
    print(json.dumps({
        "persons": args.persons, "records": records, "file_mb": round(size_mb, 1), "database": connection.vendor,
        "batch_size": args.batch_size, "generate_s": round(generate_s, 1), "import_s": round(import_s, 1),
        "records_per_s": round(records / import_s), "created": created, "refused": result.refused,
        "rerun_s": round(rerun_s, 1), "rerun_created": sum(c.get("created", 0) for c in again.counts.values()),
        "rerun_written": again.written,
        "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
        "counts": {k: dict(v) for k, v in result.counts.items()},
    }))


if __name__ == "__main__":
    main()
