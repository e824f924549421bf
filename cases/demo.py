"""Demo data for cases: units, staff in every role, households and cases.

Personnummer are TEST numbers (see cases/demo_people.py) generated from a seeded random source,
so every run gives the same municipality. Dates are offsets from `ctx.today`, so the demo stays
current; with the same seed and the same `today` the output is identical.

Rows are bulk-created for speed (a few hundred households in about a second). This is seed data,
not casework: it does not go through the services and writes no change events.
"""

from __future__ import annotations

import datetime
import random
from dataclasses import dataclass, field

from django.db import connection, models
from django.utils import timezone

from cases.demo_people import DemoPerson, PeopleMaker
from cases.models import (
    Applicant,
    Case,
    CaseClosingReason,
    CaseStatus,
    CaseSupportBarrier,
    CoordinatorAssignment,
    Household,
    HouseholdMember,
    MemberRole,
    OpeningWay,
    Role,
    Staff,
    SupportBarrier,
    Unit,
)

DEMO_PASSWORD = "demo-losenord-2026"

UNITS = [
    ("ekonomiskt-bistand", "Ekonomiskt bistånd"),
    ("koordinator", "Koordinator"),
    ("insats-matchning", "Insats & Matchning"),
    ("intern-service", "Intern Service"),
    ("parketten", "Parketten"),
    ("vuxenutbildning", "Vuxenutbildning"),
]

# (username, first, last, role, unit code or None)
STAFF = [
    ("handlaggare", "Hanna", "Lindqvist", Role.CASEWORKER, "ekonomiskt-bistand"),
    ("handlaggare2", "Omar", "Haddad", Role.CASEWORKER, "ekonomiskt-bistand"),
    ("koordinator", "Karin", "Berg", Role.COORDINATOR, "koordinator"),
    ("koordinator2", "Ali", "Yilmaz", Role.COORDINATOR, "koordinator"),
    ("insatspersonal", "Ingrid", "Sjöberg", Role.INSATS_STAFF, "insats-matchning"),
    ("instruktor", "Peter", "Nyström", Role.INSATS_STAFF, "parketten"),
    ("chef-eb", "Eva", "Holm", Role.UNIT_MANAGER, "ekonomiskt-bistand"),
    ("chef-koordinator", "Mats", "Ek", Role.UNIT_MANAGER, "koordinator"),
    ("chef-insats", "Sara", "Wikström", Role.UNIT_MANAGER, "insats-matchning"),
    ("namnd", "Lars", "Ordförande", Role.BOARD, None),
    ("admin", "Anna", "Systemförvaltare", Role.ADMINISTRATOR, None),
]


@dataclass
class DemoContext:
    """What builders share: the seeded random source and what earlier builders made."""

    seed: int
    today: datetime.date = field(default_factory=timezone.localdate)
    rng: random.Random = field(init=False)
    units: dict[str, Unit] = field(default_factory=dict)
    staff: dict[str, Staff] = field(default_factory=dict)
    extra: dict = field(default_factory=dict)

    def __post_init__(self):
        self.rng = random.Random(self.seed)


def history_start(today: datetime.date) -> datetime.date:
    """The demo's history starts two full calendar years before the year of `today`, so every
    board report has a year before to compare with (issue 13)."""
    return datetime.date(today.year - 2, 1, 1)


def demo_present() -> bool:
    return Staff.objects.filter(username="handlaggare").exists()


def demo_logins() -> list[tuple[str, str, str]]:
    units = dict(UNITS)
    return [(u, Role(r).label, units.get(unit, "–") if unit else "–") for u, _, _, r, unit in STAFF]


def build(ctx: DemoContext) -> None:
    _build_units_and_staff(ctx)
    _build_households_and_cases(ctx)


def _build_units_and_staff(ctx: DemoContext) -> None:
    for code, name in UNITS:
        ctx.units[code], _ = Unit.objects.get_or_create(code=code, defaults={"name": name})
    for username, first, last, role, unit in STAFF:
        user = Staff(
            username=username,
            first_name=first,
            last_name=last,
            role=role,
            unit=ctx.units[unit] if unit else None,
            is_staff=role == Role.ADMINISTRATOR,
            is_superuser=role == Role.ADMINISTRATOR,
        )
        user.set_password(DEMO_PASSWORD)
        user.save()
        ctx.staff[username] = user


HOUSEHOLDS = 300
CASEWORKERS = ("handlaggare", "handlaggare2")
COORDINATORS = ("koordinator", "koordinator2")
# Share of cases per status; the rest are active.
OPENED_SHARE, CLOSED_SHARE = 0.06, 0.3
CO_APPLICANT_SHARE = 0.35
COORDINATION_NUMBER_SHARE = 0.02
PROTECTED_IDENTITY_SHARE = 0.02
LABOUR_MARKET_SHARE = 0.6  # most adults in the demo are unemployed (labour-market barriers)


def _days(n: int) -> datetime.timedelta:
    return datetime.timedelta(days=n)


@dataclass
class _HouseholdPlan:
    """One household before it is saved: people, member rows, the case and its barriers."""

    adults: list[tuple[DemoPerson, str, datetime.date, datetime.date | None]]  # person, role, from, to
    children: list[tuple[str, str, datetime.date, datetime.date, datetime.date | None]]
    case: dict
    barriers: list[tuple[int, str, datetime.date, datetime.date | None]]  # adult index, code, from, to
    assignments: list[tuple[int, str, datetime.date, datetime.date | None]]  # adult index, coordinator, ...
    address: dict  # the adults share it
    protected: bool  # skyddad identitet covers the whole household


def _plan_case(ctx: DemoContext) -> dict:
    rng, today = ctx.rng, ctx.today
    roll = rng.random()
    way = rng.choices(OpeningWay.values, weights=[85, 7, 5, 3])[0]
    worker = rng.choice(CASEWORKERS)
    if roll < OPENED_SHARE:
        return {"status": CaseStatus.OPENED, "opened_on": today - _days(rng.randint(0, 25)), "opening_way": way,
                "caseworker": worker}
    if roll < OPENED_SHARE + CLOSED_SHARE:
        opened = today - _days(rng.randint(240, 1400))
        closed = min(opened + _days(rng.randint(60, 700)), today - _days(1))
        reason = rng.choices(CaseClosingReason.values, weights=[35, 15, 15, 12, 18, 1, 4])[0]
        number = ctx.extra["closed_cases"] = ctx.extra.get("closed_cases", 0) + 1
        if number <= len(CaseClosingReason.values):  # every reason at least once, the rare ones too
            reason = CaseClosingReason.values[number - 1]
        return {"status": CaseStatus.CLOSED, "opened_on": opened, "opening_way": way, "caseworker": worker,
                "closed_on": closed, "closing_reason": reason}
    return {"status": CaseStatus.ACTIVE, "opened_on": today - _days(rng.randint(30, 900)), "opening_way": way,
            "caseworker": worker}


def _plan_household(ctx: DemoContext, people: PeopleMaker, labour: list[str], other: list[str]) -> _HouseholdPlan:
    rng, today = ctx.rng, ctx.today
    case = _plan_case(ctx)
    since = case["opened_on"] - _days(rng.randint(0, 400))
    main = people.adult(born=(1960, 2005), coordination=rng.random() < COORDINATION_NUMBER_SHARE)
    adults = [(main, MemberRole.APPLICANT, since, None)]
    if rng.random() < CO_APPLICANT_SHARE:
        other_gender = "man" if main.legal_gender == "kvinna" else "kvinna"
        year = main.birth_date.year
        partner = people.adult(
            born=(max(1958, year - 6), min(2005, year + 6)),
            gender=other_gender if rng.random() < 0.9 else main.legal_gender,
            last_name=main.last_name if rng.random() < 0.5 else None,
            coordination=rng.random() < COORDINATION_NUMBER_SHARE * 2,
        )
        joined = since if rng.random() < 0.85 else min(since + _days(rng.randint(30, 300)), today)
        left = min(joined + _days(rng.randint(60, 500)), today) if rng.random() < 0.08 else None
        adults.append((partner, MemberRole.CO_APPLICANT, joined, left))

    children = []
    youngest_parent = max(p.birth_date for p, *_ in adults)
    for _ in range(rng.choices([0, 1, 2, 3, 4], weights=[45, 22, 18, 10, 5])[0]):
        born = people.birth_date(max(youngest_parent.year + 18, 2008), min(today.year, 2025))
        if born > today:
            continue
        start = max(born, since)
        left = min(start + _days(rng.randint(90, 700)), today) if rng.random() < 0.05 else None
        children.append((people.child_name(), main.last_name, born, start, left))

    barriers, assignments = [], []
    end = case.get("closed_on")
    for index, (_person, _role, joined, left) in enumerate(adults):
        start = max(joined, case["opened_on"])
        stop = min(d for d in (left, end) if d) if (left or end) else None
        if stop is not None and stop < start:
            continue  # not in the household while the case ran
        is_labour = rng.random() < LABOUR_MARKET_SHARE
        code = rng.choice(labour if is_labour else other)
        if stop is None and case["status"] == CaseStatus.ACTIVE and rng.random() < 0.2 and (today - start).days > 90:
            # A barrier that changed during the case: the first ends the day before the next.
            change = start + _days(rng.randint(30, (today - start).days - 1))
            barriers.append((index, rng.choice(other if is_labour else labour), start, change - _days(1)))
            start = change
        barriers.append((index, code, start, stop))
        # Coordinators take most of the unemployed adults of longer cases (DOMAIN.md 2.3).
        if is_labour and left is None and case["status"] != CaseStatus.OPENED and rng.random() < 0.9:
            latest = (end or today) - _days(1)
            first = start + _days(rng.randint(20, 90))
            if first <= latest:
                assignments.append((index, rng.choice(COORDINATORS), first, end))
    return _HouseholdPlan(
        adults=adults, children=children, case=case, barriers=barriers, assignments=assignments,
        address=people.address(), protected=rng.random() < PROTECTED_IDENTITY_SHARE,
    )


def _build_households_and_cases(ctx: DemoContext) -> None:
    eb = ctx.units["ekonomiskt-bistand"]
    people = PeopleMaker(ctx.rng)
    codes = list(SupportBarrier.objects.filter(is_active=True).order_by("code").values_list("code", "is_labour_market"))
    barrier_ids = dict(SupportBarrier.objects.values_list("code", "pk"))
    labour = [c for c, is_labour in codes if is_labour]
    other = [c for c, is_labour in codes if not is_labour]
    plans = [_plan_household(ctx, people, labour, other) for _ in range(HOUSEHOLDS)]

    applicants = []
    for plan in plans:
        for person, *_ in plan.adults:
            applicants.append(
                Applicant(
                    personal_identity_number=person.personal_identity_number,
                    is_coordination_number=person.is_coordination_number,
                    birth_date=person.birth_date,
                    legal_gender=person.legal_gender,
                    first_name=person.first_name,
                    last_name=person.last_name,
                    protected_identity=plan.protected,
                    registered_unit=eb,
                    **plan.address,
                    **people.contact(person),
                )
            )
    applicants = Applicant.objects.bulk_create(applicants)
    households = Household.objects.bulk_create([Household() for _ in plans])

    members, cases = [], []
    adult_rows = iter(applicants)
    plan_applicants: list[list[Applicant]] = []
    for plan, household in zip(plans, households, strict=True):
        mine = [next(adult_rows) for _ in plan.adults]
        plan_applicants.append(mine)
        for applicant, (_p, role, start, left) in zip(mine, plan.adults, strict=True):
            members.append(HouseholdMember(household=household, role=role, applicant=applicant,
                                           birth_date=applicant.birth_date, valid_from=start, valid_to=left))
        for first, last, born, start, left in plan.children:
            members.append(HouseholdMember(household=household, role=MemberRole.CHILD, first_name=first,
                                           last_name=last, birth_date=born, valid_from=start, valid_to=left))
        c = plan.case
        cases.append(Case(household=household, unit=eb, responsible_caseworker=ctx.staff[c["caseworker"]],
                          opened_on=c["opened_on"], opening_way=c["opening_way"], status=c["status"],
                          closed_on=c.get("closed_on"), closing_reason=c.get("closing_reason", "")))
    HouseholdMember.objects.bulk_create(members)
    cases = Case.objects.bulk_create(cases)

    barriers, assignments = [], []
    for plan, case, mine in zip(plans, cases, plan_applicants, strict=True):
        for index, code, start, stop in plan.barriers:
            barriers.append(CaseSupportBarrier(case=case, applicant=mine[index], barrier_id=barrier_ids[code],
                                               valid_from=start, valid_to=stop))
        for index, coordinator, start, stop in plan.assignments:
            assignments.append(CoordinatorAssignment(case=case, applicant=mine[index],
                                                     coordinator=ctx.staff[coordinator], start_date=start,
                                                     end_date=stop))
    CaseSupportBarrier.objects.bulk_create(barriers)
    CoordinatorAssignment.objects.bulk_create(assignments)

    # What later builders (applications, plans, insatser, egenkontroll) start from.
    ctx.extra["applicants"] = applicants
    ctx.extra["households"] = households
    ctx.extra["cases"] = cases
    ctx.extra["coordinator_assignments"] = assignments


def insert_rows(model, fields: list[str], rows: list[tuple]) -> None:
    """Insert plain rows (values of `fields` in order) in batches, for the demo's largest tables
    (weekly attendance, BIP answers, sub-goal progress): tens of thousands of rows that need no
    model instance, so none is made (bulk_create spends most of its time building them). Only for
    leaf rows: nothing reads their primary keys back. Other columns get their defaults."""
    if not rows:
        return
    now = connection.ops.adapt_datetimefield_value(timezone.now())
    given = [model._meta.get_field(name) for name in fields]
    # Every other column gets its field's default (e.g. an empty note), timestamps now.
    defaults = [f for f in model._meta.concrete_fields if f not in given and not f.primary_key]
    rest = [now if f.name in ("created_at", "updated_at") else f.get_db_prep_save(f.get_default(), connection)
            for f in defaults]
    columns = [f.column for f in given + defaults]
    # Keys, integers and text go to the driver as they are; dates, decimals and JSON are adapted.
    plain = (models.ForeignKey, models.IntegerField, models.CharField, models.TextField, models.BooleanField)
    adapters = [None if isinstance(f, plain) else (lambda v, f=f: f.get_db_prep_save(v, connection)) for f in given]
    sql = "INSERT INTO {} ({}) VALUES ({})".format(
        connection.ops.quote_name(model._meta.db_table),
        ", ".join(connection.ops.quote_name(c) for c in columns),
        ", ".join(["%s"] * len(columns)),
    )
    with connection.cursor() as cursor:
        for start in range(0, len(rows), 5000):
            batch = rows[start : start + 5000]
            cursor.executemany(sql, [
                (*(a(v) if a else v for a, v in zip(adapters, row, strict=True)), *rest) for row in batch
            ])
