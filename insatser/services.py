"""Every write to insatser data. Keyword-only, validated, atomic, audited in the same transaction.

Who may do what (DOMAIN.md section 1): caseworkers decide insatser (SoL 12 kap. 4 §), confirm
closings and decide exemptions; coordinators refer, propose closings and extend; insats staff
give places and report attendance at their own unit.
"""

from __future__ import annotations

import datetime
from decimal import Decimal

from django.db import transaction
from django.db.models import F, Max
from django.utils import timezone

from audit.recording.log import record_change, snapshot
from audit.recording.webhook_models import EventType
from audit.recording.webhooks import event_emit
from cases.finance_selectors import legal_basis_in_force
from cases.models import Applicant, Case, HouseholdMember, Role, Staff, Unit
from cases.permissions import require_role
from cases.selectors import applicants_for, cases_for
from config.errors import Conflict, FieldErrors, NotAllowed
from config.errors import field_error as _field_error

from . import norms, plans, schedule
from .models import (
    WEEKDAY_FIELDS,
    ClosingReason,
    DecisionKind,
    Exemption,
    ExemptionReason,
    Insats,
    InsatsDecision,
    Participation,
    ParticipationClosing,
    ParticipationExtension,
    ParticipationStatus,
    Referral,
    ReferralStatus,
    Track,
)
from .selectors import participations_for, referrals_for

INSATS_FIELDS = (
    "name", "insats_type", "track", "provider_unit", "external_provider", "capacity", "normal_hours_per_week",
    "description", "is_active",
)
DECISION_FIELDS = ("case", "applicant", "kind", "legal_basis", "decided_on", "valid_from", "valid_to")
DECISION_END_FIELDS = ("ended_on", "end_decided_on", "end_decided_by", "end_reasoning")
REFERRAL_FIELDS = ("applicant", "insats", "decision", "referred_on", "valid_until", "status", "queue_position", "queued_on")
PARTICIPATION_FIELDS = ("applicant", "insats", "referral", "start_date", "decision_period_end", *WEEKDAY_FIELDS)
EXEMPTION_FIELDS = (
    "applicant", "reason", "valid_from", "valid_to", "required_hours_per_week", "decided_on", "review_on",
)


def _require_role(actor, roles, *, doing: str, field: str = "role") -> None:
    """cases' require_role, naming the field the API reports (e.g. who confirms a closing)."""
    try:
        require_role(actor, roles, doing=doing)
    except NotAllowed as exc:
        exc.field = field
        raise


def _today() -> datetime.date:
    return timezone.localdate()


def _person_in_scope(actor: Staff, applicant: Applicant | int) -> Applicant:
    applicant_id = getattr(applicant, "pk", applicant)
    found = applicants_for(actor).filter(pk=applicant_id).first()
    if found is None:
        raise _field_error("applicant", "Personen finns inte eller ligger utanför din behörighet.", "not_found")
    return found


# The catalogue ------------------------------------------------------------------------------


@transaction.atomic
def insats_create(
    *,
    actor: Staff,
    name: str,
    insats_type: str,
    track: Track,
    capacity: int,
    normal_hours_per_week: Decimal,
    provider_unit: Unit | None = None,
    external_provider: str = "",
    description: str = "",
) -> Insats:
    _require_role(actor, {Role.ADMINISTRATOR, Role.UNIT_MANAGER}, doing="lägga till insatser i katalogen")
    if provider_unit is None and not external_provider.strip():
        raise _field_error("provider_unit", "Ange utförande enhet eller extern anordnare.", "required")
    if provider_unit is not None and external_provider.strip():
        raise _field_error("external_provider", "Ange antingen utförande enhet eller extern anordnare.", "ambiguous")
    insats = Insats(
        name=name.strip(),
        insats_type=insats_type,
        track=track,
        provider_unit=provider_unit,
        external_provider=external_provider.strip(),
        capacity=capacity,
        normal_hours_per_week=normal_hours_per_week,
        description=description,
    )
    insats.full_clean()
    insats.save()
    record_change(actor=actor, action="insats.create", instance=insats, after=snapshot(insats, INSATS_FIELDS))
    return insats


@transaction.atomic
def insats_update(*, actor: Staff, insats: Insats, **changes) -> Insats:
    _require_role(actor, {Role.ADMINISTRATOR, Role.UNIT_MANAGER}, doing="ändra insatser i katalogen")
    editable = {"name", "capacity", "normal_hours_per_week", "description", "is_active"}
    unknown = set(changes) - editable
    if unknown:
        raise _field_error(sorted(unknown)[0], "Fältet kan inte ändras.", "read_only")
    insats = Insats.objects.select_for_update().get(pk=insats.pk)
    before = snapshot(insats, INSATS_FIELDS)
    for key, value in changes.items():
        setattr(insats, key, value)
    insats.full_clean()
    insats.save(update_fields=[*changes, "updated_at"])
    record_change(
        actor=actor, action="insats.update", instance=insats, before=before, after=snapshot(insats, INSATS_FIELDS)
    )
    return insats


# Insats decisions (SoL 12 kap. 4 §) ---------------------------------------------------------


@transaction.atomic
def insats_decision_create(
    *,
    actor: Staff,
    case: Case,
    applicant: Applicant,
    kind: str,
    reasoning: str,
    decided_on: datetime.date,
    valid_from: datetime.date,
    valid_to: datetime.date | None = None,
) -> InsatsDecision:
    """The caseworker decides that the person shall take part, from a date, until further notice or to a date."""
    _require_role(actor, {Role.CASEWORKER}, doing="fatta beslut om insats")
    case = cases_for(actor).filter(pk=case.pk).first()
    if case is None:
        raise _field_error("case", "Ärendet finns inte eller ligger utanför din behörighet.", "not_found")
    if not HouseholdMember.objects.filter(household_id=case.household_id, applicant_id=applicant.pk).exists():
        raise _field_error("applicant", "Personen är inte vuxen medlem i ärendets hushåll.", "not_member")
    if kind not in DecisionKind.values:
        raise _field_error("kind", "Okänd typ av beslut.", "unknown_code")
    if not (reasoning or "").strip():
        raise _field_error("reasoning", "Beslutet ska motiveras.", "required")
    if valid_to is not None and valid_to < valid_from:
        raise _field_error("valid_to", "Slutdatumet ligger före startdatumet.", "period_backwards")
    if decided_on > _today():
        raise _field_error("decided_on", "Beslutsdatumet kan inte ligga i framtiden.", "future_date")
    # The provision in force on the decision date (SoL 2001:453 4 kap. 4 § before 1 July 2025).
    basis, _ = legal_basis_in_force(InsatsDecision.LEGAL_BASIS_CODE, decided_on)
    decision = InsatsDecision(
        case=case,
        applicant=applicant,
        kind=kind,
        legal_basis=f"{basis.law} {basis.reference}" if basis else InsatsDecision.LEGAL_BASIS,
        reasoning=reasoning.strip(),
        decided_on=decided_on,
        decided_by=actor,
        valid_from=valid_from,
        valid_to=valid_to,
    )
    decision.full_clean()
    decision.save()
    record_change(
        actor=actor, action="insats_decision.create", instance=decision, person_ids=[applicant.pk],
        after=snapshot(decision, DECISION_FIELDS),
    )
    return decision


@transaction.atomic
def insats_decision_end(
    *, actor: Staff, decision: InsatsDecision, ended_on: datetime.date, end_reasoning: str, end_decided_on: datetime.date
) -> InsatsDecision:
    """The decision that the requirement to take part ends."""
    _require_role(actor, {Role.CASEWORKER}, doing="besluta att en insats upphör")
    decision = InsatsDecision.objects.select_for_update().get(pk=decision.pk)
    _person_in_scope(actor, decision.applicant_id)
    if decision.ended_on is not None:
        raise Conflict("Beslutet har redan upphört.", code="already_ended", field="ended_on")
    if ended_on < decision.valid_from:
        raise _field_error("ended_on", "Datumet ligger före beslutets startdatum.", "period_backwards")
    if not (end_reasoning or "").strip():
        raise _field_error("end_reasoning", "Beslutet om upphörande ska motiveras.", "required")
    before = snapshot(decision, DECISION_END_FIELDS)
    decision.ended_on = ended_on
    decision.end_decided_on = end_decided_on
    decision.end_decided_by = actor
    decision.end_reasoning = end_reasoning.strip()
    decision.full_clean()
    decision.save(update_fields=[*DECISION_END_FIELDS, "updated_at"])
    record_change(
        actor=actor, action="insats_decision.end", instance=decision, person_ids=[decision.applicant_id],
        before=before, after=snapshot(decision, DECISION_END_FIELDS),
    )
    return decision


# Referrals and the queue ---------------------------------------------------------------------


def _occupied_places(insats: Insats) -> int:
    return Participation.objects.filter(insats=insats, status=ParticipationStatus.ACTIVE).count()


@transaction.atomic
def referral_create(
    *,
    actor: Staff,
    applicant: Applicant,
    insats: Insats | None,
    referred_on: datetime.date | None,
    decision: InsatsDecision | None = None,
    note: str = "",
    check_only: bool = False,
) -> Referral | None:
    """Refer a person to an insats, based on their current plan; queue them if it is full. Every
    problem is reported at once; `check_only` reports them and writes nothing."""
    _require_role(actor, {Role.COORDINATOR}, doing="anvisa till insats")
    applicant = _person_in_scope(actor, applicant)
    errors = FieldErrors()
    if insats is None:
        errors.add("insats", "Välj insats.", "required")
    else:
        # Lock the insats row: two referrals at once must not get the same queue position.
        insats = Insats.objects.select_for_update().get(pk=insats.pk)
        if not insats.is_active:
            errors.add("insats", "Insatsen är inte aktiv.", "inactive")
    if referred_on is None:
        errors.add("referred_on", "Ange anvisningsdatum.", "required")
    elif referred_on > _today():
        errors.add("referred_on", "Anvisningsdatumet kan inte ligga i framtiden.", "future_date")
    plan = plans.current_plan(applicant_id=applicant.pk, on=referred_on or _today())
    if plan is None:
        errors.add("plan", "Personen har ingen gällande genomförandeplan. Anvisning görs utifrån planen.",
                   "no_current_plan")
    if decision is not None and decision.applicant_id != applicant.pk:
        errors.add("decision", "Beslutet gäller en annan person.", "wrong_person")
    if insats is not None and "insats" not in errors and Referral.objects.filter(
        applicant=applicant, insats=insats, status__in=[ReferralStatus.REFERRED, ReferralStatus.QUEUED]
    ).exists():
        errors.add("insats", "Personen har redan en öppen anvisning till insatsen.", "duplicate")
    errors.raise_if_any()
    if check_only:
        return None
    queue = Referral.objects.filter(insats=insats, status=ReferralStatus.QUEUED)
    # Full, or others already waiting: join the end of the queue.
    full = _occupied_places(insats) >= insats.capacity or queue.exists()
    referral = Referral(
        applicant=applicant,
        insats=insats,
        decision=decision,
        plan=plan,
        referred_by=actor,
        referred_on=referred_on,
        valid_until=norms.referral_valid_until(referred_on),
        status=ReferralStatus.QUEUED if full else ReferralStatus.REFERRED,
        queue_position=(queue.aggregate(m=Max("queue_position"))["m"] or 0) + 1 if full else None,
        queued_on=referred_on if full else None,
        note=note,
    )
    referral.full_clean()
    referral.save()
    record_change(
        actor=actor, action="referral.create", instance=referral, person_ids=[applicant.pk],
        after=snapshot(referral, REFERRAL_FIELDS),
    )
    return referral


def _lock_insats_and_referral(scope, referral_pk: int) -> tuple[Insats, Referral]:
    """Lock in the one order every service keeps: the insats first, then its referrals.

    Starting or withdrawing a queued referral also moves the referrals behind it (_leave_queue),
    so a service that locked its referral before the insats would deadlock with one that holds
    the insats and moves that referral. A referral never changes insats, so reading its insats
    before the locks is safe; the referral is read again, under its lock, after the insats.
    """
    insats_id = scope.filter(pk=referral_pk).values_list("insats_id", flat=True).first()
    if insats_id is None:
        raise _field_error("referral", "Anvisningen finns inte eller ligger utanför din behörighet.", "not_found")
    insats = Insats.objects.select_for_update().get(pk=insats_id)
    return insats, Referral.objects.select_for_update().get(pk=referral_pk)


def _leave_queue(referral: Referral) -> None:
    """Move everyone behind `referral` one place forward (one UPDATE)."""
    Referral.objects.filter(
        insats_id=referral.insats_id, status=ReferralStatus.QUEUED, queue_position__gt=referral.queue_position
    ).update(queue_position=F("queue_position") - 1)


def _check_schedule(
    *, applicant_id: int, insats_id: int, start: datetime.date, end: datetime.date, hours: dict, exclude_pk=None
) -> None:
    own = schedule.weekly_total(hours)
    limit = norms.max_scheduled_hours()
    if own > limit:
        raise _field_error("weekly_hours", f"Schemat är {own} timmar i veckan; högst {limit} är tillåtet.", "too_many_hours")
    others = (
        Participation.objects.filter(applicant_id=applicant_id, status=ParticipationStatus.ACTIVE, start_date__lte=end)
        .exclude(pk=exclude_pk)
        .only("insats_id", "start_date", "decision_period_end", *WEEKDAY_FIELDS)
    )
    rows = [(p.insats_id, p.start_date, p.last_day, p.weekly_hours) for p in others]
    if any(i == insats_id and schedule.overlaps(start, end, s, e) for i, s, e, _ in rows):
        raise _field_error("start_date", "Personen deltar redan i insatsen under perioden.", "overlapping")
    peak = schedule.peak_concurrent_hours(start=start, end=end, own_hours=own, others=[r[1:] for r in rows])
    if peak > limit:
        raise _field_error(
            "weekly_hours",
            f"Tillsammans med personens andra deltaganden blir det {peak} timmar i veckan; högst {limit} är tillåtet.",
            "too_many_hours_total",
        )


def _hours(hours: dict | None) -> dict:
    hours = hours or {}
    unknown = set(hours) - set(WEEKDAY_FIELDS)
    if unknown:
        raise _field_error(sorted(unknown)[0], "Okänd veckodag.", "unknown_field")
    return {name: Decimal(hours.get(name) or 0) for name in WEEKDAY_FIELDS}


@transaction.atomic
def referral_start(
    *, actor: Staff, referral: Referral, start_date: datetime.date, hours: dict
) -> Participation:
    """A place is given: the referral starts and the participation begins, with its schedule."""
    _require_role(actor, {Role.COORDINATOR, Role.INSATS_STAFF}, doing="ge plats i en insats")
    insats, referral = _lock_insats_and_referral(referrals_for(actor), referral.pk)
    if referral.status not in (ReferralStatus.REFERRED, ReferralStatus.QUEUED):
        raise Conflict("Anvisningen är redan påbörjad eller återkallad.", code="invalid_transition", field="status")
    if start_date < referral.referred_on:
        raise _field_error("start_date", "Startdatumet ligger före anvisningsdatumet.", "period_backwards")
    if start_date > referral.valid_until:
        raise _field_error("start_date", "Anvisningens tidsgräns har passerats; gör en ny anvisning.", "referral_expired")
    if _occupied_places(insats) >= insats.capacity:
        raise Conflict("Insatsen har inga lediga platser.", code="insats_full", field="insats")
    hours = _hours(hours)
    participation = Participation(
        applicant_id=referral.applicant_id,
        insats=insats,
        referral=referral,
        start_date=start_date,
        decision_period_end=norms.participation_period_end(start_date, insats_type=insats.insats_type),
        **hours,
    )
    participation.full_clean(exclude=["referral"])
    _check_schedule(
        applicant_id=referral.applicant_id, insats_id=insats.pk, start=start_date,
        end=participation.decision_period_end, hours=hours,
    )
    participation.save()
    before = snapshot(referral, ("status", "queue_position", "started_on"))
    if referral.status == ReferralStatus.QUEUED:
        _leave_queue(referral)
    referral.status = ReferralStatus.STARTED
    referral.queue_position = None
    referral.started_on = start_date
    referral.save(update_fields=["status", "queue_position", "started_on", "updated_at"])
    record_change(
        actor=actor, action="referral.start", instance=referral, person_ids=[referral.applicant_id],
        before=before, after=snapshot(referral, ("status", "queue_position", "started_on")),
    )
    record_change(
        actor=actor, action="participation.create", instance=participation, person_ids=[referral.applicant_id],
        after=snapshot(participation, PARTICIPATION_FIELDS),
    )
    event_emit(event_type=EventType.REFERRAL_STARTED, unit_id=_referral_unit_id(referral.pk), subject_type="referral",
               subject_id=referral.pk)
    return participation


def _referral_unit_id(referral_id: int) -> int | None:
    """The unit whose events a referral's are: that of the case its insats decision belongs to."""
    return Referral.objects.filter(pk=referral_id).values_list("decision__case__unit_id", flat=True).first()


@transaction.atomic
def referral_withdraw(*, actor: Staff, referral: Referral) -> Referral:
    _require_role(actor, {Role.COORDINATOR}, doing="återkalla anvisningar")
    _, referral = _lock_insats_and_referral(Referral.objects.all(), referral.pk)
    _person_in_scope(actor, referral.applicant_id)
    if referral.status not in (ReferralStatus.REFERRED, ReferralStatus.QUEUED):
        raise Conflict("Endast en anvisning som inte påbörjats kan återkallas.", code="invalid_transition", field="status")
    before = snapshot(referral, ("status", "queue_position"))
    if referral.status == ReferralStatus.QUEUED:
        _leave_queue(referral)
    referral.status = ReferralStatus.WITHDRAWN
    referral.queue_position = None
    referral.save(update_fields=["status", "queue_position", "updated_at"])
    record_change(
        actor=actor, action="referral.withdraw", instance=referral, person_ids=[referral.applicant_id],
        before=before, after=snapshot(referral, ("status", "queue_position")),
    )
    return referral


# Participation: extension, closing (attendance: attendance_services.py) ----------------------------


def _participation_in_scope(actor: Staff, participation: Participation) -> Participation:
    found = participations_for(actor).select_for_update(of=("self",)).filter(pk=participation.pk).first()
    if found is None:
        raise _field_error("participation", "Deltagandet finns inte eller ligger utanför din behörighet.", "not_found")
    return found


@transaction.atomic
def participation_extend(
    *, actor: Staff, participation: Participation, new_end: datetime.date, special_reason: str
) -> ParticipationExtension:
    """Extend the decision period on the same activity: only for a stated special reason (004:567-572)."""
    _require_role(actor, {Role.COORDINATOR, Role.CASEWORKER}, doing="förlänga ett deltagande")
    participation = _participation_in_scope(actor, participation)
    if participation.status != ParticipationStatus.ACTIVE:
        raise Conflict("Deltagandet är avslutat.", code="closed", field="status")
    if not (special_reason or "").strip():
        raise _field_error("special_reason", "En förlängning kräver att de särskilda skälen anges.", "required")
    if new_end is None or new_end <= participation.decision_period_end:
        raise _field_error("new_end", "Det nya slutdatumet ska ligga efter beslutsperiodens slut.", "not_later")
    _check_schedule(
        applicant_id=participation.applicant_id, insats_id=participation.insats_id, start=participation.start_date,
        end=new_end, hours={name: getattr(participation, name) for name in WEEKDAY_FIELDS}, exclude_pk=participation.pk,
    )
    extension = ParticipationExtension(
        participation=participation,
        previous_end=participation.decision_period_end,
        new_end=new_end,
        special_reason=special_reason.strip(),
        decided_by=actor,
        decided_on=_today(),
    )
    extension.full_clean()
    extension.save()
    participation.decision_period_end = new_end
    participation.save(update_fields=["decision_period_end", "updated_at"])
    record_change(
        actor=actor, action="participation.extend", instance=participation, person_ids=[participation.applicant_id],
        before={"decision_period_end": extension.previous_end.isoformat()},
        after={"decision_period_end": new_end.isoformat(), "special_reason": extension.special_reason},
    )
    return extension


@transaction.atomic
def closing_propose(
    *, actor: Staff, participation: Participation, reason: str, end_date: datetime.date | None, reason_text: str = "",
    check_only: bool = False,
) -> ParticipationClosing | None:
    """The coordinator proposes that the participation ends, with a coded reason. Every problem is
    reported at once; `check_only` reports them and writes nothing."""
    _require_role(actor, {Role.COORDINATOR}, doing="föreslå avslut", field="proposed_by")
    participation = _participation_in_scope(actor, participation)
    if participation.status != ParticipationStatus.ACTIVE:
        raise Conflict("Deltagandet är redan avslutat.", code="closed", field="status")
    if ParticipationClosing.objects.filter(participation=participation).exists():
        raise Conflict("Ett avslut är redan föreslaget.", code="already_proposed", field="participation")
    errors = FieldErrors()
    if reason not in ClosingReason.values:
        errors.add("reason", "Välj en avslutsorsak i listan.", "unknown_code")
    if reason == ClosingReason.OTHER and not (reason_text or "").strip():
        errors.add("reason_text", "Beskriv orsaken när den är Annat.", "required")
    if end_date is None:
        errors.add("end_date", "Ange slutdatum.", "required")
    elif end_date < participation.start_date:
        errors.add("end_date", "Slutdatumet ligger före deltagandets start.", "period_backwards")
    closing = ParticipationClosing(
        participation=participation,
        reason=reason,
        reason_text=(reason_text or "").strip(),
        end_date=end_date,
        proposed_by=actor,
        proposed_at=timezone.now(),
    )
    errors.clean(closing)
    errors.raise_if_any()
    if check_only:
        return None
    closing.save()
    record_change(
        actor=actor, action="participation.closing_propose", instance=closing, person_ids=[participation.applicant_id],
        after=snapshot(closing, ("participation", "reason", "end_date")),
    )
    return closing


@transaction.atomic
def closing_confirm(*, actor: Staff, closing: ParticipationClosing) -> Participation:
    """The caseworker confirms the proposed closing; only now is the participation closed."""
    _require_role(actor, {Role.CASEWORKER}, doing="bekräfta avslut", field="confirmed_by")
    closing = ParticipationClosing.objects.select_for_update().select_related("participation").get(pk=closing.pk)
    participation = _participation_in_scope(actor, closing.participation)
    if closing.confirmed_at is not None:
        raise Conflict("Avslutet är redan bekräftat.", code="already_confirmed", field="confirmed_by")
    closing.confirmed_by = actor
    closing.confirmed_at = timezone.now()
    closing.save(update_fields=["confirmed_by", "confirmed_at", "updated_at"])
    before = snapshot(participation, ("status", "end_date", "closing_reason"))
    participation.status = ParticipationStatus.CLOSED
    participation.end_date = closing.end_date
    participation.closing_reason = closing.reason
    participation.full_clean()
    participation.save(update_fields=["status", "end_date", "closing_reason", "updated_at"])
    record_change(
        actor=actor, action="participation.close", instance=participation, person_ids=[participation.applicant_id],
        before=before, after=snapshot(participation, ("status", "end_date", "closing_reason")),
    )
    event_emit(event_type=EventType.PARTICIPATION_CLOSED,
               unit_id=_referral_unit_id(participation.referral_id) if participation.referral_id else None,
               subject_type="participation", subject_id=participation.pk)
    return participation


# Exemptions (avsteg) from heltidsaktivering ---------------------------------------------------


@transaction.atomic
def exemption_create(
    *,
    actor: Staff,
    applicant: Applicant,
    reason: str,
    reason_text: str,
    valid_from: datetime.date,
    valid_to: datetime.date | None,
    review_on: datetime.date | None,
    required_hours_per_week: Decimal | None = Decimal(0),
    check_only: bool = False,
) -> Exemption | None:
    """A documented, time-limited departure from heltidsaktivering (DOMAIN.md 3). Every problem is
    reported at once; `check_only` reports them and writes nothing."""
    _require_role(actor, {Role.CASEWORKER, Role.COORDINATOR}, doing="besluta om avsteg från heltidsaktivering")
    applicant = _person_in_scope(actor, applicant)
    errors = FieldErrors()
    if reason not in ExemptionReason.values:
        errors.add("reason", "Välj ett skäl i listan.", "unknown_code")
    if not (reason_text or "").strip():
        errors.add("reason_text", "Avsteget ska motiveras.", "required")
    if valid_from is None:
        errors.add("valid_from", "Ange startdatum.", "required")
    if valid_to is None:
        errors.add("valid_to", "Ett avsteg är tidsbegränsat: ange slutdatum.", "required")
    elif valid_from and valid_to < valid_from:
        errors.add("valid_to", "Slutdatumet ligger före startdatumet.", "period_backwards")
    if review_on is None:
        errors.add("review_on", "Ange när avsteget ska omprövas.", "required")
    elif valid_from and review_on < valid_from:
        errors.add("review_on", "Omprövningen ligger före avstegets start.", "period_backwards")
    if not errors and Exemption.objects.filter(applicant=applicant, valid_from__lte=valid_to,
                                               valid_to__gte=valid_from).exists():
        errors.add("valid_from", "Personen har redan ett avsteg under perioden.", "overlapping")
    exemption = Exemption(
        applicant=applicant,
        reason=reason,
        reason_text=(reason_text or "").strip(),
        valid_from=valid_from,
        valid_to=valid_to,
        review_on=review_on,
        required_hours_per_week=required_hours_per_week,
        decided_by=actor,
        decided_on=_today(),
    )
    errors.clean(exemption)
    errors.raise_if_any()
    if check_only:
        return None
    exemption.save()
    record_change(
        actor=actor, action="exemption.create", instance=exemption, person_ids=[applicant.pk],
        after=snapshot(exemption, EXEMPTION_FIELDS),
    )
    return exemption

