"""Bulk writes for records brought over from a previous system (audit.control.importing calls these).

Each service takes a batch of specs (already parsed: dates are dates, references to other
imported records are ids) and returns an ImportOutcome: the saved object or the refusal per
index. The valid specs are written set-based (one INSERT per table and batch), each with a
change event (and access-log rows for the persons it touches) in the caller's transaction.

What these services keep as it was: the dates and content of the previous system, even where
today's services would refuse them (e.g. who may open a case). What they still check is the
structure the tables and reports rely on: known codes, periods not backwards, a valid
personnummer, a household with one applicant.
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.db import models, transaction

from audit.recording.log import Change, record_changes, snapshot

from . import identity
from .models import (
    ADULT_MEMBER_ROLES,
    Applicant,
    Case,
    CaseClosingReason,
    CaseStatus,
    CaseSupportBarrier,
    CoordinatorAssignment,
    Household,
    HouseholdMember,
    MemberRole,
    OpeningWay,
    Role,
    Staff,
    SupportBarrier,
    Unit,
)
from .services import APPLICANT_FIELDS, CASE_FIELDS

BATCH_SIZE = 1000  # rows per INSERT statement


@dataclass
class ImportOutcome:
    """Per index of the specs given: the saved (or matched) object, or the refusal."""

    objects: dict[int, models.Model] = field(default_factory=dict)
    errors: dict[int, ValidationError] = field(default_factory=dict)
    # Indexes matched to a row that already existed (nothing written for them).
    linked: set[int] = field(default_factory=set)

    def refuse(self, index: int, field_name: str, message: str, code: str) -> None:
        self.errors.setdefault(index, ValidationError({field_name: ValidationError(message, code=code)}))


class Refused(Exception):
    """Raised inside a spec check: the spec is refused with this field, message and code."""

    def __init__(self, field_name: str, message: str, code: str):
        super().__init__(message)
        self.field, self.message, self.code = field_name, message, code


def check_each(specs: Sequence[dict], outcome: ImportOutcome, check: Callable[[int, dict], object]) -> dict[int, object]:
    """Run `check` on every spec not refused yet; a Refused or ValidationError refuses that spec."""
    built = {}
    for index, spec in enumerate(specs):
        if index in outcome.errors:
            continue
        try:
            built[index] = check(index, spec)
        except Refused as exc:
            outcome.refuse(index, exc.field, exc.message, exc.code)
        except ValidationError as exc:
            outcome.errors[index] = exc if hasattr(exc, "error_dict") else ValidationError({"__all__": exc.error_list})
    return built


def clean_row(instance: models.Model, prefix: str = "") -> None:
    """Field validation without a query: relations and constraints are checked set-based by the caller."""
    exclude = [f.name for f in instance._meta.concrete_fields if f.is_relation]
    try:
        instance.clean_fields(exclude=exclude)
    except ValidationError as exc:
        raise ValidationError({f"{prefix}{k}": v for k, v in exc.error_dict.items()}) from exc


def not_backwards(start: datetime.date | None, end: datetime.date | None, field_name: str,
                  message: str = "Slutdatumet ligger före startdatumet.") -> None:
    if start is not None and end is not None and end < start:
        raise Refused(field_name, message, "period_backwards")


def required(spec: dict, name: str, message: str, prefix: str = ""):
    value = spec.get(name)
    if value in (None, "") or (isinstance(value, str) and not value.strip()):
        raise Refused(f"{prefix}{name}", message, "required")
    return value.strip() if isinstance(value, str) else value


def code_in(value, choices, field_name: str, what: str) -> str:
    if value not in choices:
        raise Refused(field_name, f"Okänd kod för {what}: {value!r}.", "unknown_code")
    return value


def staff_by_username(names: Iterable[str | None]) -> dict[str, Staff]:
    """Staff named in a batch, in one query (active or not: the previous system's staff may have left)."""
    wanted = {n for n in names if n}
    return Staff.objects.filter(username__in=wanted).in_bulk(field_name="username") if wanted else {}


def staff_member(spec: dict, name: str, staff: dict[str, Staff], default: Staff | None,
                 roles: set[str] | None = None) -> Staff:
    username = spec.get(name)
    if not username:
        if default is None:
            raise Refused(name, "Ange medarbetarens användarnamn.", "required")
        return default
    member = staff.get(username)
    if member is None:
        raise Refused(name, f"Okänd medarbetare: {username!r}.", "unknown_code")
    if roles is not None and member.role not in roles:
        raise Refused(name, f"{member} har inte rätt roll för uppgiften.", "invalid_choice")
    return member


def record_imports(*, actor: Staff, action: str, rows: Sequence[tuple[models.Model, list, dict]],
                   provenance: Sequence[dict]) -> None:
    """One change event per imported object (with where it came from), set-based."""
    record_changes(actor=actor, action=action, changes=[
        Change(obj, person_ids or [None], None, {**after, "imported_from": prov})
        for (obj, person_ids, after), prov in zip(rows, provenance, strict=True)
    ])


def adults_of_households(household_ids: Iterable[int]) -> dict[int, set[int]]:
    """The adult members (applicant ids) of each household, ever, in one query."""
    out: dict[int, set[int]] = defaultdict(set)
    rows = HouseholdMember.objects.filter(household_id__in=set(household_ids), applicant__isnull=False)
    for household_id, applicant_id in rows.values_list("household_id", "applicant_id"):
        out[household_id].add(applicant_id)
    return out


# --- persons ---------------------------------------------------------------------------------

APPLICANT_IMPORT_FIELDS = ("first_name", "last_name", "street_address", "postal_code", "city", "phone", "email",
                           "protected_identity")


@transaction.atomic
def applicants_import(*, actor: Staff, specs: Sequence[dict], provenance: Sequence[dict]) -> ImportOutcome:
    """Persons. A personnummer already registered is matched to that person (`linked`), never duplicated."""
    outcome = ImportOutcome()
    units = Unit.objects.filter(code__in={s.get("unit") for s in specs}).in_bulk(field_name="code")
    seen: dict[str, int] = {}

    def check(index: int, spec: dict) -> Applicant:
        try:
            parsed = identity.parse(spec.get("personal_identity_number") or "")
        except ValidationError as exc:
            raise ValidationError({"personal_identity_number": exc.error_list}) from exc
        if parsed.canonical in seen:
            raise Refused("personal_identity_number", "Samma personnummer förekommer redan i filen.", "duplicate")
        seen[parsed.canonical] = index
        unit = units.get(spec.get("unit"))
        if unit is None:
            raise Refused("unit", f"Okänd kod för enhet: {spec.get('unit')!r}.", "unknown_code")
        for name, label in (("first_name", "förnamn"), ("last_name", "efternamn")):
            required(spec, name, f"Ange {label}.")
        applicant = Applicant(
            personal_identity_number=parsed.canonical, is_coordination_number=parsed.is_coordination_number,
            birth_date=parsed.birth_date, legal_gender=parsed.legal_gender, registered_unit=unit,
            **{name: (spec.get(name) or "").strip() if name != "protected_identity" else bool(spec.get(name))
               for name in APPLICANT_IMPORT_FIELDS},
        )
        clean_row(applicant)
        return applicant

    built = check_each(specs, outcome, check)
    existing = Applicant.objects.filter(
        personal_identity_number__in=[a.personal_identity_number for a in built.values()]
    ).in_bulk(field_name="personal_identity_number")
    new = {}
    for index, applicant in built.items():
        if applicant.personal_identity_number in existing:
            outcome.objects[index] = existing[applicant.personal_identity_number]
            outcome.linked.add(index)
        else:
            new[index] = applicant
    Applicant.objects.bulk_create(new.values(), batch_size=BATCH_SIZE)
    outcome.objects.update(new)
    record_imports(actor=actor, action="applicant.import",
                   rows=[(a, [a.pk], snapshot(a, APPLICANT_FIELDS)) for a in new.values()],
                   provenance=[provenance[i] for i in new])
    return outcome


# --- households ------------------------------------------------------------------------------


@transaction.atomic
def households_import(*, actor: Staff, specs: Sequence[dict], provenance: Sequence[dict]) -> ImportOutcome:
    """Households with their member periods; `members[i].person_id` is an adult's applicant id."""
    outcome = ImportOutcome()
    person_ids = {m.get("person_id") for s in specs for m in s.get("members") or [] if m.get("person_id")}
    births = dict(Applicant.objects.filter(pk__in=person_ids).values_list("pk", "birth_date"))

    def member(spec: dict, prefix: str) -> HouseholdMember:
        role = code_in(spec.get("role"), MemberRole.values, f"{prefix}role", "roll i hushållet")
        valid_from = required(spec, "valid_from", "Ange från vilket datum personen är medlem.", prefix)
        not_backwards(valid_from, spec.get("valid_to"), f"{prefix}valid_to")
        row = HouseholdMember(role=role, valid_from=valid_from, valid_to=spec.get("valid_to"),
                              first_name=(spec.get("first_name") or "").strip(),
                              last_name=(spec.get("last_name") or "").strip())
        if role in ADULT_MEMBER_ROLES:
            if spec.get("person_id") not in births:
                raise Refused(f"{prefix}person", "En vuxen medlem ska vara en person i filen.", "required")
            row.applicant_id, row.birth_date = spec["person_id"], births[spec["person_id"]]
        else:
            birth_date = spec.get("birth_date")
            if spec.get("personal_identity_number"):
                try:
                    birth_date = identity.parse(spec["personal_identity_number"]).birth_date
                except ValidationError as exc:
                    raise ValidationError({f"{prefix}personal_identity_number": exc.error_list}) from exc
            row.birth_date = required({"birth_date": birth_date}, "birth_date", "Ange barnets födelsedatum.", prefix)
            required(spec, "first_name", "Ange barnets förnamn.", prefix)
        clean_row(row, prefix)
        return row

    def check(index: int, spec: dict) -> list[HouseholdMember]:
        members = [member(m, f"members[{i}].") for i, m in enumerate(spec.get("members") or [])]
        if sum(1 for m in members if m.role == MemberRole.APPLICANT) != 1:
            raise Refused("members", "Hushållet ska ha exakt en sökande.", "one_applicant_required")
        adults = [m.applicant_id for m in members if m.applicant_id]
        if len(adults) != len(set(adults)):
            raise Refused("members", "Samma person förekommer två gånger i hushållet.", "duplicate_member")
        return members

    built = check_each(specs, outcome, check)
    households = {index: Household() for index in built}
    Household.objects.bulk_create(households.values(), batch_size=BATCH_SIZE)
    rows = []
    for index, household in households.items():
        for m in built[index]:
            m.household = household
            rows.append(m)
    HouseholdMember.objects.bulk_create(rows, batch_size=BATCH_SIZE)
    outcome.objects.update(households)
    record_imports(actor=actor, action="household.import", rows=[
        (h, [m.applicant_id for m in built[i] if m.applicant_id],
         {"members": [[m.role, m.applicant_id, m.birth_date.isoformat(), m.valid_from.isoformat(),
                       m.valid_to.isoformat() if m.valid_to else None] for m in built[i]]})
        for i, h in households.items()
    ], provenance=[provenance[i] for i in households])
    return outcome


# --- cases -----------------------------------------------------------------------------------


@transaction.atomic
def cases_import(*, actor: Staff, specs: Sequence[dict], provenance: Sequence[dict]) -> ImportOutcome:
    """Cases with opening, closing and the adults' support barriers (`support_barriers[i].person_id`)."""
    outcome = ImportOutcome()
    units = Unit.objects.filter(code__in={s.get("unit") for s in specs}).in_bulk(field_name="code")
    staff = staff_by_username(s.get("caseworker") for s in specs)
    barrier_codes = {b.get("barrier") for s in specs for b in s.get("support_barriers") or []}
    barriers = SupportBarrier.objects.filter(code__in=barrier_codes).in_bulk(field_name="code")
    adults = adults_of_households(s.get("household_id") for s in specs)

    def barrier(case: Case, spec: dict, prefix: str) -> CaseSupportBarrier:
        if spec.get("person_id") not in adults[case.household_id]:
            raise Refused(f"{prefix}person", "Personen är inte vuxen medlem i ärendets hushåll.", "not_member")
        if spec.get("barrier") not in barriers:
            raise Refused(f"{prefix}barrier", f"Okänd kod för försörjningshinder: {spec.get('barrier')!r}.",
                          "unknown_code")
        valid_from = spec.get("valid_from") or case.opened_on
        not_backwards(valid_from, spec.get("valid_to"), f"{prefix}valid_to")
        return CaseSupportBarrier(applicant_id=spec["person_id"], barrier=barriers[spec["barrier"]],
                                  valid_from=valid_from, valid_to=spec.get("valid_to"))

    def check(index: int, spec: dict) -> tuple[Case, list[CaseSupportBarrier]]:
        if spec.get("unit") not in units:
            raise Refused("unit", f"Okänd kod för enhet: {spec.get('unit')!r}.", "unknown_code")
        opened_on = required(spec, "opened_on", "Ange aktualiseringsdatum.")
        closed_on, reason = spec.get("closed_on"), spec.get("closing_reason") or ""
        not_backwards(opened_on, closed_on, "closed_on", "Avslutsdatumet ligger före aktualiseringsdatumet.")
        if reason:
            code_in(reason, CaseClosingReason.values, "closing_reason", "avslutsorsak")
        if bool(closed_on) != bool(reason):
            raise Refused("closing_reason" if closed_on else "closed_on",
                          "Ett avslutat ärende har både avslutsdatum och avslutsorsak.", "required")
        case = Case(
            household_id=spec.get("household_id"), unit=units[spec["unit"]],
            responsible_caseworker=staff_member(spec, "caseworker", staff, None) if spec.get("caseworker") else None,
            opened_on=opened_on,
            opening_way=code_in(spec.get("opening_way") or OpeningWay.APPLICATION, OpeningWay.values, "opening_way",
                                "aktualiseringsväg"),
            status=CaseStatus.CLOSED if closed_on else CaseStatus.ACTIVE, closed_on=closed_on, closing_reason=reason,
        )
        clean_row(case)
        return case, [barrier(case, b, f"support_barriers[{i}].") for i, b in enumerate(spec.get("support_barriers") or [])]

    built = check_each(specs, outcome, check)
    Case.objects.bulk_create([c for c, _ in built.values()], batch_size=BATCH_SIZE)
    rows = []
    for case, case_barriers in built.values():
        for b in case_barriers:
            b.case = case
            rows.append(b)
    CaseSupportBarrier.objects.bulk_create(rows, batch_size=BATCH_SIZE)
    outcome.objects.update({i: c for i, (c, _) in built.items()})
    record_imports(actor=actor, action="case.import", rows=[
        (c, sorted(adults[c.household_id]),
         {**snapshot(c, CASE_FIELDS), "support_barriers": [[b.applicant_id, b.barrier.code] for b in bs]})
        for c, bs in built.values()
    ], provenance=[provenance[i] for i in built])
    return outcome


# --- coordinator assignments -----------------------------------------------------------------


@transaction.atomic
def assignments_import(*, actor: Staff, specs: Sequence[dict], provenance: Sequence[dict]) -> ImportOutcome:
    """Coordinator assignments (`case_id`, `person_id`), with their periods."""
    outcome = ImportOutcome()
    cases = Case.objects.filter(pk__in={s.get("case_id") for s in specs}).only("pk", "household_id", "opened_on")
    cases = {c.pk: c for c in cases}
    adults = adults_of_households(c.household_id for c in cases.values())
    staff = staff_by_username(s.get("coordinator") for s in specs)
    open_now = set(CoordinatorAssignment.objects.filter(case_id__in=cases, end_date__isnull=True)
                   .values_list("case_id", "applicant_id"))

    def check(index: int, spec: dict) -> CoordinatorAssignment:
        case = cases[spec["case_id"]]
        if spec.get("person_id") not in adults[case.household_id]:
            raise Refused("person", "Personen är inte vuxen medlem i ärendets hushåll.", "not_member")
        coordinator = staff_member(spec, "coordinator", staff, None, roles={Role.COORDINATOR})
        start = required(spec, "start_date", "Ange startdatum.")
        if start < case.opened_on:
            raise Refused("start_date", "Startdatumet ligger före ärendets aktualiseringsdatum.", "period_backwards")
        not_backwards(start, spec.get("end_date"), "end_date")
        if spec.get("end_date") is None:
            key = (case.pk, spec["person_id"])
            if key in open_now:
                raise Refused("person", "Personen har redan en pågående koordinatortilldelning i ärendet.",
                              "already_assigned")
            open_now.add(key)
        row = CoordinatorAssignment(case=case, applicant_id=spec["person_id"], coordinator=coordinator,
                                    start_date=start, end_date=spec.get("end_date"))
        clean_row(row)
        return row

    built = check_each(specs, outcome, check)
    CoordinatorAssignment.objects.bulk_create(built.values(), batch_size=BATCH_SIZE)
    outcome.objects.update(built)
    record_imports(actor=actor, action="coordinator_assignment.import", rows=[
        (a, [a.applicant_id], snapshot(a, ("case", "applicant", "coordinator", "start_date", "end_date")))
        for a in built.values()
    ], provenance=[provenance[i] for i in built])
    return outcome
