"""Report 2's follow-ups made, against the definition written the plain way: for each follow-up of the
period, the previous one looked up by a correlated subquery (the person's follow-up on the latest
earlier day, the highest id of that day, of any of the person's plans). Random follow-ups with many
on the same day, over several plans and two units, on the database the suite runs on."""

import datetime
import random

import pytest
from django.db.models import Count, F, OuterRef, Q, Subquery
from django.db.models.functions import Coalesce

from audit.reports.base import parse_period
from audit.reports.plan_quality import follow_ups_made, in_unit
from cases.models import Role
from planning.models import FollowUp
from tests.factories.cases import StaffFactory, UnitFactory
from tests.factories.planning import FollowUpFactory

from .board_fixture import add_person, assign, base_world, plan

pytestmark = pytest.mark.django_db

D = datetime.date


def _by_definition(period, unit_id):
    previous = FollowUp.objects.filter(
        plan__applicant_id=OuterRef("plan__applicant_id"), followed_up_on__lt=OuterRef("followed_up_on")
    ).order_by("-followed_up_on", "-pk")
    done = (
        FollowUp.objects.filter(followed_up_on__gte=period.start, followed_up_on__lte=period.end)
        .filter(in_unit("plan__applicant_id", unit_id, period))
        .annotate(due_on=Coalesce(Subquery(previous.values("next_follow_up_on")[:1]), F("plan__latest_follow_up_on")))
    )
    return done.aggregate(
        count=Count("pk"),
        on_time=Count("pk", filter=Q(followed_up_on__lte=F("due_on"))),
        late=Count("pk", filter=Q(followed_up_on__gt=F("due_on"))),
        no_due_date=Count("pk", filter=Q(due_on__isnull=True)),
        deviations=Count("pk", filter=Q(follows_plan=False)),
    )


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_follow_ups_made_match_the_definition(seed):
    rng = random.Random(seed)
    w = base_world()
    south = StaffFactory(role=Role.COORDINATOR, unit=UnitFactory(code="koordinator-syd"))
    for n in range(6):
        key = f"P{n}"
        add_person(w, key, gender=rng.choice(["kvinna", "man"]), born=D(1980 + n, 1, 1))
        if n == 4:  # moved from the coordinator's unit to the south one at the turn of the year
            assign(w, key, w.coordinator, D(2024, 1, 1), D(2024, 12, 31))
            assign(w, key, south, D(2025, 1, 1))
        else:
            assign(w, key, w.coordinator if n % 2 else south, D(2024, 1, 1))
        plans, previous = [], None
        for version in range(1, rng.randint(1, 3) + 1):
            previous = plan(w, key, D(2024, 2 * version, 1), version=version, supersedes=previous,
                            latest_follow_up_on=rng.choice([None, D(2024, 6, 1), D(2025, 2, 1)]))
            plans.append(previous)
        # Few distinct days, so that many follow-ups share one; the next date before or after the
        # following follow-ups, so that both on time and late occur.
        days = [D(2024, 12, 1) + datetime.timedelta(days=7 * rng.randint(0, 16)) for _ in range(rng.randint(0, 9))]
        for day in days:
            follows = rng.random() < 0.8
            FollowUpFactory(plan=rng.choice(plans), followed_up_on=day,
                            next_follow_up_on=day + datetime.timedelta(days=rng.randint(1, 40)),
                            follows_plan=follows, plan_deviation="" if follows else "Avvek.")
    period = parse_period(kind="quarter", year=2025, number=1, today=D(2025, 6, 1))
    # Together with another period, as the report asks for the year before (a due date depends only
    # on earlier follow-ups): here the quarter before, which holds the first follow-ups.
    before = parse_period(kind="quarter", year=2024, number=4, today=D(2025, 6, 1))
    for unit_id in (None, w.coordinator.unit_id, south.unit_id):
        assert follow_ups_made([period], unit_id) == [_by_definition(period, unit_id)]
        assert follow_ups_made([period, before], unit_id) == [_by_definition(period, unit_id),
                                                              _by_definition(before, unit_id)]
    assert _by_definition(period, None)["count"] > 0
    assert _by_definition(before, None)["count"] > 0
