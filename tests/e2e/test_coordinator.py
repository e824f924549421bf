"""A coordinator's day in a real browser, and a caseworker confirming the closing by the API.

Each step asserts what the page shows. Rows the story needs before it starts (the person, a
full insats, an earlier BIP measurement) are made with factories; everything the coordinator
does goes through the pages.
"""

import datetime
import json
import re
import urllib.request

import pytest
from django.utils import timezone

from cases.models import CaseSupportBarrier, SupportBarrier
from insatser.models import ParticipationClosing, ParticipationStatus, Referral, ReferralStatus
from planning import bip_default
from planning.models import (
    BipAnswer,
    BipAssessment,
    BipIndicator,
    BipInstrument,
    BipScaleStep,
    ImplementationPlan,
    PlanStatus,
)
from tests.factories.cases import ApplicantFactory, CaseFactory, CoordinatorAssignmentFactory
from tests.factories.insatser import InsatsFactory, ParticipationFactory

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


def expect(locator):
    from playwright.sync_api import expect as pw_expect

    return pw_expect(locator)


@pytest.fixture
def story(coordinator, caseworker):
    today = timezone.localdate()
    barrier, _ = SupportBarrier.objects.get_or_create(
        code="arbetslos-utan-ersattning",
        defaults={"name": "Arbetslös utan ersättning", "group": "Arbetsmarknadsskäl", "is_labour_market": True},
    )
    person = ApplicantFactory(first_name="Amina", last_name="Said", registered_unit=caseworker.unit)
    case = CaseFactory(unit=caseworker.unit, with_applicant=person)
    assignment = CoordinatorAssignmentFactory(coordinator=coordinator, case=case, applicant=person,
                                              start_date=today - datetime.timedelta(days=60))
    CaseSupportBarrier.objects.create(case=assignment.case, applicant=person, barrier=barrier,
                                      valid_from=today - datetime.timedelta(days=60))
    other = CoordinatorAssignmentFactory(coordinator=coordinator, case__unit=caseworker.unit).applicant
    full = InsatsFactory(name="Lagerpraktik Norra", capacity=1)
    ParticipationFactory(insats=full)  # someone else has the only place
    # Installed by a data migration; an earlier transactional test may have flushed it.
    instrument = bip_default.install(BipInstrument, BipIndicator, BipScaleStep)
    # The municipality has loaded its licensed instrument: every indicator's name confirmed (until
    # then the follow-up form says BIP is missing instead of showing placeholder names).
    instrument.indicators.filter(code="halsa").update(name="Hälsa")
    instrument.indicators.update(is_confirmed=True)
    earlier = BipAssessment.objects.create(applicant=person, instrument=instrument, recorded_by=coordinator,
                                           assessed_on=today - datetime.timedelta(days=40))
    BipAnswer.objects.create(assessment=earlier, indicator=instrument.indicators.get(code="halsa"), value=2)
    return {"person": person, "other": other, "full": full, "today": today}


def test_coordinator_plans_refers_follows_up_and_closes(page, live_server, login, coordinator, caseworker, story):
    person, today = story["person"], story["today"]

    # Log in: the caseload is the start page, with both assigned persons.
    login(page, coordinator)
    expect(page.get_by_role("heading", level=1)).to_have_text("Mina personer")
    expect(page.get_by_role("heading", name="2 personer")).to_be_visible()
    expect(page.get_by_role("row", name=re.compile("Said, Amina"))).to_contain_text("Ingen gällande plan")

    # Search by personnummer: by POST, the number never appears in the URL.
    page.get_by_label("Sök på namn eller personnummer").fill(person.personal_identity_number)
    page.get_by_role("button", name="Sök", exact=True).click()
    expect(page.get_by_role("heading", name="1 person som matchar sökningen")).to_be_visible()
    assert person.personal_identity_number not in page.url
    assert person.personal_identity_number[2:8] not in page.url
    page.get_by_role("link", name="Said, Amina").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Amina Said")

    # Draft a plan: the checklist follows the fields and refuses an incomplete plan.
    page.get_by_role("button", name="Upprätta genomförandeplan").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Genomförandeplan version 1 (utkast)")
    page.get_by_label("Långsiktigt mål").fill("Arbete som lagerarbetare på heltid inom ett år")
    page.get_by_label("Långsiktigt mål").blur()
    expect(page.locator('[data-check="long_term_goal"]')).to_have_attribute("data-answer", "yes")
    expect(page.locator('[data-check="sub_goals"]')).to_have_attribute("data-answer", "no")
    page.get_by_role("button", name="Fastställ planen").click()
    alert = page.locator(".error-summary")  # one summary of every problem, styled as an error
    expect(alert).to_contain_text("Planen kan inte fastställas")
    expect(alert).to_contain_text("Delmål saknas.")
    assert ImplementationPlan.objects.get(applicant=person).status == PlanStatus.DRAFT

    # Complete it; the checklist turns green; sign.
    page.get_by_text("Ja", exact=True).first.check()
    page.get_by_label("Följs upp senast").fill((today + datetime.timedelta(days=30)).isoformat())
    page.get_by_label("Uppföljning sker genom").select_option(label="Möte")
    first_subgoal = page.locator(".card", has=page.get_by_role("heading", name="Delmål 1"))
    first_subgoal.get_by_label("Delmål").fill("Ta truckkort")
    first_subgoal.get_by_label("Vad som mäts").fill("Truckkort A och B")
    first_subgoal.get_by_label("Målvärde").fill("Godkänt prov")
    first_subgoal.get_by_label("Ska vara uppnått").fill((today + datetime.timedelta(days=90)).isoformat())
    first_activity = page.locator(".card", has=page.get_by_role("heading", name="Aktivitet 1"))
    first_activity.get_by_label("Aktivitet", exact=True).fill("Truckutbildning")
    first_activity.get_by_label("Hur den genomförs").fill("Två veckor hos utbildaren")
    first_activity.get_by_label("Ansvarig").fill("Koordinatorn")
    first_activity.get_by_label("Ansvarig").blur()
    expect(page.locator("#checklista")).to_contain_text("Planen uppfyller kraven och kan fastställas.")
    page.get_by_role("button", name="Fastställ planen").click()
    expect(page.get_by_text("Genomförandeplanen är fastställd.")).to_be_visible()
    expect(page.get_by_text("Planen kan inte ändras.")).to_be_visible()
    expect(page.get_by_role("button", name="Gör en ny version")).to_be_visible()

    # Refer to the full insats: capacity is shown, the person joins the queue.
    page.get_by_role("link", name="← Amina Said").click()
    page.get_by_role("link", name="Anvisa till insats").click()
    expect(page.get_by_role("row", name=re.compile("Lagerpraktik Norra"))).to_contain_text("1 (fullt)")
    expect(page.get_by_label("Insats", exact=True)).to_contain_text("Lagerpraktik Norra (Arbetsmarknad) – 1 av 1 platser upptagna, 0 i kö")
    page.get_by_label("Insats", exact=True).select_option(str(story["full"].pk))
    page.get_by_role("button", name="Anvisa").click()
    expect(page.get_by_text("Lagerpraktik Norra är fullt. Amina står i kö på plats 1.")).to_be_visible()
    expect(page.locator(".timeline")).to_contain_text("I kö, plats 1 i kön")
    assert Referral.objects.get(applicant=person).status == ReferralStatus.QUEUED

    # Follow-up with BIP answers; the change since the last measurement is reported.
    page.get_by_role("link", name="Registrera uppföljning").click()
    expect(page.get_by_text("Förra gången: 2")).to_be_visible()
    page.get_by_label("Form").select_option(label="Möte")
    page.get_by_role("radio", name="Ja").check()
    page.get_by_label("Hälsa", exact=True).select_option("4")
    page.get_by_label("Handläggarens tro på att individen får jobb").select_option("3")
    page.get_by_role("button", name="Registrera uppföljning").click()
    expect(page.get_by_text(re.compile(r"Uppföljningen är registrerad\. Förändring sedan förra BIP-skattningen: "
                                       r"Hälsa: 2 → 4"))).to_be_visible()
    expect(page.locator(".timeline")).to_contain_text("Följer planeringen")

    # A place elsewhere has started (insats staff's work, outside this story): propose a closing.
    plan = ImplementationPlan.objects.get(applicant=person)
    ParticipationFactory(applicant=person, insats=InsatsFactory(name="Digital grundkurs"), referral__plan=plan)
    page.reload()
    page.get_by_role("link", name="Föreslå avslut").click()
    page.get_by_label("Avslutsorsak").select_option(label="Arbete")
    page.get_by_role("button", name="Föreslå avslut").click()
    expect(page.get_by_text("Avslutet är föreslaget. Handläggaren bekräftar det.")).to_be_visible()
    expect(page.get_by_text("Väntar på handläggarens bekräftelse.")).to_be_visible()

    # The caseworker confirms through the API, over HTTP.
    token = _post(f"{live_server.url}/api/v1/auth/token/",
                  {"username": caseworker.username, "password": "lösenord-för-test"})["token"]
    closing = ParticipationClosing.objects.get(participation__applicant=person)
    _post(f"{live_server.url}/api/v1/closings/{closing.pk}/confirm/", {}, token=token)

    page.reload()
    expect(page.locator(".timeline")).to_contain_text("Deltagande i Digital grundkurs avslutat")
    expect(page.locator(".timeline")).to_contain_text("Arbete")
    expect(page.get_by_text("Inget pågående deltagande.")).to_be_visible()
    assert closing.participation.__class__.objects.get(pk=closing.participation_id).status == ParticipationStatus.CLOSED


def _post(url, data, token=None):
    request = urllib.request.Request(url, data=json.dumps(data).encode(), method="POST",
                                     headers={"Content-Type": "application/json"})
    if token:
        request.add_header("Authorization", f"Token {token}")
    with urllib.request.urlopen(request, timeout=10) as response:
        return json.loads(response.read() or b"{}")
