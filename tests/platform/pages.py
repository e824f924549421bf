"""Every page a demo login can open, with real ids from its own scope (issue 13).

One list for the sweeps that read every page for every role: the plain-Swedish sweep (the text a
user reads) and the browser's accessibility scan (tests/e2e). A route added later is swept by both
without anyone remembering to add it (routes come from the resolver: urlwalk).
"""

from __future__ import annotations

from django.utils import timezone

from audit.control.models import ControlSample, ControlSampleItem
from audit.control.selectors import flags_for
from audit.report_models import SnapshotStatus
from audit.reports.catalog import available_reports
from cases.models import Role, Staff
from cases.selectors import applicants_for
from insatser.models import Participation
from planning.models import PlanStatus
from planning.selectors import assessment_list, follow_up_list, plans_for

from .urlwalk import DUMMY_ID, project_routes

# Pages that are not read as pages: signing in and out, and the identity provider's redirects.
NOT_PAGES = {"login", "logout", "oidc_authentication_init", "oidc_authentication_callback", "report-download"}
# A piece of a page that htmx puts into the report page; requested as htmx does.
HTMX_PARTS = {"report-snapshot-rows"}


def ids_in_scope(user) -> dict[str, list[int]]:
    """Real ids in the user's scope for each page route with an id."""
    people = list(applicants_for(user).order_by("pk").values_list("pk", flat=True)[:1])
    flags = flags_for(user).order_by("rule_id", "pk")
    one_per_rule = list({f.rule_id: f.pk for f in reversed(list(flags.only("pk", "rule_id")))}.values())
    # The persons the flags concern: their page lists the flags with what to do.
    people += list(flags.exclude(person=None).order_by("person_id").values_list("person_id", flat=True).distinct()[:3])
    plans = plans_for(user)
    signed = list(plans.filter(status=PlanStatus.SIGNED).order_by("pk").values_list("pk", flat=True)[:1])
    drafts = list(plans.filter(status=PlanStatus.DRAFT).order_by("pk").values_list("pk", flat=True)[:1])
    participations = list(
        Participation.objects.filter(applicant__in=applicants_for(user)).order_by("pk").values_list("pk", flat=True)[:1]
    )
    assessments = list(assessment_list(user=user).order_by("pk").values_list("pk", flat=True)[:1])
    follow_ups = list(follow_up_list(user=user).order_by("pk").values_list("pk", flat=True)[:1])
    samples = list(ControlSample.objects.filter(unit_id=user.unit_id).values_list("pk", flat=True))
    items = list(ControlSampleItem.objects.filter(sample__unit_id=user.unit_id).values_list("pk", flat=True)[:1])
    return {
        "person": people, "assessment_new": people[:1], "referral_new": people[:1], "exemption_new": people[:1],
        "plan_detail": signed + drafts, "plan_edit": drafts, "follow_up_new": signed,
        "closing_new": participations, "assessment_detail": assessments, "follow_up_detail": follow_ups,
        "flag-detail": one_per_rule, "sample-detail": samples, "sample-item-review": items,
        "person-journal": people[:2], "person-attachment-new": people[:1],
    }


def page_urls(ids: dict[str, list[int]]) -> list[tuple[str, str]]:
    """(route name, URL) of every page route, once per id in `ids` for a route with an id.
    Whether the user may open it is the page's answer (the sweeps read only the 200s)."""
    pages = []
    for route in project_routes():
        if route.url.startswith("/api/") or route.name in NOT_PAGES:
            continue
        if DUMMY_ID in route.url:
            pages += [(route.name, route.url.replace(DUMMY_ID, str(pk))) for pk in ids.get(route.name, [])]
        else:
            pages.append((route.name, route.url))
    return pages


def every_report_made() -> list:
    """One snapshot of every report, made by a member of staff in its audience."""
    from audit import report_services

    made = []
    chef = Staff.objects.get(username="chef-eb")
    today = timezone.localdate()
    for definition in available_reports():
        actor = chef if Role.UNIT_MANAGER in definition.audience else Staff.objects.get(username="namnd")
        when = ({"date_from": today.replace(month=1, day=1), "date_to": today}
                if definition.period_kind == "date_range" else {"period_kind": "year", "year": today.year})
        if definition.period_kind == "quarter":
            when = {"period_kind": "quarter", "year": today.year, "number": 1}
        snap = report_services.report_request(actor=actor, code=definition.code, unit=chef.unit_id, **when)
        report_services.snapshot_build(snapshot_id=snap.pk)
        snap.refresh_from_db()
        assert snap.status == SnapshotStatus.DONE, (definition.code, snap.error)
        made.append(snap)
    return made
