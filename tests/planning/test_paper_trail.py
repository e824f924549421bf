"""The coordinator's paper trail (issue 13): a saved kartläggning opens read-only, a signed plan
shows everything it holds, and the plan and each follow-up are printed as a PDF for the person,
in plain Swedish, every read and download written to the access log and scoped like the plan."""

from __future__ import annotations

import datetime
import re
import shutil
import subprocess

import pytest
from django.urls import reverse
from django.utils import timezone

from audit.models import AccessAction, AccessLogEntry
from cases.models import Role
from planning.models import (
    Assessment,
    FollowUpMethod,
    ImplementationPlan,
    Partner,
    PlanActivity,
    Progress,
    Subgoal,
    SubgoalProgress,
)
from tests.factories.cases import CoordinatorAssignmentFactory, StaffFactory
from tests.factories.planning import (
    AssessmentFactory,
    FollowUpFactory,
    PlanActivityFactory,
    SignedPlanFactory,
    SubgoalFactory,
)
from tests.platform.test_plain_swedish import developer_text, visible_text

pytestmark = pytest.mark.django_db

MONTHS = ["januari", "februari", "mars", "april", "maj", "juni", "juli", "augusti", "september", "oktober",
          "november", "december"]


def swedish_date(d: datetime.date) -> str:
    """How the person's documents write a date: "3 mars 2026"."""
    return f"{d.day} {MONTHS[d.month - 1]} {d.year}"


def pdf_text(body: bytes) -> str:
    assert body.startswith(b"%PDF-")
    return subprocess.run(["pdftotext", "-enc", "UTF-8", "-", "-"], input=body, capture_output=True,
                          check=True).stdout.decode("utf-8")


def pdf_info(body: bytes, *args: str) -> str:
    return subprocess.run(["pdfinfo", *args, "-"], input=body, capture_output=True, check=True).stdout.decode("utf-8")


needs_poppler = pytest.mark.skipif(not shutil.which("pdftotext"), reason="poppler-utils (pdftotext) is not installed")


@pytest.fixture
def client_as(client):
    def login(user):
        client.force_login(user)
        return client
    return login


@pytest.fixture
def today():
    return timezone.localdate()


@pytest.fixture
def plan(person, coordinator, today):
    """A signed plan with every optional value filled in: two sub-goals, activities with dates,
    partners and a responsible, a kartläggning it rests on, a follow-up method and date."""
    assessment = AssessmentFactory(applicant=person, made_by=coordinator, assessed_on=today - datetime.timedelta(days=40))
    plan = SignedPlanFactory(
        applicant=person, created_by=coordinator, case=person.coordinator_assignments.get().case,
        assessment=assessment, made_on=today - datetime.timedelta(days=20),
        long_term_goal="Fast anställning som undersköterska", areas_to_maintain="Bra kontakt med barnen",
        areas_to_change="Svenska i arbetslivet", participants="Anna själv och hennes koordinator",
        person_views="Vill börja med praktik på förmiddagar", follow_up_method=FollowUpMethod.PHONE,
    )
    first = SubgoalFactory(plan=plan, position=0, description="Klara svenska B", measure="Betyg i svenska B",
                           target="Minst E", target_date=today + datetime.timedelta(days=70))
    SubgoalFactory(plan=plan, position=1, description="Ta truckkort", measure="Truckkort A och B",
                   target="Godkänt prov", target_date=today + datetime.timedelta(days=100))
    PlanActivityFactory(plan=plan, subgoal=first, position=0, description="Kurs i yrkessvenska",
                        how="Två förmiddagar i veckan på Komvux", responsible="Komvux studievägledare",
                        partners=[Partner.ARBETSFORMEDLINGEN, Partner.REGION],
                        starts_on=today + datetime.timedelta(days=3), ends_on=today + datetime.timedelta(days=60))
    PlanActivityFactory(plan=plan, position=1, description="Praktik på vårdboende", how="Handledare på plats",
                        responsible="Koordinatorn", partners=[Partner.PROVIDER],
                        starts_on=today + datetime.timedelta(days=14), ends_on=today + datetime.timedelta(days=120))
    return ImplementationPlan.objects.get(pk=plan.pk)


@pytest.fixture
def follow_up(plan, coordinator, today):
    follow_up = FollowUpFactory(
        plan=plan, followed_up_on=today - datetime.timedelta(days=5), method=FollowUpMethod.MEETING,
        participants="Anna och koordinatorn", follows_plan=False,
        plan_deviation="Missade två kurstillfällen på grund av sjukdom", notes="Anna vill byta praktikplats",
        next_follow_up_on=today + datetime.timedelta(days=25), recorded_by=coordinator,
    )
    SubgoalProgress.objects.create(follow_up=follow_up, subgoal=plan.subgoals.get(position=0),
                                   status=Progress.IN_PROGRESS, comment="Läser kapitel fyra")
    return follow_up


def _reads(object_type: str, object_id, action=AccessAction.READ):
    return AccessLogEntry.objects.filter(object_type=object_type, object_id=str(object_id), action=action)


def _no_developer_text(html: str) -> None:
    # The plan page's checklist (planning.quality's reasons) is not this page's text: left out.
    html = re.sub(r"<aside[^>]*checklista.*?</aside>", "", html, flags=re.S)
    found = developer_text(visible_text(html))
    assert not found, found


# --- 1. kartläggning, read-only


def test_a_saved_assessment_opens_read_only_from_the_person_page(client_as, coordinator, person, today):
    assessment = AssessmentFactory(
        applicant=person, made_by=coordinator, assessed_on=today - datetime.timedelta(days=12),
        work_experience="Lagerarbete i två år", education="Gymnasium i Syrien", language="Arabiska och svenska A",
        health="Ont i ryggen ibland", housing="Hyr en tvåa", family="Två barn", other="Har körkort B",
    )
    client = client_as(coordinator)
    url = reverse("assessment_detail", args=[assessment.pk])
    assert f'href="{url}"' in client.get(reverse("person", args=[person.pk])).content.decode()

    response = client.get(url)
    assert response.status_code == 200
    html = response.content.decode()
    texts = [f.name for f in Assessment._meta.concrete_fields if f.get_internal_type() == "TextField"]
    assert len(texts) == 7
    for name in texts:
        assert getattr(assessment, name) in html, name
    assert assessment.assessed_on.isoformat() in html and coordinator.get_full_name() in html
    # Read-only: nothing on the page can change it.
    assert "<textarea" not in html and "<input" not in html.split("<main", 1)[1]
    _no_developer_text(html)
    entry = _reads("planning.assessment", assessment.pk).get()
    assert entry.person_id == person.pk and entry.actor_id == coordinator.pk and entry.channel == "ui"


def test_an_assessment_out_of_scope_is_not_found_and_not_logged_as_read(client_as, other_person, staff_factory):
    assessment = AssessmentFactory(applicant=other_person)
    outsider = staff_factory(role=Role.COORDINATOR, unit=StaffFactory().unit, username="utanfor")
    assert client_as(outsider).get(reverse("assessment_detail", args=[assessment.pk])).status_code == 404
    assert not _reads("planning.assessment", assessment.pk).exists()


def test_the_board_is_refused_the_assessment_by_role(client_as, board_member, person):
    assessment = AssessmentFactory(applicant=person)
    assert client_as(board_member).get(reverse("assessment_detail", args=[assessment.pk])).status_code == 403


# --- 2. a signed plan shows everything it holds


def _shown(obj, field) -> str | None:
    """The stored value of `field` as the plan page shows it (None: not a value a reader looks for)."""
    value = getattr(obj, field.name)
    if value in (None, "", []):
        return None
    if field.choices:
        return getattr(obj, f"get_{field.name}_display")()
    if isinstance(value, bool):
        return "Ja" if value else "Nej"
    if isinstance(value, datetime.datetime):
        return timezone.localtime(value).date().isoformat()
    if isinstance(value, datetime.date):
        return value.isoformat()
    if field.name == "partners":
        return ", ".join(Partner(p).label for p in value)
    if field.is_relation:
        related = getattr(obj, field.name)
        if hasattr(related, "get_full_name"):
            return related.get_full_name()
        return None  # the plan, the person, the case, a sub-goal: checked by their own assertions
    return str(value)


# Fields that are not content: keys, bookkeeping, order; the status, shown as "Fastställd"; and a
# draft's input kept as typed, which a signed plan never holds (a constraint).
NOT_CONTENT = {"id", "created_at", "updated_at", "position", "status", "version", "supersedes", "draft_input"}


def test_a_signed_plan_shows_every_stored_value(client_as, coordinator, plan, follow_up):
    html = client_as(coordinator).get(reverse("plan_detail", args=[plan.pk])).content.decode()
    missing = []
    for obj in [plan, *plan.subgoals.all(), *plan.activities.all()]:
        for field in obj._meta.concrete_fields:
            expected = None if field.name in NOT_CONTENT else _shown(obj, field)
            if expected is not None and expected not in html:
                missing.append((type(obj).__name__, field.name, expected))
    assert not missing
    # The activity says which sub-goal it serves; the plan links its kartläggning and follow-ups.
    assert "Delmål 1: Klara svenska B" in html
    assert reverse("assessment_detail", args=[plan.assessment_id]) in html
    assert reverse("follow_up_detail", args=[follow_up.pk]) in html
    assert "Samverkanspartner" in html
    _no_developer_text(html)


def test_a_plan_with_every_optional_value_missing_still_reads(client_as, coordinator, staff_factory, today):
    """No case, no kartläggning, no follow-up date or method, no sub-goal, an activity with nothing
    but its text."""
    assignment = CoordinatorAssignmentFactory(coordinator=coordinator, start_date=today - datetime.timedelta(days=100))
    bare = SignedPlanFactory(applicant=assignment.applicant, created_by=coordinator, case=None, assessment=None,
                             latest_follow_up_on=None, follow_up_method="", participation_recorded=None,
                             long_term_goal="", person_views="")
    PlanActivity.objects.create(plan=bare, description="Hälsosamtal")
    client = client_as(coordinator)
    html = client.get(reverse("plan_detail", args=[bare.pk])).content.decode()
    assert "Hälsosamtal" in html and "Inga delmål." in html
    _no_developer_text(html)
    pdf = client.get(reverse("plan_pdf", args=[bare.pk]))
    assert pdf.status_code == 200
    if shutil.which("pdftotext"):
        text = pdf_text(pdf.content)
        assert "Hälsosamtal" in text and coordinator.get_full_name() in text
        _no_developer_text(text)


def test_a_person_without_a_coordinator_is_told_to_ask_the_plans_maker(client_as, caseworker, coordinator,
                                                                      eb_unit, today):
    """The assignment has ended: the caseworker of the case's unit prints the plan, and the
    coordinator who made it is the contact. A follow-up with nothing optional prints too."""
    assignment = CoordinatorAssignmentFactory(case__unit=eb_unit, start_date=today - datetime.timedelta(days=300),
                                              end_date=today - datetime.timedelta(days=10))
    plan = SignedPlanFactory(applicant=assignment.applicant, case=assignment.case, created_by=coordinator)
    bare = FollowUpFactory(plan=plan, participants="", notes="", follows_plan=True, recorded_by=coordinator)
    client = client_as(caseworker)
    page = client.get(reverse("follow_up_detail", args=[bare.pk])).content.decode()
    assert "Inga delmål följdes upp." in page
    _no_developer_text(page)
    if shutil.which("pdftotext"):
        for url in (reverse("plan_pdf", args=[plan.pk]), reverse("follow_up_pdf", args=[bare.pk])):
            text = " ".join(pdf_text(client.get(url).content).split())
            assert f"Kontakta din koordinator {coordinator.get_full_name()}" in text
            _no_developer_text(text)


def test_the_plan_page_runs_a_fixed_number_of_queries(client_as, coordinator, plan, follow_up,
                                                      django_assert_max_num_queries):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client = client_as(coordinator)
    url = reverse("plan_detail", args=[plan.pk])
    with CaptureQueriesContext(connection) as few:
        client.get(url)
    for i in range(12):
        PlanActivityFactory(plan=plan, subgoal=plan.subgoals.first(), position=10 + i,
                            starts_on=plan.made_on, ends_on=plan.made_on + datetime.timedelta(days=30))
        FollowUpFactory(plan=plan, followed_up_on=plan.made_on + datetime.timedelta(days=i + 1), recorded_by=coordinator)
    with django_assert_max_num_queries(len(few.captured_queries)):
        client.get(url)


# --- 3. the plan as a PDF for the person


@needs_poppler
def test_the_plan_pdf_is_written_for_the_person_in_plain_swedish(client_as, coordinator, person, plan):
    response = client_as(coordinator).get(reverse("plan_pdf", args=[plan.pk]))
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    # The file's name carries no personal data; a browser shows it and offers to print or save it.
    assert response["Content-Disposition"] == f'inline; filename="genomforandeplan-version-{plan.version}.pdf"'
    text = " ".join(pdf_text(response.content).split())
    assert f"{person.first_name} {person.last_name}" in text
    for s in Subgoal.objects.filter(plan=plan):
        assert s.description in text and swedish_date(s.target_date) in text
    for a in PlanActivity.objects.filter(plan=plan):
        assert a.description in text and a.responsible in text
        assert f"{swedish_date(a.starts_on)} – {swedish_date(a.ends_on)}" in text
    assert "Arbetsförmedlingen, Region" in text and plan.long_term_goal in text
    assert swedish_date(plan.valid_until) in text and swedish_date(plan.latest_follow_up_on) in text
    # Whom to ask: the coordinator and the unit.
    assert coordinator.get_full_name() in text and coordinator.unit.name in text
    _no_developer_text(text)
    assert "None" not in text and str(plan.made_on) not in text  # dates the Swedish way, not ISO


@needs_poppler
def test_the_plan_pdf_is_pdf_a_with_title_and_date_in_its_metadata(client_as, coordinator, person, plan):
    body = client_as(coordinator).get(reverse("plan_pdf", args=[plan.pk])).content
    info = pdf_info(body)
    assert f"Title:           Genomförandeplan för {person.first_name} {person.last_name}" in info
    assert "CreationDate:" in info and str(timezone.localdate().year) in info.split("CreationDate:")[1]
    xmp = pdf_info(body, "-meta")
    assert 'pdfaid:part="2" pdfaid:conformance="B"' in xmp  # PDF/A-2b, as the XMP packet declares it
    assert f"Genomförandeplan för {person.first_name}" in xmp.split("<dc:title>")[1]
    assert "Tagged:          yes" in info  # read in order by a screen reader


@needs_poppler
def test_a_draft_printed_for_a_meeting_says_it_is_not_fixed(client_as, coordinator, plan):
    from planning.models import PlanStatus

    ImplementationPlan.objects.filter(pk=plan.pk).update(status=PlanStatus.DRAFT, signed_at=None, signed_by=None,
                                                         valid_until=None)
    text = " ".join(pdf_text(client_as(coordinator).get(reverse("plan_pdf", args=[plan.pk])).content).split())
    assert "Utkast. Planen är inte fastställd än och kan ändras." in text
    assert "Planen fastställdes" not in text and "Planen gäller" not in text


def test_the_plan_download_is_written_to_the_access_log(client_as, coordinator, person, plan):
    client_as(coordinator).get(reverse("plan_pdf", args=[plan.pk]))
    entry = _reads("planning.implementationplan", plan.pk, AccessAction.EXPORT).get()
    assert (entry.actor_id, entry.person_id, entry.channel) == (coordinator.pk, person.pk, "ui")
    assert entry.endpoint == "planer/<int:pk>/pdf/"


def test_the_plan_pdf_out_of_scope_is_refused_and_nothing_is_logged_as_read(client_as, plan, staff_factory,
                                                                           board_member):
    outsider = staff_factory(role=Role.COORDINATOR, unit=StaffFactory().unit, username="utanfor")
    assert client_as(outsider).get(reverse("plan_pdf", args=[plan.pk])).status_code == 404
    assert client_as(board_member).get(reverse("plan_pdf", args=[plan.pk])).status_code == 403
    assert not AccessLogEntry.objects.filter(person_id=plan.applicant_id,
                                             action__in=[AccessAction.READ, AccessAction.EXPORT]).exists()


# --- 4. a follow-up: its page and its PDF


def test_a_follow_up_opens_from_the_person_page_and_shows_what_was_recorded(client_as, coordinator, person,
                                                                           follow_up):
    client = client_as(coordinator)
    url = reverse("follow_up_detail", args=[follow_up.pk])
    assert f'href="{url}"' in client.get(reverse("person", args=[person.pk])).content.decode()
    html = client.get(url).content.decode()
    for text in (follow_up.plan_deviation, follow_up.notes, follow_up.participants, "Möte", "Pågår",
                 "Läser kapitel fyra", "Klara svenska B", follow_up.next_follow_up_on.isoformat(),
                 follow_up.followed_up_on.isoformat(), "Nej"):
        assert text in html, text
    assert reverse("follow_up_pdf", args=[follow_up.pk]) in html
    _no_developer_text(html)
    entry = _reads("planning.followup", follow_up.pk).get()
    assert (entry.actor_id, entry.person_id) == (coordinator.pk, person.pk)


@needs_poppler
def test_the_follow_up_pdf_is_for_the_person_and_logged(client_as, coordinator, person, follow_up):
    response = client_as(coordinator).get(reverse("follow_up_pdf", args=[follow_up.pk]))
    assert response.status_code == 200
    assert response["Content-Disposition"] == 'inline; filename="uppfoljning.pdf"'
    text = " ".join(pdf_text(response.content).split())
    for expected in (f"{person.first_name} {person.last_name}", swedish_date(follow_up.followed_up_on),
                     swedish_date(follow_up.next_follow_up_on), follow_up.plan_deviation, "Klara svenska B",
                     "Pågår", coordinator.get_full_name(), coordinator.unit.name):
        assert expected in text, expected
    _no_developer_text(text)
    assert 'pdfaid:part="2" pdfaid:conformance="B"' in pdf_info(response.content, "-meta")
    entry = _reads("planning.followup", follow_up.pk, AccessAction.EXPORT).get()
    assert (entry.actor_id, entry.person_id) == (coordinator.pk, person.pk)


def test_a_follow_up_out_of_scope_is_not_found(client_as, follow_up, staff_factory):
    outsider = staff_factory(role=Role.COORDINATOR, unit=StaffFactory().unit, username="utanfor")
    client = client_as(outsider)
    for name in ("follow_up_detail", "follow_up_pdf"):
        assert client.get(reverse(name, args=[follow_up.pk])).status_code == 404
    assert not AccessLogEntry.objects.filter(object_type="planning.followup").exists()


# --- 5. the links


def test_the_person_and_plan_pages_link_to_the_pdf(client_as, coordinator, person, plan, follow_up):
    client = client_as(coordinator)
    link = "Skriv ut / Ladda ner som PDF"
    person_page = client.get(reverse("person", args=[person.pk])).content.decode()
    assert f'href="{reverse("plan_pdf", args=[plan.pk])}"' in person_page and link in person_page
    plan_page = client.get(reverse("plan_detail", args=[plan.pk])).content.decode()
    assert f'href="{reverse("plan_pdf", args=[plan.pk])}"' in plan_page and link in plan_page
    follow_up_page = client.get(reverse("follow_up_detail", args=[follow_up.pk])).content.decode()
    assert f'href="{reverse("follow_up_pdf", args=[follow_up.pk])}"' in follow_up_page and link in follow_up_page


def test_every_reader_of_the_plan_may_open_its_pages(client_as, caseworker, unit_manager, plan, follow_up):
    """The caseworker of the case's unit and its manager read the plan; they may print it too."""
    for user in (caseworker, unit_manager):
        client = client_as(user)
        for name, pk in (("plan_detail", plan.pk), ("plan_pdf", plan.pk), ("follow_up_detail", follow_up.pk)):
            assert client.get(reverse(name, args=[pk])).status_code == 200, (user.role, name)

