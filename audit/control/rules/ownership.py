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
staff. `owner_sql` picks the owner of every finding of a chunk inside the database, in the
statement that writes the flags (audit/control/engine.py): no query and no Python object per finding.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.db import connection
from django.db.models import Case as DbCase
from django.db.models import F, OuterRef, QuerySet, Subquery, Value, When

from audit.control import norms
from audit.control.models import OwnerBasis
from audit.control.rules.base import PERSON, RuleDefinition
from audit.control.rules.common import ID, coordinator_of
from cases.models import Applicant, Case, CaseStatus, Role, Staff, Unit

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


def chain(rule: RuleDefinition | None) -> tuple[str, ...]:
    """The rule's links in order: its own first (rule.owners), then the standard chain."""
    head = tuple(rule.owners) if rule is not None else ()
    return head + tuple(code for code in STANDARD_CHAIN if code not in head)


def field(code: str) -> str:
    return f"own_{code}"


def fields(rule: RuleDefinition) -> list[str]:
    """The annotations `owned` adds that `owner_sql` reads."""
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


@dataclass(frozen=True)
class OwnerSql:
    """The owner of each row of a findings CTE, as SQL: `ctes` go after the `WITH` that defines
    `<found>` (", own_managers AS ..."), `joins` after `FROM <found>`, the three expressions are its
    responsible staff id, unit id and OwnerBasis value; `params` are the CTEs' (the joins take none)."""

    ctes: str
    joins: str
    responsible: str
    unit: str
    basis: str
    params: list


def owner_sql(rule: RuleDefinition, found: str, columns: dict[str, str]) -> OwnerSql:
    """The chain above as SQL over the CTE `found`, whose columns `columns` names ({PERSON: ..., CASE:
    ..., UNIT: ..., field(code): ...} for every named link of the rule's chain).

    Set-based, whatever the number of rows: each link is a LEFT JOIN to active staff (the named staff,
    the case's caseworker, the first active unit manager by id of the case's unit or of the person's
    registered unit, the egenkontroll owner), and the first link that names someone wins (COALESCE /
    CASE in chain order). The unit follows the link unless the rule names one (`own_unit`); where no
    link names anyone the flag still gets a unit: the rule's, else the case's, else the registered one.

    The unit managers and the egenkontroll owner are CTEs, computed once per statement. As derived
    tables in the joins PostgreSQL re-ran them for every finding inside its nested loops once staff
    grew: at 1 000 000 persons (29 000 staff) a scan of the staff table per finding and link, 2.7 of
    a chunk's 2.8 s (bench/README.md, issue 12).
    """
    def q(name: str) -> str:
        return connection.ops.quote_name(name)

    staff, case, person = Staff._meta.db_table, Case._meta.db_table, Applicant._meta.db_table
    col = {c: f"{found}.{q(name)}" for c, name in columns.items()}
    materialized = "MATERIALIZED " if connection.vendor == "postgresql" else ""
    # A unit's manager: its first active unit manager by id.
    ctes = [
        f"own_managers AS {materialized}(SELECT {q('unit_id')}, MIN({q('id')}) AS {q('id')} FROM {q(staff)} "
        f"WHERE {q('role')} = %s AND {q('is_active')} GROUP BY {q('unit_id')})"
    ]
    params: list = [Role.UNIT_MANAGER]
    joins = [
        f"LEFT JOIN {q(case)} AS own_k ON own_k.{q('id')} = {col[CASE]}",
        f"LEFT JOIN {q(staff)} AS own_cw ON own_cw.{q('id')} = own_k.{q('responsible_caseworker_id')} "
        f"AND own_cw.{q('is_active')}",
        f"LEFT JOIN own_managers AS own_km ON own_km.{q('unit_id')} = own_k.{q('unit_id')}",
        f"LEFT JOIN {q(person)} AS own_a ON own_a.{q('id')} = {col[PERSON]}",
        f"LEFT JOIN own_managers AS own_rm ON own_rm.{q('unit_id')} = own_a.{q('registered_unit_id')}",
    ]
    owner_unit_code = norms.norm("CONTROL_OWNER_UNIT")
    candidates: list[tuple[str, str, str]] = []  # (code, staff id, unit id)
    for i, code in enumerate(chain(rule)):
        if code in NAMED:
            joins.append(
                f"LEFT JOIN {q(staff)} AS own_n{i} ON own_n{i}.{q('id')} = {col[field(code)]} AND own_n{i}.{q('is_active')}"
            )
            candidates.append((code, f"own_n{i}.{q('id')}", f"own_n{i}.{q('unit_id')}"))
        elif code == OwnerBasis.CASEWORKER:
            candidates.append((code, f"own_cw.{q('id')}", f"own_k.{q('unit_id')}"))
        elif code == OwnerBasis.CASE_UNIT_MANAGER:
            candidates.append((code, f"own_km.{q('id')}", f"own_k.{q('unit_id')}"))
        elif code == OwnerBasis.REGISTERED_UNIT_MANAGER:
            candidates.append((code, f"own_rm.{q('id')}", f"own_a.{q('registered_unit_id')}"))
        elif owner_unit_code:  # the control owner, a setting (unset: the link names no one)
            ctes.append(
                f"own_control AS {materialized}(SELECT s.{q('id')}, s.{q('unit_id')} FROM {q(staff)} AS s "
                f"JOIN {q(Unit._meta.db_table)} AS u ON u.{q('id')} = s.{q('unit_id')} WHERE s.{q('role')} = %s "
                f"AND s.{q('is_active')} AND u.{q('code')} = %s ORDER BY s.{q('id')} LIMIT 1)"
            )
            params += [Role.UNIT_MANAGER, owner_unit_code]
            joins.append("LEFT JOIN own_control AS own_co ON 1 = 1")
            candidates.append((code, f"own_co.{q('id')}", f"own_co.{q('unit_id')}"))
    responsible = f"COALESCE({', '.join(s for _, s, _ in candidates)}, NULL)"
    first = "".join(f"WHEN {s} IS NOT NULL THEN {{{i}}} " for i, (_, s, _) in enumerate(candidates))
    basis = "CASE " + first.format(*(f"'{code}'" for code, _, _ in candidates)) + "ELSE '' END"
    link_unit = "CASE " + first.format(*(u for _, _, u in candidates)) + (
        f"ELSE COALESCE(own_k.{q('unit_id')}, own_a.{q('registered_unit_id')}) END"
    )
    return OwnerSql(", ".join(ctes), " ".join(joins), responsible, f"COALESCE({col[UNIT]}, {link_unit})", basis, params)


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
