"""Reads of report snapshots, scoped to the caller's role (deny by default).

A role sees the snapshots of the reports in whose audience it is. A report about persons (4a)
is seen only by unit managers of the unit it was made for.
"""

from __future__ import annotations

from django.db.models import Q, QuerySet

from audit.models import AccessAction
from audit.recording.log import record_access
from audit.report_models import ReportSnapshot
from audit.reports.catalog import reports_for


def snapshots_for(user) -> QuerySet[ReportSnapshot]:
    if not (user is not None and user.is_authenticated and user.is_active):
        return ReportSnapshot.objects.none()
    reports = reports_for(user)
    aggregate = [r.code for r in reports if not r.personal_data]
    personal = [r.code for r in reports if r.personal_data]
    visible = Q(code__in=aggregate)
    if personal and user.unit_id:
        visible |= Q(code__in=personal, unit_id=user.unit_id)
    return ReportSnapshot.objects.filter(visible)


def snapshot_list(*, user, limit: int = 50) -> list[ReportSnapshot]:
    """The latest snapshots the user may see, newest first, in one query (no figures loaded)."""
    return list(
        snapshots_for(user).select_related("made_by", "unit").defer("data").order_by("-made_at", "-pk")[:limit]
    )


def log_snapshot_read(*, user, snapshot: ReportSnapshot, action: str = AccessAction.READ) -> None:
    """A report about persons is logged per person it shows (e.g. one row per decision's person);
    an aggregate report concerns no person and is logged once without one."""
    pairs = [(obj, person) for obj, person in (snapshot.data or {}).get("subjects", [])]
    record_access(
        actor=user, action=action, object_type="audit.reportsnapshot" if not pairs else "cases.decision",
        subjects=pairs or [(snapshot.pk, None)],
    )
