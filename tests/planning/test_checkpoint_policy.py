"""Which checkpoints block signing is the municipality's choice per checkpoint (block or warn),
set in the admin through a service with a change event; the default is planning.norms as before.
Measurement does not depend on it."""

import pytest
from django.core.exceptions import ValidationError

from audit.models import ChangeEvent
from cases.models import Role
from config.errors import NotAllowed
from planning import norms, quality, services
from planning.models import CheckpointPolicy, ImplementationPlan, PlanStatus
from tests.audit.conftest import run_rule  # noqa: F401
from tests.factories.cases import StaffFactory

from .test_api import plan_payload

pytestmark = pytest.mark.django_db


@pytest.fixture
def administrator():
    return StaffFactory(role=Role.ADMINISTRATOR, unit=None, username="admin-planer", is_staff=True, is_superuser=True)


def _set(admin, code, rule):
    return services.checkpoint_policy_set(actor=admin, policy=CheckpointPolicy.objects.get(code=code), rule=rule)


def test_every_checkpoint_has_a_row_and_the_default_is_the_norm():
    assert set(CheckpointPolicy.objects.values_list("code", flat=True)) == set(quality.CHECKPOINT_CODES)
    assert quality.blocking_checkpoints() == norms.required_checkpoints()


def test_a_checkpoint_set_to_warn_lets_the_plan_be_signed_and_says_so(as_coordinator, person, today, administrator,
                                                                      run_rule):  # noqa: F811
    _set(administrator, "sub_goals", "warn")
    event = ChangeEvent.objects.get(action="checkpoint_policy.update")
    assert event.actor_id == administrator.pk
    activities = [{"description": "Språkpraktik", "how": "Tre dagar i veckan", "responsible": "Koordinator"}]
    created = as_coordinator.post("/api/v1/plans/", plan_payload(person, today, subgoals=[], activities=activities),
                                  format="json").json()
    assert created["quality"]["missing_for_signing"] == []
    response = as_coordinator.post(f"/api/v1/plans/{created['id']}/sign/")
    assert response.status_code == 200, response.json()
    assert response.json()["status"] == "signed"
    assert [(w["code"], w["field"]) for w in response.json()["warnings"]] == [("sub_goals", "subgoals")]
    assert ChangeEvent.objects.get(action="plan.sign").changes["warnings"][1] == ["sub_goals"]
    # Measurement is the same whatever signing allows: the plan still answers no, and is flagged.
    plan = ImplementationPlan.objects.get(pk=created["id"])
    answers = {a.code: a.answer for a in quality.evaluate(plan).checkpoints}
    assert answers["sub_goals"] == quality.NO
    assert plan.pk in run_rule("r05_plan_quality", today)


def test_a_checkpoint_set_to_block_refuses_signing(as_coordinator, person, today, administrator):
    _set(administrator, "follow_up_date", "warn")
    _set(administrator, "follow_up_date", "block")
    created = as_coordinator.post("/api/v1/plans/", plan_payload(person, today, latest_follow_up_on=None),
                                  format="json").json()
    response = as_coordinator.post(f"/api/v1/plans/{created['id']}/sign/")
    assert response.status_code == 400
    assert set(response.json()["error"]["fields"]) == {"latest_follow_up_on"}
    assert ImplementationPlan.objects.get(pk=created["id"]).status == PlanStatus.DRAFT


def test_only_an_administrator_sets_it_and_bad_input_is_refused(administrator, coordinator):
    with pytest.raises(NotAllowed):
        _set(coordinator, "sub_goals", "warn")
    with pytest.raises(ValidationError) as exc:
        _set(administrator, "sub_goals", "sometimes")
    assert "rule" in exc.value.message_dict
    assert CheckpointPolicy.objects.get(code="sub_goals").rule == ""
    assert not ChangeEvent.objects.filter(action="checkpoint_policy.update").exists()


def test_the_admin_writes_through_the_service(client, administrator):
    client.force_login(administrator)
    policy = CheckpointPolicy.objects.get(code="responsible_named")
    listing = client.get("/admin/planning/checkpointpolicy/")
    assert listing.status_code == 200 and "Framgår ansvarig?" in listing.content.decode()
    response = client.post(f"/admin/planning/checkpointpolicy/{policy.pk}/change/", {"rule": "warn"})
    assert response.status_code == 302
    assert CheckpointPolicy.objects.get(pk=policy.pk).rule == "warn"
    assert ChangeEvent.objects.filter(action="checkpoint_policy.update", actor_id=administrator.pk).exists()
    assert "responsible_named" not in quality.blocking_checkpoints()
