"""The demo data makes the egenkontroll and attendance pages show something (audit.demo runs the rules)."""

import pytest
from django.core.management import call_command
from django.urls import reverse

from audit.control.models import ActionStatus, ControlSample, CorrectiveAction, Flag, FlagStatus, SamplePopulation
from cases.models import Staff
from tests.once import built_once, demo_municipality

pytestmark = pytest.mark.django_db


demo = built_once(demo_municipality, name="demo")  # the tests read it; what one writes is rolled back


def test_demo_has_flags_handled_flags_and_a_sample_per_unit_that_controls(demo):
    assert Flag.objects.filter(status=FlagStatus.OPEN).count() > 10
    # A few flags handled, each action on a flag in the state its action gives it.
    assert 1 <= CorrectiveAction.objects.filter(status=ActionStatus.PLANNED).count() < 10
    assert not CorrectiveAction.objects.filter(status=ActionStatus.PLANNED).exclude(
        flag__status=FlagStatus.ACTION_PLANNED).exists()
    assert not CorrectiveAction.objects.filter(status=ActionStatus.COMPLETED).exclude(
        flag__status=FlagStatus.CLOSED).exists()
    samples = {s.unit.code: s for s in ControlSample.objects.select_related("unit")}
    assert {code: s.population for code, s in samples.items()} == {
        "ekonomiskt-bistand": SamplePopulation.CASES, "koordinator": SamplePopulation.PERSONS,
    }
    for sample in samples.values():
        assert sample.items.count() == sample.size == 10
    before = Flag.objects.count()
    call_command("demo_data", verbosity=0)
    assert Flag.objects.count() == before


@pytest.mark.parametrize(
    ("username", "page", "shows"),
    [
        ("koordinator", "flag-list", "<tbody>"),
        ("chef-koordinator", "unit-overview", "Öppna flaggor per regel och ålder"),
        ("chef-eb", "sample-list", "10</td>"),
        ("chef-koordinator", "sample-list", "Personer som enheten arbetar med</td>"),
        ("insatspersonal", "attendance-participants", "<tbody>"),
    ],
)
def test_demo_pages_show_rows(client, demo, username, page, shows):
    client.force_login(Staff.objects.get(username=username))
    response = client.get(reverse(page))
    assert response.status_code == 200
    assert shows in response.content.decode()


def test_a_handled_flag_shows_its_action_on_the_owners_worklist(client, demo):
    action = CorrectiveAction.objects.select_related("owner").filter(status=ActionStatus.PLANNED).order_by("pk").first()
    client.force_login(action.owner)
    assert action.description in client.get(reverse("flag-list")).content.decode()
