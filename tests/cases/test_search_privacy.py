"""Searching by personnummer never puts the number in a URL, an access-log row or a log line."""

from __future__ import annotations

import logging

import pytest
from django.forms.models import model_to_dict

from audit.models import AccessLogEntry

pytestmark = pytest.mark.django_db


def _forms(pnr: str) -> list[str]:
    """The number as stored and as people type it; none of them may leak."""
    return [pnr, pnr[2:], f"{pnr[:8]}-{pnr[8:]}", f"{pnr[2:8]}-{pnr[8:]}"]


@pytest.mark.parametrize("typed", ["12", "10-dash"])
def test_search_by_personnummer_leaks_the_number_nowhere(world, client_for, caplog, typed):
    pnr = world.applicant.personal_identity_number
    query = pnr if typed == "12" else f"{pnr[2:8]}-{pnr[8:]}"
    caplog.set_level(logging.DEBUG)
    client = client_for(world.users["caseworker"])

    found = client.post("/api/v1/applicants/search/", {"personal_identity_number": query}, format="json")
    # A search that fails validation is logged by django.request as a 4xx: still without the number.
    refused = client.post("/api/v1/applicants/search/", {"personal_identity_number": query + "9"}, format="json")

    assert found.status_code == 200
    assert [p["id"] for p in found.json()] == [world.applicant.pk]
    assert refused.status_code == 400
    for response in (found, refused):
        url = response.request["PATH_INFO"] + "?" + response.request.get("QUERY_STRING", "")
        assert not any(form in url for form in _forms(pnr))
    rows = list(AccessLogEntry.objects.filter(action="search"))
    assert rows and all(r.person_id == world.applicant.pk for r in rows)
    for row in AccessLogEntry.objects.all():
        text = " ".join(str(v) for v in model_to_dict(row).values())
        assert not any(form in text for form in _forms(pnr)), text
    assert any(r.name == "django.request" for r in caplog.records)  # the request log was captured
    for record in caplog.records:
        line = record.getMessage() + " " + " ".join(str(a) for a in (record.args or ()))
        assert not any(form in line for form in _forms(pnr)), line


def test_the_number_cannot_be_used_as_a_url_filter(world, client_for):
    """The list ignores a personnummer in the query string: search is POST only."""
    pnr = world.applicant.personal_identity_number
    response = client_for(world.users["caseworker"]).get(f"/api/v1/applicants/?personal_identity_number={pnr}")
    assert response.json()["count"] > 1
    assert client_for(world.users["caseworker"]).get("/api/v1/applicants/search/").status_code == 405


def test_search_by_name_finds_within_scope_only(world, client_for):
    coordinator = client_for(world.users["coordinator"])
    response = coordinator.post("/api/v1/applicants/search/", {"name": "lind"}, format="json")
    assert [p["id"] for p in response.json()] == [world.applicant.pk]  # not the unassigned co-applicant
    empty = client_for(world.users["caseworker"]).post(
        "/api/v1/applicants/search/", {"personal_identity_number": world.other_applicant.personal_identity_number},
        format="json",
    )
    assert empty.json() == []
