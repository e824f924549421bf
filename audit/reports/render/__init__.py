"""Renderers of a stored report (ReportData.to_json() as kept in a snapshot).

They read only the stored JSON, never the database, so a report shown again is the report that
was made. Web page and PDF share one HTML body (templates/audit/reports/_body.html); XLSX and CSV
write the same tables with their definitions.
"""

from __future__ import annotations

import re
from decimal import Decimal

from django.utils import timezone

from config import swedish

WHOLE_AREA = "Hela nämndens område"


def period_text(data: dict) -> str:
    params = data.get("params") or {}
    if params.get("period"):
        p = params["period"]
        return f"{p['label']} ({p['start']} – {p['end']})"
    if params.get("date_from"):
        return f"{params['date_from']} – {params['date_to']}"
    return ""


def unit_text(data: dict) -> str:
    return ((data.get("params") or {}).get("extra") or {}).get("unit_name") or WHOLE_AREA


def made_text(snapshot) -> str:
    return f"{timezone.localtime(snapshot.made_at):%Y-%m-%d %H:%M}"


def file_stem(snapshot) -> str:
    """A download's file name: the report code, its period and the snapshot id (no names)."""
    params = snapshot.params or {}
    when = (params.get("period") or {}).get("start") or params.get("date_from") or ""
    return re.sub(r"[^A-Za-z0-9_.-]", "_", f"{snapshot.code}_{when}_{snapshot.pk}")


def format_value(value, kind: str) -> str:
    """A cell as the board reads it: Swedish number format (config.swedish), '–' for no value."""
    if value is None or value == "":
        return "–"
    if isinstance(value, bool) or not isinstance(value, (int, float, Decimal)):
        return str(value)
    if kind == "kr":
        return swedish.kr(value)
    if kind == "percent":
        return swedish.percent(value)
    if kind == "int":
        return swedish.number(value, 0)
    return swedish.number(value)  # days and numbers: the decimals they have (a mean wait of 7,4 days)


def table_rows(table: dict) -> list[list[str]]:
    cols = table["columns"]
    return [[format_value(row.get(c["key"]), c["kind"]) for c in cols] for row in table["rows"]]
