"""Who must act on a finding: the ownership chain, in one place (DOMAIN.md 4: every finding has an owner).

Every rule's flag gets its responsible person and unit from one chain of links, tried in order; the
first link that names an active member of staff wins, and the flag stores which link that was
(`Flag.owner_basis`), so the page can say "Ansvarig: X (ingen koordinator: ärendets handläggare)".

The standard chain, for every rule:
  1. the person's coordinator (an open coordinator assignment on the run date);
  2. the caseworker of the case (`Case.responsible_caseworker`): the case the subject belongs to
     (a case, a decision's case), else the person's case (an open one first, then the latest opened);
  3. the manager of the unit that holds that case;
  4. for a person with no case: the manager of the unit that registered the person
     (`Applicant.registered_unit`, always set);
  5. last, the municipality's owner of the egenkontroll: the manager of the unit set in
     audit.control.norms CONTROL_OWNER_UNIT (unset by default).
A rule whose subject itself names who must act puts that link first (an overdue action: its owner;
a referral: who referred; a decision or an exemption: who decided; a closing: who proposed it).
A link only counts with an active member of staff: someone who has left is passed over.

The unit follows the link: the coordinator's unit, the case's unit for links 2-3, the registered
unit for 4, the named person's unit for a rule's own link. A unit manager's worklist is the flags
of their unit (audit.control.selectors.flags_for), so a person without a coordinator is on the
worklist of the unit that holds their case.

Rules only annotate the candidates (`owned`): the person, the case, the coordinator and any named
staff. `resolve` picks the owner for a chunk's findings with four queries whatever its size.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from dataclasses import dataclass

from django.db.models import Case as DbCase
from django.db.models import F, OuterRef, Q, QuerySet, Subquery, Value, When

from audit.control import norms
from audit.control.models import OwnerBasis
from audit.control.rules.base import PERSON, RuleDefinition
from audit.control.rules.common import ID, coordinator_of
from cases.models import Applicant, Case, CaseStatus, Role, Staff

CASE = "own_case"
# A unit the rule names for its findings whoever answers (the reader's unit for the log review);
# empty for most rules, whose unit follows the link used.
UNIT = "own_unit"

STANDARD_CHAIN: tuple[str, ...] = (
    OwnerBasis.COORDINATOR,
    OwnerBasis.CASEWORKER,
    OwnerBasis.CASE_UNIT_MANAGER,
    OwnerBasis.REGISTERED_UNIT_MANAGER,
    OwnerBasis.CONTROL_OWNER,
)
# Links that are a member of staff named on the row (annotated as own_<code>).
NAMED = frozenset({
    OwnerBasis.ACTION_OWNER, OwnerBasis.REFERRER, OwnerBasis.DECIDED_BY, OwnerBasis.PROPOSED_BY, OwnerBasis.COORDINATOR,
    OwnerBasis.READER_MANAGER, OwnerBasis.ADMINISTRATOR,
})
# What is shown for a link that was passed over ("ingen koordinator: ärendets handläggare").
MISSING = {
    OwnerBasis.ACTION_OWNER: "åtgärdens ägare är inte aktiv",
    OwnerBasis.REFERRER: "den som anvisade är inte aktiv",
    OwnerBasis.DECIDED_BY: "beslutsfattaren är inte aktiv",
    OwnerBasis.PROPOSED_BY: "den som föreslog avslutet är inte aktiv",
    OwnerBasis.READER_MANAGER: "ingen enhetschef för den som läste",
    OwnerBasis.ADMINISTRATOR: "ingen aktiv administratör",
    OwnerBasis.COORDINATOR: "ingen koordinator",
    OwnerBasis.CASEWORKER: "ingen handläggare på ärendet",
    OwnerBasis.CASE_UNIT_MANAGER: "ingen enhetschef för ärendets enhet",
    OwnerBasis.REGISTERED_UNIT_MANAGER: "ingen enhetschef där personen är registrerad",
    OwnerBasis.CONTROL_OWNER: "ingen ägare av egenkontrollen",
}


@dataclass(frozen=True)
class Owner:
    responsible_id: int | None
    unit_id: int | None
    basis: str  # an OwnerBasis value, or "" when no link named anyone


def chain(rule: RuleDefinition | None) -> tuple[str, ...]:
    """The rule's links in order: its own first (rule.owners), then the standard chain."""
    head = tuple(rule.owners) if rule is not None else ()
    return head + tuple(code for code in STANDARD_CHAIN if code not in head)


def field(code: str) -> str:
    return f"own_{code}"


def fields(rule: RuleDefinition) -> list[str]:
    """The annotations `owned` adds that `resolve` reads."""
    return [CASE, UNIT, *(field(code) for code in chain(rule) if code in NAMED)]


def _persons_case() -> Subquery:
    """The person's case: an open one first, then the latest opened."""
    cases = Case.objects.filter(household__members__applicant_id=OuterRef(PERSON)).order_by(
        DbCase(When(status=CaseStatus.CLOSED, then=Value(1)), default=Value(0)), "-opened_on", "-pk"
    )
    return Subquery(cases.values("pk")[:1], output_field=ID)


def owned(
    qs: QuerySet, *, as_of: datetime.date, person, case: str | None = None, unit: str | None = None, **named: str
) -> QuerySet:
    """Annotate a rule's findings with the flag's person and the ownership candidates.

    `person` is a field path or an expression; `case` the path of the subject's own case, if it has
    one; `unit` the path of a unit the findings belong to whoever answers; `named` maps a link of the
    rule's own (OwnerBasis value) to the path of that staff id.
    """
    person_expr = F(person) if isinstance(person, str) else person
    qs = qs.annotate(**{PERSON: person_expr})
    return qs.annotate(
        **{
            CASE: F(case) if case else _persons_case(),
            UNIT: F(unit) if unit else Value(None, output_field=ID),
            field(OwnerBasis.COORDINATOR): coordinator_of(PERSON, as_of),
            **{field(code): F(path) for code, path in named.items()},
        }
    )


def resolve(rule: RuleDefinition, rows: Iterable[dict]) -> dict[int, Owner]:
    """{subject pk: Owner} for a chunk's findings (rows from `.values("pk", PERSON, *fields(rule))`).

    Four queries whatever the number of rows: the named staff, the cases, the persons' registered
    units, and the unit managers of every unit involved."""
    rows = list(rows)
    if not rows:
        return {}
    links = chain(rule)
    named = [field(code) for code in links if code in NAMED]
    staff_ids = {row[name] for row in rows for name in named if row.get(name)}
    active = dict(Staff.objects.filter(pk__in=staff_ids, is_active=True).values_list("pk", "unit_id"))
    cases = {
        pk: (unit_id, caseworker if caseworker_active else None)
        for pk, unit_id, caseworker, caseworker_active in Case.objects.filter(
            pk__in={row[CASE] for row in rows if row.get(CASE)}
        ).values_list("pk", "unit_id", "responsible_caseworker_id", "responsible_caseworker__is_active")
    }
    registered = dict(
        Applicant.objects.filter(pk__in={row[PERSON] for row in rows if row.get(PERSON)}).values_list(
            "pk", "registered_unit_id"
        )
    )
    owner_unit_code = norms.norm("CONTROL_OWNER_UNIT")
    units = {unit for unit, _ in cases.values()} | set(registered.values())
    managers: dict[int, int] = {}
    control_owner: tuple[int, int] | None = None
    for pk, unit_id, code in (
        Staff.objects.filter(role=Role.UNIT_MANAGER, is_active=True)
        .filter(Q(unit_id__in=units) | Q(unit__code=owner_unit_code or ""))
        .order_by("pk")
        .values_list("pk", "unit_id", "unit__code")
    ):
        managers.setdefault(unit_id, pk)
        if owner_unit_code and code == owner_unit_code and control_owner is None:
            control_owner = (pk, unit_id)

    def candidate(code: str, row: dict) -> tuple[int | None, int | None]:
        case_unit, caseworker = cases.get(row.get(CASE), (None, None))
        if code in NAMED:
            staff = row.get(field(code))
            return (staff, active[staff]) if staff in active else (None, None)
        if code == OwnerBasis.CASEWORKER:
            return caseworker, case_unit
        if code == OwnerBasis.CASE_UNIT_MANAGER:
            return managers.get(case_unit), case_unit
        if code == OwnerBasis.REGISTERED_UNIT_MANAGER:
            unit = registered.get(row.get(PERSON))
            return managers.get(unit), unit
        return control_owner or (None, None)

    out = {}
    for row in rows:
        fallback_unit = cases.get(row.get(CASE), (None,))[0] or registered.get(row.get(PERSON))
        out[row["pk"]] = Owner(None, fallback_unit, "")
        for code in links:
            staff, unit = candidate(code, row)
            if staff is not None:
                out[row["pk"]] = Owner(staff, row.get(UNIT) or unit, code)
                break
        else:
            if row.get(UNIT):
                out[row["pk"]] = Owner(None, row[UNIT], "")
    return out


def explain(rule: RuleDefinition | None, basis: str) -> str:
    """Why the flag's responsible is who they are: "ingen koordinator: ärendets handläggare"."""
    if not basis:
        return ""
    links = chain(rule)
    label = OwnerBasis(basis).label
    if basis not in links:
        return label
    skipped = [MISSING[code] for code in links[: links.index(basis)]]
    return f"{', '.join(skipped)}: {label}" if skipped else label
