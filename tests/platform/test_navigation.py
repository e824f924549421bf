"""The main menu per role, and the person page's open flags linking to the flag handling page."""

import re

import pytest
from django.urls import reverse

from audit.control.services import FLAG_HANDLERS
from cases.models import Role
from tests.factories.audit import FlagFactory
from tests.factories.cases import CaseFactory, CoordinatorAssignmentFactory, StaffFactory, UnitFactory

pytestmark = pytest.mark.django_db

MENU = {
    Role.COORDINATOR: [("Mina personer", "caseload"), ("Flaggor", "flag-list")],
    Role.UNIT_MANAGER: [("Enhetsöversikt", "unit-overview"), ("Flaggor", "flag-list"), ("Stickprov", "sample-list"),
                        ("Regelkörningar", "rule-runs"), ("Loggkontroll", "access-log-review"),
                        ("Rapporter", "report-list")],
    Role.INSATS_STAFF: [("Mina deltagare", "attendance-participants"), ("Närvaro", "attendance-week"),
                        ("Flaggor", "flag-list")],
    Role.CASEWORKER: [("Flaggor", "flag-list")],
    Role.BOARD: [("Rapporter", "report-list")],
    Role.ADMINISTRATOR: [("Regelkörningar", "rule-runs"), ("Loggkontroll", "access-log-review"),
                         ("Rapporter", "report-list")],
}


def menu_links(html: str) -> list[tuple[str, str]]:
    nav = re.search(r'<nav class="main" aria-label="Huvudmeny">(.*?)</nav>', html, re.S)
    assert nav, "the page has no main menu"
    return [(text.strip(), href) for href, text in re.findall(r'<a href="([^"]+)"[^>]*>([^<]+)</a>', nav.group(1))]


@pytest.mark.parametrize("role", list(MENU))
def test_main_menu_has_exactly_the_roles_entries(client, role):
    user = StaffFactory(role=role, unit=None if role in (Role.BOARD, Role.ADMINISTRATOR) else UnitFactory())
    client.force_login(user)
    response = client.get(reverse("home"), follow=True)
    assert response.status_code == 200
    assert menu_links(response.content.decode()) == [(text, reverse(name)) for text, name in MENU[role]]


def test_flaggor_is_in_the_menu_of_exactly_the_roles_that_handle_flags():
    # The template lists the roles by name; this keeps it in step with audit.control.services.FLAG_HANDLERS.
    assert {role for role, entries in MENU.items() if ("Flaggor", "flag-list") in entries} == set(FLAG_HANDLERS)


def test_current_page_is_marked_in_the_menu(client):
    client.force_login(StaffFactory(role=Role.UNIT_MANAGER, unit=UnitFactory()))
    html = client.get(reverse("flag-list")).content.decode()
    nav = re.search(r'<nav class="main".*?</nav>', html, re.S).group(0)
    assert f'<a href="{reverse("flag-list")}" aria-current="page">Flaggor</a>' in nav
    assert nav.count('aria-current="page"') == 1


def test_person_page_links_each_open_flag_to_its_handling_page(client, coordinator):
    person = CoordinatorAssignmentFactory(case=CaseFactory(), coordinator=coordinator).applicant
    open_flag = FlagFactory(person=person, responsible=coordinator)
    closed = FlagFactory(person=person, responsible=coordinator, status="closed")
    client.force_login(coordinator)
    html = client.get(reverse("person", args=[person.pk])).content.decode()
    assert f'href="{reverse("flag-detail", args=[open_flag.pk])}"' in html
    assert f'href="{reverse("flag-detail", args=[closed.pk])}"' not in html
    # The link leads somewhere the coordinator may go.
    assert client.get(reverse("flag-detail", args=[open_flag.pk])).status_code == 200
