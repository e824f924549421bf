"""The rule status page: when each rule last ran, how long it took, what it found, whether a run is
in progress or has stalled; a unit manager or administrator starts a run now (POST, the service's
own role check and validation)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from audit.control import services
from audit.control.models import Rule
from audit.control.selectors import rule_status
from config.web_auth import role_required


@login_required
@role_required(*services.RUN_STARTERS)
@require_http_methods(["GET", "POST"])
def rule_runs(request):
    if request.method == "POST":
        chosen = request.POST.get("regel", "alla")
        rule = Rule.objects.filter(pk=chosen).first() if chosen.isdigit() else None
        if chosen != "alla" and rule is None:
            messages.error(request, "Regeln finns inte.")
            return redirect("rule-runs")
        try:
            services.rule_run_start(actor=request.user, rule_codes=[rule.code] if rule else None)
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(request, f"Körningen har startats: {rule.title}." if rule else "Körningen av alla regler har startats.")
        return redirect("rule-runs")
    rows = rule_status()
    context = {"rows": rows, "any_running": any(row["running"] for row in rows), "nav": "runs"}
    return render(request, "audit/rule_runs.html", context)
