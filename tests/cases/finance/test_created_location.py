"""Every 201 of the ekonomiskt bistånd API says where the created record is (Location), like the
cases API's (tests/cases/test_idempotency.py): the route table of the permission test, each create
sent by its first allowed role, and the Location read back."""

from __future__ import annotations

import pytest

from tests.cases.finance.permission_table import FINANCE_ROUTES
from tests.cases.finance.test_permissions import _client, fworld  # noqa: F401 - fworld is the fixture

pytestmark = pytest.mark.django_db

CREATE_ROUTES = sorted(name for name, (method, *_rest, ok) in FINANCE_ROUTES.items() if method == "post" and ok == 201)


def test_the_create_routes_are_found():
    assert {"application-create", "decision-create", "decision-correct", "communication-create"} <= set(CREATE_ROUTES)


@pytest.mark.parametrize("route", CREATE_ROUTES)
def test_every_201_says_where_the_created_record_is(fworld, route):  # noqa: F811
    _method, url, body, allowed, _ok = FINANCE_ROUTES[route]
    user = fworld.users[sorted(allowed)[0]]
    client = _client(user)
    response = client.post(url(fworld), body(fworld, user), format="json")
    assert response.status_code == 201, response.content
    assert response["Location"].startswith("/api/v1/")
    assert client.get(response["Location"]).status_code == 200
