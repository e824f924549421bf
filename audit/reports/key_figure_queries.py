"""The key figures (report 1), each one aggregate query over one period, split by kön and age.

Household figures are split by the household's sökande (the member with the applicant role);
person figures by the person. Who a figure belongs to when a unit is chosen:
money and applications -> the case's unit; coordinator closings -> the unit of the coordinator
who proposed the closing; participation -> the unit that runs the insats.
"""

from __future__ import annotations

from django.db.models import Avg, Count, Exists, F, IntegerField, OuterRef, Q, QuerySet, Subquery, Sum, Value
from django.db.models.functions import Coalesce

from audit.reports import board_norms
from audit.reports.base import Period
from audit.reports.figures import GROUPS, DaysBetween, group_q, medians, split_aggregate
from cases.finance_models import (
    GRANTING_OUTCOMES,
    Application,
    ApplicationStatus,
    Decision,
    DecisionItemKind,
)
from cases.models import Household, HouseholdMember, MemberRole
from insatser.models import ClosingReason, InsatsType, Participation, ParticipationClosing
from planning.norms import add_months

HOUSEHOLD_SPLIT = {"gender": "applicant_gender", "birth": "applicant_birth"}
WORK_OR_STUDIES = (ClosingReason.WORK, ClosingReason.STUDIES)
PRAKTIK_TYPES = (InsatsType.PRAKTIK, InsatsType.LANGUAGE_PRAKTIK)


def with_household_applicant(qs: QuerySet, household_ref: str) -> QuerySet:
    """Annotate the legal gender and birth date of the household's sökande (latest membership)."""
    members = HouseholdMember.objects.filter(household_id=OuterRef(household_ref), role=MemberRole.APPLICANT).order_by(
        "-valid_from", "-pk"
    )
    return qs.annotate(
        applicant_gender=Subquery(members.values("applicant__legal_gender")[:1]),
        applicant_birth=Subquery(members.values("applicant__birth_date")[:1]),
    )


def granted_income_support() -> QuerySet[Decision]:
    """Försörjningsstöd granted or partly granted, in force (not replaced by a correction),
    for an application not withdrawn. A corrected decision counts once: its replacement."""
    return Decision.objects.filter(
        item_kind=DecisionItemKind.INCOME_SUPPORT, outcome__in=GRANTING_OUTCOMES, amount__gt=0,
        replaced_by__isnull=True,
    ).exclude(application__status=ApplicationStatus.WITHDRAWN)


def _by_unit(qs: QuerySet, field: str, unit_id: int | None) -> QuerySet:
    return qs if unit_id is None else qs.filter(**{field: unit_id})


def households_per_month(period: Period, unit_id: int | None) -> dict[str, dict]:
    """{"m0".."mN": {group: households}} for each month of the period (one query)."""
    months = period.months()
    support = granted_income_support().filter(application_id=OuterRef("pk"))
    apps = _by_unit(
        Application.objects.exclude(status=ApplicationStatus.WITHDRAWN)
        .filter(month__gte=months[0], month__lte=months[-1])
        .filter(Exists(support)),
        "case__unit_id",
        unit_id,
    )
    apps = with_household_applicant(apps, "case__household_id")
    measures = {
        f"m{i}": (lambda m: lambda q: Count("case__household_id", distinct=True, filter=q & Q(month=m)))(month)
        for i, month in enumerate(months)
    }
    return split_aggregate(apps, measures, on=period.end, **HOUSEHOLD_SPLIT)


def amounts(period: Period, unit_id: int | None) -> dict[str, dict]:
    """Granted amounts for the period's months: försörjningsstöd and livsföring i övrigt."""
    decisions = _by_unit(
        Decision.objects.filter(
            outcome__in=GRANTING_OUTCOMES, amount__gt=0, replaced_by__isnull=True,
            application__month__gte=period.start.replace(day=1), application__month__lte=period.end,
        ).exclude(application__status=ApplicationStatus.WITHDRAWN),
        "application__case__unit_id",
        unit_id,
    )
    decisions = with_household_applicant(decisions, "application__case__household_id")
    return split_aggregate(
        decisions,
        {
            "income_support": lambda q: Coalesce(Sum("amount", filter=q & Q(item_kind=DecisionItemKind.INCOME_SUPPORT)), 0),
            "other_costs": lambda q: Coalesce(Sum("amount", filter=q & Q(item_kind=DecisionItemKind.COST)), 0),
        },
        on=period.end,
        **HOUSEHOLD_SPLIT,
    )


def long_term(period: Period, unit_id: int | None) -> dict[str, dict]:
    """Households with försörjningsstöd in at least LONG_TERM_MIN_MONTHS of the
    LONG_TERM_WINDOW_MONTHS months ending with the period's last month, and all households with
    försörjningsstöd in those months."""
    last_month = period.end.replace(day=1)
    first_month = add_months(last_month, 1 - board_norms.norm("LONG_TERM_WINDOW_MONTHS"))
    months_with_support = (
        _by_unit(granted_income_support(), "application__case__unit_id", unit_id)
        .filter(
            application__case__household_id=OuterRef("pk"),
            application__month__gte=first_month,
            application__month__lte=last_month,
        )
        .order_by()
        .values("application__case__household_id")
        .annotate(n=Count("application__month", distinct=True))
        .values("n")
    )
    households = with_household_applicant(
        Household.objects.annotate(
            support_months=Coalesce(Subquery(months_with_support, output_field=IntegerField()), Value(0))
        ),
        "pk",
    )
    minimum = board_norms.norm("LONG_TERM_MIN_MONTHS")
    return split_aggregate(
        households,
        {
            "long_term": lambda q: Count("pk", filter=q & Q(support_months__gte=minimum)),
            "recipients": lambda q: Count("pk", filter=q & Q(support_months__gte=1)),
        },
        on=period.end,
        **HOUSEHOLD_SPLIT,
    )


def waiting_times(period: Period, unit_id: int | None) -> dict[str, dict]:
    """Days from the application's receipt to its first decision, for applications first decided
    in the period: count, mean and median per group."""
    first = Decision.objects.filter(application_id=OuterRef("pk"), replaces__isnull=True).order_by("decided_on", "pk")
    # Only applications with an original decision in the period can have their first one there: a
    # semi-join on the decision date, so the first-decision subquery runs for those rows alone.
    decided_in_period = Decision.objects.filter(
        replaces__isnull=True, decided_on__gte=period.start, decided_on__lte=period.end
    ).values("application_id")
    apps = (
        _by_unit(Application.objects.exclude(status=ApplicationStatus.WITHDRAWN), "case__unit_id", unit_id)
        .filter(pk__in=decided_in_period)
        .annotate(first_decided=Subquery(first.values("decided_on")[:1]))
        .filter(first_decided__gte=period.start, first_decided__lte=period.end)
        .annotate(wait_days=DaysBetween(F("first_decided"), F("received_on")))
    )
    apps = with_household_applicant(apps, "case__household_id")
    out = split_aggregate(
        apps,
        {"count": lambda q: Count("pk", filter=q), "mean": lambda q: Avg("wait_days", filter=q)},
        on=period.end,
        **HOUSEHOLD_SPLIT,
    )
    out["median"] = medians(apps, "wait_days", on=period.end, **HOUSEHOLD_SPLIT)
    return out


PERSON_OF_CLOSING = {"gender": "participation__applicant__legal_gender", "birth": "participation__applicant__birth_date"}


def _closings(period: Period, unit_id: int | None) -> QuerySet[ParticipationClosing]:
    """Closings confirmed by both sides (004:573-576) whose end date is in the period."""
    return _by_unit(
        ParticipationClosing.objects.filter(
            confirmed_at__isnull=False, end_date__gte=period.start, end_date__lte=period.end
        ),
        "proposed_by__unit_id",
        unit_id,
    )


def closings(period: Period, unit_id: int | None) -> dict[str, dict]:
    return split_aggregate(
        _closings(period, unit_id),
        {
            "count": lambda q: Count("pk", filter=q),
            "work_or_studies": lambda q: Count("pk", filter=q & Q(reason__in=WORK_OR_STUDIES)),
        },
        on=period.end,
        **PERSON_OF_CLOSING,
    )


def closings_by_reason(period: Period, unit_id: int | None) -> dict[str, dict[str, int]]:
    """{reason: {group: closings}} in one query (grouped by reason, a conditional count per group)."""
    exprs = {
        f"n_{g.key}": Count("pk", filter=group_q(g, on=period.end, **PERSON_OF_CLOSING)) for g in GROUPS
    }
    rows = _closings(period, unit_id).order_by().values("reason").annotate(**exprs)
    return {row["reason"]: {g.key: row[f"n_{g.key}"] for g in GROUPS} for row in rows}


def participants(period: Period, unit_id: int | None) -> dict[str, dict]:
    """Distinct persons with a participation running some day of the period, by kind."""
    qs = _by_unit(
        Participation.objects.annotate(last_day=Coalesce("end_date", "decision_period_end")).filter(
            start_date__lte=period.end, last_day__gte=period.start
        ),
        "insats__provider_unit_id",
        unit_id,
    )
    code = board_norms.norm("INSATS_MATCHNING_UNIT_CODE")

    def persons(condition: Q):
        return lambda q: Count("applicant_id", distinct=True, filter=q & condition)

    return split_aggregate(
        qs,
        {
            "insats_matchning": persons(Q(insats__provider_unit__code=code)),
            "employment": persons(Q(insats__insats_type=InsatsType.LABOUR_MARKET_EMPLOYMENT)),
            "work_training": persons(Q(insats__insats_type=InsatsType.WORK_TRAINING)),
            "praktik": persons(Q(insats__insats_type__in=PRAKTIK_TYPES)),
        },
        on=period.end,
        gender="applicant__legal_gender",
        birth="applicant__birth_date",
    )
