"""Insatser in the API's one vocabulary (issue 15): filters by code, not ORM paths; periods as
valid_from/valid_to; a service's error about a renamed field named as the client sent it."""

import datetime

import pytest
from django.utils import timezone

from tests.factories.cases import UnitFactory
from tests.factories.insatser import InsatsFactory, ParticipationFactory, TrackFactory

pytestmark = pytest.mark.django_db


def today():
    return timezone.localdate()


def _ids(response):
    assert response.status_code == 200, response.content
    return [row["id"] for row in response.json()["results"]]


def test_the_catalogue_filters_by_track_and_provider_unit_codes(api_as, coordinator):
    language = InsatsFactory(track=TrackFactory(code="sprak", name="Språk"))
    parketten = InsatsFactory(provider_unit=UnitFactory(code="parketten", name="Parketten"))
    client = api_as(coordinator)

    assert _ids(client.get("/api/v1/insatser/", {"track": "sprak"})) == [language.pk]
    assert _ids(client.get("/api/v1/insatser/", {"provider_unit": "parketten"})) == [parketten.pk]
    assert _ids(client.get("/api/v1/insatser/", {"provider_unit": "ingen-sadan"})) == []


def test_a_participation_is_a_period_sorted_by_its_api_name(api_as, coordinator, planned):
    early = ParticipationFactory(applicant=planned, start_date=today() - datetime.timedelta(days=30))
    late = ParticipationFactory(applicant=planned, start_date=today() - datetime.timedelta(days=5))
    client = api_as(coordinator)

    row = client.get(f"/api/v1/participations/{early.pk}/").json()
    assert row["valid_from"] == early.start_date.isoformat() and row["valid_to"] is None
    assert row["decision_period_to"] == early.decision_period_end.isoformat()
    assert not {"start_date", "end_date", "decision_period_end"} & set(row)
    assert _ids(client.get("/api/v1/participations/", {"ordering": "valid_from"})) == [early.pk, late.pk]
    assert _ids(client.get("/api/v1/participations/", {"ordering": "-valid_from"})) == [late.pk, early.pk]
    bad = client.get("/api/v1/participations/", {"ordering": "start_date"})
    assert bad.status_code == 400 and "ordering" in bad.json()["error"]["fields"]


def test_an_extension_before_the_period_names_decision_period_to(api_as, coordinator, planned):
    participation = ParticipationFactory(applicant=planned)
    response = api_as(coordinator).post(f"/api/v1/participations/{participation.pk}/extend/", {
        "decision_period_to": (participation.decision_period_end - datetime.timedelta(days=1)).isoformat(),
        "special_reason": "Särskilda skäl",
    }, format="json")
    assert response.status_code == 400
    assert set(response.json()["error"]["fields"]) == {"decision_period_to"}
