"""The worklist leads to action (issue 13): severity, days open, the person linked, sorted by
severity then age, filters, pages, counts per severity, a fixed number of queries."""

import datetime
import re

import pytest
from django.urls import reverse
from django.utils import timezone

from audit.control.models import Severity
from audit.control.views.flags import WORKLIST_PAGE_SIZE
from tests.factories.audit import CorrectiveActionFactory, FlagFactory, RuleFactory
from tests.factories.cases import ApplicantFactory, StaffFactory

pytestmark = pytest.mark.django_db


def _rows(body: str) -> int:
    """Flags listed on a worklist page (links to a flag's page; the menu links the list itself)."""
    return len(re.findall(r'href="/egenkontroll/flaggor/\d+/"', body))


def _flags(coordinator, n, *, severity, days_old, responsible=None):
    rule = RuleFactory(code=f"test_grade_{severity}_{days_old}", severity=severity, title=f"Regel med grad {severity}")
    today = timezone.localdate()
    out = []
    for i in range(n):
        flag = FlagFactory(rule=rule, responsible=responsible or coordinator,
                           person=ApplicantFactory(first_name=f"P{severity}x{days_old}x{i}"),
                           first_seen=today - datetime.timedelta(days=days_old + i))
        CorrectiveActionFactory(flag=flag, owner=coordinator)
        out.append(flag)
    return out


def test_rows_show_severity_days_open_and_a_linked_person_most_severe_then_oldest_first(client, coordinator):
    low = _flags(coordinator, 1, severity=Severity.LOW, days_old=40)[0]
    high_new, high_old = _flags(coordinator, 2, severity=Severity.HIGH, days_old=1)
    client.force_login(coordinator)
    body = client.get(reverse("flag-list")).content.decode()
    order = [body.index(reverse("flag-detail", args=[f.pk]) + '"') for f in (high_old, high_new, low)]
    assert order == sorted(order)
    assert reverse("person", args=[low.person_id]) in body
    assert "40 dagar" in body and "1 dag<" in body and "2 dagar" in body
    assert "Hög" in body and "Låg" in body


def test_counts_per_severity_filters_and_pages(client, coordinator):
    _flags(coordinator, WORKLIST_PAGE_SIZE + 2, severity=Severity.HIGH, days_old=3)
    _flags(coordinator, 3, severity=Severity.MEDIUM, days_old=20)
    client.force_login(coordinator)
    body = client.get(reverse("flag-list")).content.decode()
    assert f"<strong>{WORKLIST_PAGE_SIZE + 2}</strong> med allvarlighetsgrad hög" in body
    assert "<strong>3</strong> med allvarlighetsgrad medel" in body
    assert "Nästa sida" in body and "Sida 1 av 2" in body
    medium = client.get(reverse("flag-list"), {"allvarlighet": Severity.MEDIUM}).content.decode()
    assert _rows(medium) == 3
    nobody = StaffFactory(role=coordinator.role, unit=coordinator.unit)
    by_owner = client.get(reverse("flag-list"), {"ansvarig": nobody.pk}).content.decode()
    assert _rows(by_owner) == 0
    # The high flags are 3, 4, 5 ... days old, the medium ones 20, 21 and 22.
    young = client.get(reverse("flag-list"), {"max_dagar": 4}).content.decode()
    assert _rows(young) == 2
    band = client.get(reverse("flag-list"), {"min_dagar": 20, "max_dagar": 22, "allvarlighet": Severity.MEDIUM})
    assert _rows(band.content.decode()) == 3


@pytest.mark.parametrize("n", [3, 30])
def test_the_worklist_runs_a_fixed_number_of_queries(client, coordinator, django_assert_max_num_queries, n):
    _flags(coordinator, n, severity=Severity.HIGH, days_old=2)
    _flags(coordinator, n, severity=Severity.LOW, days_old=5)
    client.force_login(coordinator)
    with django_assert_max_num_queries(16):
        assert client.get(reverse("flag-list")).status_code == 200


def test_the_flag_page_says_what_to_do_what_closes_it_and_links_the_cause(client, coordinator):
    rule = RuleFactory(code="test_plan_expired", what_to_do="Gör en ny plan.", closes_when="När en ny plan fastställs.",
                       source="Granskningsrapport 2025, avsnitt 3.4.2")
    from tests.factories.planning import PlanFactory

    person = ApplicantFactory()
    plan = PlanFactory(applicant=person)
    flag = FlagFactory(rule=rule, responsible=coordinator, person=person,
                       subject_type="planning.implementationplan", subject_id=plan.pk)
    client.force_login(coordinator)
    body = client.get(reverse("flag-detail", args=[flag.pk])).content.decode()
    assert "Gör en ny plan." in body and "När en ny plan fastställs." in body
    assert "Granskningsrapport 2025, avsnitt 3.4.2" in body
    assert reverse("plan_detail", args=[plan.pk]) in body
    assert reverse("person", args=[person.pk]) in body


def test_every_rule_has_plain_texts_and_a_cited_source():
    """One place per rule: its definition holds a title, what to do, what closes it and a source
    cited as the audit or the law is, none of them developer text."""
    from audit.control.rules import REGISTRY
    from tests.platform.test_plain_swedish import developer_text

    for rule in REGISTRY.values():
        texts = [rule.title, rule.description, rule.what_to_do, rule.closes_when, rule.source,
                 *(p.source for p in rule.params), *(p.label for p in rule.params)]
        assert rule.what_to_do and rule.closes_when and rule.source, rule.code
        assert not [found for t in texts for found in developer_text(t)], rule.code


def test_rules_sync_refreshes_the_texts_but_keeps_the_settings():
    from audit.control import engine
    from audit.control.models import Rule

    engine.rules_sync()
    rule = Rule.objects.get(code="r01_follow_up_interval")
    Rule.objects.filter(pk=rule.pk).update(source="DOMAIN.md 2.7", what_to_do="", enabled=False, escalate_after_days=30)
    engine.rules_sync()
    rule.refresh_from_db()
    assert rule.source.startswith("Granskningsrapport 2025") and rule.what_to_do
    assert rule.enabled is False and rule.escalate_after_days == 30
