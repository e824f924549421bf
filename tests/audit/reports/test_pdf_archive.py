"""The PDF: the same charts as the page, and PDF/A for the archive with the report's title, period and
date in its metadata (document info and XMP)."""

import datetime
import re
import shutil
import subprocess
import zlib

import pytest
from django.utils import timezone

from audit.reports.render.pdf import render_pdf
from config.pdf import write_pdf_a

from .conftest import Q1_2019
from .helpers import pdf_text


@pytest.fixture
def report6(report_world, make_snapshot):
    return make_snapshot(report_world.board, "internal_control", **Q1_2019)


def _pdfinfo(body: bytes, *args: str) -> str:
    if not shutil.which("pdfinfo"):
        pytest.skip("pdfinfo (poppler-utils) is not installed; .ci/run installs it")
    return subprocess.run(["pdfinfo", *args, "-"], input=body, capture_output=True, check=True).stdout.decode()


def _pdf_objects(body: bytes) -> bytes:
    """The PDF with its compressed streams opened (the catalog sits in an object stream)."""
    streams = re.findall(rb"stream\r?\n(.*?)endstream", body, flags=re.S)
    return body + b"".join(zlib.decompressobj().decompress(s) for s in streams)


@pytest.mark.django_db
def test_pdf_draws_every_chart_of_the_page_with_its_labels(report6, report_world, client, monkeypatch):
    handed = []
    import audit.reports.render.pdf as pdf

    real = pdf.write_pdf_a
    monkeypatch.setattr(pdf, "write_pdf_a", lambda html, **kw: handed.append(html) or real(html, **kw))
    body = render_pdf(report6)
    client.force_login(report_world.board)
    page = client.get(f"/rapporter/{report6.pk}/").content.decode()
    svgs = re.findall(r"<svg .*?</svg>", page, flags=re.S)
    assert len(svgs) == len(report6.data["charts"]) == 3
    assert re.findall(r"<svg .*?</svg>", handed[0], flags=re.S) == svgs  # the page's charts, drawn alike
    text = " ".join(pdf_text(body, report6).split())
    for chart in report6.data["charts"]:
        assert chart["title"] in text  # drawn inside the chart, so only there if the chart is
    assert "Har den enskilde varit delaktig i arbetet med upprättandet av genomförandeplanen?" in text


@pytest.mark.django_db
def test_pdf_is_pdf_a_with_title_period_and_date_in_its_metadata(report6):
    body = render_pdf(report6)
    info = _pdfinfo(body, "-isodates")
    assert re.search(r"^Title:\s+Intern kontroll$", info, flags=re.M)
    assert re.search(r"^Subject:\s+.*Kvartal 1 2019 \(2019-01-01 – 2019-03-31\)", info, flags=re.M)
    assert re.search(r"^Keywords:\s+.*Kvartal 1 2019", info, flags=re.M)
    made = timezone.localtime(report6.made_at)
    assert re.search(rf"^CreationDate:\s+{made:%Y-%m-%dT%H:%M:%S}", info, flags=re.M)
    assert re.search(r"^PDF version:\s+1\.7$", info, flags=re.M)
    xmp = _pdfinfo(body, "-meta")
    assert 'pdfaid:part="2"' in xmp and 'pdfaid:conformance="B"' in xmp
    assert "Intern kontroll" in xmp and "Kvartal 1 2019" in xmp and f"{made:%Y-%m-%dT%H:%M:%S}" in xmp
    assert b"/GTS_PDFA1" in _pdf_objects(body)  # the output intent PDF/A requires (an sRGB profile)
    fonts = subprocess.run(["pdffonts", "-"], input=body, capture_output=True, check=True).stdout.decode()
    rows = fonts.splitlines()[2:]
    assert rows and all(row.split()[-5] == "yes" for row in rows)  # every font embedded (columns: emb sub uni id)


def test_write_pdf_a_is_usable_for_any_paper():
    """The helper the plan PDF uses too: any HTML, its own title, subject, keywords and date."""
    made = timezone.make_aware(datetime.datetime(2026, 3, 2, 9, 30))
    body = write_pdf_a("<!doctype html><html lang='sv'><title>ignoreras</title><p>Planen</p></html>",
                       title="Genomförandeplan", subject="Plan giltig 2026-03-02 – 2026-09-01",
                       created=made, keywords=["Genomförandeplan", "Koordinator"])
    info = _pdfinfo(body, "-isodates")
    assert re.search(r"^Title:\s+Genomförandeplan$", info, flags=re.M)
    assert re.search(r"^Subject:\s+Plan giltig 2026-03-02 – 2026-09-01$", info, flags=re.M)
    assert re.search(r"^Keywords:\s+Genomförandeplan, Koordinator$", info, flags=re.M)
    assert re.search(r"^CreationDate:\s+2026-03-02T09:30:00\+01", info, flags=re.M)
    assert 'pdfaid:part="2"' in _pdfinfo(body, "-meta")
