"""Board reports in the browser: order one, follow its progress, read it, download it.

Ordering goes through audit.report_services.report_request; reading shows the snapshot's stored
figures (audit/reports/render), never recomputed. Who sees what: audit.report_selectors.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render

from audit import report_services
from audit.control.views.common import error_status
from audit.models import AccessAction
from audit.report_forms import ReportRequestForm
from audit.report_models import SnapshotStatus
from audit.report_selectors import log_snapshot_read, snapshot_list, snapshots_for
from audit.reports.catalog import reports_for
from audit.reports.render import period_text
from audit.reports.render.downloads import DOWNLOADS, download_response
from audit.reports.render.html import report_context
from cases.models import Role
from config.web_auth import role_required
from config.web_forms import run_service

REPORT_ROLES = (Role.BOARD, Role.UNIT_MANAGER, Role.ADMINISTRATOR)


def _rows_context(user, was_pending: frozenset[int] = frozenset()) -> dict:
    snapshots = snapshot_list(user=user)
    for s in snapshots:
        s.period_text = period_text({"params": s.params})
    pending = [s.pk for s in snapshots if s.status in (SnapshotStatus.QUEUED, SnapshotStatus.RUNNING)]
    # The page tells the user when a report it was waiting for is ready (role="status" is read out);
    # the e-mail (report_services.snapshot_notify) tells them when they have left the page.
    ready = [s for s in snapshots if s.pk in was_pending and s.status == SnapshotStatus.DONE]
    return {"snapshots": snapshots, "pending": ",".join(map(str, pending)), "ready": ready}


@login_required
@role_required(*REPORT_ROLES)
def report_list(request):
    reports = reports_for(request.user)
    form = ReportRequestForm(request.POST or None, reports=reports)
    if request.method == "POST" and form.is_valid():
        cd = form.cleaned_data
        snap = run_service(form, lambda: report_services.report_request(actor=request.user, **cd))
        if snap:
            messages.success(request, f"Rapporten {snap.title} tas fram. Du ser förloppet nedan och får ett "
                                      "meddelande när den är klar.")
            return redirect("report-list")
    status = error_status(request) if request.method == "POST" else 200
    return render(request, "audit/reports/list.html",
                  {"form": form, "reports": reports, "nav": "reports", **_rows_context(request.user)}, status=status)


@login_required
@role_required(*REPORT_ROLES)
def report_snapshot_rows(request):
    """The htmx poll: the list again, naming the reports that were pending at the last poll and are now ready."""
    was_pending = frozenset(int(x) for x in request.GET.get("pending", "").split(",") if x.isdigit())
    return render(request, "audit/reports/_snapshot_rows.html", _rows_context(request.user, was_pending))


def _done_snapshot(request, pk: int):
    snap = get_object_or_404(snapshots_for(request.user).select_related("made_by", "unit"), pk=pk)
    if snap.status != SnapshotStatus.DONE:
        raise Http404
    return snap


@login_required
@role_required(*REPORT_ROLES)
def report_snapshot(request, pk: int):
    snap = _done_snapshot(request, pk)
    log_snapshot_read(user=request.user, snapshot=snap)
    return render(request, "audit/reports/snapshot.html", {**report_context(snap), "nav": "reports"})


@login_required
@role_required(*REPORT_ROLES)
def report_download(request, pk: int, fmt: str):
    if fmt not in DOWNLOADS:
        raise Http404
    snap = _done_snapshot(request, pk)
    response = download_response(snap, fmt)
    log_snapshot_read(user=request.user, snapshot=snap, action=AccessAction.EXPORT)
    return response
