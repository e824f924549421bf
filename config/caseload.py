"""The coordinator's caseload as both the page (config/web.py, "Mina personer") and the API
(config/api/caseload.py, GET /api/v1/caseload/) serve it: one definition of who is on it and of
what each row shows. It lives in config because the rows show audit's open flags next to planning
and insatser data, and only config and audit's control layer may read every app (ARCHITECTURE.md).

Queries whatever the number of persons: the persons (one query with subquery annotations,
insatser.caseload), this week's hours (one), open flags by severity (one).
"""

from __future__ import annotations

import datetime

from django.db.models import Count, QuerySet

from audit.control.models import LIVE_FLAG_STATUSES
from audit.control.selectors import flags_for
from cases.models import Applicant, Role, Staff
from insatser import caseload as insatser_caseload
from insatser.caseload import CaseloadRow

# Who has a caseload: the coordinator (the persons assigned to them). Everyone else is refused,
# on the page and in the API alike (deny by default).
CASELOAD_ROLES = frozenset({Role.COORDINATOR})
FILTERS = insatser_caseload.FILTERS
SORTS = insatser_caseload.SORTS
SORT_LABELS = insatser_caseload.SORT_LABELS


def open_flag_counts(user: Staff):
    """The caseload's flag hook: {person_id: {severity: open flags}} in one query, within the
    flags `user` may see."""

    def counts(person_ids):
        rows = (
            flags_for(user)
            .filter(person_id__in=person_ids, status__in=LIVE_FLAG_STATUSES)
            .values("person_id", "rule__severity")
            .annotate(n=Count("pk"))
        )
        out: dict[int, dict[int, int]] = {}
        for row in rows:
            out.setdefault(row["person_id"], {})[row["rule__severity"]] = row["n"]
        return out

    return counts


def caseload_persons(*, user: Staff, on: datetime.date, search: str = "", show: str = "",
                     sort: str = "namn") -> QuerySet[Applicant]:
    """The persons on `user`'s caseload (none for a role without one), filtered and sorted."""
    return insatser_caseload.caseload_persons(user=user, search=search, show=show, sort=sort, on=on)


def caseload_rows(*, user: Staff, persons, on: datetime.date) -> list[CaseloadRow]:
    """The rows for `persons` (all of caseload_persons, or one page of it)."""
    return insatser_caseload.caseload_rows(persons, on=on, flag_counts=open_flag_counts(user))
