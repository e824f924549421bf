"""Rule family: cases and financial decisions (DOMAIN.md 2.1-2.3, 3, 5).

Rules 4 (long case with labour-market barrier, no coordinator or no plan) and 10 (granted
decision not executed, or interrupted and not resumed, within 3 months).
"""

from __future__ import annotations

from django.db.models import Exists, OuterRef, Q, Subquery

from audit import sources
from audit.control.models import OwnerBasis, Severity
from audit.control.rules.base import FunctionRule, Param, register
from audit.control.rules.common import months_before
from audit.control.rules.ownership import owned
from cases import execution_selectors
from cases import norms as cases_norms
from cases.finance_models import EXECUTION_STATE_KINDS, GRANTING_OUTCOMES, Decision, DecisionExecutionEvent
from cases.models import Case, CaseStatus, CaseSupportBarrier, CoordinatorAssignment
from planning.selectors import current_plans


def _open_cases(*, as_of, params):
    return Case.objects.exclude(status=CaseStatus.CLOSED).filter(opened_on__lte=as_of)


def _labour_market_barriers(as_of):
    return CaseSupportBarrier.objects.filter(
        case_id=OuterRef("pk"), barrier__is_labour_market=True, valid_from__lte=as_of
    ).filter(Q(valid_to__isnull=True) | Q(valid_to__gte=as_of))


def _long_case_without_coordination(*, as_of, params):
    # DOMAIN.md 2.1, 2.3-2.4: each adult has their own labour-market barrier, and it is the person who
    # is referred to a coordinator and makes a plan; so every such adult is checked for an assignment
    # of their own on the case and a plan in force. The flag is about the case (one per case) and
    # names the first adult (earliest barrier) who lacks either.
    limit = months_before(as_of, params["case_months"])
    assignment = CoordinatorAssignment.objects.filter(
        case_id=OuterRef("case_id"), applicant_id=OuterRef("applicant_id"), start_date__lte=as_of
    ).filter(Q(end_date__isnull=True) | Q(end_date__gte=as_of))
    plan = current_plans(on=as_of).filter(applicant_id=OuterRef("applicant_id"))
    uncoordinated = (
        _labour_market_barriers(as_of)
        .annotate(has_coordinator=Exists(assignment), has_plan=Exists(plan))
        .filter(Q(has_coordinator=False) | Q(has_plan=False))
        .order_by("valid_from", "pk")
    )
    qs = (
        _open_cases(as_of=as_of, params=params)
        .filter(opened_on__lt=limit)
        .filter(Exists(uncoordinated))
        .annotate(
            barrier_person=Subquery(uncoordinated.values("applicant_id")[:1]),
            has_coordinator=Subquery(uncoordinated.values("has_coordinator")[:1]),
            has_plan=Subquery(uncoordinated.values("has_plan")[:1]),
        )
    )
    return owned(qs, as_of=as_of, person="barrier_person", case="pk")


LONG_CASE = register(
    FunctionRule(
        code="r04_case_without_coordinator_or_plan",
        # DOMAIN.md 2.3 and 3 (004:519-521: a coordinator when the case is expected to last over 3 months).
        title="Ärende längre än 3 månader med arbetsmarknadsskäl saknar koordinator eller plan",
        source=sources.audit("3.4.2"),
        description=(
            "Ett öppet ärende som pågått längre än gränsen, där en vuxen med försörjningshinder av "
            "arbetsmarknadsskäl inte har någon koordinator tilldelad eller ingen gällande plan."
        ),
        what_to_do="Tilldela personen en koordinator och se till att en genomförandeplan görs och fastställs.",
        closes_when="När personen har både koordinator och en gällande plan, eller ärendet avslutas.",
        severity=Severity.MEDIUM,
        subject_model="cases.Case",
        reads=("cases.case", "cases.casesupportbarrier", "cases.coordinatorassignment", "planning.implementationplan"),
        subject_person="household__members__applicant",
        params=(
            Param(
                "case_months", "Ärendets längd", cases_norms.COORDINATOR_AFTER_MONTHS, 1, 24, "månader",
                sources.audit("3.4.2"),
            ),
        ),
        facts=("opened_on", "has_coordinator", "has_plan"),
        find=_long_case_without_coordination,
        examine=_open_cases,
    )
)


def _granted_decisions(*, as_of, params):
    return Decision.objects.filter(outcome__in=GRANTING_OUTCOMES, decided_on__lte=as_of).exclude(
        Exists(Decision.objects.filter(replaces_id=OuterRef("pk"), decided_on__lte=as_of))
    )


def _unexecuted(*, as_of, params, scope=None):
    # The definition of "unexecuted" is cases.execution_selectors, shared with the IVO and
    # fullmäktige reports (audit/reports/unexecuted.py); only the flag's facts are added here. A
    # chunk's decisions are passed into its two episode subqueries (`scope`): filtered outside
    # them only, every chunk read every decision (issue 12).
    latest = DecisionExecutionEvent.objects.filter(
        decision_id=OuterRef("pk"), occurred_on__lte=as_of, kind__in=EXECUTION_STATE_KINDS
    ).order_by(
        "-occurred_on", "-pk"
    )
    qs = execution_selectors.overdue_decisions(as_of=as_of, months=params["months"], within=scope).annotate(
        latest_event=Subquery(latest.values("kind")[:1]),
        latest_event_on=Subquery(latest.values("occurred_on")[:1]),
    )
    person = Subquery(
        execution_selectors.household_applicant("application__case__household_id").values("applicant_id")[:1]
    )
    return owned(qs, as_of=as_of, person=person, case="application__case_id", decided_by="decided_by_id")


UNEXECUTED = register(
    FunctionRule(
        code="r10_decision_not_executed",
        # DOMAIN.md 3 and 5 (003:304-314; SoL 34:1-3).
        title="Beviljat beslut har inte verkställts inom 3 månader",
        source=sources.both(sources.SOL_DECISION_NOT_EXECUTED, sources.minutes(35)),
        description=(
            "Ett beviljat beslut som inte verkställts inom gränsen från beslutsdatum, eller vars "
            "verkställighet avbrutits och inte återupptagits inom gränsen."
        ),
        what_to_do=(
            "Verkställ beslutet och registrera det, eller skriv skälet till dröjsmålet: beslutet rapporteras "
            "till IVO och revisorerna varje kvartal."
        ),
        closes_when="När beslutet verkställs eller ersätts av ett nytt beslut.",
        severity=Severity.HIGH,
        subject_model="cases.Decision",
        reads=("cases.decision", "cases.decisionexecutionevent"),
        subject_person="application__case__household__members__applicant",
        params=(
            Param(
                "months", "Tid till rapportering", cases_norms.UNEXECUTED_REPORT_AFTER_MONTHS, 1, 12, "månader",
                sources.both(sources.SOL_DECISION_NOT_EXECUTED, sources.minutes(35)),
            ),
        ),
        facts=("decided_on", "latest_event", "latest_event_on"),
        owners=(OwnerBasis.DECIDED_BY,),
        find=_unexecuted,
        find_chunk=_unexecuted,
        examine=_granted_decisions,
    )
)
