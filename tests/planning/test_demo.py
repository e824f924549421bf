"""planning.demo builds plans for assigned persons: weak ones, superseded ones, overdue follow-ups, BIP."""

import datetime
from types import SimpleNamespace

import pytest

from planning import demo, quality, selectors
from planning.models import BipAnswer, ImplementationPlan, PlanStatus
from tests.factories.cases import CoordinatorAssignmentFactory

pytestmark = pytest.mark.django_db


def test_demo_build_gives_every_kind_of_plan(coordinator):
    today = datetime.date(2026, 3, 1)
    for _ in range(40):
        CoordinatorAssignmentFactory(coordinator=coordinator, start_date=datetime.date(2024, 1, 1))
    demo.build(SimpleNamespace(seed=2026, today=today, extra={}))
    plans = ImplementationPlan.objects.all()
    assert plans.filter(status=PlanStatus.DRAFT).exists()
    assert plans.filter(supersedes__isnull=False, status=PlanStatus.SIGNED).exists()
    rows = quality.annotate_quality(plans.filter(status=PlanStatus.SIGNED), on=today)
    assert rows.filter(qc_sub_goals=False, qc_responsible_named=False).exists()
    assert rows.filter(qc_follow_up_date=False).exists() and rows.filter(qc_long_term_goal=False).exists()
    assert rows.filter(qc_sub_goals=True, qc_responsible_named=True, qc_follow_up_date=True).exists()
    assert selectors.overdue_plans(on=today).exists()
    assert BipAnswer.objects.exists()
    for plan in plans:  # the demo respects the same invariants the services do
        plan.full_clean()
