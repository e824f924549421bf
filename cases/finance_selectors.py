"""Reads of applications, calculations and decisions, scoped through cases.selectors.cases_for.

Need to know: financial details (applications, calculations, decisions and their execution,
i.e. the payments) are for the unit that handles the case, its caseworkers and its unit manager.
A unit manager whose staff coordinate the person (the coordinator unit's manager) sees the
person through planning and insatser, not the money; nor do coordinators. The board sees only
aggregates (`delegated_decision_summary`).
"""

from __future__ import annotations

import datetime

from django.db.models import Count, Prefetch, Q, QuerySet, Sum

from . import calculation as calc
from . import execution_selectors, norms
from .finance_models import (
    GRANTING_OUTCOMES,
    Application,
    ApplicationMember,
    ApplicationStatus,
    Calculation,
    CalculationLine,
    CostType,
    Decision,
    DecisionExecutionEvent,
    DecisionItemKind,
    DelegationPoint,
    IncomeType,
    LegalBasis,
    LineKind,
    RiksnormTable,
)
from .letter_models import Communication, DecisionLetter
from .models import HouseholdMember, Role, Staff
from .selectors import cases_for

FINANCE_ROLES = frozenset({Role.CASEWORKER, Role.UNIT_MANAGER})


def _finance_cases(user: Staff):
    """The cases whose money `user` may see: those their own unit handles, within cases_for."""
    if not (user.is_authenticated and user.is_active and user.role in FINANCE_ROLES and user.unit_id):
        return cases_for(user).none()
    return cases_for(user).filter(unit_id=user.unit_id)


# --- reference data -------------------------------------------------------------------------

def norm_table_for(month: datetime.date) -> RiksnormTable | None:
    """The norm in force on the first of `month`; an official one wins over an unofficial one."""
    return (
        RiksnormTable.objects.filter(valid_from__lte=month)
        .filter(Q(valid_to__isnull=True) | Q(valid_to__gte=month))
        .prefetch_related("personal_amounts", "household_amounts")
        .order_by("-is_official", "-valid_from", "-pk")
        .first()
    )


def norm_data(table: RiksnormTable) -> calc.NormData:
    return calc.NormData(
        table_id=table.pk,
        name=table.name,
        is_official=table.is_official,
        single_adult=table.single_adult,
        cohabiting_couple=table.cohabiting_couple,
        shared_per_member_beyond_7=table.shared_per_member_beyond_7,
        bands=tuple(
            calc.Band(b.pk, b.age_from, b.age_to, b.amount, b.amount_no_lunch) for b in table.personal_amounts.all()
        ),
        shared={h.size: (h.pk, h.amount) for h in table.household_amounts.all()},
    )


def norm_table_list() -> QuerySet[RiksnormTable]:
    return RiksnormTable.objects.prefetch_related("personal_amounts", "household_amounts").order_by("-valid_from", "pk")


def cost_type_list() -> QuerySet[CostType]:
    return CostType.objects.filter(is_active=True).order_by("name")


def income_type_list() -> QuerySet[IncomeType]:
    return IncomeType.objects.filter(is_active=True).order_by("name")


def legal_basis_list() -> QuerySet[LegalBasis]:
    return LegalBasis.objects.filter(is_active=True).order_by("law", "reference")


def legal_basis_in_force(code: str, on: datetime.date) -> tuple[LegalBasis | None, bool]:
    """The provision `code` names, as in force on `on`: the row itself, the old-law row it replaces
    or the new-law row that replaces it, whichever's period covers the day (one query). Returns
    (row or None, whether `code` names an active provision at all)."""
    rows = list(LegalBasis.objects.filter(
        Q(code=code) | Q(replaces__code=code) | Q(replaced_by__code=code), is_active=True
    ).select_related("replaces"))
    in_force = [row for row in rows if row.covers(on)]
    return (in_force[0] if in_force else None), bool(rows)


def delegation_point_list() -> QuerySet[DelegationPoint]:
    return DelegationPoint.objects.filter(is_active=True).select_related("legal_basis").order_by("code")


# --- households in a month -------------------------------------------------------------------

def month_end(month: datetime.date) -> datetime.date:
    return calc.add_months(month, 1) - datetime.timedelta(days=1)


def members_in_month(household_id: int, month: datetime.date) -> QuerySet[HouseholdMember]:
    """Members whose period overlaps the calendar month."""
    return (
        HouseholdMember.objects.filter(household_id=household_id, valid_from__lte=month_end(month))
        .filter(Q(valid_to__isnull=True) | Q(valid_to__gte=month))
        .select_related("applicant")
    )


# --- applications ------------------------------------------------------------------------------

def applications_for(user: Staff) -> QuerySet[Application]:
    return Application.objects.filter(case__in=_finance_cases(user))


def latest_calculation_prefetch() -> Prefetch:
    return Prefetch(
        "calculations",
        queryset=Calculation.objects.select_related("norm_table").prefetch_related("lines").order_by("-pk"),
    )


def application_list(*, user: Staff) -> QuerySet[Application]:
    return (
        applications_for(user)
        .select_related("case", "case__household")
        .prefetch_related(
            Prefetch("case__household__members", queryset=HouseholdMember.objects.order_by("pk")),
            Prefetch("members", queryset=ApplicationMember.objects.select_related("household_member").order_by("pk")),
            "incomes__income_type",
            "incomes__member",
            "costs__cost_type",
            latest_calculation_prefetch(),
        )
        .order_by("-month", "pk")
    )


def application_person_ids(application: Application) -> list[int]:
    return [m.applicant_id for m in application.case.household.members.all() if m.applicant_id]


def calculation_list(*, user: Staff) -> QuerySet[Calculation]:
    return (
        Calculation.objects.filter(application__in=applications_for(user))
        .select_related("application__case", "norm_table", "calculated_by")
        .prefetch_related(
            Prefetch("application__case__household__members", queryset=HouseholdMember.objects.order_by("pk")),
            Prefetch("lines", queryset=CalculationLine.objects.order_by("position")),
        )
        .order_by("-pk")
    )


def jobbstimulans_history(case_id: int, month: datetime.date) -> tuple[set[datetime.date], datetime.date | None]:
    """Months before `month` with granted försörjningsstöd, and the first month jobbstimulans
    was applied in this case (two queries)."""
    support_months = set(
        Decision.objects.filter(
            application__case_id=case_id,
            application__month__lt=month,
            item_kind=DecisionItemKind.INCOME_SUPPORT,
            outcome__in=GRANTING_OUTCOMES,
            amount__gt=0,
            replaced_by__isnull=True,
        )
        .exclude(application__status=ApplicationStatus.WITHDRAWN)
        .values_list("application__month", flat=True)
    )
    first = (
        CalculationLine.objects.filter(
            kind=LineKind.JOBBSTIMULANS,
            calculation__application__case_id=case_id,
            calculation__application__month__lt=month,
        )
        .exclude(calculation__application__status=ApplicationStatus.WITHDRAWN)
        .order_by("calculation__application__month")
        .values_list("calculation__application__month", flat=True)
        .first()
    )
    return support_months, first


# --- decisions -----------------------------------------------------------------------------------

def decisions_for(user: Staff) -> QuerySet[Decision]:
    return Decision.objects.filter(application__in=applications_for(user))


def decision_list(*, user: Staff) -> QuerySet[Decision]:
    return (
        decisions_for(user)
        .select_related(
            "application__case__household", "legal_basis__replaces", "delegation_point", "decided_by",
            "cost__cost_type", "replaced_by", "letter", "delivery",
        )
        .defer("letter__text")
        .prefetch_related(
            Prefetch("application__case__household__members", queryset=HouseholdMember.objects.order_by("pk")),
            Prefetch("execution_events", queryset=DecisionExecutionEvent.objects.order_by("occurred_on", "pk")),
        )
        .order_by("-decided_on", "-pk")
    )


def communications_for(user: Staff) -> QuerySet[Communication]:
    return Communication.objects.filter(application__in=applications_for(user))


def communication_list(*, user: Staff) -> QuerySet[Communication]:
    return (
        communications_for(user)
        .select_related("application__case__household", "recorded_by")
        .prefetch_related(Prefetch("application__case__household__members", queryset=HouseholdMember.objects.order_by("pk")))
        .order_by("communicated_on", "pk")
    )


def decision_letter(decision: Decision) -> DecisionLetter | None:
    """The letter of a decision already found in scope (decisions_for)."""
    return DecisionLetter.objects.filter(decision_id=decision.pk).first()


def decision_person_ids(decision: Decision) -> list[int]:
    return application_person_ids(decision.application)


def unexecuted_decisions(*, as_of: datetime.date, months: int = norms.UNEXECUTED_REPORT_AFTER_MONTHS) -> QuerySet[Decision]:
    """Granted decisions in force on `as_of`, never executed, more than `months` after the
    decision date (DOMAIN.md 5, SoL 34 kap.). The definition is cases.execution_selectors."""
    episodes = execution_selectors.unexecuted_episodes(start=as_of, end=as_of, months=months)
    return Decision.objects.filter(pk__in=episodes.filter(closed_on__isnull=True).values("pk"))


def interrupted_not_resumed(*, as_of: datetime.date, months: int = norms.UNEXECUTED_REPORT_AFTER_MONTHS) -> QuerySet[Decision]:
    """Granted decisions interrupted more than `months` before `as_of` and not resumed (the
    other half of the SoL 34 kap. report). The definition is cases.execution_selectors."""
    episodes = execution_selectors.interruption_episodes(start=as_of, end=as_of, months=months)
    return Decision.objects.filter(pk__in=episodes.filter(closed_on__isnull=True).values("decision_id"))


def delegated_decision_summary(*, user: Staff, date_from: datetime.date, date_to: datetime.date) -> list[dict]:
    """Decisions taken under delegation in a period, per delegation point and decision maker.
    Aggregates only (no person), one query. The board sees every unit; a unit manager their own."""
    qs = Decision.objects.filter(decided_on__gte=date_from, decided_on__lte=date_to)
    if user.role == Role.UNIT_MANAGER:
        qs = qs.filter(application__case__unit_id=user.unit_id)
    elif user.role not in (Role.BOARD, Role.ADMINISTRATOR):
        return []
    rows = (
        qs.values(
            "delegation_point__code", "delegation_point__description", "decided_by_id", "decided_by__first_name",
            "decided_by__last_name", "decided_by_role",
        )
        .annotate(
            count=Count("pk"),
            granted=Count("pk", filter=Q(outcome="granted")),
            partly_granted=Count("pk", filter=Q(outcome="partly_granted")),
            refused=Count("pk", filter=Q(outcome="refused")),
            corrections=Count("pk", filter=Q(replaces__isnull=False)),
            amount_total=Sum("amount"),
        )
        .order_by("delegation_point__code", "decided_by__last_name", "decided_by_id")
    )
    return list(rows)
