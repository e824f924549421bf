"""No developer text reaches users (issue 13): every page for every role, and every report file.

The demo municipality is built once; every demo login walks every page route (ids from the rows in
its own scope: a person, a plan, one flag of each rule, a sample ...), and every report is made and
downloaded as PDF (read back with pdftotext), XLSX and CSV. What users read must not hold module
paths, file names, DOMAIN.md references, rule codes, placeholder markers, a decimal point in a
number or a plural after "1"; a report's CSV files are named in Swedish.
"""

from __future__ import annotations

import re
from html.parser import HTMLParser

import pytest
from django.test import Client
from django.urls import reverse

from cases.demo import STAFF
from cases.models import Staff
from planning.models import ImplementationPlan, PlanStatus
from tests.audit.reports.helpers import csv_files, pdf_text, xlsx_sheets
from tests.once import built_once, demo_municipality

from .pages import HTMX_PARTS, every_report_made, ids_in_scope, page_urls

pytestmark = pytest.mark.django_db

# What a user must never read, each with why.
DEVELOPER_TEXT = {
    "DOMAIN.md reference": re.compile(r"DOMAIN\.md|\bDOMAIN\b"),
    "file name": re.compile(r"\b[\w/]+\.(?:py|html|md|txt|json)\b"),
    "module path": re.compile(r"\b[a-z_]+\.[a-z_]+\.[a-z_]+\b"),
    "rule code": re.compile(r"\b[rl]\d\d[a-z]?_[a-z_]+"),
    "line reference": re.compile(r"\b00\d:\d+"),
    "placeholder": re.compile(r"Platshållare|placeholder", re.IGNORECASE),
    # A section of the audit is cited "avsnitt 3.4.2"; any other digit-dot-digit is a number
    # written the English way.
    "decimal point": re.compile(r"(?<![\d.])\d+\.\d+(?![\d.])"),
    "plural after 1": re.compile(
        r"(?<![\d,])(?<!\d\s)(?<!\d\u00a0)\b1[\s\u00a0](?:personer|aktiviteter|flaggor|planer|dagar|månader|veckor|åtgärder|"
        r"timmar|uppföljningar|anvisningar|insatser|ärenden|beslut(?:en)|punkter|kontrollpunkter|regler)\b"
    ),
    "Python value": re.compile(r"\b(?:None|True|False)\b"),
}


# Sections of the audit as cited ("avsnitt 3.4.2", "avsnitten 3.2.3 och 3.4"): not numbers.
CITED_SECTIONS = re.compile(r"avsnitt(?:en)? \d+(?:\.\d+)*(?:(?:, | och )\d+(?:\.\d+)*)*")


def developer_text(text: str) -> list[tuple[str, str]]:
    """(kind, the text around it) for each piece of developer text in `text`."""
    found = []
    for name, pattern in DEVELOPER_TEXT.items():
        searched = CITED_SECTIONS.sub("avsnitt", text) if name == "decimal point" else text
        for m in pattern.finditer(searched):
            found.append((name, searched[max(0, m.start() - 30): m.end() + 30].replace("\n", " ")))
    return found


def _report(found: list[tuple]) -> str:
    """One line per distinct piece of text (the first place it was seen), so a failure is readable."""
    seen, lines = set(), []
    for *where, kind, context in found:
        if (kind, context) not in seen:
            seen.add((kind, context))
            lines.append(f"{kind}: {context!r} at {' '.join(map(str, where))}")
    return f"{len(found)} finds, {len(lines)} distinct:\n" + "\n".join(lines[:150])


class _Visible(HTMLParser):
    """The text a user reads: element text and the attributes read out or shown (title, labels)."""

    SHOWN_ATTRIBUTES = {"title", "aria-label", "placeholder", "alt", "value"}

    def __init__(self):
        super().__init__()
        self.parts: list[str] = []
        self._skip = 0

    def handle_starttag(self, tag, attrs):
        if tag in ("script", "style"):
            self._skip += 1
        for key, value in attrs:
            if value and key in self.SHOWN_ATTRIBUTES and (key != "value" or dict(attrs).get("type") in ("submit", "button")):
                self.parts.append(value)

    def handle_endtag(self, tag):
        if tag in ("script", "style") and self._skip:
            self._skip -= 1

    def handle_data(self, data):
        if not self._skip:
            self.parts.append(data)


def visible_text(html: str) -> str:
    parser = _Visible()
    parser.feed(html)
    return "\n".join(p.strip() for p in parser.parts if p.strip())


def test_the_checker_finds_each_kind_of_developer_text():
    samples = [
        "Källa: DOMAIN.md 2.7", "se planning/quality.py", "insatser.full_time.full_time_activity",
        "regel r01_follow_up_interval", "[Platshållare] BIP", "12.5 timmar", "Alla 1 aktiviteter",
        "004:347-349", "värde None",
    ]
    assert all(developer_text(s) for s in samples), [s for s in samples if not developer_text(s)]
    fine = ["Granskningsrapport 2025, avsnitt 3.4.2", "Granskningsrapport 2025, avsnitten 3.2.3 och 3.4", "12,5 timmar", "1 aktivitet", "SoL 4 kap. 1 §",
            "2026-03-01", "1 234 kr", "Kvartal 1 2026"]
    assert not [s for s in fine if developer_text(s)]


def _demo_with_every_report() -> list:
    """The demo municipality and one snapshot of every report (what the report builds queue for a
    worker is never sent: the module's transaction is rolled back), for every test here."""
    demo_municipality()
    return every_report_made()


demo = built_once(_demo_with_every_report, name="demo")  # the snapshots

def test_no_page_shows_developer_text_to_any_role(demo):
    snapshots = demo
    found, pages = [], 0
    for user in Staff.objects.filter(username__in=[u for u, *_ in STAFF]):
        client = Client()
        client.force_login(user)
        ids = ids_in_scope(user)
        ids["report-snapshot"] = [s.pk for s in snapshots]
        for name, url in page_urls(ids):
            response = client.get(url, HTTP_HX_REQUEST="true" if name in HTMX_PARTS else None)
            if response.status_code != 200 or "text/html" not in response.get("Content-Type", ""):
                continue
            pages += 1
            for kind, where in developer_text(visible_text(response.content.decode())):
                found.append((user.username, url, kind, where))
    assert pages > 60
    assert not found, _report(found)


def test_no_report_file_holds_developer_text(demo):
    snapshots = demo
    found = []
    for snap in snapshots:
        client = Client()
        client.force_login(snap.made_by)
        pdf = client.get(reverse("report-download", args=[snap.pk, "pdf"])).content
        for kind, where in developer_text(pdf_text(pdf, snap)):
            found.append((snap.code, "pdf", kind, where))
        sheets = xlsx_sheets(client.get(reverse("report-download", args=[snap.pk, "xlsx"])).content)
        for sheet, rows in sheets.items():
            for kind, where in developer_text(sheet):
                found.append((snap.code, "xlsx sheet name", kind, where))
            for row in rows:
                for cell in row:
                    if isinstance(cell, str):
                        found += [(snap.code, f"xlsx {sheet}", kind, where) for kind, where in developer_text(cell)]
        files = csv_files(client.get(reverse("report-download", args=[snap.pk, "csv"])).content)
        keys = {t["key"] for t in snap.data["tables"]}
        for name, rows in files.items():
            if any(key in name for key in keys) or not re.fullmatch(r"[a-zåäö0-9-]+\.csv", name):
                found.append((snap.code, "csv file name", "English or not a plain Swedish name", name))
            for row in rows:
                for cell in row:
                    found += [(snap.code, f"csv {name}", kind, where) for kind, where in developer_text(cell)]
    assert not found, _report(found)


def test_xlsx_numbers_keep_their_value_and_show_their_decimals(demo):
    import io

    from openpyxl import load_workbook

    snapshots = demo
    wrong, numbers = [], 0
    for snap in snapshots:
        client = Client()
        client.force_login(snap.made_by)
        wb = load_workbook(io.BytesIO(client.get(reverse("report-download", args=[snap.pk, "xlsx"])).content))
        for ws in wb.worksheets:
            for row in ws.iter_rows():
                for cell in row:
                    if isinstance(cell.value, str) and re.fullmatch(r"-?[\d\s\u00a0]+([.,]\d+)?\s*(%|kr)?", cell.value):
                        wrong.append((snap.code, ws.title, cell.coordinate, "a number stored as text", cell.value))
                    if isinstance(cell.value, float) and cell.value != int(cell.value):
                        numbers += 1
                        if "0.0" not in cell.number_format:
                            wrong.append((snap.code, ws.title, cell.coordinate, cell.number_format, cell.value))
    assert numbers > 0
    assert not wrong, wrong[:20]


def test_the_plan_page_of_a_draft_exists_for_the_sweep(demo):
    # The sweep reads a draft's edit page; the demo must have one, or the page would go unswept.
    assert ImplementationPlan.objects.filter(status=PlanStatus.DRAFT).exists()
