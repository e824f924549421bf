"""The riksnorm calculation (SoL 12 kap. 7-9 §§, DOMAIN.md 6) as pure functions over loaded data.

Nothing here touches the database: the services load a norm table, the members, incomes and
costs into these dataclasses, call `calculate`, and store (or, for a dry run, only return) the
lines. Every line carries the inputs it used, so a stored calculation can be re-checked later
even after the norm tables change. All amounts are whole kronor (int); the only rounding is of
the jobbstimulans disregard and a partial household share, half up to the krona.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from config.errors import field_error as _error

from . import norms

APPLICANT, CO_APPLICANT, OTHER_ADULT, CHILD = "applicant", "co_applicant", "other_adult", "child"


@dataclass(frozen=True)
class Band:
    id: int | None
    age_from: int
    age_to: int
    amount: int
    amount_no_lunch: int | None


@dataclass(frozen=True)
class NormData:
    table_id: int | None
    name: str
    is_official: bool
    single_adult: int
    cohabiting_couple: int
    shared_per_member_beyond_7: int
    bands: tuple[Band, ...]
    shared: dict[int, tuple[int | None, int]]  # size -> (row id, amount)


@dataclass(frozen=True)
class MemberInput:
    member_id: int | None
    role: str
    birth_date: datetime.date
    label: str = ""
    no_lunch: bool = False


@dataclass(frozen=True)
class IncomeInput:
    member_id: int | None
    income_type_id: int | None
    type_name: str
    counts: bool
    is_employment: bool
    amount: int


@dataclass(frozen=True)
class CostInput:
    cost_type_id: int | None
    type_name: str
    counts: bool
    amount_applied: int
    amount_approved: int | None


@dataclass
class Line:
    kind: str
    description: str
    amount: int
    member_id: int | None = None
    personal_amount_id: int | None = None
    household_amount_id: int | None = None
    cost_type_id: int | None = None
    income_type_id: int | None = None
    basis: dict = field(default_factory=dict)


@dataclass
class Result:
    norm_table_id: int | None
    norm_name: str
    norm_is_official: bool
    household_size: int
    lines: list[Line]
    norm_total: int
    costs_total: int
    income_total: int
    requested_amount: int
    result_amount: int


def _kronor(value: Decimal) -> int:
    return int(value.quantize(Decimal("1"), rounding=ROUND_HALF_UP))


def age_on(birth_date: datetime.date, day: datetime.date) -> int:
    return day.year - birth_date.year - ((day.month, day.day) < (birth_date.month, birth_date.day))


def add_months(month: datetime.date, n: int) -> datetime.date:
    index = month.year * 12 + month.month - 1 + n
    return datetime.date(index // 12, index % 12 + 1, 1)


def add_months_day(day: datetime.date, n: int) -> datetime.date:
    """`day` moved by `n` calendar months, clamped to the end of a shorter month."""
    first = add_months(day.replace(day=1), n)
    following = add_months(first, 1)
    return first.replace(day=min(day.day, (following - datetime.timedelta(days=1)).day))


def months_between(start: datetime.date, end: datetime.date) -> int:
    return (end.year - start.year) * 12 + end.month - start.month


def shared_amount(norm: NormData, size: int) -> tuple[int | None, int, dict]:
    """The household-shared amount for `size` persons, with the rule beyond 7 (DOMAIN.md 6)."""
    top = norms.SHARED_AMOUNT_PUBLISHED_SIZES
    if size <= top:
        row_id, amount = norm.shared[size]
        return row_id, amount, {"size": size, "table_amount": amount}
    row_id, amount = norm.shared[top]
    extra = size - top
    return row_id, amount + extra * norm.shared_per_member_beyond_7, {
        "size": size,
        f"table_amount_{top}": amount,
        "members_beyond": extra,
        "per_member_beyond": norm.shared_per_member_beyond_7,
    }


def jobbstimulans_applies(
    month: datetime.date, support_months: set[datetime.date], first_applied: datetime.date | None
) -> tuple[bool, dict]:
    """SoL 12 kap. 8 §: after `JOBBSTIMULANS_QUALIFYING_MONTHS` consecutive months with
    försörjningsstöd, for at most `JOBBSTIMULANS_DURATION_MONTHS` from the first month it applied."""
    if first_applied is not None and first_applied < month:
        elapsed = months_between(first_applied, month)
        applies = elapsed < norms.JOBBSTIMULANS_DURATION_MONTHS
        return applies, {"first_month": first_applied.isoformat(), "months_since_first": elapsed}
    needed = [add_months(month, -k) for k in range(1, norms.JOBBSTIMULANS_QUALIFYING_MONTHS + 1)]
    consecutive = 0
    for m in needed:
        if m not in support_months:
            break
        consecutive += 1
    return consecutive >= norms.JOBBSTIMULANS_QUALIFYING_MONTHS, {"consecutive_months_before": consecutive}


def _band(norm: NormData, age: int) -> Band | None:
    return next((b for b in norm.bands if b.age_from <= age <= b.age_to), None)


def _personal_lines(norm: NormData, month: datetime.date, members: list[MemberInput]) -> list[Line]:
    lines: list[Line] = []
    couple = [m for m in members if m.role in (APPLICANT, CO_APPLICANT)]
    couple_ids = {id(m) for m in couple} if len(couple) == 2 else set()
    if len(couple) == 2:
        lines.append(Line(
            kind="cohabiting",
            description="Personligt belopp, sammanlevande makar/sambor (båda)",
            amount=norm.cohabiting_couple,
            member_id=couple[0].member_id,
            basis={"member_ids": [m.member_id for m in couple], "table_amount": norm.cohabiting_couple},
        ))
    for index, member in enumerate(members):
        # A child born during the month is a member that month: 0 years, not "minus one".
        age = max(0, age_on(member.birth_date, month))
        if id(member) in couple_ids:
            continue
        if member.role == CHILD and age < norms.ADULT_NORM_FROM_AGE:
            band = _band(norm, age)
            if band is None:
                raise _error(f"members[{index}]", f"Riksnormen {norm.name} saknar belopp för åldern {age} år.", "no_norm")
            amount = band.amount
            if member.no_lunch:
                if band.amount_no_lunch is None:
                    raise _error(
                        f"members[{index}].no_lunch",
                        f"Riksnormen {norm.name} har inget belopp utan lunch för {band.age_from}–{band.age_to} år.",
                        "no_norm",
                    )
                amount = band.amount_no_lunch
            lines.append(Line(
                kind="personal",
                description=f"Personligt belopp {member.label} {age} år ({band.age_from}–{band.age_to} år"
                + (", utan lunch)" if member.no_lunch else ")"),
                amount=amount,
                member_id=member.member_id,
                personal_amount_id=band.id,
                basis={"age": age, "band": [band.age_from, band.age_to], "no_lunch": member.no_lunch, "table_amount": amount},
            ))
        else:
            lines.append(Line(
                kind="personal",
                description=f"Personligt belopp {member.label} {age} år, ensamstående vuxen".replace("  ", " "),
                amount=norm.single_adult,
                member_id=member.member_id,
                basis={"age": age, "table_amount": norm.single_adult},
            ))
    return lines


def calculate(
    *,
    month: datetime.date,
    norm: NormData,
    members: list[MemberInput],
    household_size: int,
    incomes: list[IncomeInput],
    costs: list[CostInput],
    jobbstimulans: bool = False,
    jobbstimulans_basis: dict | None = None,
) -> Result:
    """Riksnorm for each member + the shared amount + approved reasonable costs − counted incomes."""
    if not members:
        raise _error("members", "Ansökan måste gälla minst en hushållsmedlem.", "required")
    lines = _personal_lines(norm, month, members)

    size = max(household_size, len(members))
    row_id, full_shared, basis = shared_amount(norm, size)
    share = full_shared
    if len(members) < size:
        # Members outside the application share the dwelling: the applicants get their share of
        # the household amount (Socialstyrelsen's example, DOMAIN.md 6: 1 740 / 5 + 2 980).
        share = _kronor(Decimal(full_shared) * len(members) / size)
        basis = {**basis, "full_amount": full_shared, "persons_applying": len(members)}
    lines.append(Line(kind="shared", description=f"Gemensamma hushållskostnader, {size} personer", amount=share,
                      household_amount_id=row_id, basis=basis))
    norm_total = sum(line.amount for line in lines)

    costs_total = applied_costs_total = 0
    for cost in costs:
        if not cost.counts:
            continue
        # Only what is approved counts (a cost applied for and not yet tried counts 0); the amount
        # applied for is kept on the line and gives the requested amount.
        approved = cost.amount_approved or 0
        costs_total += approved
        applied_costs_total += cost.amount_applied
        description = cost.type_name if cost.amount_approved is not None else (
            f"{cost.type_name} (sökt {cost.amount_applied} kr, inte prövad: räknas inte)")
        lines.append(Line(kind="cost", description=description, amount=approved, cost_type_id=cost.cost_type_id,
                          basis={"applied": cost.amount_applied, "approved": cost.amount_approved}))

    child_ids = {m.member_id for m in members if m.role == CHILD and age_on(m.birth_date, month) < norms.CHILD_EARNINGS_EXEMPT_BELOW_AGE}
    income_total = 0
    for income in incomes:
        common = {"member_id": income.member_id, "income_type_id": income.income_type_id}
        if not income.counts:
            lines.append(Line(kind="not_counted", description=f"{income.type_name} (räknas inte)", amount=0,
                              basis={"gross": income.amount}, **common))
            continue
        if income.is_employment and income.member_id in child_ids:
            lines.append(Line(kind="child_earnings", description=f"{income.type_name}, barns egen inkomst (räknas inte)",
                              amount=0, basis={"gross": income.amount, "rule": "SoL 12 kap. 9 §"}, **common))
            continue
        lines.append(Line(kind="income", description=income.type_name, amount=-income.amount,
                          basis={"gross": income.amount}, **common))
        income_total += income.amount
        if income.is_employment and jobbstimulans:
            disregard = _kronor(Decimal(income.amount) * norms.JOBBSTIMULANS_RATE)
            income_total -= disregard
            lines.append(Line(kind="jobbstimulans", description="Jobbstimulans, del av lön som inte räknas",
                              amount=disregard, basis={"gross": income.amount, "rate": str(norms.JOBBSTIMULANS_RATE),
                                                       "rule": "SoL 12 kap. 8 §", **(jobbstimulans_basis or {})},
                              **common))

    return Result(
        norm_table_id=norm.table_id,
        norm_name=norm.name,
        norm_is_official=norm.is_official,
        household_size=size,
        lines=lines,
        norm_total=norm_total,
        costs_total=costs_total,
        income_total=income_total,
        requested_amount=max(0, norm_total + applied_costs_total - income_total),
        result_amount=max(0, norm_total + costs_total - income_total),
    )
