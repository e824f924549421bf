"""Demo data for ekonomiskt bistånd: an UNOFFICIAL riksnorm from 2024 on (so the demo works
today); for many cases a monthly history back to two full calendar years before today
(cases.demo_finance_history, set-based); and for some of them the last months through the
services: applications, calculations, decisions (one withdrawn application, one decision left
unexecuted with its reason for the delay noted, one interrupted and resumed). The number of
service-built applications is bounded (CASES_WITH_APPLICATIONS × MONTHS_BACK + 1), not by the
municipality's size.

The service-built months go through the services, so the demo's change events and access log look like
real use. Seeded by ctx.rng: the same data every run.
"""

from __future__ import annotations

import datetime

from django.utils import timezone

from . import application_services, communication_services, decision_services, demo_finance_history
from . import calculation as calc
from . import finance_selectors as fs
from .finance_models import RiksnormTable
from .models import Case, CaseStatus, MemberRole, Role
from .norm_services import riksnorm_table_load

# Not the ordinance's figures: 2023's table × 1.087 × 1.028 × 1.007 (DOMAIN.md 6: the yearly
# increases 2024–2026), rounded to 10 kr. Marked is_official=False; every calculation and decision
# made on it says so. Replace with `manage.py load_riksnorm` from the ordinance.
DEMO_FACTOR = 1.087 * 1.028 * 1.007
NORM_2023 = {
    "personal": [(0, 0, 2420), (1, 2, 2700), (3, 3, 2410), (4, 6, 2700), (7, 10, 3380), (11, 14, 3890),
                 (15, 18, 4390), (19, 20, 4430)],
    "single": 3490, "couple": 6300, "household": [1130, 1250, 1580, 1790, 2060, 2330, 2510], "beyond": 180,
}
MONTHS_BACK = 5
CASES_WITH_APPLICATIONS = 12


def _up(amount: int) -> int:
    # Demo arithmetic only (never used for a real norm): whole tens of kronor.
    return int(round(amount * DEMO_FACTOR / 10) * 10)


def demo_norm_data() -> dict:
    return {
        # Open-ended so the demo keeps working after 2026; an official table, once loaded,
        # wins over it for its period (finance_selectors.norm_table_for).
        "name": "DEMONORM från 2024 (EJ OFFICIELL)",
        "valid_from": "2024-01-01",
        "valid_to": None,
        "is_official": False,
        "source": "EJ OFFICIELL. Uppräknad från 2023 med +8,7 %, +2,8 %, +0,7 % (DOMAIN.md avsnitt 6) endast för demo. "
                  "Ersätt med förordningens tabeller.",
        "single_adult": _up(NORM_2023["single"]),
        "cohabiting_couple": _up(NORM_2023["couple"]),
        "shared_per_member_beyond_7": _up(NORM_2023["beyond"]),
        "personal_amounts": [{"age_from": a, "age_to": b, "amount": _up(x)} for a, b, x in NORM_2023["personal"]],
        "household_amounts": [_up(x) for x in NORM_2023["household"]],
    }


def _month_of(case: Case, today: datetime.date, back: int) -> datetime.date | None:
    month = calc.add_months(today.replace(day=1), -back)
    first_allowed = max(case.opened_on.replace(day=1), datetime.date(2024, 1, 1))
    return month if month >= first_allowed else None


def _application_month(ctx, *, case, month, today, index, back):
    rng = ctx.rng
    caseworker = ctx.staff["handlaggare"]
    manager = ctx.staff.get("chef-eb")
    members = list(fs.members_in_month(case.household_id, month))
    if not members:
        return
    adults = [m for m in members if m.applicant_id]
    incomes = []
    if adults and rng.random() < 0.4:
        incomes.append({"member": adults[0].pk, "income_type": rng.choice(["wages", "sickness_benefit"]),
                        "amount": rng.randrange(1500, 9000, 50)})
    children = [m for m in members if m.role == MemberRole.CHILD]
    if children and adults:
        incomes.append({"member": adults[0].pk, "income_type": "child_allowance", "amount": 1250 * len(children)})
    costs = [{"cost_type": "housing", "amount_applied": rng.randrange(4500, 11000, 100)},
             {"cost_type": "household_electricity", "amount_applied": rng.randrange(200, 600, 10)},
             {"cost_type": "home_insurance", "amount_applied": rng.randrange(100, 300, 10)}]
    if rng.random() < 0.25:
        costs.append({"cost_type": "dental", "amount_applied": rng.randrange(800, 7000, 100)})
    application = application_services.application_create(
        actor=caseworker, case=case, month=month, received_on=month,
        members=[{"household_member": m.pk} for m in members], incomes=incomes, costs=costs,
        notes="Demoansökan.",
    )
    if back == 0 and index == 2:
        # Withdrawn by the household (it found work before the decision).
        application_services.application_withdraw(actor=caseworker, application=application)
        return
    if back == 0:
        # This month's application waits for its decision: its costs are not tried yet.
        application_services.application_calculate(actor=caseworker, application=application)
        return
    # The reasonable costs are approved as applied, then calculated: only approved costs count.
    application_services.application_approve_costs(actor=caseworker, application=application, approvals=[
        {"cost": c.pk, "amount_approved": c.amount_applied} for c in application.costs.filter(cost_type__counts=True)
    ])
    calculation = application_services.application_calculate(actor=caseworker, application=application)
    decided_on = min(month + datetime.timedelta(days=rng.randint(3, 12)), today)
    amount = calculation.result_amount
    big = amount > 30000 and manager is not None
    outcome = "granted" if amount > 0 else "refused"
    if outcome == "refused" or any(c.amount_applied > 5000 for c in application.costs.filter(cost_type__counts=False)):
        _communicate(caseworker, application, decided_on, answered=index % 2 == 0)
    decisions = [decision_services.decision_make(
        actor=manager if big else caseworker, application=application, item_kind="income_support", outcome=outcome,
        amount=amount, legal_basis="sol-12-1", delegation_point="EB-2" if big else "EB-1", decided_on=decided_on,
        reasoning="Hushållets behov enligt riksnorm och skäliga kostnader är styrkt; inkomsterna räcker inte.",
    )]
    for cost in application.costs.filter(cost_type__counts=False):
        partly = cost.amount_applied > 5000
        decisions.append(decision_services.decision_make(
            actor=manager if partly and manager else caseworker, application=application, item_kind="cost",
            cost_id=cost.pk, outcome="partly_granted" if partly else "granted",
            amount=cost.amount_applied // 2 if partly else cost.amount_applied, legal_basis="sol-12-1",
            delegation_point="EB-4" if partly and manager else "EB-3", decided_on=decided_on,
            reasoning="Tandvård enligt kostnadsförslag; skälig nivå bedömd.",
        ))
    for decision in decisions:  # sent the day after the decision, by post or to the digital mailbox
        decision_services.decision_record_delivery(
            actor=caseworker, decision=decision, delivered_on=min(decided_on + datetime.timedelta(days=1), today),
            way="digital" if index % 2 else "post")
    for number, decision in enumerate(d for d in decisions if d.amount > 0):
        # Leave one old decision unexecuted and interrupt two (one resumed), so the SoL 34 kap. reports have data.
        if index == 0 and back >= 4 and number == 0:
            decision_services.decision_record_execution(
                actor=caseworker, decision=decision, kind="delay_noted", occurred_on=min(decided_on + datetime.timedelta(days=5), today),
                note="Väntar på hyresavi från hyresvärden.")
            continue
        executed_on = min(decided_on + datetime.timedelta(days=rng.randint(1, 4)), today)
        decision_services.decision_record_execution(actor=caseworker, decision=decision, kind="executed",
                                                    occurred_on=executed_on)
        if index in (1, 3) and back >= 4 and number == 0:
            decision_services.decision_record_execution(
                actor=caseworker, decision=decision, kind="interrupted", occurred_on=executed_on,
                note="Utbetalningen stoppades i väntan på kontoutdrag.")
        if index == 3 and back >= 4 and number == 0:  # the kontoutdrag came: resumed (index 1's was not)
            decision_services.decision_record_execution(
                actor=caseworker, decision=decision, kind="resumed", occurred_on=min(executed_on + datetime.timedelta(days=3), today),
                note="Kontoutdraget har kommit in.")


def _communicate(caseworker, application, decided_on: datetime.date, *, answered: bool) -> None:
    """Kommunicering before a decision against the household (FL 25 §): a week to answer."""
    told = max(decided_on - datetime.timedelta(days=8), application.received_on)
    communication_services.communication_create(
        actor=caseworker, application=application.pk, communicated_on=told, answer_by=told + datetime.timedelta(days=7),
        content="Underlaget för beslutet: beräkningen enligt riksnorm, hushållets inkomster och kostnadsförslaget för "
                "tandvård. Du kan lämna synpunkter eller nya uppgifter innan vi beslutar.",
        answer="Sökanden har inget att tillägga." if answered else "",
        answered_on=min(told + datetime.timedelta(days=3), decided_on) if answered else None,
    )


def build(ctx) -> None:
    today = getattr(ctx, "today", None) or timezone.localdate()
    if not RiksnormTable.objects.filter(is_official=False, valid_from=datetime.date(2024, 1, 1)).exists():
        riksnorm_table_load(actor=ctx.staff.get("admin"), data=demo_norm_data(), system=True)
    if "handlaggare" not in ctx.staff or ctx.staff["handlaggare"].role != Role.CASEWORKER:
        return
    cases = ctx.extra.get("cases") or []
    active = sorted((c for c in cases if c.status == CaseStatus.ACTIVE), key=lambda c: c.pk)
    chosen = active[:CASES_WITH_APPLICATIONS]
    # The older months, set-based; the last MONTHS_BACK months of the chosen cases go through the services.
    demo_finance_history.build(ctx, service_cases={c.pk for c in chosen},
                               service_from=calc.add_months(today.replace(day=1), -MONTHS_BACK))
    for index, case in enumerate(chosen):
        for back in range(MONTHS_BACK, -1, -1):
            month = _month_of(case, today, back)
            if month is not None and fs.norm_table_for(month) is not None:
                _application_month(ctx, case=case, month=month, today=today, index=index, back=back)
    ctx.extra["finance_cases"] = chosen
