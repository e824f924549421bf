"""Benchmark of the egenkontroll rules on a large synthetic population. Prints figures; not a test.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/eb_bench \
        .venv/bin/python bench/egenkontroll.py --persons 100000

Point DATABASE_URL at a scratch database: the script migrates it and writes the population,
by default set-based inside PostgreSQL (bench/dataset.py, `--generator sql`); `--generator python`
keeps the older, slower generator below (ORM bulk INSERTs in batches, also on SQLite). It then times
  1. a full rule run (every rule, every chunk, flags upserted) through audit.control.engine in-process,
  2. the re-run (the same day: nothing new, every flag kept),
  3. every rule's plain-SQL twin (bench/rule_twins.py, PostgreSQL only) on the same data, in the
     engine's chunks (one query per chunk of subject ids),
and prints the ratio engine / plain SQL, per rule and in total, and one JSON object as its last
line. It also checks that each twin finds exactly the subjects the rule flags.
"""

from __future__ import annotations

import argparse
import datetime
import json
import os
import random
import resource
import sys
import time
from decimal import Decimal
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.local")

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection, transaction  # noqa: E402
from django.utils import timezone  # noqa: E402

settings.DEBUG = False  # no query log kept in memory

from audit.control import engine, unchanged  # noqa: E402
from audit.control.models import Flag, Rule  # noqa: E402
from audit.control.rules import REGISTRY  # noqa: E402
from audit.control.unchanged_models import ChunkEvaluation  # noqa: E402
from bench import rule_twins  # noqa: E402
from cases.models import (  # noqa: E402
    Applicant,
    Case,
    CaseStatus,
    CaseSupportBarrier,
    CoordinatorAssignment,
    Household,
    HouseholdMember,
    MemberRole,
    Role,
    Staff,
    SupportBarrier,
    Unit,
)
from insatser.full_time import week_of  # noqa: E402
from insatser.models import Insats, Participation, Referral, Track, WeeklyAttendance  # noqa: E402
from planning.models import FollowUp, ImplementationPlan, PlanActivity, PlanStatus, Subgoal  # noqa: E402
from planning.norms import add_months  # noqa: E402

BATCH = 5000
D = datetime.timedelta


def _bulk(model, rows):
    return model.objects.bulk_create(rows, batch_size=BATCH)


def generate(persons: int, seed: int) -> None:
    rnd = random.Random(seed)
    today = timezone.localdate()
    now = timezone.now()
    eb, _ = Unit.objects.get_or_create(code="bench-eb", defaults={"name": "Bench Ekonomiskt bistånd"})
    koord, _ = Unit.objects.get_or_create(code="bench-koord", defaults={"name": "Bench Koordinator"})
    im, _ = Unit.objects.get_or_create(code="bench-im", defaults={"name": "Bench Insats & Matchning"})
    coordinators = _bulk(Staff, [
        Staff(username=f"bench-koord-{i}-{seed}", role=Role.COORDINATOR, unit=koord) for i in range(max(10, persons // 500))
    ])
    caseworker = Staff.objects.create(username=f"bench-hl-{seed}-{time.time_ns()}", role=Role.CASEWORKER, unit=eb)
    barrier, _ = SupportBarrier.objects.get_or_create(
        code="bench-arbetsloshet", defaults={"name": "Arbetslös", "group": "Arbetsmarknad", "is_labour_market": True}
    )
    track, _ = Track.objects.get_or_create(code="bench-arbetsmarknad", defaults={"name": "Arbetsmarknad"})
    insatser = _bulk(Insats, [
        Insats(name=f"Bench praktik {i}", insats_type="praktik", track=track, provider_unit=im, capacity=10_000,
               normal_hours_per_week=Decimal(40))
        for i in range(20)
    ])
    base = Applicant.objects.count()
    applicants = _bulk(Applicant, [
        Applicant(
            personal_identity_number=f"{190000000000 + base + i}", birth_date=datetime.date(1980 + i % 25, 1 + i % 12, 1),
            legal_gender="kvinna" if i % 2 else "man", first_name=f"Bench{i}", last_name="Person", registered_unit=eb,
        )
        for i in range(persons)
    ])
    households = _bulk(Household, [Household() for _ in applicants])
    _bulk(HouseholdMember, [
        HouseholdMember(household=h, role=MemberRole.APPLICANT, applicant=a, birth_date=a.birth_date,
                        valid_from=datetime.date(2024, 1, 1))
        for h, a in zip(households, applicants, strict=True)
    ])
    opened = [today - D(days=rnd.randint(10, 700)) for _ in applicants]
    cases = _bulk(Case, [
        Case(household=h, unit=eb, responsible_caseworker=caseworker, opened_on=o, opening_way="application",
             status=CaseStatus.ACTIVE)
        for h, o in zip(households, opened, strict=True)
    ])
    _bulk(CaseSupportBarrier, [
        CaseSupportBarrier(case=c, applicant=a, barrier=barrier, valid_from=c.opened_on)
        for c, a in zip(cases, applicants, strict=True) if rnd.random() < 0.7
    ])
    coordinator_of = {}
    assignments = []
    for c, a in zip(cases, applicants, strict=True):
        if rnd.random() < 0.8:
            coordinator_of[a.pk] = rnd.choice(coordinators)
            assignments.append(CoordinatorAssignment(case=c, applicant=a, coordinator=coordinator_of[a.pk],
                                                     start_date=c.opened_on))
    _bulk(CoordinatorAssignment, assignments)
    plans = []
    for a in applicants:
        if a.pk in coordinator_of:
            made = today - D(days=rnd.randint(5, 270))
            who = coordinator_of[a.pk]
            plans.append(ImplementationPlan(
                applicant=a, version=1, status=PlanStatus.SIGNED, long_term_goal="Arbete", participation_recorded=True,
                made_on=made, latest_follow_up_on=add_months(made, 1), follow_up_method="meeting",
                valid_until=add_months(made, 6), created_by=who, signed_by=who, signed_at=now,
            ))
    plans = _bulk(ImplementationPlan, plans)
    _bulk(Subgoal, [
        Subgoal(plan=p, description="Delmål", measure="Mått", target="Mål", target_date=p.valid_until)
        for p in plans if rnd.random() < 0.7
    ])
    _bulk(PlanActivity, [PlanActivity(plan=p, description="Praktik", how="Tre dagar", responsible="Koordinator")
                         for p in plans])
    follow_ups = []
    for p in plans:
        day = p.made_on
        for _ in range(rnd.randint(0, 3)):
            day = day + D(days=rnd.randint(20, 45))
            if day >= today:
                break
            follow_ups.append(FollowUp(plan=p, followed_up_on=day, method="meeting", follows_plan=True,
                                       next_follow_up_on=add_months(day, 1), recorded_by=p.created_by))
    _bulk(FollowUp, follow_ups)
    referrals, starts = [], []
    for p in plans:
        if rnd.random() < 0.75:
            start = p.made_on + D(days=rnd.randint(0, 20))
            starts.append(start)
            referrals.append(Referral(applicant_id=p.applicant_id, insats=rnd.choice(insatser), plan=p,
                                      referred_by=p.created_by, referred_on=start, valid_until=add_months(start, 3),
                                      status="started", started_on=start))
    referrals = _bulk(Referral, referrals)
    hours = [Decimal(8), Decimal(8), Decimal(6), Decimal(4)]
    participations = _bulk(Participation, [
        Participation(applicant_id=r.applicant_id, insats=r.insats, referral=r, start_date=s,
                      decision_period_end=add_months(s, 6) - D(days=1), hours_monday=rnd.choice(hours),
                      hours_tuesday=rnd.choice(hours), hours_wednesday=Decimal(8), hours_thursday=Decimal(8),
                      hours_friday=Decimal(8))
        for r, s in zip(referrals, starts, strict=True)
    ])
    last_week = week_of(today) - D(days=7)
    _bulk(WeeklyAttendance, [
        WeeklyAttendance(participation=p, week_start=last_week, attended_hours=Decimal(rnd.choice([40, 40, 36, 32])),
                         reported_by=caseworker)
        for p in participations if p.start_date <= last_week
    ])


def run_twins(as_of, chunk) -> tuple[dict[str, float], dict[str, set[int]]]:
    """Every rule's plain-SQL twin (bench/rule_twins.py) run as the engine runs the rule: one query
    per chunk of subject ids, the same chunks. Returns the time per rule and the subjects found."""
    times, found = {}, {}
    with connection.cursor() as cursor:
        for code, rule in sorted(REGISTRY.items()):
            params = engine.parameters_for(rule)
            started = time.perf_counter()
            subjects = set()
            for lo, hi in engine.plan_chunks(rule, chunk):
                subjects |= {s for s, _ in rule_twins.found(cursor, code, as_of=as_of, params=params, lo=lo, hi=hi)}
            times[code] = time.perf_counter() - started
            found[code] = subjects
    return times, found


def populate(generator: str, persons: int, seed: int) -> None:
    """Write the population with the chosen generator (sql: bench/dataset.py, PostgreSQL only)."""
    if generator == "sql":
        import dataset  # same directory

        dataset.generate(persons, seed)
    else:
        with transaction.atomic():
            generate(persons, seed)


def run_all(as_of, chunk) -> dict[str, float]:
    times = {}
    for code, rule in sorted(REGISTRY.items()):
        started = time.perf_counter()
        for lo, hi in engine.plan_chunks(rule, chunk):
            engine.run_chunk(rule_code=code, lower=lo, upper=hi, as_of=as_of)
        times[code] = time.perf_counter() - started
    return times


def _run_one(task) -> None:
    code, lo, hi, as_of = task
    engine.run_chunk(rule_code=code, lower=lo, upper=hi, as_of=as_of)


def run_parallel(as_of, chunk, workers: int) -> float:
    """The full run with `workers` processes taking the chunks of every rule from one queue, as
    Celery workers take them from the broker (each chunk its own transaction); wall time."""
    import multiprocessing

    tasks = [(code, lo, hi, as_of) for code, rule in sorted(REGISTRY.items()) for lo, hi in engine.plan_chunks(rule, chunk)]
    connection.close()  # each process opens its own connection
    started = time.perf_counter()
    with multiprocessing.get_context("fork").Pool(workers) as pool:
        pool.map(_run_one, tasks, chunksize=1)
    return time.perf_counter() - started


def delete_flags(batch: int = 5_000) -> None:
    """Every rule's flags, a batch of ids at a time: Django's delete collects each row it removes
    (and their transitions) in memory, and one delete of 136 287 flags made the bench's own peak
    (438 MB at 100 000 persons), not the engine's scan, which peak_rss_mb is to measure."""
    while ids := list(Flag.objects.filter(rule__in=Rule.objects.all()).order_by("pk").values_list("pk", flat=True)[:batch]):
        Flag.objects.filter(pk__in=ids).delete()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--persons", type=int, default=100_000)
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--chunk", type=int, default=engine.DEFAULT_CHUNK_SIZE)
    parser.add_argument("--skip-generate", action="store_true", help="Reuse the population already in the database.")
    parser.add_argument("--generator", choices=("sql", "python"), default="sql",
                        help="sql: bench/dataset.py inside PostgreSQL (default); python: the ORM generator here.")
    parser.add_argument("--workers", type=int, default=2,
                        help="Also time the full run again with this many processes sharing the chunks (0: not).")
    args = parser.parse_args()

    call_command("migrate", verbosity=0)
    vendor = connection.vendor
    if not args.skip_generate:
        started = time.perf_counter()
        populate(args.generator, args.persons, args.seed)
        print(f"generated {args.persons} persons in {time.perf_counter() - started:.1f} s ({vendor}, {args.generator})")
        if vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("ANALYZE")  # planner statistics for the freshly loaded tables
    as_of = timezone.localdate()
    engine.rules_sync()
    unchanged.prune()  # as a run's start does
    delete_flags()
    print(f"population: {Applicant.objects.count()} persons, {ImplementationPlan.objects.count()} plans, "
          f"{FollowUp.objects.count()} follow-ups, {Participation.objects.count()} participations; chunk {args.chunk}")

    first = run_all(as_of, args.chunk)
    flags = Flag.objects.count()
    second = run_all(as_of, args.chunk)
    assert Flag.objects.count() == flags, "the re-run created flags"
    twins, twin_found = run_twins(as_of, args.chunk) if vendor == "postgresql" else ({}, {})
    print(f"\n{'rule':<42}{'flags':>8}{'run s':>9}{'re-run s':>10}{'ORM q s':>9}{'SQL s':>8}{'ratio':>8}")
    query_total = 0.0
    for code in sorted(REGISTRY):
        n = Flag.objects.filter(rule__code=code, status="open").count()
        sql_time = ratio = query_time = ""
        if code in twins:
            # The rule's own set-based query alone (what the engine runs per chunk, here in one go).
            started = time.perf_counter()
            list(REGISTRY[code].findings(as_of=as_of, params=engine.parameters_for(REGISTRY[code])).values_list("pk"))
            orm_query = time.perf_counter() - started
            query_total += orm_query
            query_time = f"{orm_query:.2f}"
            expected = set(Flag.objects.filter(rule__code=code, status="open").values_list("subject_id", flat=True))
            assert twin_found[code] == expected, f"{code}: the twin finds {len(twin_found[code])}, the rule {len(expected)}"
            sql_time, ratio = f"{twins[code]:.2f}", f"{first[code] / twins[code]:.1f}x"
        print(f"{code:<42}{n:>8}{first[code]:>9.2f}{second[code]:>10.2f}{query_time:>9}{sql_time:>8}{ratio:>8}")
    parallel_s = None
    if args.workers:
        # The same full run again from no flags, with the chunks shared by several processes.
        delete_flags()
        ChunkEvaluation.objects.all().delete()
        parallel_s = run_parallel(as_of, args.chunk, args.workers)
        assert Flag.objects.count() == flags, "the parallel run found other flags"
        print(f"full run with {args.workers} worker processes: {parallel_s:.2f} s")
    engine_s, rerun_s, raw_sql_s = sum(first.values()), sum(second.values()), sum(twins.values())
    print(f"\nfull run {engine_s:.2f} s, re-run {rerun_s:.2f} s, flags {flags}")
    if raw_sql_s:
        print(f"every rule: engine {engine_s:.2f} s (query + flags written) vs plain-SQL twins {raw_sql_s:.2f} s "
              f"(query only, same chunks): ratio {engine_s / raw_sql_s:.1f}")
        print(f"the rules' ORM queries alone (one go): {query_total:.2f} s: ratio {query_total / raw_sql_s:.1f}")
    # ru_maxrss is in kilobytes on Linux: the process's peak, generation included when it ran here.
    peak_rss_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(json.dumps({
        "persons": Applicant.objects.count(), "chunk": args.chunk, "database": vendor,
        "engine_s": round(engine_s, 3), "raw_sql_s": round(raw_sql_s, 3) if raw_sql_s else None,
        "ratio": round(engine_s / raw_sql_s, 2) if raw_sql_s else None,
        "orm_query_s": round(query_total, 3) if raw_sql_s else None,
        "rerun_s": round(rerun_s, 3), "rerun_ratio": round(rerun_s / engine_s, 3) if engine_s else None,
        "peak_rss_mb": round(peak_rss_mb, 1), "flags": flags,
        "workers": args.workers, "parallel_s": round(parallel_s, 3) if parallel_s else None,
    }))


if __name__ == "__main__":
    main()
