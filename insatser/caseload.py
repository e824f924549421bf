"""A coordinator's caseload: every person assigned to them, with what the start page shows.

Two queries whatever the caseload size: one for the persons with plan, follow-up and queue
facts as subquery annotations (`caseload_persons`, which a caller may page), one for this week's
hours (`caseload_rows`, insatser.full_time). Open flags belong to audit's control layer, which
this app may not import (ARCHITECTURE.md): the caller passes them in through `flag_counts` (see
config/caseload.py, which composes the page and the API alike).
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Count, Exists, IntegerField, Min, OuterRef, Q, QuerySet, Subquery, Value
from django.db.models.functions import Coalesce
from django.utils import timezone

from cases import identity
from cases.models import Applicant, Staff
from cases.selectors import applicants_for, with_identity_number
from planning.models import FollowUp, ImplementationPlan, PlanStatus
from planning.selectors import current_plans

from . import full_time
from .models import Participation, ParticipationStatus, Referral, ReferralStatus

# Sort keys offered on the page -> ORDER BY (nulls sort as the database puts them).
SORTS = {
    "namn": ("last_name", "first_name", "pk"),
    "uppfoljning": ("next_follow_up_on", "last_name", "pk"),
    "plan": ("plan_valid_until", "last_name", "pk"),
    "ko": ("-queued_referrals", "last_name", "pk"),
}
# What the page calls each sort.
SORT_LABELS = {"namn": "Namn", "uppfoljning": "Nästa uppföljning", "plan": "Planens giltighet", "ko": "Kö"}
FILTERS = {
    "": "Alla",
    "utan_plan": "Utan gällande plan",
    "uppfoljning_passerad": "Uppföljning passerad",
    "i_ko": "Väntar i kö",
    "utkast": "Har utkast till plan",
}


def _count(qs: QuerySet) -> Coalesce:
    rows = qs.order_by().values("applicant_id").annotate(n=Count("pk")).values("n")[:1]
    return Coalesce(Subquery(rows, output_field=IntegerField()), Value(0))


def caseload_queryset(*, user: Staff, on: datetime.date | None = None) -> QuerySet[Applicant]:
    on = on or timezone.localdate()
    plan = current_plans(on=on).filter(applicant_id=OuterRef("pk")).order_by("-version")
    last_follow_up = FollowUp.objects.filter(
        plan__applicant_id=OuterRef("pk"), plan__status=PlanStatus.SIGNED
    ).order_by("-followed_up_on", "-pk")
    queued = Referral.objects.filter(applicant_id=OuterRef("pk"), status=ReferralStatus.QUEUED)
    return applicants_for(user).annotate(
        plan_id=Subquery(plan.values("pk")[:1]),
        plan_valid_until=Subquery(plan.values("valid_until")[:1]),
        # The date the last follow-up set, else the plan's own latest follow-up date.
        next_follow_up_on=Coalesce(
            Subquery(last_follow_up.values("next_follow_up_on")[:1]), Subquery(plan.values("latest_follow_up_on")[:1])
        ),
        has_draft=Exists(ImplementationPlan.objects.filter(applicant_id=OuterRef("pk"), status=PlanStatus.DRAFT)),
        queued_referrals=_count(queued),
        best_queue_position=Subquery(
            queued.order_by().values("applicant_id").annotate(m=Min("queue_position")).values("m")[:1]
        ),
        open_referrals=_count(Referral.objects.filter(applicant_id=OuterRef("pk"), status=ReferralStatus.REFERRED)),
        active_participations=_count(
            Participation.objects.filter(applicant_id=OuterRef("pk"), status=ParticipationStatus.ACTIVE)
        ),
    )


def _search(qs: QuerySet[Applicant], text: str) -> QuerySet[Applicant]:
    """By personnummer when the text parses as one (the person's, or one corrected since), else by
    name parts or a reservnummer (the one a person has, or one a personnummer replaced:
    cases.reserve_number_services)."""
    text = (text or "").strip()
    if not text:
        return qs
    try:
        number = identity.parse(text).canonical
    except Exception:  # noqa: BLE001 - not a number: search by name
        pass
    else:
        return qs.filter(with_identity_number(number))
    reserve = text.upper()
    by_reserve_number = Q(reserve_number=reserve) | Q(replaced_reserve_numbers__reserve_number=reserve)
    by_name = Q()
    for part in text.split():
        by_name &= Q(first_name__icontains=part) | Q(last_name__icontains=part)
    return qs.filter(Q(pk__in=Applicant.objects.filter(by_reserve_number).values("pk")) | by_name)


@dataclass
class CaseloadRow:
    person: Applicant
    scheduled_hours: Decimal | None = None
    attended_hours: Decimal | None = None
    norm_hours: Decimal | None = None
    under_norm: bool = False
    flags: dict[int, int] = field(default_factory=dict)  # severity -> open flags

    @property
    def flag_total(self) -> int:
        return sum(self.flags.values())


def caseload_persons(
    *, user: Staff, search: str = "", show: str = "", sort: str = "namn", on: datetime.date | None = None
) -> QuerySet[Applicant]:
    """The caseload's persons, filtered (`show`, a key of FILTERS) and sorted (`sort`, a key of
    SORTS), as one query the caller may page before `caseload_rows` adds hours and flags."""
    on = on or timezone.localdate()
    qs = _search(caseload_queryset(user=user, on=on), search)
    if show == "utan_plan":
        qs = qs.filter(plan_id__isnull=True)
    elif show == "uppfoljning_passerad":
        qs = qs.filter(next_follow_up_on__lt=on)
    elif show == "i_ko":
        qs = qs.filter(queued_referrals__gt=0)
    elif show == "utkast":
        qs = qs.filter(has_draft=True)
    return qs.order_by(*SORTS.get(sort, SORTS["namn"]))


def caseload_rows(persons, *, on: datetime.date | None = None, flag_counts=None) -> list[CaseloadRow]:
    """Rows for `persons` (from caseload_persons, all or one page): this week's hours in one query,
    open flags through `flag_counts(person_ids) -> {person_id: {severity: n}}` (audit's control
    layer; without it no flags are shown)."""
    on = on or timezone.localdate()
    persons = list(persons)
    ids = [p.pk for p in persons]
    hours = {}
    if ids:
        week = full_time.full_time_activity(week_start=on, persons=Applicant.objects.filter(pk__in=ids))
        hours = {p.pk: p for p in week}
    flags = flag_counts(ids) if (flag_counts and ids) else {}
    rows = []
    for person in persons:
        row = CaseloadRow(person=person, flags=flags.get(person.pk, {}))
        h = hours.get(person.pk)
        if h is not None:  # only persons under the heltidsaktivering norm this week
            row.scheduled_hours, row.attended_hours, row.norm_hours = h.scheduled_hours, h.attended_hours, h.norm_hours
            row.under_norm = not h.is_scheduled_full_time
        rows.append(row)
    return rows

