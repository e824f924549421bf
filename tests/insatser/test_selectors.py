"""referral_list applies the queue-wait norm in the query, so the API and a settings override agree."""

import datetime

import pytest
from django.utils import timezone

from insatser import selectors
from insatser.models import ReferralStatus
from tests.factories.insatser import InsatsFactory, ReferralFactory

pytestmark = pytest.mark.django_db


def _queued(insats, days: int):
    queued_on = timezone.localdate() - datetime.timedelta(days=days)
    return ReferralFactory(insats=insats, status=ReferralStatus.QUEUED, referred_on=queued_on, queued_on=queued_on,
                           started_on=None, queue_position=days)


def test_needs_temporary_activity_follows_the_norm_and_its_override(insats_staff, settings):
    insats = InsatsFactory(provider_unit=insats_staff.unit)
    on_limit, past_limit, recent = _queued(insats, 14), _queued(insats, 15), _queued(insats, 3)
    started = ReferralFactory(insats=insats, referred_on=timezone.localdate() - datetime.timedelta(days=40))

    def needing():
        rows = selectors.referral_list(user=insats_staff)
        return {r.pk for r in rows if r.needs_temporary_activity}

    assert needing() == {past_limit.pk}
    settings.INSATSER_NORMS = {"MAX_QUEUE_WAIT_DAYS": 2}
    assert needing() == {on_limit.pk, past_limit.pk, recent.pk}
    assert started.pk not in needing()


# Scoping (module docstring of insatser.selectors): who sees which participation, referral,
# decision, exemption and closing. Secrecy (DOMAIN.md 7): only the staff whose work needs it.


def _insats_world(caseworker, insats_staff):
    from tests.factories.cases import ApplicantFactory, CaseFactory
    from tests.factories.insatser import ExemptionFactory, InsatsDecisionFactory, ParticipationFactory

    mine = ApplicantFactory(registered_unit=caseworker.unit)
    case = CaseFactory(unit=caseworker.unit, with_applicant=mine)
    stranger = ApplicantFactory(registered_unit__code="annan", registered_unit__name="Annan")
    at_provider = ParticipationFactory(applicant=stranger, insats=InsatsFactory(provider_unit=insats_staff.unit))
    of_mine = ParticipationFactory(applicant=mine, insats=InsatsFactory(provider_unit__code="annan-utforare"))
    return {
        "mine": mine, "stranger": stranger, "at_provider": at_provider, "of_mine": of_mine,
        "decision": InsatsDecisionFactory(case=case, applicant=mine),
        "exemption": ExemptionFactory(applicant=mine),
    }


def test_caseworker_and_provider_staff_each_see_their_own_participants(caseworker, insats_staff):
    w = _insats_world(caseworker, insats_staff)
    assert set(selectors.participations_for(caseworker)) == {w["of_mine"]}
    assert set(selectors.participations_for(insats_staff)) == {w["at_provider"]}
    assert w["mine"] in selectors.persons_for(caseworker) and w["stranger"] not in selectors.persons_for(caseworker)
    assert set(selectors.persons_for(insats_staff)) == {w["stranger"]}
    assert set(selectors.referrals_for(insats_staff)) == {w["at_provider"].referral}
    # Decisions and exemptions are casework: the provider never sees them, not even of its participants.
    assert list(selectors.decisions_for(caseworker)) == [w["decision"]]
    assert list(selectors.exemptions_for(caseworker)) == [w["exemption"]]
    assert w["mine"] in selectors.case_persons_for(caseworker)
    assert not selectors.decisions_for(insats_staff).exists()
    assert not selectors.case_persons_for(insats_staff).exists()


def test_a_deactivated_account_sees_no_participant_referral_or_decision(caseworker, insats_staff):
    _insats_world(caseworker, insats_staff)
    for user in (caseworker, insats_staff):
        user.is_active = False
        for read in (selectors.persons_for, selectors.case_persons_for, selectors.participations_for,
                     selectors.referrals_for, selectors.decisions_for, selectors.exemptions_for):
            assert not read(user).exists(), (user.role, read.__name__)


def test_closings_pending_are_the_unconfirmed_ones_of_the_users_persons(caseworker, insats_staff):
    from insatser.models import ParticipationClosing

    w = _insats_world(caseworker, insats_staff)
    now = timezone.now()
    pending = ParticipationClosing.objects.create(
        participation=w["of_mine"], reason="completed", end_date=timezone.localdate(), proposed_by=insats_staff,
        proposed_at=now)
    from tests.factories.insatser import ParticipationFactory

    confirmed_participation = ParticipationFactory(applicant=w["mine"], insats=w["of_mine"].insats)
    ParticipationClosing.objects.create(
        participation=confirmed_participation, reason="completed", end_date=timezone.localdate(),
        proposed_by=insats_staff, proposed_at=now, confirmed_by=caseworker, confirmed_at=now)
    assert list(selectors.closings_pending(user=caseworker)) == [pending]
    assert not selectors.closings_pending(user=insats_staff).exists()


def test_a_caseworker_is_no_provider_and_the_lists_offer_active_tracks_only(caseworker, insats_staff):
    """Participants reach staff through the provider unit only for insats staff and unit managers;
    a caseworker whose unit happens to run an insats sees its participants only as their own persons."""
    from insatser.models import Track
    from tests.factories.cases import ApplicantFactory
    from tests.factories.insatser import ParticipationFactory

    elsewhere = ApplicantFactory(registered_unit__code="annan", registered_unit__name="Annan")
    at_caseworkers_unit = ParticipationFactory(applicant=elsewhere, insats=InsatsFactory(provider_unit=caseworker.unit))
    assert at_caseworkers_unit not in selectors.participations_for(caseworker)
    assert elsewhere not in selectors.persons_for(caseworker)
    retired = Track.objects.create(code="utgangen-bana", name="Utgången", is_active=False)
    tracks = list(selectors.track_list())
    assert tracks and retired not in tracks and all(t.is_active for t in tracks)
