"""Report 1's participants and closings against the definitions counted in Python over random data:
persons with several participations of the same kind and of different kinds, running, ended, ended
before the period and started after it, at three units, persons on both sides of the age limits.

participants() counts one row per person (a 0/1 column per kind) instead of COUNT(DISTINCT) per kind
and group, and closings() sums closings_by_reason: both must still count each person once per kind
and each closing once."""

import datetime
import random

import pytest

from audit.reports import board_norms
from audit.reports import key_figure_queries as kq
from audit.reports.base import parse_period
from audit.reports.figures import GROUPS, years_before
from insatser.models import InsatsType, Participation, ParticipationClosing
from tests.audit.reports.board_fixture import add_person, base_world, insats, participate

pytestmark = pytest.mark.django_db

D = datetime.date
TODAY = D(2025, 12, 31)
KINDS = {
    "insats_matchning": lambda p: p.insats.provider_unit.code == board_norms.norm("INSATS_MATCHNING_UNIT_CODE"),
    "employment": lambda p: p.insats.insats_type == InsatsType.LABOUR_MARKET_EMPLOYMENT,
    "work_training": lambda p: p.insats.insats_type == InsatsType.WORK_TRAINING,
    "praktik": lambda p: p.insats.insats_type in kq.PRAKTIK_TYPES,
}


def _in_group(group, person, on) -> bool:
    if group.gender and person.legal_gender != group.gender:
        return False
    if group.age_from is not None and not person.birth_date <= years_before(on, group.age_from):
        return False
    return group.age_to is None or person.birth_date > years_before(on, group.age_to + 1)


def _world(rng: random.Random):
    w = base_world()
    insats(w, "IM-praktik", InsatsType.PRAKTIK, "insats-matchning")
    insats(w, "IM-digital", InsatsType.DIGITAL, "insats-matchning")
    insats(w, "P-training", InsatsType.WORK_TRAINING, "parketten")
    insats(w, "P-employment", InsatsType.LABOUR_MARKET_EMPLOYMENT, "parketten")
    insats(w, "S-language", InsatsType.LANGUAGE_PRAKTIK, "intern-service")
    births = [D(2007, 1, 1), D(2007, 12, 31), D(2000, 6, 1), D(1996, 1, 1), D(1990, 3, 3), D(1975, 12, 31), D(1960, 1, 1)]
    reasons = ["work", "studies", "sickness", "other_benefit", "moved"]
    for n in range(14):
        key = f"P{n}"
        add_person(w, key, gender=rng.choice(["kvinna", "man"]), born=rng.choice(births))
        for _ in range(rng.randint(0, 4)):
            start = D(2024, 1, 1) + datetime.timedelta(days=rng.randint(0, 700))
            ended = rng.random() < 0.5
            end = start + datetime.timedelta(days=rng.randint(0, 200)) if ended else None
            participate(w, key, rng.choice(list(w.insatser)), start, end=end,
                        reason=rng.choice(reasons) if ended else "", confirmed=rng.random() < 0.8)
    return w


@pytest.mark.parametrize("seed", [11, 12])
def test_participants_and_closings_match_the_definitions(seed):
    rng = random.Random(seed)
    _world(rng)
    period = parse_period(kind="year", year=2025, today=TODAY)
    participations = list(Participation.objects.select_related("applicant", "insats__provider_unit"))
    assert len(participations) > 15

    running = [p for p in participations
               if p.start_date <= period.end and (p.end_date or p.decision_period_end) >= period.start]
    expected = {kind: {g.key: len({p.applicant_id for p in running if test(p) and _in_group(g, p.applicant, period.end)})
                       for g in GROUPS}
                for kind, test in KINDS.items()}
    assert kq.participants(period, None) == expected
    assert expected["insats_matchning"]["total"] < sum(KINDS["insats_matchning"](p) for p in running)  # repeats

    closings = [c for c in ParticipationClosing.objects.select_related("participation__applicant")
                if c.confirmed_at and period.start <= c.end_date <= period.end]
    assert closings

    def count(keep):
        return {g.key: sum(1 for c in closings if keep(c) and _in_group(g, c.participation.applicant, period.end))
                for g in GROUPS}

    by_reason = kq.closings_by_reason(period, None)
    assert kq.closings(by_reason) == {"count": count(lambda c: True),
                                      "work_or_studies": count(lambda c: c.reason in kq.WORK_OR_STUDIES)}
    assert by_reason == {r: count(lambda c, r=r: c.reason == r) for r in {c.reason for c in closings}}
