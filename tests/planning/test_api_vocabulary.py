"""A plan's activities in the API's one vocabulary (issue 15): their period is valid_from/valid_to,
in the body and the answer, and an error about it names those fields, with the row's index."""

import datetime

import pytest

from tests.planning.test_api import plan_payload

pytestmark = pytest.mark.django_db

D = datetime.timedelta


def _activity(**dates):
    return {"description": "Språkpraktik", "how": "Tre dagar i veckan", "responsible": "Koordinator",
            "partners": ["arbetsformedlingen"], "subgoal_index": 0, **dates}


def test_activity_period_in_and_out(as_coordinator, person, today):
    start, end = today, today + D(days=60)
    body = plan_payload(person, today, activities=[_activity(valid_from=start.isoformat(), valid_to=end.isoformat())])
    r = as_coordinator.post("/api/v1/plans/", body, format="json")
    assert r.status_code == 201, r.json()
    activity = r.json()["activities"][0]
    assert (activity["valid_from"], activity["valid_to"]) == (start.isoformat(), end.isoformat())
    assert not {"starts_on", "ends_on"} & set(activity)


def test_a_backwards_activity_names_the_api_field_with_its_index(as_coordinator, person, today):
    backwards = _activity(valid_from=today.isoformat(), valid_to=(today - D(days=1)).isoformat())
    body = plan_payload(person, today, activities=[_activity(), backwards])
    r = as_coordinator.post("/api/v1/plans/", body, format="json")
    assert r.status_code == 400
    assert set(r.json()["error"]["fields"]) == {"activities[1].valid_to"}
