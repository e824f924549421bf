"""Which reports exist and who may make and read them.

The registry (audit/reports/__init__.py) names every report's module; a branch may not have all
of them yet, so listing skips a module that is not there rather than failing every page.
"""

from __future__ import annotations

import importlib

from django.core.exceptions import ValidationError

from audit.reports import REPORT_MODULES, get_report
from audit.reports.base import ReportDefinition
from config.errors import NotAllowed


def available_reports() -> list[ReportDefinition]:
    """Every report whose module is present, in the board's order (1, 2, ... 4a, 4b, 5, 6)."""
    out = []
    for code, module in REPORT_MODULES.items():
        try:
            importlib.import_module(module)
        except ModuleNotFoundError as exc:
            if exc.name != module:
                raise
            continue
        out.append(get_report(code))
    return sorted(out, key=lambda r: (len(r.number.rstrip("ab")), r.number))


def reports_for(user) -> list[ReportDefinition]:
    role = getattr(user, "role", None)
    return [r for r in available_reports() if role in r.audience]


def definition_for(user, code: str) -> ReportDefinition:
    """The report `code` if the user's role is in its audience: 400 naming `code` if unknown, else 403."""
    known = {r.code: r for r in available_reports()}
    if code not in known:
        raise ValidationError({"code": ValidationError("Okänd rapport.", code="unknown_report")})
    definition = known[code]
    if getattr(user, "role", None) not in definition.audience:
        raise NotAllowed("Din roll får inte ta fram eller läsa den här rapporten.", code="report_not_allowed")
    return definition
