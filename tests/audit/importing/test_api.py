"""POST /api/v1/imports/: the import for an administrator, with the same checks as the command."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from audit.recording.models import AccessLogEntry, ChangeEvent
from cases.models import Applicant, Role
from planning.models import ImplementationPlan
from tests.factories.cases import StaffFactory, UnitFactory

from .conftest import example_records, jsonl

pytestmark = pytest.mark.django_db
URL = "/api/v1/imports/"


def _file(records):
    return SimpleUploadedFile("export.jsonl", "".join(jsonl(records)).encode("utf-8"))


def test_the_administrator_imports_a_file_and_writes_on_the_api_channel(import_world, api_as):
    response = api_as(import_world["admin"]).post(URL, {"file": _file(example_records()), "source": "gamla"},
                                                  format="multipart")
    assert response.status_code == 201, response.json()
    assert response.json()["counts"]["plan"] == {"created": 2}
    assert ImplementationPlan.objects.count() == 2
    assert set(ChangeEvent.objects.values_list("channel", flat=True)) == {"api"}
    assert set(AccessLogEntry.objects.values_list("channel", flat=True)) == {"api"}


def test_a_refused_file_answers_400_naming_line_and_field_and_writes_nothing(import_world, api_as):
    records = example_records()
    records[0]["personal_identity_number"] = records[0]["personal_identity_number"][:-1] + "0"
    response = api_as(import_world["admin"]).post(URL, {"file": _file(records), "source": "gamla"},
                                                  format="multipart")
    assert response.status_code == 400
    error = response.json()["error"]
    assert error["code"] == "import_refused"
    assert error["fields"]["line[1].personal_identity_number"][0]["code"] == "invalid_checksum"
    assert response.json()["result"]["refusals"][0]["external_id"] == "P-1"
    assert not Applicant.objects.exists() and not ChangeEvent.objects.exists()
    assert records[0]["personal_identity_number"] not in response.content.decode()


def test_a_dry_run_answers_200_and_writes_nothing(import_world, api_as):
    response = api_as(import_world["admin"]).post(
        URL, {"file": _file(example_records()), "source": "gamla", "dry_run": "true"}, format="multipart")
    assert response.status_code == 200 and response.json()["written"] is False
    assert response.json()["counts"]["person"] == {"created": 3}
    assert not Applicant.objects.exists()


def test_missing_file_or_source_is_a_field_error(import_world, api_as):
    response = api_as(import_world["admin"]).post(URL, {"source": ""}, format="multipart")
    assert response.status_code == 400
    assert {"file", "source"} <= set(response.json()["error"]["fields"])


@pytest.mark.parametrize("role", [Role.CASEWORKER, Role.COORDINATOR, Role.UNIT_MANAGER, Role.BOARD])
def test_other_roles_are_refused(import_world, api_as, role):
    user = StaffFactory(role=role, unit=None if role == Role.BOARD else UnitFactory())
    response = api_as(user).post(URL, {"file": _file(example_records()), "source": "gamla"}, format="multipart")
    assert response.status_code == 403
    assert not Applicant.objects.exists()
