"""The flags worklist and a flag's page: every step through the audit services, errors by the field."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from audit.control.models import ActionStatus, CorrectiveAction, Flag, FlagStatus
from audit.models import AccessLogEntry
from tests.factories.audit import CorrectiveActionFactory, FlagFactory
from tests.factories.cases import ApplicantFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def flag(coordinator):
    return FlagFactory(responsible=coordinator, person=ApplicantFactory(first_name="Aida", last_name="Berg"))


def detail(flag):
    return reverse("flag-detail", args=[flag.pk])


def test_coordinator_sees_their_flags_and_the_view_is_logged(client, coordinator, flag):
    other = FlagFactory(person=ApplicantFactory(first_name="Okänd", last_name="Person"))
    client.force_login(coordinator)
    body = client.get(reverse("flag-list")).content.decode()
    assert "Aida Berg" in body and "Okänd Person" not in body
    assert flag.person.personal_identity_number not in body
    logged = AccessLogEntry.objects.filter(channel="ui", object_type="audit.flag", actor_id=coordinator.pk)
    assert list(logged.values_list("person_id", flat=True)) == [flag.person_id]
    assert client.get(detail(other)).status_code == 404


def test_acknowledge_plan_follow_up_complete_and_close(client, coordinator, flag):
    client.force_login(coordinator)
    assert client.post(detail(flag), {"steg": "kvittera", "kvittera-comment": ""}).status_code == 302
    flag.refresh_from_db()
    assert flag.status == FlagStatus.ACKNOWLEDGED
    due = timezone.localdate() + datetime.timedelta(days=7)
    response = client.post(detail(flag), {
        "steg": "atgard", "atgard-description": "Boka uppföljningssamtal", "atgard-owner": coordinator.pk,
        "atgard-due_date": due.isoformat(),
    })
    assert response.status_code == 302
    action = CorrectiveAction.objects.get(flag=flag)
    flag.refresh_from_db()
    assert (flag.status, action.owner, action.due_date) == (FlagStatus.ACTION_PLANNED, coordinator, due)
    client.post(detail(flag), {"steg": "uppfoljning", "atgard_id": action.pk, "uppfoljning-note": "Samtal bokat"})
    client.post(detail(flag), {"steg": "klar", "atgard_id": action.pk, "klar-outcome": "Uppföljning gjord"})
    action.refresh_from_db()
    assert (action.follow_up_note, action.status, action.outcome) == ("Samtal bokat", ActionStatus.COMPLETED, "Uppföljning gjord")
    assert client.post(detail(flag), {"steg": "avsluta", "avsluta-comment": "Åtgärdat"}).status_code == 302
    flag.refresh_from_db()
    assert flag.status == FlagStatus.CLOSED
    page = client.get(detail(flag)).content.decode()
    assert "Uppföljning gjord" in page and "Åtgärdat" in page


def test_bad_action_shows_swedish_errors_by_the_fields_and_writes_nothing(client, coordinator, flag):
    client.force_login(coordinator)
    response = client.post(detail(flag), {
        "steg": "atgard", "atgard-description": "", "atgard-owner": "", "atgard-due_date": "2020-01-01",
    })
    assert response.status_code == 400
    body = response.content.decode()
    assert "Beskriv åtgärden." in body and "Ange vem som äger åtgärden." in body
    assert CorrectiveAction.objects.count() == 0
    flag.refresh_from_db()
    assert flag.status == FlagStatus.OPEN


def test_closing_with_open_actions_is_refused_with_the_services_message(client, coordinator, flag):
    CorrectiveActionFactory(flag=flag)
    Flag.objects.filter(pk=flag.pk).update(status=FlagStatus.ACTION_PLANNED)
    client.force_login(coordinator)
    response = client.post(detail(flag), {"steg": "avsluta", "avsluta-comment": "klart"})
    assert response.status_code == 400
    assert "Flaggan har åtgärder som inte är genomförda." in response.content.decode()
    flag.refresh_from_db()
    assert flag.status == FlagStatus.ACTION_PLANNED


def test_htmx_error_answers_200_so_the_panel_is_swapped(client, coordinator, flag):
    client.force_login(coordinator)
    response = client.post(detail(flag), {"steg": "atgard", "atgard-description": ""}, HTTP_HX_REQUEST="true")
    assert response.status_code == 200 and "Beskriv åtgärden." in response.content.decode()


def test_every_form_has_csrf(client, coordinator, flag):
    client.force_login(coordinator)
    body = client.get(detail(flag)).content.decode()
    posts = body.count('method="post"')
    assert posts >= 3  # logout, acknowledge, plan an action
    assert body.count('name="csrfmiddlewaretoken"') == posts


def test_board_cannot_open_the_worklist(client, board_member, flag):
    client.force_login(board_member)
    assert client.get(reverse("flag-list")).status_code == 403
    assert client.get(detail(flag)).status_code == 403


@pytest.mark.parametrize("page", ["list", "detail"])
def test_fixed_number_of_queries(client, coordinator, django_assert_max_num_queries, page):
    client.force_login(coordinator)
    first = FlagFactory(responsible=coordinator)
    counts = []
    for n in (2, 20):
        while Flag.objects.count() < n:
            CorrectiveActionFactory(flag=FlagFactory(responsible=coordinator))
        if page == "detail":
            while first.actions.count() < n:
                CorrectiveActionFactory(flag=first)
        target = reverse("flag-list") if page == "list" else detail(first)
        with django_assert_max_num_queries(14) as ctx:
            assert client.get(target).status_code == 200
        counts.append(len(ctx.captured_queries))
    assert counts[0] == counts[1]


def test_the_flag_says_when_it_was_checked_and_that_it_is_rechecked_when_the_facts_change(client, coordinator):
    from audit.control.models import Rule

    checked = timezone.make_aware(datetime.datetime(2026, 3, 4, 9, 5))
    flag = FlagFactory(
        responsible=coordinator, person=ApplicantFactory(), rule=Rule.objects.get(code="r01_follow_up_interval"),
        checked_at=checked,
    )
    client.force_login(coordinator)
    body = client.get(detail(flag)).content.decode()
    assert "Senast kontrollerad" in body and "4 mars 2026 kl. 09:05" in body
    assert "kontrolleras på nytt direkt när uppgifterna den bygger på ändras (uppföljningar, deltaganden)" in body
    assert "r01" not in body and "reevaluation" not in body

    Flag.objects.filter(pk=flag.pk).update(status=FlagStatus.RESOLVED, resolved_on=timezone.localdate())
    body = client.get(detail(flag)).content.decode()
    assert "löstes av sig själv" in body and "kontrolleras på nytt" not in body
