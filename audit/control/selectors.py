"""Every read of audit's control layer, scoped to the user.

- caseworker, coordinator, insats staff: flags they are responsible for, or on persons they see;
- unit manager: flags of their unit, and those escalated to them;
- board: never a flag, only counts (flag_counts); administrator: rules, parameters and runs.
"""

from __future__ import annotations

import datetime

from django.db.models import Count, Exists, OuterRef, Q, QuerySet
from django.utils import timezone

from audit.control.models import (
    LIVE_FLAG_STATUSES,
    ActionStatus,
    ChecklistAnswer,
    ControlSample,
    ControlSampleItem,
    CorrectiveAction,
    Flag,
    Rule,
    RuleParameter,
    RuleRun,
)
from cases.models import Role, Staff
from cases.selectors import applicants_for

STAFF_ROLES = (Role.CASEWORKER, Role.COORDINATOR, Role.INSATS_STAFF)


def flags_for(user: Staff) -> QuerySet[Flag]:
    qs = Flag.objects.all()
    if not (user.is_authenticated and user.is_active):
        return qs.none()
    if user.role == Role.UNIT_MANAGER:
        return qs.filter(Q(unit_id=user.unit_id) | Q(escalated_to=user))
    if user.role in STAFF_ROLES:
        visible_person = applicants_for(user).filter(pk=OuterRef("person_id"))
        return qs.filter(Q(responsible=user) | Q(Exists(visible_person)))
    return qs.none()


def flag_worklist(
    *,
    user: Staff,
    rule: str | None = None,
    unit: int | None = None,
    responsible: int | None = None,
    status: list[str] | None = None,
    min_age_days: int | None = None,
    max_age_days: int | None = None,
    today: datetime.date | None = None,
) -> QuerySet[Flag]:
    """The worklist: most severe first, then oldest first."""
    today = today or timezone.localdate()
    qs = flags_for(user).select_related("rule", "responsible", "unit", "person", "escalated_to")
    if rule:
        qs = qs.filter(rule__code=rule)
    if unit:
        qs = qs.filter(unit_id=unit)
    if responsible:
        qs = qs.filter(responsible_id=responsible)
    if status:
        qs = qs.filter(status__in=status)
    if min_age_days is not None:
        qs = qs.filter(first_seen__lte=today - datetime.timedelta(days=min_age_days))
    if max_age_days is not None:
        qs = qs.filter(first_seen__gte=today - datetime.timedelta(days=max_age_days))
    return qs.order_by("-rule__severity", "first_seen", "pk")


def flag_counts(*, unit: int | None = None) -> list[dict]:
    """Counts only (no person): per rule and status; what the board may see."""
    qs = Flag.objects.all()
    if unit:
        qs = qs.filter(unit_id=unit)
    return list(
        qs.values("rule__code", "rule__title", "status").annotate(count=Count("pk")).order_by("rule__code", "status")
    )


def rule_list() -> QuerySet[Rule]:
    return Rule.objects.prefetch_related("parameters").order_by("code")


def parameter_list() -> QuerySet[RuleParameter]:
    return RuleParameter.objects.select_related("rule").order_by("rule__code", "key")


def run_list() -> QuerySet[RuleRun]:
    return RuleRun.objects.select_related("started_by").order_by("-started_at", "-pk")


def actions_for(user: Staff) -> QuerySet[CorrectiveAction]:
    qs = CorrectiveAction.objects.select_related("owner", "flag", "sample_answer__item", "created_by")
    if not (user.is_authenticated and user.is_active) or user.role not in (*STAFF_ROLES, Role.UNIT_MANAGER):
        return qs.none()
    condition = Q(owner=user) | Q(flag__in=flags_for(user))
    if user.role == Role.UNIT_MANAGER and user.unit_id:
        condition |= Q(sample_answer__item__sample__unit_id=user.unit_id)
    return qs.filter(condition).order_by("due_date", "pk")


def samples_for(user: Staff) -> QuerySet[ControlSample]:
    if not (user.is_authenticated and user.is_active) or getattr(user, "role", None) != Role.UNIT_MANAGER:
        return ControlSample.objects.none()
    return ControlSample.objects.filter(unit_id=user.unit_id).select_related("unit", "drawn_by").order_by("-created_at")


def sample_items(*, sample: ControlSample) -> QuerySet[ControlSampleItem]:
    from django.db.models import Prefetch

    return (
        sample.items.select_related("case", "person")
        .prefetch_related(Prefetch("answers", queryset=ChecklistAnswer.objects.order_by("pk")))
        .order_by("position")
    )


def answers_for(user: Staff) -> QuerySet[ChecklistAnswer]:
    return ChecklistAnswer.objects.filter(item__sample__in=samples_for(user)).select_related("item")


def sample_results(*, sample: ControlSample) -> list[dict]:
    """Per question: how many sampled cases answer yes, of how many (e.g. follow-up stated: 1 of 10)."""
    from audit.control.checklist import QUESTIONS

    rows = {
        r["question"]: r
        for r in ChecklistAnswer.objects.filter(item__sample=sample)
        .values("question")
        .annotate(
            yes=Count("pk", filter=Q(answer=True) | Q(answer__isnull=True, prefilled=True)),
            reviewed=Count("pk", filter=Q(answer__isnull=False)),
            total=Count("pk"),
        )
    }
    return [
        {
            "question": q.code,
            "text": q.text,
            "yes": rows.get(q.code, {}).get("yes", 0),
            "of": rows.get(q.code, {}).get("total", 0),
            "reviewed": rows.get(q.code, {}).get("reviewed", 0),
        }
        for q in QUESTIONS
    ]


def flag_counts_by_rule_and_age(
    *, user: Staff, today: datetime.date, bands: list[tuple[int, int | None]]
) -> list[dict]:
    """Per rule, the live flags in scope and how many fall in each age band (days since first
    seen, `(lowest, highest or None)`): counts only, one query. Key `band<i>` for band i."""
    counts = {}
    for i, (low, high) in enumerate(bands):  # a handful of bands set by the page, not by the data
        condition = Q(first_seen__lte=today - datetime.timedelta(days=low))
        if high is not None:
            condition &= Q(first_seen__gte=today - datetime.timedelta(days=high))
        counts[f"band{i}"] = Count("pk", filter=condition)
    return list(
        flags_for(user).filter(status__in=LIVE_FLAG_STATUSES)
        .values("rule__code", "rule__title", "rule__severity")
        .annotate(total=Count("pk"), **counts)
        .order_by("-rule__severity", "rule__code")
    )


def flags_escalated(*, user: Staff) -> QuerySet[Flag]:
    return (
        flags_for(user).filter(escalated_at__isnull=False, status__in=LIVE_FLAG_STATUSES)
        .select_related("rule", "person", "responsible").order_by("escalated_at", "pk")
    )


def actions_due(*, user: Staff, by: datetime.date) -> QuerySet[CorrectiveAction]:
    """Planned corrective actions in scope due on or before `by` (overdue ones included)."""
    return (
        actions_for(user).filter(status=ActionStatus.PLANNED, due_date__lte=by)
        .select_related("flag__rule", "flag__person", "sample_answer__item__person", "sample_answer__item__sample")
    )


def access_log_review(
    *, user: Staff, person: int | None = None, actor: int | None = None, date_from=None, date_to=None,
    channel: str | None = None, action: str | None = None,
):
    """Loggkontroll: the access log as the reviewer may see it, newest first. The administrator sees
    every row; a unit manager the rows of their own unit's staff (who read a given person, what a
    given staff member read). One query for the page, one for the count, whatever the filters."""
    from audit.recording.models import AccessLogEntry

    qs = AccessLogEntry.objects.all()
    if user.role == Role.UNIT_MANAGER and user.unit_id:
        qs = qs.filter(actor_id__in=Staff.objects.filter(unit_id=user.unit_id).values("pk"))
    elif user.role != Role.ADMINISTRATOR:
        return qs.none()
    filters = {
        "person_id": person, "actor_id": actor, "occurred_at__date__gte": date_from,
        "occurred_at__date__lte": date_to, "channel": channel, "action": action,
    }
    return qs.filter(**{k: v for k, v in filters.items() if v is not None}).order_by("-occurred_at", "-pk")
