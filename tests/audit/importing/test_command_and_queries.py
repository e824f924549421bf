"""`manage.py import_records`, and the number of queries: fixed per batch, not per record."""

from __future__ import annotations

import copy
import datetime

import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext

from cases.models import Applicant
from planning.models import ImplementationPlan
from tests.factories.cases import valid_pnr

from .conftest import example_records, jsonl

pytestmark = pytest.mark.django_db

REFERENCE_FIELDS = ("person", "household", "case", "plan")


def copies(n: int, first_day: int = 0) -> list[dict]:
    """n copies of the example file, each with its own ids and personnummer, in one file."""
    out = []
    for k in range(n):
        for record in copy.deepcopy(example_records()):
            record["external_id"] = f"{record['external_id']}-{k}"
            for name in REFERENCE_FIELDS:
                if name in record:
                    record[name] = f"{record[name]}-{k}"
            for item in record.get("members", []) + record.get("support_barriers", []):
                if "person" in item:
                    item["person"] = f"{item['person']}-{k}"
            if record["type"] == "person":
                record["personal_identity_number"] = valid_pnr(datetime.date(1970, 1, 1) + datetime.timedelta(
                    days=first_day + k), 100 + int(record["external_id"].split("-")[1]) * 2)
            out.append(record)
    return out


def _queries(run_import, records) -> int:
    with CaptureQueriesContext(connection) as ctx:
        result = run_import(records, source=f"s{len(records)}")
    assert result.written and result.refused == 0, result.refusals[:3]
    return len(ctx.captured_queries)


def test_the_queries_do_not_grow_with_the_records(run_import):
    small = _queries(run_import, copies(2))
    large = _queries(run_import, copies(12, first_day=100))
    assert ImplementationPlan.objects.count() == 2 * 14
    # 100 records more cost a few more statements only where SQLite's limit on variables per
    # statement splits a large INSERT in two; a query per record would be 100 or more.
    assert large <= small + 10, (small, large)


def test_the_command_imports_and_prints_the_counts(import_world, tmp_path, capsys):
    path = tmp_path / "export.jsonl"
    path.write_text("".join(jsonl(example_records())), encoding="utf-8")
    call_command("import_records", str(path), "--source", "gamla", "--actor", "admin-import", "--dry-run")
    assert "Provkörning" in capsys.readouterr().out and not Applicant.objects.exists()
    call_command("import_records", str(path), "--source", "gamla", "--actor", "admin-import")
    assert "plan: nya 2" in capsys.readouterr().out
    assert Applicant.objects.count() == 3


def test_the_command_names_the_refused_line_and_writes_nothing(import_world, tmp_path, capsys):
    records = example_records()
    records[6]["person"] = "P-99"
    path = tmp_path / "export.jsonl"
    path.write_text("".join(jsonl(records)), encoding="utf-8")
    with pytest.raises(CommandError, match="ingenting har skrivits"):
        call_command("import_records", str(path), "--source", "gamla", "--actor", "admin-import")
    assert "rad 7 (GP-1, plan): person:" in capsys.readouterr().err
    assert not Applicant.objects.exists()
