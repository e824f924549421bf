"""Lists count at most API_COUNT_BOUND rows (config/api/pagination.py): exact below the bound,
"more than count" above it, and every page still reachable by number and by `next`."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests.factories.cases import ApplicantFactory

pytestmark = pytest.mark.django_db
URL = "/api/v1/applicants/"


@pytest.fixture
def persons(caseworker, settings):
    settings.API_COUNT_BOUND = 5

    def make(n):
        return [ApplicantFactory(registered_unit=caseworker.unit) for _ in range(n)]

    return make


def test_below_the_bound_the_count_is_exact(api_as, caseworker, persons):
    persons(4)
    body = api_as(caseworker).get(URL, {"page_size": 3}).json()
    assert (body["count"], body["count_is_exact"], body["count_bound"]) == (4, True, 5)
    assert body["next"] and body["previous"] is None and len(body["results"]) == 3
    last = api_as(caseworker).get(URL, {"page_size": 3, "page": "last"}).json()
    assert len(last["results"]) == 1 and last["next"] is None


def test_at_the_bound_the_count_is_still_exact(api_as, caseworker, persons):
    persons(5)
    body = api_as(caseworker).get(URL).json()
    assert (body["count"], body["count_is_exact"], len(body["results"])) == (5, True, 5)


def test_above_the_bound_the_count_reports_the_bound_and_the_list_still_pages(api_as, caseworker, persons):
    made = persons(12)
    client = api_as(caseworker)
    body = client.get(URL, {"page_size": 2}).json()
    assert (body["count"], body["count_is_exact"]) == (5, False)  # "more than 5"
    # Following next reaches every row once, in order, past the bound.
    seen, url = [], f"{URL}?page_size=2"
    while url:
        page = client.get(url).json()
        assert page["count_is_exact"] is (len(made) <= max(5, (len(seen) // 2 + 1) * 2))
        seen += [r["id"] for r in page["results"]]
        url = page["next"]
    assert sorted(seen) == sorted(p.pk for p in made) and len(seen) == len(set(seen)) == 12
    # A page number beyond the bound answers its rows; a count up to there is "more than" that far.
    deep = client.get(URL, {"page_size": 2, "page": 5}).json()
    assert len(deep["results"]) == 2 and deep["next"] and deep["previous"]
    assert (deep["count"], deep["count_is_exact"]) == (10, False)
    end = client.get(URL, {"page_size": 2, "page": 6}).json()
    assert (end["count"], end["count_is_exact"], end["next"]) == (12, True, None)
    assert client.get(URL, {"page_size": 2, "page": 7}).status_code == 404


def test_the_last_page_is_refused_when_the_count_is_not_exact(api_as, caseworker, persons):
    persons(7)
    response = api_as(caseworker).get(URL, {"page_size": 2, "page": "last"})
    assert response.status_code == 404


# The last: a page number of 37 digits, as the fuzz run sent, overflowed the LIMIT (a 500).
@pytest.mark.parametrize("page", ["0", "-1", "x", "3406295994858932888168167617849196544"])
def test_a_bad_page_number_is_not_found(api_as, caseworker, persons, page):
    persons(1)
    assert api_as(caseworker).get(URL, {"page": page}).status_code == 404


def test_no_count_over_the_whole_scope(api_as, caseworker, persons):
    """The count query is LIMITed: it reads at most bound + 1 rows, not the scope."""
    persons(8)
    with CaptureQueriesContext(connection) as ctx:
        api_as(caseworker).get(URL, {"page_size": 2})
    counts = [q["sql"] for q in ctx.captured_queries if "COUNT(" in q["sql"].upper()]
    assert len(counts) == 1 and "LIMIT 6" in counts[0].upper()
