"""Board reports (issue 7). Each report is a module exposing REPORT: ReportDefinition.

The registry names modules, imported on first use, so a report is one module with one job.
"""

from __future__ import annotations

import importlib

from audit.reports.base import ReportDefinition

REPORT_MODULES = {
    "key_figures": "audit.reports.key_figures",  # 1. Nyckeltal
    "plan_quality": "audit.reports.plan_quality",  # 2. Planer och uppföljning
    "full_time_activation": "audit.reports.full_time_activation",  # 3. Heltidsaktivering
    "unexecuted_decisions_ivo": "audit.reports.unexecuted",  # 4a. Ej verkställda beslut, per beslut (IVO)
    "unexecuted_decisions_statistics": "audit.reports.unexecuted",  # 4b. Ej verkställda beslut, statistik (KF)
    "delegated_decisions": "audit.reports.delegated",  # 5. Delegationsbeslut
    "internal_control": "audit.reports.internal_control",  # 6. Intern kontroll
}


def get_report(code: str) -> ReportDefinition:
    """The definition for `code`; KeyError for an unknown code (callers turn it into a 400)."""
    module = importlib.import_module(REPORT_MODULES[code])
    reports = getattr(module, "REPORTS", None) or {module.REPORT.code: module.REPORT}
    return reports[code]


def all_reports() -> list[ReportDefinition]:
    return [get_report(code) for code in REPORT_MODULES]
