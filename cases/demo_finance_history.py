"""The demo's older ekonomiskt bistånd: a monthly application, calculation, decision and payment
for many demo cases, from two full calendar years before today up to the months that
cases.demo_finance makes through the services. So the board's key figures (households per month,
amounts, waiting times) have a year before to compare with.

Set-based: the riksnorm calculation is the one the services use (cases.calculation), made in
memory; the rows are bulk-inserted and write no change events (seed data, as cases.demo). Seeded.
"""

from __future__ import annotations

import datetime
from collections import defaultdict

from django.utils import timezone

from . import calculation as calc
from . import finance_selectors as fs
from .demo import history_start, insert_rows
from .finance_models import (
    ADVERSE_OUTCOMES,
    Application,
    ApplicationCost,
    ApplicationIncome,
    ApplicationMember,
    ApplicationStatus,
    Calculation,
    CalculationLine,
    CostType,
    Decision,
    DecisionExecutionEvent,
    DecisionItemKind,
    DecisionOutcome,
    DelegationPoint,
    ExecutionEventKind,
    IncomeType,
)
from .letter_models import DecisionDelivery, DeliveryWay
from .letters import letters_sign_bulk
from .models import HouseholdMember, MemberRole

HISTORY_CASES = 45
# Kommunicering was obviously unnecessary (FL 25 §): the refusal rests on the household's own figures.
NOT_COMMUNICATED = "Beslutet grundar sig enbart på uppgifter som sökanden själv har lämnat."
REASONING = "Hushållets behov enligt riksnorm och skäliga kostnader är styrkt; inkomsterna räcker inte."
PARTLY = "Hyran överstiger vad som är skäligt på orten; bistånd till skälig hyresnivå."
REFUSED = "Hushållets inkomster överstiger riksnormen och de skäliga kostnaderna."


def _months(first: datetime.date, last: datetime.date) -> list[datetime.date]:
    months, month = [], first.replace(day=1)
    while month <= last:
        months.append(month)
        month = calc.add_months(month, 1)
    return months


def build(ctx, *, service_cases: set[int], service_from: datetime.date) -> None:
    """History for up to HISTORY_CASES cases, each month of the case from history_start up to
    last month; for `service_cases` only up to `service_from`, the month from which
    cases.demo_finance makes their applications through the services."""
    rng, today = ctx.rng, ctx.today
    caseworker, manager = ctx.staff["handlaggare"], ctx.staff.get("chef-eb")
    start = history_start(today)
    this_month = today.replace(day=1)
    cases = [c for c in sorted(ctx.extra.get("cases") or [], key=lambda c: (c.pk not in service_cases, c.pk))
             if c.opened_on < this_month and (c.closed_on is None or c.closed_on >= start)][:HISTORY_CASES]
    members = defaultdict(list)
    for m in HouseholdMember.objects.filter(household_id__in=[c.household_id for c in cases]).select_related("applicant"):
        members[m.household_id].append(m)
    cost_types = {t.code: t for t in CostType.objects.filter(code__in=["housing", "household_electricity", "home_insurance"])}
    income_types = {t.code: t for t in IncomeType.objects.filter(code__in=["wages", "sickness_benefit", "child_allowance"])}
    norms, bases = {}, {}
    points = {p.code: p for p in DelegationPoint.objects.filter(code__in=["EB-1", "EB-2"])}

    planned = []  # (application, members, incomes, costs, result, decision fields)
    for index, case in enumerate(cases):
        until = service_from if case.pk in service_cases else this_month
        last = min(calc.add_months(until, -1), (case.closed_on or today).replace(day=1))
        housing = rng.randrange(4500, 11000, 100)
        for n, month in enumerate(_months(max(start, case.opened_on), last)):
            if month not in norms:
                table = fs.norm_table_for(month)
                norms[month] = fs.norm_data(table) if table else None
            if norms[month] is None:
                continue
            in_month = [m for m in members[case.household_id]
                        if m.valid_from <= fs.month_end(month) and (m.valid_to is None or m.valid_to >= month)]
            adults = [m for m in in_month if m.applicant_id]
            if not adults:
                continue
            incomes = []
            children = [m for m in in_month if m.role == MemberRole.CHILD]
            if children:
                incomes.append((adults[0], income_types["child_allowance"], 1250 * len(children)))
            if (index + n) % 23 == 7:  # a month with work enough to live on: refused
                incomes.append((adults[0], income_types["wages"], 32000))
            elif rng.random() < 0.3:
                kind = income_types[rng.choice(["wages", "sickness_benefit"])]
                incomes.append((adults[0], kind, rng.randrange(1500, 9000, 50)))
            costs = [(cost_types["housing"], housing), (cost_types["household_electricity"], rng.randrange(200, 600, 10)),
                     (cost_types["home_insurance"], rng.randrange(100, 300, 10))]
            result = calc.calculate(
                month=month, norm=norms[month], household_size=len(in_month),
                members=[calc.MemberInput(member_id=m.pk, role=m.role, birth_date=m.birth_date,
                                          label=m.first_name or m.applicant.first_name, no_lunch=False) for m in in_month],
                incomes=[calc.IncomeInput(member_id=m.pk, income_type_id=t.pk, type_name=t.name, counts=t.counts,
                                          is_employment=t.is_employment, amount=a) for m, t, a in incomes],
                costs=[calc.CostInput(cost_type_id=t.pk, type_name=t.name, counts=t.counts, amount_applied=a,
                                      amount_approved=a) for t, a in costs],
            )
            decided_on = min(month + datetime.timedelta(days=rng.randint(3, 12)), today)
            if result.result_amount == 0:
                outcome, amount, reasoning = DecisionOutcome.REFUSED, 0, REFUSED
            elif (index + n) % 17 == 3 and result.result_amount > 1000:
                outcome, amount, reasoning = DecisionOutcome.PARTLY_GRANTED, result.result_amount - 800, PARTLY
            else:
                outcome, amount, reasoning = DecisionOutcome.GRANTED, result.result_amount, REASONING
            # The provision in force is the same all month (the law changed on 1 July 2025).
            if (key := decided_on.replace(day=1)) not in bases:
                bases[key] = fs.legal_basis_in_force("sol-12-1", decided_on)[0]
            big = amount > 30000 and manager is not None
            application = Application(case=case, month=month, received_on=month, status=ApplicationStatus.DECIDED,
                                      notes="Demoansökan.", created_by=caseworker)
            planned.append((application, in_month, incomes, costs, result, {
                "outcome": outcome, "amount_applied": result.requested_amount, "amount": amount, "reasoning": reasoning,
                "legal_basis": bases[key], "decided_by": manager if big else caseworker,
                "delegation_point": points["EB-2" if big else "EB-1"], "decided_on": decided_on,
            }))
    _save(planned, caseworker, today, rng)


def _save(planned, caseworker, today, rng) -> None:
    Application.objects.bulk_create([p[0] for p in planned])
    app_members = ApplicationMember.objects.bulk_create([
        ApplicationMember(application=a, household_member=m) for a, in_month, *_ in planned for m in in_month
    ])
    member_of = {(am.application_id, am.household_member_id): am.pk for am in app_members}
    insert_rows(ApplicationIncome, ["application", "member", "income_type", "amount"], [
        (a.pk, member_of[(a.pk, m.pk)], t.pk, amount) for a, _, incomes, *_ in planned for m, t, amount in incomes
    ])
    insert_rows(ApplicationCost, ["application", "cost_type", "amount_applied", "amount_approved"], [
        (a.pk, t.pk, amount, amount) for a, _, _, costs, *_ in planned for t, amount in costs
    ])
    calculations = Calculation.objects.bulk_create([
        Calculation(application=a, norm_table_id=r.norm_table_id, norm_is_official=r.norm_is_official,
                    calculated_by=caseworker, household_size=r.household_size, norm_total=r.norm_total,
                    costs_total=r.costs_total, income_total=r.income_total, requested_amount=r.requested_amount,
                    result_amount=r.result_amount)
        for a, _, _, _, r, _ in planned
    ])
    insert_rows(CalculationLine, [
        "calculation", "position", "kind", "description", "amount", "member", "personal_amount", "household_amount",
        "cost_type", "income_type", "basis",
    ], [
        (c.pk, position, line.kind, line.description[:300], line.amount, line.member_id, line.personal_amount_id,
         line.household_amount_id, line.cost_type_id, line.income_type_id, line.basis)
        for c, (_, _, _, _, r, _) in zip(calculations, planned, strict=True)
        for position, line in enumerate(r.lines, start=1)
    ])
    decisions = Decision.objects.bulk_create([
        Decision(application=a, item_kind=DecisionItemKind.INCOME_SUPPORT, calculation=c,
                 decided_by_role=d["decided_by"].role, signed_at=timezone.make_aware(
                     datetime.datetime.combine(d["decided_on"], datetime.time(14))),
                 appeal_information=d["legal_basis"].appeal_information, norm_is_official=c.norm_is_official,
                 communication_omitted_reason=NOT_COMMUNICATED if d["outcome"] in ADVERSE_OUTCOMES else "", **d)
        for c, (a, _, _, _, _, d) in zip(calculations, planned, strict=True)
    ])
    # Their letters, by the service's own rendering, and when each was sent (set-based).
    letters_sign_bulk([d.pk for d in decisions])
    DecisionDelivery.objects.bulk_create([
        DecisionDelivery(decision=d, delivered_on=min(d.decided_on + datetime.timedelta(days=1), today),
                         way=DeliveryWay.DIGITAL if d.pk % 3 == 0 else DeliveryWay.POST, recorded_by=caseworker)
        for d in decisions
    ], batch_size=1000)
    insert_rows(DecisionExecutionEvent, ["decision", "kind", "occurred_on", "recorded_by"], [
        (d.pk, ExecutionEventKind.EXECUTED, min(d.decided_on + datetime.timedelta(days=rng.randint(1, 4)), today),
         caseworker.pk)
        for d in decisions if d.outcome != DecisionOutcome.REFUSED
    ])

