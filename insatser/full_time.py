"""Heltidsaktivering: scheduled and attended hours per person and week, in one query.

Everyone on försörjningsstöd whose support barrier is labour-market related shall be active
full time (DOMAIN.md 3; 004:114-116, 652-657); the norm is FULL_TIME_HOURS_PER_WEEK in
insatser/norms.py. An exemption (avsteg) in force during the week replaces the norm with its
own required hours (0 = no activity required).

Scheduled hours count per weekday: a participation that starts on a Wednesday contributes
its Wednesday to Sunday hours that week, and one that ends (or whose decision period ends)
on a Tuesday only its Monday and Tuesday hours.
"""

from __future__ import annotations

import datetime
from decimal import Decimal

from django.db.models import (
    BooleanField,
    Case,
    DecimalField,
    Exists,
    ExpressionWrapper,
    F,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Sum,
    Value,
    When,
)
from django.db.models.functions import Coalesce

from cases.models import Applicant, CaseSupportBarrier

from . import norms
from .models import WEEKDAY_FIELDS, Exemption, Participation, WeeklyAttendance

HOURS = DecimalField(max_digits=6, decimal_places=2)


def week_of(day: datetime.date) -> datetime.date:
    """The Monday of the week `day` is in."""
    return day - datetime.timedelta(days=day.weekday())


def labour_market_barrier_in_week(week_start: datetime.date) -> QuerySet[CaseSupportBarrier]:
    """Labour-market barriers in force some day of the week, on a case not closed before it."""
    week_end = week_start + datetime.timedelta(days=6)
    return CaseSupportBarrier.objects.filter(
        barrier__is_labour_market=True, valid_from__lte=week_end
    ).filter(
        Q(valid_to__isnull=True) | Q(valid_to__gte=week_start),
        Q(case__closed_on__isnull=True) | Q(case__closed_on__gte=week_start),
    )


def _scheduled_in_week(week_start: datetime.date):
    """Sum over weekdays of the hours of each day the participation runs."""
    days = []
    for offset, name in enumerate(WEEKDAY_FIELDS):
        day = week_start + datetime.timedelta(days=offset)
        days.append(
            Case(When(start_date__lte=day, last_day__gte=day, then=F(name)), default=Value(Decimal(0)), output_field=HOURS)
        )
    total = days[0]
    for expr in days[1:]:
        total = total + expr
    return ExpressionWrapper(total, output_field=HOURS)


def full_time_activity(
    *,
    week_start: datetime.date,
    persons: QuerySet[Applicant] | None = None,
    norm_hours: Decimal | int | None = None,
) -> QuerySet[Applicant]:
    """Persons under the norm in the week of `week_start`, annotated with:

    scheduled_hours, attended_hours, norm_hours, exemption_id, exemption_reason,
    exemption_review_on, is_scheduled_full_time, is_attended_full_time.

    One SQL query (subqueries per column); `persons` narrows it to the caller's scope.
    `norm_hours` is the full-time norm (default: insatser.norms, the one default); egenkontroll's
    rule 8 passes its administrator-set parameter. An exemption in force replaces it.
    """
    norm_hours = norms.full_time_hours() if norm_hours is None else Decimal(norm_hours)
    week_start = week_of(week_start)
    week_end = week_start + datetime.timedelta(days=6)
    persons = Applicant.objects.all() if persons is None else persons

    scheduled = (
        Participation.objects.annotate(last_day=Coalesce("end_date", "decision_period_end"))
        .filter(applicant_id=OuterRef("pk"), start_date__lte=week_end, last_day__gte=week_start)
        .annotate(week_hours=_scheduled_in_week(week_start))
        .values("applicant_id")
        .annotate(total=Sum("week_hours", output_field=HOURS))
        .values("total")
    )
    attended = (
        WeeklyAttendance.objects.filter(participation__applicant_id=OuterRef("pk"), week_start=week_start)
        .values("participation__applicant_id")
        .annotate(total=Sum("attended_hours", output_field=HOURS))
        .values("total")
    )
    exemption = Exemption.objects.filter(
        applicant_id=OuterRef("pk"), valid_from__lte=week_end, valid_to__gte=week_start
    ).order_by("-valid_from", "-pk")
    barrier = labour_market_barrier_in_week(week_start).filter(applicant_id=OuterRef("pk"))

    return (
        persons.filter(Exists(barrier))
        .annotate(
            scheduled_hours=Coalesce(Subquery(scheduled, output_field=HOURS), Value(Decimal(0)), output_field=HOURS),
            attended_hours=Coalesce(Subquery(attended, output_field=HOURS), Value(Decimal(0)), output_field=HOURS),
            exemption_id=Subquery(exemption.values("pk")[:1]),
            exemption_reason=Subquery(exemption.values("reason")[:1]),
            exemption_review_on=Subquery(exemption.values("review_on")[:1]),
            norm_hours=Coalesce(
                Subquery(exemption.values("required_hours_per_week")[:1], output_field=HOURS),
                Value(norm_hours),
                output_field=HOURS,
            ),
        )
        .annotate(
            is_scheduled_full_time=ExpressionWrapper(Q(scheduled_hours__gte=F("norm_hours")), output_field=BooleanField()),
            is_attended_full_time=ExpressionWrapper(Q(attended_hours__gte=F("norm_hours")), output_field=BooleanField()),
        )
        .order_by("last_name", "first_name", "pk")
    )
