"""The coordinator's caseload and person pages: what they show, search without personal data in
the URL, filters and sorting, access logging, and a fixed number of queries whatever the size."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from audit.control.models import Severity
from audit.models import AccessLogEntry
from insatser.models import ReferralStatus
from tests.factories.audit import FlagFactory, RuleFactory
from tests.factories.cases import CaseFactory, CoordinatorAssignmentFactory
from tests.factories.insatser import InsatsFactory, ParticipationFactory, ReferralFactory
from tests.factories.planning import FollowUpFactory, SignedPlanFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def logged_in(client, coordinator):
    client.force_login(coordinator)
    return client


def _busy_person(coordinator, caseworker, barrier, n):
    """A person with everything the caseload shows: plan, follow-up, queue, participation, flags."""
    today = timezone.localdate()
    case = CaseFactory(unit=caseworker.unit)
    person = CoordinatorAssignmentFactory(case=case, coordinator=coordinator).applicant
    case.support_barriers.create(applicant=person, barrier=barrier, valid_from=datetime.date(2024, 1, 1))
    plan = SignedPlanFactory(applicant=person, created_by=coordinator)
    FollowUpFactory(plan=plan, followed_up_on=today - datetime.timedelta(days=2))
    ReferralFactory(applicant=person, plan=plan, status=ReferralStatus.QUEUED, queue_position=n + 1,
                    queued_on=today, started_on=None)
    ParticipationFactory(applicant=person, referral__plan=plan)
    FlagFactory(person=person, responsible=coordinator, rule=RuleFactory(code="r-high", severity=Severity.HIGH))
    FlagFactory(person=person, responsible=coordinator, rule=RuleFactory(code="r-low", severity=Severity.LOW))
    return person


def _queries(client, url, method="get"):
    with CaptureQueriesContext(connection) as ctx:
        response = getattr(client, method)(url)
    assert response.status_code == 200
    return len(ctx.captured_queries), response


def test_caseload_fixed_queries_2_vs_20(logged_in, coordinator, caseworker, labour_market_barrier,
                                        django_assert_max_num_queries):
    for n in range(2):
        _busy_person(coordinator, caseworker, labour_market_barrier, n)
    small, _ = _queries(logged_in, reverse("caseload"))
    for n in range(2, 20):
        _busy_person(coordinator, caseworker, labour_market_barrier, n)
    with django_assert_max_num_queries(small):
        response = logged_in.get(reverse("caseload"))
    assert response.content.decode().count("Hög: 1") == 20


def test_person_page_fixed_queries(logged_in, coordinator, caseworker, labour_market_barrier,
                                   django_assert_max_num_queries):
    person = _busy_person(coordinator, caseworker, labour_market_barrier, 0)
    url = reverse("person", args=[person.pk])
    few, _ = _queries(logged_in, url)
    plan = person.plans.get()
    for i in range(10):
        FollowUpFactory(plan=plan, followed_up_on=plan.made_on + datetime.timedelta(days=i + 1))
        ParticipationFactory(applicant=person, referral__plan=plan)
    with django_assert_max_num_queries(few):
        response = logged_in.get(url)
    html = response.content.decode()
    assert html.count("Uppföljning av plan version 1") == 11
    assert "Testregel" in html and "Allvarlighetsgrad: Hög" in html


def test_caseload_shows_plan_follow_up_hours_queue_and_flags(logged_in, coordinator, caseworker,
                                                               labour_market_barrier):
    person = _busy_person(coordinator, caseworker, labour_market_barrier, 2)
    html = logged_in.get(reverse("caseload")).content.decode()
    plan = person.plans.get()
    follow_up = plan.follow_ups.get()
    assert f"Gäller till {plan.valid_until:%Y-%m-%d}" in html
    assert f"{follow_up.next_follow_up_on:%Y-%m-%d}" in html
    assert "I kö (plats 3)" in html
    assert "Hög: 1" in html and "Låg: 1" in html
    assert "av 40 h" in html  # the heltidsaktivering norm


def test_search_by_personnummer_is_posted_and_kept_out_of_the_url(logged_in, coordinator, caseworker):
    one = CoordinatorAssignmentFactory(coordinator=coordinator, case__unit=caseworker.unit).applicant
    two = CoordinatorAssignmentFactory(coordinator=coordinator, case__unit=caseworker.unit).applicant
    response = logged_in.post(reverse("caseload"), {"sok": one.personal_identity_number})
    assert response.status_code == 302 and one.personal_identity_number not in response.url
    html = logged_in.get(response.url).content.decode()
    assert reverse("person", args=[one.pk]) in html and reverse("person", args=[two.pk]) not in html
    entry = AccessLogEntry.objects.filter(action="search").latest("pk")
    assert entry.channel == "ui" and entry.person_id == one.pk
    # By name too; an empty search shows everyone again.
    logged_in.post(reverse("caseload"), {"sok": two.first_name})
    html = logged_in.get(reverse("caseload")).content.decode()
    assert reverse("person", args=[two.pk]) in html and reverse("person", args=[one.pk]) not in html
    logged_in.post(reverse("caseload"), {"sok": ""})
    assert "2 personer" in logged_in.get(reverse("caseload")).content.decode()


def test_search_by_reservnummer_finds_the_person_also_after_the_personnummer_replaced_it(
    logged_in, coordinator, caseworker
):
    from cases.models import Applicant
    from cases.reserve_number_services import applicant_replace_reserve_number

    one = CoordinatorAssignmentFactory(coordinator=coordinator, case__unit=caseworker.unit).applicant
    two = CoordinatorAssignmentFactory(coordinator=coordinator, case__unit=caseworker.unit).applicant
    Applicant.objects.filter(pk=one.pk).update(personal_identity_number=None, reserve_number="R2026000007")
    for typed in ("R2026000007", "r2026000007"):
        response = logged_in.post(reverse("caseload"), {"sok": typed})
        html = logged_in.get(response.url).content.decode()
        assert reverse("person", args=[one.pk]) in html and reverse("person", args=[two.pk]) not in html
    applicant_replace_reserve_number(actor=caseworker, applicant=Applicant.objects.get(pk=one.pk),
                                     personal_identity_number=_other_pnr())
    response = logged_in.post(reverse("caseload"), {"sok": "R2026000007"})
    html = logged_in.get(response.url).content.decode()
    assert reverse("person", args=[one.pk]) in html and reverse("person", args=[two.pk]) not in html


def test_search_by_a_corrected_personnummer_still_finds_the_person(logged_in, coordinator, caseworker):
    from cases.reserve_number_services import applicant_correct_identity_number

    one = CoordinatorAssignmentFactory(coordinator=coordinator, case__unit=caseworker.unit).applicant
    two = CoordinatorAssignmentFactory(coordinator=coordinator, case__unit=caseworker.unit).applicant
    old = one.personal_identity_number
    applicant_correct_identity_number(actor=caseworker, applicant=one, personal_identity_number=_other_pnr(),
                                      reason="Fel inmatat vid registreringen.")
    for typed in (old, _other_pnr()):
        response = logged_in.post(reverse("caseload"), {"sok": typed})
        html = logged_in.get(response.url).content.decode()
        assert reverse("person", args=[one.pk]) in html and reverse("person", args=[two.pk]) not in html, typed


def _other_pnr():
    from tests.cases.support import new_pnr

    return new_pnr(41)


def test_an_invalid_personnummer_is_said_so_with_why_and_not_searched_as_a_name(logged_in, coordinator, caseworker):
    one = CoordinatorAssignmentFactory(coordinator=coordinator, case__unit=caseworker.unit).applicant
    two = CoordinatorAssignmentFactory(coordinator=coordinator, case__unit=caseworker.unit).applicant
    logged_in.post(reverse("caseload"), {"sok": two.first_name})  # an earlier search, kept
    number = one.personal_identity_number
    wrong_check_digit = number[:-1] + str((int(number[-1]) + 1) % 10)
    response = logged_in.post(reverse("caseload"), {"sok": f"{wrong_check_digit[:8]}-{wrong_check_digit[8:]}"})
    html = response.content.decode()
    # Answered on the POST itself: no redirect, so the number never reaches a URL.
    assert response.status_code == 200
    assert "Personnumrets kontrollsiffra stämmer inte." in html
    assert 'class="error-summary"' in html and 'aria-invalid="true"' in html
    assert "0 personer" not in html
    # The list still shows the earlier search, which the invalid number did not replace.
    assert reverse("person", args=[two.pk]) in html and reverse("person", args=[one.pk]) not in html
    assert logged_in.session["caseload_search"] == two.first_name
    # Too few digits: the format is named.
    html = logged_in.post(reverse("caseload"), {"sok": "8112"}).content.decode()
    assert "ska ha 10 eller 12 siffror" in html
    # A valid number still searches, and letters are a name.
    assert logged_in.post(reverse("caseload"), {"sok": number}).status_code == 302
    assert logged_in.post(reverse("caseload"), {"sok": "Anna-Karin"}).status_code == 302


def test_filter_and_sort(logged_in, coordinator, caseworker, labour_market_barrier):
    busy = _busy_person(coordinator, caseworker, labour_market_barrier, 0)
    idle = CoordinatorAssignmentFactory(coordinator=coordinator, case__unit=caseworker.unit).applicant
    html = logged_in.get(reverse("caseload"), {"visa": "utan_plan"}).content.decode()
    assert reverse("person", args=[idle.pk]) in html and reverse("person", args=[busy.pk]) not in html
    html = logged_in.get(reverse("caseload"), {"visa": "i_ko"}).content.decode()
    assert reverse("person", args=[busy.pk]) in html and reverse("person", args=[idle.pk]) not in html
    html = logged_in.get(reverse("caseload"), {"sortera": "ko"}).content.decode()
    assert html.index(reverse("person", args=[busy.pk])) < html.index(reverse("person", args=[idle.pk]))


def test_other_roles_and_anonymous_are_kept_out(client, caseworker):
    assert client.get(reverse("caseload")).status_code == 302  # to the login page
    client.force_login(caseworker)
    assert client.get(reverse("caseload")).status_code == 403


def test_forms_require_csrf(coordinator, caseworker):
    from django.test import Client

    strict = Client(enforce_csrf_checks=True)
    strict.force_login(coordinator)
    person = CoordinatorAssignmentFactory(coordinator=coordinator, case__unit=caseworker.unit).applicant
    assert strict.post(reverse("plan_new", args=[person.pk])).status_code == 403
    assert strict.post(reverse("caseload"), {"sok": "x"}).status_code == 403
    assert not person.plans.exists()


def test_idle_session_ends(client, coordinator, settings):
    """The session cookie is renewed on each request and expires after SESSION_COOKIE_AGE idle."""
    assert settings.SESSION_SAVE_EVERY_REQUEST is True
    client.force_login(coordinator)
    response = client.get(reverse("caseload"))
    assert response.status_code == 200
    from django.contrib.sessions.models import Session

    # Each request pushes the end of the session SESSION_COOKIE_AGE seconds ahead.
    expires = Session.objects.get().expire_date
    expected = timezone.now() + datetime.timedelta(seconds=settings.SESSION_COOKIE_AGE)
    assert abs((expires - expected).total_seconds()) < 60
    Session.objects.update(expire_date=timezone.now() + datetime.timedelta(seconds=30))
    logged_in_again = client.get(reverse("caseload"))
    assert logged_in_again.status_code == 200
    assert Session.objects.get().expire_date > timezone.now() + datetime.timedelta(seconds=settings.SESSION_COOKIE_AGE - 60)
    # Idle past the limit: the next request goes to the login page.
    Session.objects.update(expire_date=timezone.now() - datetime.timedelta(seconds=1))
    response = client.get(reverse("caseload"))
    assert response.status_code == 302 and reverse("login") in response.url


def test_referral_to_a_full_insats_queues_and_bad_input_writes_nothing(logged_in, coordinator, caseworker):
    person = CoordinatorAssignmentFactory(coordinator=coordinator, case__unit=caseworker.unit).applicant
    SignedPlanFactory(applicant=person, created_by=coordinator)
    full = InsatsFactory(capacity=1)
    ParticipationFactory(insats=full)
    url = reverse("referral_new", args=[person.pk])
    page = logged_in.get(url).content.decode()
    assert "1 av 1 platser upptagna" in page
    future = (timezone.localdate() + datetime.timedelta(days=3)).isoformat()
    response = logged_in.post(url, {"insats": full.pk, "referred_on": future, "note": ""})
    assert "Anvisningsdatumet kan inte ligga i framtiden." in response.content.decode()
    assert not person.referrals.exists()
    response = logged_in.post(url, {"insats": full.pk, "referred_on": timezone.localdate().isoformat(), "note": ""})
    assert response.status_code == 302
    assert person.referrals.get().queue_position == 1


def test_exemption_errors_by_field(logged_in, coordinator, caseworker):
    person = CoordinatorAssignmentFactory(coordinator=coordinator, case__unit=caseworker.unit).applicant
    response = logged_in.post(reverse("exemption_new", args=[person.pk]), {
        "reason": "sickness", "reason_text": "", "valid_from": timezone.localdate().isoformat(), "valid_to": "",
        "review_on": "", "required_hours_per_week": "0",
    })
    html = response.content.decode()
    assert 'id="id_reason_text_error"' in html and "Avsteget ska motiveras." in html
    assert not person.exemptions.exists()


def test_caseload_names_the_monday_of_the_week_its_hours_are_for(logged_in, coordinator, monkeypatch):
    sunday = datetime.date(2026, 11, 22)
    monkeypatch.setattr(timezone, "localdate", lambda *a, **k: sunday)
    html = logged_in.get(reverse("caseload")).content.decode()
    assert "Vecka från måndag 2026-11-16" in html
