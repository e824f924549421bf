"""The key figures (report 1), each one aggregate query over one period, split by kön and age.

Household figures are split by the household's sökande (the member with the applicant role);
person figures by the person. Who a figure belongs to when a unit is chosen:
money and applications -> the case's unit; coordinator closings -> the unit of the coordinator
who proposed the closing; participation -> the unit that runs the insats.
"""

from __future__ import annotations

from django.db.models import (
    BooleanField,
    Case,
    Count,
    Exists,
    ExpressionWrapper,
    F,
    IntegerField,
    Max,
    Min,
    OuterRef,
    Q,
    QuerySet,
    Value,
    When,
    Window,
)
from django.db.models.functions import Coalesce, RowNumber

from audit.reports import board_norms
from audit.reports.base import Period
from audit.reports.figures import GROUPS, DaysBetween, group_q, household_medians, household_split
from cases.expressions import fenced
from cases.finance_models import (
    GRANTING_OUTCOMES,
    Application,
    ApplicationStatus,
    Decision,
    DecisionItemKind,
)
from cases.models import HouseholdMember, MemberRole
from cases.payment_models import PaymentOrder, PaymentReturn
from insatser.models import ClosingReason, InsatsType, Participation, ParticipationClosing
from planning.norms import add_months

WORK_OR_STUDIES = (ClosingReason.WORK, ClosingReason.STUDIES)
PRAKTIK_TYPES = (InsatsType.PRAKTIK, InsatsType.LANGUAGE_PRAKTIK)


def latest_applicant_memberships(households: QuerySet | None = None) -> QuerySet[HouseholdMember]:
    """Each household's latest membership with the applicant role (latest valid_from, then the
    latest row), whoever holds it on the report's day: its sökande. `households` (a queryset of
    household ids) limits the rows before the window, which changes nothing for those kept."""
    latest_first = Window(
        RowNumber(), partition_by=[F("household_id")], order_by=[F("valid_from").desc(), F("pk").desc()]
    )
    members = HouseholdMember.objects.filter(role=MemberRole.APPLICANT)
    if households is not None:
        members = members.filter(household_id__in=households)
    return members.annotate(rn=latest_first).filter(rn=1).order_by()


def household_applicants(on) -> QuerySet[HouseholdMember]:
    """The household's sökande, one row per household (latest_applicant_memberships). Columns:
    hh (the household) and g_<group> (the sökande is in the group on `on`, by
    figures.group_q). A household without a sökande is counted only in Totalt.

    One window over the memberships instead of a correlated subquery per counted row: the
    figures join it once (figures.household_split)."""
    return latest_applicant_memberships().values(
        hh=F("household_id"), **group_flags(gender="applicant__legal_gender", birth="applicant__birth_date", on=on)
    )


def group_flags(*, gender: str, birth: str, on) -> dict[str, ExpressionWrapper]:
    """g_<group>: a boolean per group but Totalt, by figures.group_q on the lookups `gender` and `birth`."""
    return {
        f"g_{g.key}": ExpressionWrapper(group_q(g, gender=gender, birth=birth, on=on), output_field=BooleanField())
        for g in GROUPS
        if g.key != "total"
    }


def in_force() -> Exists:
    """The decision is in force: no correction replaces it (a corrected decision counts once, as
    its replacement, whenever the correction came). Written as NOT EXISTS rather than a left join
    on the reverse relation: PostgreSQL turns it into an anti-join it can estimate, where
    `replaced_by IS NULL` was estimated at one row and the plan then rescanned the sökande per row."""
    return ~Exists(Decision.objects.filter(replaces_id=OuterRef("pk")))


def granted() -> QuerySet[Decision]:
    """Decisions granted or partly granted with an amount, in force (not replaced by a
    correction), for an application not withdrawn: what "beviljat" counts. A corrected decision
    counts once: its replacement."""
    return Decision.objects.filter(in_force(), outcome__in=GRANTING_OUTCOMES, amount__gt=0).exclude(
        application__status=ApplicationStatus.WITHDRAWN
    )


def granted_income_support() -> QuerySet[Decision]:
    """Försörjningsstöd granted (granted()): what makes a household one with försörjningsstöd."""
    return granted().filter(item_kind=DecisionItemKind.INCOME_SUPPORT)


def paid_orders() -> QuerySet[PaymentOrder]:
    """Payment orders sent to the bank in a batch (so attested) that have not come back (DOMAIN.md
    8: "utbetalt" means paid). A payment counts whatever became of its decision later."""
    return PaymentOrder.objects.filter(batch__isnull=False).exclude(
        Exists(PaymentReturn.objects.filter(order_id=OuterRef("pk")))
    )


def decided_applications() -> QuerySet[Application]:
    """Applications not withdrawn with first_decided: the earliest decided_on among their
    original decisions (corrections do not count), and wait_days from receipt to it."""
    return (
        Application.objects.exclude(status=ApplicationStatus.WITHDRAWN)
        .annotate(first_decided=Min("decisions__decided_on", filter=Q(decisions__replaces__isnull=True)))
        .annotate(wait_days=DaysBetween(F("first_decided"), F("received_on")))
    )


def _by_unit(qs: QuerySet, field: str, unit_id: int | None) -> QuerySet:
    return qs if unit_id is None else qs.filter(**{field: unit_id})


def households_per_month(period: Period, unit_id: int | None) -> dict[str, dict]:
    """{"m0".."mN": {group: households}} for each month of the period (one query): the distinct
    (month, household) pairs, joined once to the sökande and counted per month (one plain count
    per group, not a distinct count per group and month)."""
    months = period.months()
    support = granted_income_support().filter(application_id=OuterRef("pk"))
    pairs = (
        _by_unit(
            Application.objects.exclude(status=ApplicationStatus.WITHDRAWN)
            .filter(month__gte=months[0], month__lte=months[-1])
            .filter(Exists(support)),
            "case__unit_id",
            unit_id,
        )
        .order_by()
        .values(hh=F("case__household_id"), in_month=F("month"))
        .distinct()
    )
    per_month = household_split(pairs, household_applicants(period.end), {"n": ("COUNT", None)}, by="in_month")
    index = {month.isoformat(): i for i, month in enumerate(months)}
    out = {f"m{i}": dict.fromkeys((g.key for g in GROUPS), 0) for i in range(len(months))}
    for month, figures in per_month.items():
        out[f"m{index[str(month)[:10]]}"] = figures["n"]
    return out


def amounts(period: Period, unit_id: int | None) -> dict[str, dict]:
    """Granted amounts for the period's months: försörjningsstöd and livsföring i övrigt."""
    decisions = (
        _by_unit(
            granted().filter(
                application__month__gte=period.start.replace(day=1), application__month__lte=period.end,
            ),
            "application__case__unit_id",
            unit_id,
        )
        .order_by()
        .values(
            hh=F("application__case__household_id"),
            income_support=Case(When(item_kind=DecisionItemKind.INCOME_SUPPORT, then=F("amount"))),
            other_costs=Case(When(item_kind=DecisionItemKind.COST, then=F("amount"))),
        )
    )
    return household_split(
        decisions,
        household_applicants(period.end),
        {"income_support": ("SUM", "income_support"), "other_costs": ("SUM", "other_costs")},
        default=0,
    )


def paid_amounts(period: Period, unit_id: int | None) -> dict[str, dict]:
    """Paid amounts for the period's months (DOMAIN.md 8: "utbetalt" means paid, not granted):
    payment orders sent to the bank in a batch (so attested) that have not come back, for
    applications that concern the period's months, on the same footing as the granted amounts.
    A payment counts whatever became of its decision later: the money went out."""
    orders = (
        _by_unit(
            paid_orders().filter(
                decision__application__month__gte=period.start.replace(day=1),
                decision__application__month__lte=period.end,
            ),
            "decision__application__case__unit_id",
            unit_id,
        )
        .order_by()
        .values(
            hh=F("decision__application__case__household_id"),
            income_support=Case(When(decision__item_kind=DecisionItemKind.INCOME_SUPPORT, then=F("amount"))),
            other_costs=Case(When(decision__item_kind=DecisionItemKind.COST, then=F("amount"))),
        )
    )
    return household_split(
        orders,
        household_applicants(period.end),
        {"income_support": ("SUM", "income_support"), "other_costs": ("SUM", "other_costs")},
        default=0,
    )


def money(period: Period, unit_id: int | None) -> tuple[dict[str, dict], dict[str, dict]]:
    """(amounts, paid_amounts): as key_figure_fact_queries.money, which reads both in one pass."""
    return amounts(period, unit_id), paid_amounts(period, unit_id)


def long_term(period: Period, unit_id: int | None) -> dict[str, dict]:
    """Households with försörjningsstöd in at least LONG_TERM_MIN_MONTHS of the
    LONG_TERM_WINDOW_MONTHS months ending with the period's last month, and all households with
    försörjningsstöd in those months (one row per household with support, with its months)."""
    last_month = period.end.replace(day=1)
    first_month = add_months(last_month, 1 - board_norms.norm("LONG_TERM_WINDOW_MONTHS"))
    minimum = board_norms.norm("LONG_TERM_MIN_MONTHS")
    households = (
        _by_unit(granted_income_support(), "application__case__unit_id", unit_id)
        .filter(application__month__gte=first_month, application__month__lte=last_month)
        .order_by()
        .values(hh=F("application__case__household_id"))
        .annotate(support_months=Count("application__month", distinct=True))
        .annotate(is_long_term=Case(When(support_months__gte=minimum, then=Value(1))))
        .values("hh", "is_long_term")
    )
    return household_split(
        households,
        household_applicants(period.end),
        {"long_term": ("COUNT", "is_long_term"), "recipients": ("COUNT", None)},
    )


def waiting_times(period: Period, unit_id: int | None) -> dict[str, dict]:
    """Days from the application's receipt to its first decision, for applications first decided
    in the period: count, mean and median per group.

    The first decision's date is the earliest decided_on among the application's original
    decisions (corrections do not count), computed once per application by grouping, not by a
    subquery that the select list and each filter would run again."""
    # Only applications with an original decision in the period can have their first one there: a
    # semi-join on the decision date, so only their decisions are grouped.
    decided_in_period = Decision.objects.filter(
        replaces__isnull=True, decided_on__gte=period.start, decided_on__lte=period.end
    ).values("application_id")
    apps = (
        _by_unit(decided_applications(), "case__unit_id", unit_id)
        .filter(pk__in=decided_in_period)
        .filter(first_decided__gte=period.start, first_decided__lte=period.end)
        .order_by()
        .values("wait_days", hh=F("case__household_id"))
    )
    groups = household_applicants(period.end)
    out = household_split(apps, groups, {"count": ("COUNT", None), "mean": ("AVG", "wait_days")})
    out["median"] = household_medians(apps, groups, "wait_days")
    return out


PERSON_OF_CLOSING = {"gender": "participation__applicant__legal_gender", "birth": "participation__applicant__birth_date"}
CLOSING_UNIT = "proposed_by__unit_id"  # a closing counts at the unit of the coordinator who proposed it


def confirmed_closings() -> QuerySet[ParticipationClosing]:
    """Closings confirmed by both sides (004:573-576): the closings the key figures count."""
    return ParticipationClosing.objects.filter(confirmed_at__isnull=False)


def _closings(period: Period, unit_id: int | None) -> QuerySet[ParticipationClosing]:
    """Confirmed closings whose end date is in the period."""
    return _by_unit(
        confirmed_closings().filter(end_date__gte=period.start, end_date__lte=period.end), CLOSING_UNIT, unit_id
    )


def closings(by_reason: dict[str, dict[str, int]]) -> dict[str, dict]:
    """All closings and those to work or studies, per group, summed from closings_by_reason's
    counts (each closing has one reason), so the closings are read once, not twice."""
    def total(reasons) -> dict[str, int]:
        return {g.key: sum(by_reason.get(r, {}).get(g.key, 0) for r in reasons) for g in GROUPS}

    return {"count": total(by_reason), "work_or_studies": total(WORK_OR_STUDIES)}


def closings_by_reason(period: Period, unit_id: int | None) -> dict[str, dict[str, int]]:
    """{reason: {group: closings}} in one query (grouped by reason, a conditional count per group)."""
    exprs = {
        f"n_{g.key}": Count("pk", filter=group_q(g, on=period.end, **PERSON_OF_CLOSING)) for g in GROUPS
    }
    rows = _closings(period, unit_id).order_by().values("reason").annotate(**exprs)
    return {row["reason"]: {g.key: row[f"n_{g.key}"] for g in GROUPS} for row in rows}


def running_participations() -> QuerySet[Participation]:
    """Participations with last_day: their end date, or the decision period's end while they run."""
    return Participation.objects.annotate(last_day=Coalesce("end_date", "decision_period_end"))


def participation_kinds(*, insats_type: str, matchning: Q) -> dict[str, Q]:
    """The kinds of participation the key figures count, on the lookup `insats_type` (the insats's
    type) and the condition `matchning` (the insats is given by Insats & Matchning)."""
    return {
        "insats_matchning": matchning,
        "employment": Q(**{insats_type: InsatsType.LABOUR_MARKET_EMPLOYMENT}),
        "work_training": Q(**{insats_type: InsatsType.WORK_TRAINING}),
        "praktik": Q(**{f"{insats_type}__in": PRAKTIK_TYPES}),
    }


def count_participants(rows: QuerySet, period: Period, kinds: dict[str, Q], *, person: str, gender: str,
                       birth: str) -> dict[str, dict]:
    """Distinct persons among `rows` (participations running some day of the period), by kind.

    One row per person first (a 0/1 column per kind: has at least one such participation), then
    plain counts over those rows: the same as COUNT(DISTINCT person) per kind and group, without
    a sort of every participation for each of the 32 distinct counts."""
    per_person = rows.order_by().values(person).annotate(
        gender=F(gender),
        birth=F(birth),
        **{f"has_{kind}": Max(Case(When(condition, then=Value(1)), default=Value(0), output_field=IntegerField()))
           for kind, condition in kinds.items()},
    )
    exprs = {
        f"{kind}__{g.key}": Count(
            person, filter=Q(**{f"has_{kind}": 1}) & group_q(g, gender="gender", birth="birth", on=period.end)
        )
        for kind in kinds for g in GROUPS
    }
    row = fenced(per_person).aggregate(**exprs)
    return {kind: {g.key: row[f"{kind}__{g.key}"] for g in GROUPS} for kind in kinds}


def participants(period: Period, unit_id: int | None) -> dict[str, dict]:
    """Distinct persons with a participation running some day of the period, by kind (the
    insats's provider unit when a unit is asked for)."""
    rows = _by_unit(
        running_participations().filter(start_date__lte=period.end, last_day__gte=period.start),
        "insats__provider_unit_id",
        unit_id,
    )
    kinds = participation_kinds(
        insats_type="insats__insats_type",
        matchning=Q(insats__provider_unit__code=board_norms.norm("INSATS_MATCHNING_UNIT_CODE")),
    )
    return count_participants(rows, period, kinds, person="applicant_id", gender="applicant__legal_gender",
                              birth="applicant__birth_date")
