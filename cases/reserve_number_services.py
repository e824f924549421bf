"""Reservnummer: issuing a local number to a person without personnummer or samordningsnummer,
and replacing it by the real number when it is known, with every record kept (DOMAIN.md 8); and
the correction of a personnummer or samordningsnummer, the same way.

The replacement changes the number on the same Applicant row, so cases, households, decisions,
the journal, plans and the access log keep pointing to the same person; the reserve number is kept
in ReplacedReserveNumber (never issued again, and a search by it still finds the person).
"""

from __future__ import annotations

from django.core.exceptions import ImproperlyConfigured, ValidationError
from django.db import transaction
from django.utils import timezone

from audit.recording.log import record_change, snapshot
from config.errors import field_error as _field_error

from . import case_file_rules, identity
from .case_file_rules import RESERVE_NUMBER_MAX_LENGTH
from .models import Applicant, CorrectedIdentityNumber, ReplacedReserveNumber, ReserveNumberSequence, Role, Staff
from .permissions import require_role

IDENTITY_FIELDS = ("personal_identity_number", "reserve_number", "is_coordination_number", "birth_date",
                   "legal_gender")
# Numbers skipped in a row before the pattern is judged unusable (each skip is a number that
# would be a valid personnummer, or one already issued under an earlier pattern).
MAX_SKIPS = 1000


def _is_identity_number(value: str) -> bool:
    try:
        identity.parse(value)
    except ValidationError:
        return False
    return True


def reserve_number_issue() -> str:
    """The next reserve number of the municipality's pattern. Call inside a transaction: the
    counter row stays locked until it ends, so two registrations never get the same number."""
    pattern = case_file_rules.reserve_number_format()
    year = timezone.localdate().year
    key = f"{pattern}|{year if '{year' in pattern else ''}"
    ReserveNumberSequence.objects.get_or_create(key=key)
    counter = ReserveNumberSequence.objects.select_for_update().get(key=key)
    for _ in range(MAX_SKIPS):
        counter.last_value += 1
        number = pattern.format(year=year, sequence=counter.last_value)
        if len(number) > RESERVE_NUMBER_MAX_LENGTH:
            raise ImproperlyConfigured(f"RESERVE_NUMBER_FORMAT makes numbers longer than {RESERVE_NUMBER_MAX_LENGTH}.")
        taken = (Applicant.objects.filter(reserve_number=number).exists()
                 or ReplacedReserveNumber.objects.filter(reserve_number=number).exists())
        if not taken and not _is_identity_number(number):  # never a valid personnummer: they cannot collide
            counter.save(update_fields=["last_value"])
            return number
    raise ImproperlyConfigured("RESERVE_NUMBER_FORMAT gives no free number that is not a personnummer.")


def normalise_reserve_number(value: str) -> str:
    """As issued, without surrounding spaces; letters in upper case (the default pattern's R)."""
    return (value or "").strip().upper()


def _number_for(applicant: Applicant, value: str) -> identity.IdentityNumber:
    """`value` parsed as the person's new personnummer or samordningsnummer, refused (by the field
    personal_identity_number) when malformed or another registered person's."""
    try:
        parsed = identity.parse(value)
    except ValidationError as exc:
        raise ValidationError({"personal_identity_number": exc.error_list}) from exc
    if Applicant.objects.filter(personal_identity_number=parsed.canonical).exclude(pk=applicant.pk).exists():
        raise _field_error(
            "personal_identity_number",
            "Personnumret tillhör redan en annan registrerad person. Kontrollera numret.",
            "belongs_to_another",
        )
    return parsed


def _take_number(applicant: Applicant, parsed: identity.IdentityNumber) -> None:
    """The number on the person; birth date and legal gender follow from it (those entered with a
    reserve number, or read from a wrong number, were provisional)."""
    applicant.personal_identity_number = parsed.canonical
    applicant.is_coordination_number = parsed.is_coordination_number
    applicant.birth_date, applicant.legal_gender = parsed.birth_date, parsed.legal_gender


@transaction.atomic
def applicant_replace_reserve_number(*, actor: Staff, applicant: Applicant, personal_identity_number: str) -> Applicant:
    """The real personnummer or samordningsnummer replaces the person's reserve number. Birth date
    and legal gender then follow from it (those entered with the reserve number were provisional)."""
    require_role(actor, {Role.CASEWORKER}, doing="ersätta reservnummer med personnummer")
    applicant = Applicant.objects.select_for_update().get(pk=applicant.pk)
    if not applicant.reserve_number:
        raise _field_error("personal_identity_number", "Personen har redan personnummer eller samordningsnummer.",
                           "has_identity_number")
    parsed = _number_for(applicant, personal_identity_number)
    before = snapshot(applicant, IDENTITY_FIELDS)
    now = timezone.now()
    ReplacedReserveNumber.objects.create(applicant=applicant, reserve_number=applicant.reserve_number,
                                         replaced_at=now, replaced_by=actor)
    _take_number(applicant, parsed)
    applicant.reserve_number = None
    applicant.full_clean()
    applicant.save()
    record_change(actor=actor, action="applicant.replace_reserve_number", instance=applicant,
                  person_ids=[applicant.pk], before=before, after=snapshot(applicant, IDENTITY_FIELDS))
    return applicant


@transaction.atomic
def applicant_correct_identity_number(
    *, actor: Staff, applicant: Applicant, personal_identity_number: str, reason: str
) -> Applicant:
    """Correct a person's personnummer or samordningsnummer (entered wrong, or a samordningsnummer
    followed by a personnummer): its own operation, never an update. The person and every record
    about them stay the same; the old number is kept with who corrected it and why, and birth date
    and legal gender follow the new number. A reserve number is replaced by
    applicant_replace_reserve_number instead."""
    require_role(actor, {Role.CASEWORKER}, doing="rätta personnummer")
    applicant = Applicant.objects.select_for_update().get(pk=applicant.pk)
    field = "personal_identity_number"
    if not applicant.personal_identity_number:
        raise _field_error(field, "Personen har reservnummer. Ersätt det med åtgärden ersätt reservnummer.",
                           "has_reserve_number")
    reason = (reason or "").strip()
    if not reason:
        raise _field_error("reason", "Ange varför numret rättas.", "required")
    parsed = _number_for(applicant, personal_identity_number)
    if parsed.canonical == applicant.personal_identity_number:
        raise _field_error(field, "Personen har redan det numret.", "unchanged")
    before = snapshot(applicant, IDENTITY_FIELDS)
    CorrectedIdentityNumber.objects.create(
        applicant=applicant, previous_number=applicant.personal_identity_number,
        previous_was_coordination_number=applicant.is_coordination_number, reason=reason,
        corrected_at=timezone.now(), corrected_by=actor,
    )
    _take_number(applicant, parsed)
    applicant.full_clean()
    applicant.save()
    record_change(actor=actor, action="applicant.correct_identity_number", instance=applicant,
                  person_ids=[applicant.pk], before=before, after={**snapshot(applicant, IDENTITY_FIELDS),
                                                                    "reason": reason})
    return applicant
