"""Every read of audit's control layer, scoped to the user.

- caseworker, coordinator, insats staff: flags they are responsible for, or on persons they see;
- unit manager: flags of their unit, and those escalated to them;
- board: never a flag, only counts (flag_counts); administrator: rules, parameters and runs.
"""

from __future__ import annotations

import datetime

from django.db.models import Count, Exists, Max, OuterRef, Prefetch, Q, QuerySet, Sum
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
    RuleRunChunk,
    RunStatus,
)
from cases.models import CoordinatorAssignment, Role, Staff
from cases.selectors import applicants_for
from planning.models import FollowUp, PlanActivity, Subgoal

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


def rule_status(*, now: datetime.datetime | None = None) -> list[dict]:
    """Per rule: its latest finished run (when, how long its chunks worked, what they found) and the
    run in progress, if any, with whether it has stalled. Five queries whatever the history."""
    from audit.control.services import last_activity, stalled_after

    now = now or timezone.now()
    rules = list(Rule.objects.order_by("code"))
    chunks = RuleRunChunk.objects.values("rule_code")
    latest = dict(chunks.annotate(last=Max("run_id")).values_list("rule_code", "last"))
    finished = dict(
        chunks.filter(run__status__in=[RunStatus.SUCCEEDED, RunStatus.FAILED])
        .annotate(last=Max("run_id"))
        .values_list("rule_code", "last")
    )
    run_ids = set(latest.values()) | set(finished.values())
    per_rule = {
        (row["run_id"], row["rule_code"]): row
        for row in RuleRunChunk.objects.filter(run_id__in=run_ids)
        .values("run_id", "rule_code")
        .annotate(
            chunks=Count("pk"), done=Count("pk", filter=Q(done=True)), examined=Sum("subjects_examined"),
            opened=Sum("flags_opened"), kept=Sum("flags_kept"), resolved=Sum("flags_resolved"),
            work_ms=Sum("duration_ms"),
        )
    }
    runs = {
        run.pk: run
        for run in RuleRun.objects.filter(pk__in=run_ids).select_related("started_by").annotate(
            last_sent=Max("chunks__dispatched_at"), last_begun=Max("chunks__started_at"),
            last_finished=Max("chunks__finished_at"),
        )
    }
    for row in per_rule.values():
        row["work_seconds"] = row["work_ms"] / 1000 if row["work_ms"] is not None else None
    quiet_since = now - stalled_after()
    rows = []
    for rule in rules:
        running = runs.get(latest.get(rule.code))
        running = running if running is not None and running.status == RunStatus.RUNNING else None
        done = runs.get(finished.get(rule.code))
        rows.append({
            "rule": rule,
            "last": done and {"run": done, **per_rule[(done.pk, rule.code)]},
            "running": running and {
                "run": running, **per_rule[(running.pk, rule.code)],
                "stalled": last_activity(running) < quiet_since, "quiet_since": last_activity(running),
            },
        })
    return rows


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
    return (
        sample.items.select_related("case", "person")
        .prefetch_related(Prefetch("answers", queryset=ChecklistAnswer.objects.order_by("pk")))
        .order_by("position")
    )


def sample_item_for_review(*, user: Staff) -> QuerySet[ControlSampleItem]:
    """Sampled items in the user's samples, with what the reviewer reads beside the questions:
    the plan judged (goal, sub-goals, activities, follow-ups) and the case (unit, caseworker,
    coordinators). A fixed number of queries whatever the plan's size."""
    return (
        ControlSampleItem.objects.filter(sample__in=samples_for(user))
        .select_related(
            "sample", "person", "case__unit", "case__responsible_caseworker", "plan__created_by", "plan__signed_by",
        )
        .prefetch_related(
            Prefetch("answers", queryset=ChecklistAnswer.objects.order_by("pk")),
            Prefetch("plan__subgoals", queryset=Subgoal.objects.order_by("position", "pk")),
            Prefetch("plan__activities", queryset=PlanActivity.objects.order_by("position", "pk")),
            Prefetch("plan__follow_ups", queryset=FollowUp.objects.select_related("recorded_by")
                     .order_by("followed_up_on", "pk")),
            Prefetch("case__coordinator_assignments", queryset=CoordinatorAssignment.objects
                     .select_related("coordinator").order_by("start_date", "pk")),
        )
    )


def answers_for(user: Staff) -> QuerySet[ChecklistAnswer]:
    return ChecklistAnswer.objects.filter(item__sample__in=samples_for(user)).select_related("item")


def sample_results(*, sample: ControlSample) -> list[dict]:
    """Per question: how many sampled cases answer yes, no and not applicable, of how many (e.g.
    follow-up stated: 1 of 10), and how many are reviewed. One query."""
    from audit.control.checklist import QUESTIONS, value_counts

    rows = {
        r["question"]: r
        for r in ChecklistAnswer.objects.filter(item__sample=sample).values("question").annotate(**value_counts())
    }
    keys = ("yes", "no", "not_applicable", "unknown", "reviewed")
    return [
        {"question": q.code, "text": q.text, **{k: rows.get(q.code, {}).get(k, 0) for k in keys},
         "of": rows.get(q.code, {}).get("total", 0)}
        for q in QUESTIONS
    ]


SAMPLE_PLAN_LINES = [
    ("signed", "Med fastställd plan", "Den sökandes senaste plan den sista dagen i perioden är fastställd."),
    ("draft", "Med enbart utkast", "Den sökandes senaste plan är ett utkast som inte fastställts. Den bedöms "
     "som den är."),
    ("none", "Utan genomförandeplan", "Den sökande har ingen genomförandeplan alls, varken utkast eller fastställd."),
]


def sample_plan_states(*, sample: ControlSample) -> list[dict]:
    """How many of the sampled persons had a signed plan, only a draft, or no plan (one query)."""
    counts = dict(sample.items.order_by().values_list("plan_state").annotate(n=Count("pk")))
    return [{"state": key, "label": label, "count": counts.get(key, 0), "definition": text}
            for key, label, text in SAMPLE_PLAN_LINES]


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


# Who may review the access log (loggkontroll): the administrator every row, a unit manager the
# reads of their own unit's staff. The API and the page both use these, so they cannot disagree.
ACCESS_LOG_REVIEWERS = frozenset({Role.ADMINISTRATOR, Role.UNIT_MANAGER})


def _reviewed_staff(user: Staff) -> QuerySet[Staff] | None:
    """The staff whose reads `user` reviews; None for every row (the administrator)."""
    if user.role == Role.ADMINISTRATOR:
        return None
    if user.role == Role.UNIT_MANAGER and user.unit_id:
        return Staff.objects.filter(unit_id=user.unit_id)
    return Staff.objects.none()


def access_log_readers(*, user: Staff) -> QuerySet[Staff]:
    """The staff members a reviewer may pick (what a given staff member read), by name."""
    staff = _reviewed_staff(user)
    return (Staff.objects.all() if staff is None else staff).order_by("last_name", "first_name", "pk")


def access_log_review(
    *, user: Staff, person: int | None = None, actor: int | None = None, date_from=None, date_to=None,
    channel: str | None = None, action: str | None = None,
):
    """Loggkontroll: the access log as the reviewer may see it, newest first. The administrator sees
    every row; a unit manager the rows of their own unit's staff (who read a given person, what a
    given staff member read). One query for the page, one for the count, whatever the filters."""
    from audit.recording.models import AccessLogEntry

    qs = AccessLogEntry.objects.all()
    if user.role not in ACCESS_LOG_REVIEWERS:
        return qs.none()
    staff = _reviewed_staff(user)
    if staff is not None:
        qs = qs.filter(actor_id__in=staff.values("pk"))
    filters = {
        "person_id": person, "actor_id": actor, "occurred_at__date__gte": date_from,
        "occurred_at__date__lte": date_to, "channel": channel, "action": action,
    }
    return qs.filter(**{k: v for k, v in filters.items() if v is not None}).order_by("-occurred_at", "-pk")
