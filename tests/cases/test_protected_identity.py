"""Skyddad identitet: address and contact details are shown to the caseworker only."""

from __future__ import annotations

import pytest

from cases.api.serializers import PROTECTED_FIELDS

pytestmark = pytest.mark.django_db


@pytest.fixture
def protected(world):
    a = world.applicant
    a.protected_identity = True
    a.street_address, a.postal_code, a.city, a.phone, a.email = "Hemliga vägen 1", "74130", "Ekby", "070-1740650", "s@example.com"
    a.save()
    return a


def _served(client, applicant):
    detail = client.get(f"/api/v1/applicants/{applicant.pk}/").json()
    listed = next(p for p in client.get("/api/v1/applicants/").json()["results"] if p["id"] == applicant.pk)
    found = client.post("/api/v1/applicants/search/", {"name": applicant.last_name}, format="json").json()
    return [detail, listed, next(p for p in found if p["id"] == applicant.pk)]


@pytest.mark.parametrize("role", ["coordinator", "unit_manager"])
def test_hidden_from_coordinator_and_unit_manager(world, client_for, protected, role):
    for shown in _served(client_for(world.users[role]), protected):
        assert all(shown[name] is None for name in PROTECTED_FIELDS), shown
        assert shown["first_name"] == protected.first_name  # the rest is still served
        assert shown["protected_identity"] is True


def test_shown_to_the_caseworker(world, client_for, protected):
    for shown in _served(client_for(world.users["caseworker"]), protected):
        assert shown["street_address"] == "Hemliga vägen 1"
        assert shown["phone"] == "070-1740650"


def test_unprotected_person_is_shown_to_the_coordinator(world, client_for):
    shown = client_for(world.users["coordinator"]).get(f"/api/v1/applicants/{world.applicant.pk}/").json()
    assert shown["street_address"] == world.applicant.street_address
