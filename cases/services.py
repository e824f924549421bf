"""Every write to cases data. Keyword-only, validated, atomic, and audited in the same transaction."""

from __future__ import annotations

import datetime
from collections.abc import Sequence

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from audit.recording.log import record_change, snapshot
from config.errors import field_error as _field_error

from . import identity
from .models import (
    ADULT_MEMBER_ROLES,
    Applicant,
    Case,
    CaseStatus,
    CaseSupportBarrier,
    CoordinatorAssignment,
    Household,
    HouseholdMember,
    MemberRole,
    Role,
    Staff,
    SupportBarrier,
)
from .permissions import require_role
from .reserve_number_services import reserve_number_issue
from .selectors import applicants_for, cases_for, households_for

APPLICANT_FIELDS = (
    "personal_identity_number",
    "reserve_number",
    "is_coordination_number",
    "birth_date",
    "legal_gender",
    "first_name",
    "last_name",
    "street_address",
    "postal_code",
    "city",
    "phone",
    "email",
    "protected_identity",
    "registered_unit",
)
APPLICANT_EDITABLE = (
    "first_name",
    "last_name",
    "street_address",
    "postal_code",
    "city",
    "phone",
    "email",
    "protected_identity",
)
CASE_FIELDS = (
    "household",
    "unit",
    "responsible_caseworker",
    "opened_on",
    "opening_way",
    "status",
    "closed_on",
    "closing_reason",
)
MEMBER_FIELDS = ("household", "role", "applicant", "first_name", "last_name", "birth_date", "valid_from", "valid_to")


def _parse_identity(value: str) -> identity.IdentityNumber:
    try:
        return identity.parse(value)
    except ValidationError as exc:
        raise ValidationError({"personal_identity_number": exc.error_list}) from exc


def normalise_identity_number(value: str) -> str:
    """The canonical 12-digit form, or a ValidationError naming personal_identity_number."""
    return _parse_identity(value).canonical


def _identity_of_new_person(
    personal_identity_number: str | None, assign_reserve_number: bool, birth_date, legal_gender
) -> dict:
    """The identity fields of a person being registered: from the personnummer (birth date and legal
    gender derived from it, never entered), or a new reserve number with the two entered."""
    if assign_reserve_number and personal_identity_number:
        raise _field_error("assign_reserve_number", "Ange antingen personnummer eller att personen ska få "
                           "reservnummer, inte båda.", "both_given")
    if not assign_reserve_number:
        if not personal_identity_number:
            raise _field_error("personal_identity_number", "Ange personnummer eller samordningsnummer. Saknar "
                               "personen båda, begär ett reservnummer.", "required")
        if birth_date is not None or legal_gender:
            field = "birth_date" if birth_date is not None else "legal_gender"
            raise _field_error(field, "Födelsedatum och juridiskt kön hämtas ur personnumret och anges inte.",
                               "derived")
        parsed = _parse_identity(personal_identity_number)
        if Applicant.objects.filter(personal_identity_number=parsed.canonical).exists():
            raise _field_error(
                "personal_identity_number",
                "Det finns redan en person registrerad med detta personnummer. Sök fram personen i stället.",
                "already_registered",
            )
        return {"personal_identity_number": parsed.canonical, "is_coordination_number": parsed.is_coordination_number,
                "birth_date": parsed.birth_date, "legal_gender": parsed.legal_gender}
    if birth_date is None:
        raise _field_error("birth_date", "Ange födelsedatum för en person med reservnummer.", "required")
    if birth_date > timezone.localdate():
        raise _field_error("birth_date", "Födelsedatumet ligger i framtiden.", "in_future")
    if not legal_gender:
        raise _field_error("legal_gender", "Ange juridiskt kön för en person med reservnummer.", "required")
    return {"reserve_number": reserve_number_issue(), "birth_date": birth_date, "legal_gender": legal_gender}


@transaction.atomic
def applicant_create(
    *,
    actor: Staff,
    first_name: str,
    last_name: str,
    personal_identity_number: str | None = None,
    assign_reserve_number: bool = False,
    birth_date: datetime.date | None = None,
    legal_gender: str = "",
    street_address: str = "",
    postal_code: str = "",
    city: str = "",
    phone: str = "",
    email: str = "",
    protected_identity: bool = False,
) -> Applicant:
    """Register a person: by personnummer or samordningsnummer, or, for a person who has neither,
    with a reserve number the system issues (DOMAIN.md 8) and birth date and legal gender entered."""
    require_role(actor, {Role.CASEWORKER}, doing="registrera sökande")
    identity_fields = _identity_of_new_person(personal_identity_number, assign_reserve_number, birth_date, legal_gender)
    applicant = Applicant(
        **identity_fields,
        first_name=first_name.strip(),
        last_name=last_name.strip(),
        street_address=street_address,
        postal_code=postal_code,
        city=city,
        phone=phone,
        email=email,
        protected_identity=protected_identity,
        registered_unit=actor.unit,
    )
    applicant.full_clean()
    applicant.save()
    record_change(
        actor=actor,
        action="applicant.create",
        instance=applicant,
        person_ids=[applicant.pk],
        after=snapshot(applicant, APPLICANT_FIELDS),
    )
    return applicant


@transaction.atomic
def applicant_update(*, actor: Staff, applicant: Applicant, **changes) -> Applicant:
    require_role(actor, {Role.CASEWORKER}, doing="ändra uppgifter om sökande")
    unknown = set(changes) - set(APPLICANT_EDITABLE)
    if unknown:
        field = sorted(unknown)[0]
        raise _field_error(field, "Fältet kan inte ändras.", "read_only")
    applicant = Applicant.objects.select_for_update().get(pk=applicant.pk)
    before = snapshot(applicant, APPLICANT_EDITABLE)
    for name, value in changes.items():
        setattr(applicant, name, value.strip() if isinstance(value, str) else value)
    applicant.full_clean()
    applicant.save(update_fields=[*changes, "updated_at"])
    record_change(
        actor=actor,
        action="applicant.update",
        instance=applicant,
        person_ids=[applicant.pk],
        before=before,
        after=snapshot(applicant, APPLICANT_EDITABLE),
    )
    return applicant


def _member(household: Household, *, actor: Staff, spec: dict, index: int | None) -> HouseholdMember:
    """Build (not save) a validated member from an input dict."""
    prefix = f"members[{index}]." if index is not None else ""
    role = spec.get("role")
    if role not in MemberRole.values:
        raise _field_error(f"{prefix}role", "Okänd roll i hushållet.", "unknown_code")
    member = HouseholdMember(
        household=household,
        role=role,
        valid_from=spec.get("valid_from"),
        valid_to=spec.get("valid_to"),
        first_name=spec.get("first_name", "") or "",
        last_name=spec.get("last_name", "") or "",
    )
    if member.valid_from and member.valid_to and member.valid_to < member.valid_from:
        raise _field_error(f"{prefix}valid_to", "Slutdatumet ligger före startdatumet.", "period_backwards")
    if role in ADULT_MEMBER_ROLES:
        applicant_id = spec.get("applicant")
        applicant = applicants_for(actor).filter(pk=getattr(applicant_id, "pk", applicant_id)).first()
        if applicant is None:
            raise _field_error(f"{prefix}applicant", "Personen finns inte eller ligger utanför din behörighet.", "not_found")
        member.applicant = applicant
        member.birth_date = applicant.birth_date
    else:
        pnr = spec.get("personal_identity_number")
        birth_date = spec.get("birth_date")
        if pnr:
            try:
                birth_date = identity.parse(pnr).birth_date
            except ValidationError as exc:
                raise ValidationError({f"{prefix}personal_identity_number": exc.error_list}) from exc
        if not birth_date:
            raise _field_error(f"{prefix}birth_date", "Barnets födelsedatum måste anges.", "required")
        member.birth_date = birth_date
        if not member.first_name:
            raise _field_error(f"{prefix}first_name", "Barnets förnamn måste anges.", "required")
    try:
        member.full_clean(exclude=["household"])
    except ValidationError as exc:
        raise ValidationError({f"{prefix}{k}": v for k, v in exc.message_dict.items()}) from exc
    return member


@transaction.atomic
def household_create(*, actor: Staff, members: Sequence[dict]) -> Household:
    """Create a household with its members. Exactly one applicant is required."""
    require_role(actor, {Role.CASEWORKER}, doing="registrera hushåll")
    if not members:
        raise _field_error("members", "Hushållet måste ha minst en medlem.", "required")
    household = Household.objects.create()
    built = [_member(household, actor=actor, spec=spec, index=i) for i, spec in enumerate(members)]
    if sum(1 for m in built if m.role == MemberRole.APPLICANT) != 1:
        raise _field_error("members", "Hushållet ska ha exakt en sökande.", "one_applicant_required")
    adults = [m.applicant_id for m in built if m.applicant_id]
    if len(adults) != len(set(adults)):
        raise _field_error("members", "Samma person förekommer två gånger.", "duplicate_member")
    HouseholdMember.objects.bulk_create(built)
    record_change(
        actor=actor,
        action="household.create",
        instance=household,
        person_ids=adults,
        after={"members": [[m.role, m.applicant_id, m.birth_date.isoformat()] for m in built]},
    )
    return household


@transaction.atomic
def household_member_add(*, actor: Staff, household: Household, **spec) -> HouseholdMember:
    require_role(actor, {Role.CASEWORKER}, doing="ändra hushåll")
    household = households_for(actor).select_for_update().get(pk=household.pk)
    member = _member(household, actor=actor, spec=spec, index=None)
    member.save()
    person_ids = [m.applicant_id for m in household.members.all() if m.applicant_id]
    record_change(
        actor=actor,
        action="household.member_add",
        instance=member,
        person_ids=person_ids,
        after=snapshot(member, MEMBER_FIELDS),
    )
    return member


@transaction.atomic
def household_member_end(*, actor: Staff, member: HouseholdMember, valid_to: datetime.date) -> HouseholdMember:
    require_role(actor, {Role.CASEWORKER}, doing="ändra hushåll")
    member = HouseholdMember.objects.select_for_update().get(pk=member.pk)
    if valid_to < member.valid_from:
        raise _field_error("valid_to", "Slutdatumet ligger före startdatumet.", "period_backwards")
    before = snapshot(member, ("valid_to",))
    member.valid_to = valid_to
    member.save(update_fields=["valid_to", "updated_at"])
    person_ids = list(
        HouseholdMember.objects.filter(household_id=member.household_id, applicant__isnull=False).values_list(
            "applicant_id", flat=True
        )
    )
    record_change(
        actor=actor,
        action="household.member_end",
        instance=member,
        person_ids=person_ids,
        before=before,
        after=snapshot(member, ("valid_to",)),
    )
    return member


def _unknown_barrier(code: str, field: str) -> ValidationError:
    return _field_error(field, f"Okänd kod för försörjningshinder: {code!r}.", "unknown_code")


def _barrier(code: str, field: str) -> SupportBarrier:
    barrier = SupportBarrier.objects.filter(code=code, is_active=True).first()
    if barrier is None:
        raise _unknown_barrier(code, field)
    return barrier


@transaction.atomic
def case_open(
    *,
    actor: Staff,
    household: Household,
    opened_on: datetime.date,
    opening_way: str,
    responsible_caseworker: Staff | None = None,
    support_barriers: Sequence[dict] = (),
) -> Case:
    """Open a case at the caseworker's own unit for a household they can see."""
    require_role(actor, {Role.CASEWORKER}, doing="öppna ärenden")
    if not households_for(actor).filter(pk=household.pk).exists():
        raise _field_error("household", "Hushållet finns inte eller ligger utanför din behörighet.", "not_found")
    if responsible_caseworker is not None and (
        responsible_caseworker.role != Role.CASEWORKER or responsible_caseworker.unit_id != actor.unit_id
    ):
        raise _field_error(
            "responsible_caseworker", "Ansvarig handläggare ska vara handläggare på samma enhet.", "invalid_choice"
        )
    case = Case(
        household=household,
        unit=actor.unit,
        responsible_caseworker=responsible_caseworker or actor,
        opened_on=opened_on,
        opening_way=opening_way,
        status=CaseStatus.OPENED,
    )
    case.full_clean()
    case.save()
    adults = {m.applicant_id: m for m in household.members.filter(applicant__isnull=False)}
    # The barrier codes of all adults in one query, not one per adult.
    known = SupportBarrier.objects.filter(
        code__in=[spec.get("barrier", "") for spec in support_barriers], is_active=True
    ).in_bulk(field_name="code")
    barriers = []
    for i, spec in enumerate(support_barriers):
        if spec.get("applicant") not in adults:
            raise _field_error(f"support_barriers[{i}].applicant", "Personen är inte vuxen medlem i hushållet.", "not_member")
        code = spec.get("barrier", "")
        if code not in known:
            raise _unknown_barrier(code, f"support_barriers[{i}].barrier")
        barriers.append(
            CaseSupportBarrier(
                case=case, applicant_id=spec["applicant"], barrier=known[code], valid_from=spec.get("valid_from") or opened_on
            )
        )
    CaseSupportBarrier.objects.bulk_create(barriers)
    record_change(
        actor=actor,
        action="case.open",
        instance=case,
        person_ids=list(adults),
        after={**snapshot(case, CASE_FIELDS), "support_barriers": [[b.applicant_id, b.barrier.code] for b in barriers]},
    )
    return case


@transaction.atomic
def case_set_support_barrier(
    *, actor: Staff, case: Case, applicant_id: int, barrier_code: str, valid_from: datetime.date
) -> CaseSupportBarrier:
    """Record a (new) support barrier for an adult; the previous open one ends the day before."""
    require_role(actor, {Role.CASEWORKER}, doing="ändra försörjningshinder")
    case = cases_for(actor).select_for_update().get(pk=case.pk)
    if not case.household.members.filter(applicant_id=applicant_id).exists():
        raise _field_error("applicant", "Personen är inte vuxen medlem i hushållet.", "not_member")
    barrier = _barrier(barrier_code, "barrier")
    current = case.support_barriers.filter(applicant_id=applicant_id, valid_to__isnull=True).first()
    if current is not None:
        if valid_from <= current.valid_from:
            raise _field_error("valid_from", "Datumet måste ligga efter det nuvarande hindrets startdatum.", "period_backwards")
        current.valid_to = valid_from - datetime.timedelta(days=1)
        current.save(update_fields=["valid_to", "updated_at"])
    row = CaseSupportBarrier.objects.create(case=case, applicant_id=applicant_id, barrier=barrier, valid_from=valid_from)
    record_change(
        actor=actor,
        action="case.support_barrier",
        instance=row,
        person_ids=[applicant_id],
        before={"barrier": current.barrier.code if current else None},
        after={"barrier": barrier.code, "valid_from": valid_from.isoformat()},
    )
    return row


@transaction.atomic
def case_activate(*, actor: Staff, case: Case) -> Case:
    require_role(actor, {Role.CASEWORKER}, doing="ändra ärendets status")
    case = cases_for(actor).select_for_update().get(pk=case.pk)
    if case.status != CaseStatus.OPENED:
        raise _field_error("status", "Endast ett aktualiserat ärende kan bli pågående.", "invalid_transition")
    before = snapshot(case, ("status",))
    case.status = CaseStatus.ACTIVE
    case.save(update_fields=["status", "updated_at"])
    record_change(actor=actor, action="case.activate", instance=case, person_ids=case_person_ids_db(case),
                  before=before, after=snapshot(case, ("status",)))
    return case


@transaction.atomic
def case_close(*, actor: Staff, case: Case, closed_on: datetime.date | None, closing_reason: str | None) -> Case:
    require_role(actor, {Role.CASEWORKER}, doing="avsluta ärenden")
    case = cases_for(actor).select_for_update().get(pk=case.pk)
    if case.status == CaseStatus.CLOSED:
        raise _field_error("status", "Ärendet är redan avslutat.", "already_closed")
    errors = {}
    if not closing_reason:
        errors["closing_reason"] = ValidationError("Ange avslutsorsak.", code="required")
    if not closed_on:
        errors["closed_on"] = ValidationError("Ange avslutsdatum.", code="required")
    elif closed_on < case.opened_on:
        errors["closed_on"] = ValidationError("Avslutsdatumet ligger före aktualiseringsdatumet.", code="period_backwards")
    if errors:
        raise ValidationError(errors)
    before = snapshot(case, ("status", "closed_on", "closing_reason"))
    case.status = CaseStatus.CLOSED
    case.closed_on = closed_on
    case.closing_reason = closing_reason
    case.full_clean()
    case.save(update_fields=["status", "closed_on", "closing_reason", "updated_at"])
    # Coordinator assignments for this case end with it.
    CoordinatorAssignment.objects.filter(case=case, end_date__isnull=True).update(end_date=closed_on)
    record_change(
        actor=actor,
        action="case.close",
        instance=case,
        person_ids=case_person_ids_db(case),
        before=before,
        after=snapshot(case, ("status", "closed_on", "closing_reason")),
    )
    return case


def case_person_ids_db(case: Case) -> list[int]:
    return list(
        HouseholdMember.objects.filter(household_id=case.household_id, applicant__isnull=False)
        .values_list("applicant_id", flat=True)
        .distinct()
    )


@transaction.atomic
def coordinator_assign(
    *, actor: Staff, case: Case, applicant_id: int, coordinator: Staff, start_date: datetime.date
) -> CoordinatorAssignment:
    """Refer an adult of the case to a coordinator (DOMAIN.md 2.3)."""
    require_role(actor, {Role.CASEWORKER, Role.UNIT_MANAGER}, doing="tilldela koordinator")
    case = cases_for(actor).select_for_update().get(pk=case.pk)
    if case.status == CaseStatus.CLOSED:
        raise _field_error("case", "Ärendet är avslutat.", "case_closed")
    if applicant_id not in case_person_ids_db(case):
        raise _field_error("applicant", "Personen är inte vuxen medlem i hushållet.", "not_member")
    if coordinator.role != Role.COORDINATOR or not coordinator.is_active:
        raise _field_error("coordinator", "Den valda medarbetaren är inte koordinator.", "invalid_choice")
    if start_date < case.opened_on:
        raise _field_error("start_date", "Startdatumet ligger före aktualiseringsdatumet.", "period_backwards")
    if CoordinatorAssignment.objects.filter(case=case, applicant_id=applicant_id, end_date__isnull=True).exists():
        raise _field_error("applicant", "Personen har redan en koordinator i ärendet.", "already_assigned")
    assignment = CoordinatorAssignment(
        case=case, applicant_id=applicant_id, coordinator=coordinator, start_date=start_date
    )
    assignment.full_clean()
    assignment.save()
    record_change(
        actor=actor,
        action="case.coordinator_assign",
        instance=assignment,
        person_ids=[applicant_id],
        after=snapshot(assignment, ("case", "applicant", "coordinator", "start_date")),
    )
    return assignment


@transaction.atomic
def coordinator_assignment_end(
    *, actor: Staff, assignment: CoordinatorAssignment, end_date: datetime.date
) -> CoordinatorAssignment:
    require_role(actor, {Role.CASEWORKER, Role.UNIT_MANAGER}, doing="avsluta koordinatortilldelning")
    assignment = CoordinatorAssignment.objects.select_for_update().get(pk=assignment.pk)
    if not cases_for(actor).filter(pk=assignment.case_id).exists():
        raise _field_error("assignment", "Tilldelningen finns inte.", "not_found")
    if assignment.end_date is not None:
        raise _field_error("end_date", "Tilldelningen är redan avslutad.", "already_ended")
    if end_date < assignment.start_date:
        raise _field_error("end_date", "Slutdatumet ligger före startdatumet.", "period_backwards")
    assignment.end_date = end_date
    assignment.save(update_fields=["end_date", "updated_at"])
    record_change(
        actor=actor,
        action="case.coordinator_unassign",
        instance=assignment,
        person_ids=[assignment.applicant_id],
        before={"end_date": None},
        after={"end_date": end_date.isoformat()},
    )
    return assignment
