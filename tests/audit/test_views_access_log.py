"""The loggkontroll page: who read a person, what a staff member read, by period, channel and action;
the unit manager their unit's staff, the administrator everyone; posted, so a personnummer never
lands in the address; a fixed number of queries; reading it is logged; other roles refused."""

from __future__ import annotations

import datetime
import re

import pytest
from django.urls import reverse
from django.utils import timezone

from audit.control.views.access_log import ROWS_PER_PAGE
from audit.models import AccessLogEntry
from cases.models import Role
from tests.audit.test_access_log_review import DAY, _at, _read
from tests.factories.cases import ApplicantFactory, StaffFactory, UnitFactory

pytestmark = pytest.mark.django_db
URL = reverse("access-log-review")


@pytest.fixture
def people(db):
    home, other = UnitFactory(code="ekonomiskt-bistand", name="Ekonomiskt bistånd"), UnitFactory(code="annan")
    return {
        "manager": StaffFactory(role=Role.UNIT_MANAGER, unit=home),
        "mine": StaffFactory(role=Role.CASEWORKER, unit=home, first_name="Mia", last_name="Min"),
        "theirs": StaffFactory(role=Role.CASEWORKER, unit=other, first_name="Tor", last_name="Annan"),
        "admin": StaffFactory(role=Role.ADMINISTRATOR, unit=None),
        "person": ApplicantFactory(registered_unit=home, first_name="Greta", last_name="Läst"),
    }


def _entry_ids(html: str) -> list[str]:
    """The times shown, one per row, in order (each test's rows have distinct times)."""
    return re.findall(r"<td>(\d{4}-\d\d-\d\d \d\d:\d\d:\d\d)</td>", html)


def _search(client, **data):
    return client.post(URL, {k: str(v) for k, v in data.items()})


def test_who_read_a_person_by_personnummer_the_manager_sees_only_their_staff(client, people):
    person = people["person"]
    _read(people["mine"], person, when=_at(9))
    _read(people["theirs"], person, when=_at(10))
    _read(people["mine"], ApplicantFactory(), when=_at(11))
    client.force_login(people["manager"])
    response = _search(client, person=person.personal_identity_number)
    html = response.content.decode()
    assert response.status_code == 200
    assert _entry_ids(html) == ["2026-11-24 09:00:00"]
    assert "Greta Läst" in html and "Handläggare" in html
    client.force_login(people["admin"])
    html = _search(client, person=person.personal_identity_number).content.decode()
    # The manager's own read of the log just now is a row about the person too (not the admin's staff's).
    now = AccessLogEntry.objects.get(actor_id=people["manager"].pk).occurred_at
    assert _entry_ids(html) == [f"{timezone.localtime(now):%Y-%m-%d %H:%M:%S}", "2026-11-24 10:00:00",
                                "2026-11-24 09:00:00"]


def test_a_personnummer_never_goes_in_the_address(client, people):
    client.force_login(people["manager"])
    page = client.get(URL).content.decode()
    form = re.search(r'<form method="(\w+)" action="([^"]*)"[^>]*aria-labelledby="sok-rubrik"', page)
    assert form.groups() == ("post", URL)
    # A query string is not read: the page only searches what is posted.
    assert "Loggposter" not in client.get(URL, {"person": people["person"].personal_identity_number}).content.decode()


def test_what_a_staff_member_read_filtered_by_period_channel_and_action(client, people):
    staff = people["mine"]
    _read(staff, 1, when=_at(9, DAY - datetime.timedelta(days=3)))
    _read(staff, 2, when=_at(10), channel="ui")
    _read(staff, 3, when=_at(11), action="list")
    client.force_login(people["manager"])
    assert _entry_ids(_search(client, actor=staff.pk).content.decode()) == [
        "2026-11-24 11:00:00", "2026-11-24 10:00:00", "2026-11-21 09:00:00"]
    assert _entry_ids(_search(client, actor=staff.pk, date_from=DAY).content.decode()) == [
        "2026-11-24 11:00:00", "2026-11-24 10:00:00"]
    assert _entry_ids(_search(client, actor=staff.pk, date_to=DAY - datetime.timedelta(days=1)).content.decode()) == [
        "2026-11-21 09:00:00"]
    assert _entry_ids(_search(client, actor=staff.pk, channel="ui").content.decode()) == ["2026-11-24 10:00:00"]
    assert _entry_ids(_search(client, actor=staff.pk, action="list").content.decode()) == ["2026-11-24 11:00:00"]


def test_the_manager_cannot_pick_another_units_staff(client, people):
    _read(people["theirs"], people["person"])
    client.force_login(people["manager"])
    response = _search(client, actor=people["theirs"].pk)
    assert response.status_code == 400 and 'id="id_actor_error"' in response.content.decode()
    assert "Tor Annan" not in client.get(URL).content.decode()


@pytest.mark.parametrize("data, field", [
    ({}, "person"), ({"person": "19900517-0000"}, "person"), ({"person": "vem som helst"}, "person"),
    ({"actor": "x"}, "actor"), ({"person": "1", "channel": "fax"}, "channel"), ({"person": "1", "action": "peek"}, "action"),
    ({"person": "1", "date_from": "2026-13-01"}, "date_from"),
    ({"person": "1", "date_from": "2026-11-02", "date_to": "2026-11-01"}, "date_to"),
])
def test_bad_input_is_refused_naming_the_field_and_nothing_is_logged(client, people, data, field):
    client.force_login(people["admin"])
    response = client.post(URL, data)
    assert response.status_code == 400
    assert f'id="id_{field}_error"' in response.content.decode()
    assert not AccessLogEntry.objects.exists()


def test_an_unknown_personnummer_finds_nothing_and_says_no_more(client, people):
    client.force_login(people["admin"])
    unknown = ApplicantFactory.build().personal_identity_number
    html = _search(client, person=unknown).content.decode()
    assert "Inga loggposter för sökningen." in html and unknown not in html.replace('value="' + unknown, "")


def test_reading_the_page_is_logged(client, people):
    entry = _read(people["mine"], people["person"])
    client.force_login(people["admin"])
    _search(client, person=people["person"].pk)
    logged = AccessLogEntry.objects.exclude(pk=entry.pk).get()
    assert (logged.actor_id, logged.action, logged.object_type, logged.object_id, logged.person_id, logged.channel) == (
        people["admin"].pk, "list", "audit.accesslogentry", str(entry.pk), people["person"].pk, "ui")


def test_a_search_that_finds_nothing_is_logged_as_a_search_of_the_person(client, people):
    client.force_login(people["manager"])
    _search(client, person=people["person"].personal_identity_number)
    logged = AccessLogEntry.objects.get()
    assert (logged.action, logged.person_id) == ("search", people["person"].pk)


@pytest.mark.parametrize("rows", [2, 40])
def test_a_fixed_number_of_queries(client, people, django_assert_max_num_queries, rows):
    for i in range(rows):
        _read(people["mine"], ApplicantFactory() if i % 2 else people["person"], object_id=str(i))
    client.force_login(people["manager"])
    # session, user, the user's unit, staff to pick from, count, page, the page's persons, the log
    # row of this read, and the session's idle-time update (savepoint, update, release)
    with django_assert_max_num_queries(11):
        response = _search(client, actor=people["mine"].pk)
    assert len(_entry_ids(response.content.decode())) == rows


def test_paginated_by_posting_the_search_again(client, people):
    for i in range(ROWS_PER_PAGE + 3):
        _read(people["mine"], people["person"], when=_at(10) - datetime.timedelta(minutes=i), object_id=str(i))
    client.force_login(people["manager"])
    first = _search(client, actor=people["mine"].pk).content.decode()
    assert len(_entry_ids(first)) == ROWS_PER_PAGE and 'name="sida" value="2"' in first
    second = _search(client, actor=people["mine"].pk, sida=2).content.decode()
    assert len(_entry_ids(second)) == 3 and 'name="sida" value="1"' in second


def test_entries_without_actor_or_person_and_of_purged_persons_render(client, people):
    AccessLogEntry.objects.create(
        occurred_at=_at(8), actor_id=None, action="refused", person_id=None, object_type="route", object_id="401",
        channel="api",
    )
    _read(people["mine"], 987654, when=_at(9))  # a person since purged: only the id is left
    _read(people["mine"], None, when=_at(10), action="search")
    client.force_login(people["admin"])
    html = _search(client, action="refused", person="").content.decode()  # no person, no staff: refused
    assert 'id="id_person_error"' in html
    html = _search(client, actor=people["mine"].pk).content.decode()
    assert "Person-id 987654" in html and "finns inte längre i registret" in html
    assert "sökande" in html  # the kind of object in Swedish, never "cases.applicant"
    assert "cases.applicant" not in html and "api/v1" not in html


def test_an_entry_without_an_actor_shows_as_unknown(client, people):
    AccessLogEntry.objects.create(
        occurred_at=_at(8), actor_id=None, action="refused", person_id=people["person"].pk, object_type="route",
        object_id="401", channel="api",
    )
    client.force_login(people["admin"])
    html = _search(client, person=people["person"].pk).content.decode()
    assert "Okänd (inte inloggad)" in html and "sida eller tjänst" in html


@pytest.mark.parametrize("role", [Role.CASEWORKER, Role.COORDINATOR, Role.INSATS_STAFF, Role.BOARD])
def test_other_roles_are_refused_and_the_refusal_is_logged(client, role):
    user = StaffFactory(role=role, unit=None if role == Role.BOARD else UnitFactory())
    client.force_login(user)
    assert client.get(URL).status_code == 403
    assert client.post(URL, {"person": "1"}).status_code == 403
    refused = AccessLogEntry.objects.filter(actor_id=user.pk, action="refused")
    assert refused.count() == 2 and {r.object_id for r in refused} == {"403"}


@pytest.mark.parametrize("role", [Role.UNIT_MANAGER, Role.ADMINISTRATOR])
def test_the_page_renders_for_the_reviewers_with_nothing_to_show(client, role):
    client.force_login(StaffFactory(role=role, unit=UnitFactory() if role == Role.UNIT_MANAGER else None))
    page = client.get(URL)
    assert page.status_code == 200 and "<h1>Loggkontroll</h1>" in page.content.decode()
    assert _search(client, person="1").status_code == 200

