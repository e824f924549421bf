"""Expressions the rule families share: the person's coordinator, how far back a limit is.

Who is responsible for a finding is audit/control/rules/ownership.py."""

from __future__ import annotations

import datetime

from django.db.models import BigIntegerField, Exists, OuterRef, Q, Subquery

from audit.control.rules.base import Param
from cases.models import CoordinatorAssignment
from planning.norms import add_months

# Output type of id expressions that mix foreign keys and primary keys (Coalesce needs one).
ID = BigIntegerField()


def grace_days(source: str) -> Param:
    """Days a stored limit date may have passed before the rule flags it.

    DOMAIN.md 3 sets the limits themselves (plan validity, follow-up date, decision period,
    review date) and stores them on each row; a municipality may still allow a few days' margin
    (e.g. for registration lag) before a passed date becomes a flag. Default 0: flag on the day
    after the limit, as DOMAIN.md 3 reads.
    """
    return Param("grace_days", "Marginal efter passerat datum", 0, 0, 90, "dagar", source)


def past_limit(as_of: datetime.date, params) -> datetime.date:
    """A stored limit date before this day has passed by more than the rule's grace days."""
    return as_of - datetime.timedelta(days=params["grace_days"])


def months_before(day: datetime.date, months: int) -> datetime.date:
    """The limit date: something dated before it is more than `months` old on `day`."""
    return add_months(day, -months)


def _open_assignments(person_ref: str, as_of: datetime.date):
    return (
        CoordinatorAssignment.objects.filter(applicant_id=OuterRef(person_ref), start_date__lte=as_of)
        .filter(Q(end_date__isnull=True) | Q(end_date__gte=as_of))
        .order_by("-start_date", "-pk")
    )


def coordinator_of(person_ref: str, as_of: datetime.date) -> Subquery:
    """The person's coordinator on `as_of` (their open assignment), or NULL."""
    return Subquery(_open_assignments(person_ref, as_of).values("coordinator_id")[:1])


def has_open_assignment(person_ref: str, as_of: datetime.date):
    return Exists(_open_assignments(person_ref, as_of))
