"""Writes for monthly applications and their calculations (DOMAIN.md 2.2 and 6).

`application_dry_run` validates and calculates exactly like `application_create` +
`application_calculate`, and saves nothing but the access-log rows for what it read.
"""

from __future__ import annotations

import datetime
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from django.db import IntegrityError, transaction

from audit.models import AccessAction
from audit.recording.log import record_access, record_change, snapshot
from config.errors import field_error as _error
from config.limits import AMOUNT_MAX

from . import calculation as calc
from . import finance_selectors as fs
from .finance_models import (
    Application,
    ApplicationCost,
    ApplicationIncome,
    ApplicationMember,
    ApplicationStatus,
    Calculation,
    CalculationLine,
    CostType,
    IncomeType,
)
from .models import Case, CaseStatus, Role, Staff
from .permissions import require_role
from .services import case_person_ids_db

APPLICATION_FIELDS = ("case", "month", "received_on", "status", "notes")


def kronor(value, field: str) -> int:
    """A whole, non-negative krona amount, or a ValidationError naming `field`."""
    if value is None or value == "":
        raise _error(field, "Ange ett belopp.", "required")
    if isinstance(value, bool) or isinstance(value, float):
        value = str(value)
    try:
        amount = Decimal(str(value))
    except InvalidOperation as exc:
        raise _error(field, "Beloppet är inte ett tal.", "invalid") from exc
    if not amount.is_finite():
        raise _error(field, "Beloppet är inte ett tal.", "invalid")
    if amount != amount.to_integral_value():
        raise _error(field, "Beloppet ska anges i hela kronor, utan ören.", "ore_not_allowed")
    if amount < 0:
        raise _error(field, "Beloppet får inte vara negativt.", "negative")
    if amount > AMOUNT_MAX:
        raise _error(field, f"Beloppet får vara högst {AMOUNT_MAX:,} kr.".replace(",", " "), "too_large")
    return int(amount)


def month_start(value: datetime.date) -> datetime.date:
    return value.replace(day=1)


@dataclass
class Prepared:
    """Validated, unsaved application input and the calculation inputs built from it."""

    case: Case
    month: datetime.date
    members: list[ApplicationMember]
    incomes: list[tuple[int, ApplicationIncome]]  # (index into members, income)
    costs: list[ApplicationCost]
    household_size: int


def _case_in_scope(actor: Staff, case_id) -> Case:
    case = fs._finance_cases(actor).select_related("household").filter(pk=getattr(case_id, "pk", case_id)).first()
    if case is None:
        raise _error("case", "Ärendet finns inte eller ligger utanför din behörighet.", "not_found")
    return case


def _prepare(*, actor: Staff, case, month: datetime.date, members: Sequence[dict], incomes: Sequence[dict],
             costs: Sequence[dict]) -> Prepared:
    case = _case_in_scope(actor, case)
    if month is None:
        raise _error("month", "Ange månad.", "required")
    month = month_start(month)
    if case.status == CaseStatus.CLOSED:
        raise _error("case", "Ärendet är avslutat.", "case_closed")
    in_month = {m.pk: m for m in fs.members_in_month(case.household_id, month)}
    if not members:
        raise _error("members", "Ansökan måste gälla minst en hushållsmedlem.", "required")
    built: list[ApplicationMember] = []
    seen: set[int] = set()
    for i, spec in enumerate(members):
        member_id = spec.get("household_member")
        member = in_month.get(getattr(member_id, "pk", member_id))
        if member is None:
            raise _error(f"members[{i}].household_member",
                         "Personen är inte medlem i hushållet den månaden.", "not_member")
        if member.pk in seen:
            raise _error(f"members[{i}].household_member", "Samma person förekommer två gånger.", "duplicate_member")
        seen.add(member.pk)
        built.append(ApplicationMember(household_member=member, no_lunch=bool(spec.get("no_lunch", False))))
    by_member = {m.household_member_id: index for index, m in enumerate(built)}

    income_types = {t.code: t for t in IncomeType.objects.filter(is_active=True)}
    built_incomes = []
    for i, spec in enumerate(incomes):
        member_index = by_member.get(spec.get("member"))
        if member_index is None:
            raise _error(f"incomes[{i}].member", "Inkomsten ska höra till en person som ansökan gäller.", "not_member")
        income_type = income_types.get(spec.get("income_type"))
        if income_type is None:
            raise _error(f"incomes[{i}].income_type", f"Okänt inkomstslag: {spec.get('income_type')!r}.", "unknown_code")
        amount = kronor(spec.get("amount"), f"incomes[{i}].amount")
        built_incomes.append((member_index, ApplicationIncome(income_type=income_type, amount=amount)))

    cost_types = {t.code: t for t in CostType.objects.filter(is_active=True)}
    built_costs = []
    for i, spec in enumerate(costs):
        cost_type = cost_types.get(spec.get("cost_type"))
        if cost_type is None:
            raise _error(f"costs[{i}].cost_type", f"Okänt kostnadsslag: {spec.get('cost_type')!r}.", "unknown_code")
        amount = kronor(spec.get("amount_applied"), f"costs[{i}].amount_applied")
        built_costs.append(ApplicationCost(cost_type=cost_type, amount_applied=amount, note=spec.get("note", "") or ""))
    return Prepared(case, month, built, built_incomes, built_costs, household_size=len(in_month))


def _norm_for(month: datetime.date) -> calc.NormData:
    table = fs.norm_table_for(month)
    if table is None:
        raise _error(
            "month",
            f"Det finns ingen riksnorm för {month:%Y-%m}. En administratör måste lägga in normen innan "
            "beräkningen kan göras.",
            "no_norm",
        )
    return fs.norm_data(table)


def _calculate(*, prepared: Prepared, members: list[ApplicationMember],
               incomes: list[tuple[int, ApplicationIncome]], costs: list[ApplicationCost]) -> calc.Result:
    norm = _norm_for(prepared.month)
    support_months, first = fs.jobbstimulans_history(prepared.case.pk, prepared.month)
    applies, basis = calc.jobbstimulans_applies(prepared.month, support_months, first)
    member_inputs = [
        calc.MemberInput(
            member_id=m.household_member.pk,
            role=m.household_member.role,
            birth_date=m.household_member.birth_date,
            label=m.household_member.first_name or (m.household_member.applicant.first_name
                                                    if m.household_member.applicant_id else ""),
            no_lunch=m.no_lunch,
        )
        for m in members
    ]
    income_inputs = [
        calc.IncomeInput(
            member_id=members[index].household_member.pk, income_type_id=inc.income_type.pk,
            type_name=inc.income_type.name, counts=inc.income_type.counts, is_employment=inc.income_type.is_employment,
            amount=inc.amount,
        )
        for index, inc in incomes
    ]
    cost_inputs = [
        calc.CostInput(cost_type_id=c.cost_type.pk, type_name=c.cost_type.name, counts=c.cost_type.counts,
                       amount_applied=c.amount_applied, amount_approved=c.amount_approved)
        for c in costs
    ]
    return calc.calculate(
        month=prepared.month, norm=norm, members=member_inputs, household_size=prepared.household_size,
        incomes=income_inputs, costs=cost_inputs, jobbstimulans=applies, jobbstimulans_basis=basis,
    )


def application_dry_run(*, actor: Staff, case, month: datetime.date, members: Sequence[dict],
                        incomes: Sequence[dict] = (), costs: Sequence[dict] = ()) -> calc.Result:
    """Validate and calculate without saving anything (the read is access-logged)."""
    require_role(actor, {Role.CASEWORKER, Role.UNIT_MANAGER}, doing="göra provberäkningar")
    prepared = _prepare(actor=actor, case=case, month=month, members=members, incomes=incomes, costs=costs)
    result = _calculate(prepared=prepared, members=prepared.members, incomes=prepared.incomes, costs=prepared.costs)
    record_access(actor=actor, action=AccessAction.READ, object_type="cases.case",
                  subjects=[(prepared.case.pk, pid) for pid in case_person_ids_db(prepared.case)])
    return result


@transaction.atomic
def application_create(*, actor: Staff, case, month: datetime.date, received_on: datetime.date | None = None,
                       members: Sequence[dict], incomes: Sequence[dict] = (), costs: Sequence[dict] = (),
                       notes: str = "") -> Application:
    require_role(actor, {Role.CASEWORKER}, doing="registrera ansökningar")
    prepared = _prepare(actor=actor, case=case, month=month, members=members, incomes=incomes, costs=costs)
    duplicate = _error("month", "Det finns redan en ansökan för ärendet den månaden. Återta den först om den ska "
                       "ersättas.", "duplicate_application")
    if Application.objects.filter(case=prepared.case, month=prepared.month).exclude(
        status=ApplicationStatus.WITHDRAWN
    ).exists():
        raise duplicate
    application = Application(case=prepared.case, month=prepared.month, received_on=received_on or prepared.month,
                              notes=notes or "", created_by=actor)
    application.full_clean(validate_constraints=False)
    try:
        with transaction.atomic():  # a concurrent twin hits the conditional unique constraint
            application.save()
    except IntegrityError as exc:
        raise duplicate from exc
    for m in prepared.members:
        m.application = application
    ApplicationMember.objects.bulk_create(prepared.members)
    for index, income in prepared.incomes:
        income.application = application
        income.member = prepared.members[index]
    ApplicationIncome.objects.bulk_create([income for _, income in prepared.incomes])
    for cost in prepared.costs:
        cost.application = application
    ApplicationCost.objects.bulk_create(prepared.costs)
    record_change(
        actor=actor, action="application.create", instance=application, person_ids=case_person_ids_db(prepared.case),
        after={
            **snapshot(application, APPLICATION_FIELDS),
            "members": [[m.household_member_id, m.no_lunch] for m in prepared.members],
            "incomes": [[prepared.members[i].household_member_id, inc.income_type.code, inc.amount]
                        for i, inc in prepared.incomes],
            "costs": [[c.cost_type.code, c.amount_applied] for c in prepared.costs],
        },
    )
    return application


def _application_for_update(actor: Staff, application: Application) -> Application:
    locked = fs.applications_for(actor).select_for_update().filter(pk=application.pk).first()
    if locked is None:
        raise _error("application", "Ansökan finns inte eller ligger utanför din behörighet.", "not_found")
    if locked.status == ApplicationStatus.WITHDRAWN:
        raise _error("status", "Ansökan är återtagen.", "withdrawn")
    return locked


@transaction.atomic
def application_approve_costs(*, actor: Staff, application: Application, approvals: Sequence[dict]) -> Application:
    """Set the approved amount of costs applied for (skäliga kostnader as approved)."""
    require_role(actor, {Role.CASEWORKER}, doing="pröva kostnader")
    application = _application_for_update(actor, application)
    costs = {c.pk: c for c in application.costs.select_related("cost_type")}
    before, changed = {}, []
    for i, spec in enumerate(approvals):
        cost = costs.get(spec.get("cost"))
        if cost is None:
            raise _error(f"approvals[{i}].cost", "Kostnaden finns inte i ansökan.", "not_found")
        amount = kronor(spec.get("amount_approved"), f"approvals[{i}].amount_approved")
        if amount > cost.amount_applied:
            raise _error(f"approvals[{i}].amount_approved", "Godkänt belopp kan inte vara större än det sökta.",
                         "above_applied")
        before[str(cost.pk)] = cost.amount_approved
        cost.amount_approved = amount
        changed.append(cost)
    ApplicationCost.objects.bulk_update(changed, ["amount_approved"])
    record_change(actor=actor, action="application.approve_costs", instance=application,
                  person_ids=case_person_ids_db(application.case), before={"approved": before},
                  after={"approved": {str(c.pk): c.amount_approved for c in changed}})
    return application


@transaction.atomic
def application_withdraw(*, actor: Staff, application: Application) -> Application:
    require_role(actor, {Role.CASEWORKER}, doing="återta ansökningar")
    application = _application_for_update(actor, application)
    if application.decisions.exists():
        raise _error("status", "Ansökan har beslut och kan inte återtas.", "has_decisions")
    before = snapshot(application, ("status",))
    application.status = ApplicationStatus.WITHDRAWN
    application.save(update_fields=["status", "updated_at"])
    record_change(actor=actor, action="application.withdraw", instance=application,
                  person_ids=case_person_ids_db(application.case), before=before, after=snapshot(application, ("status",)))
    return application


@transaction.atomic
def application_calculate(*, actor: Staff, application: Application) -> Calculation:
    """Calculate and store the result with every line and the norm rows it used."""
    require_role(actor, {Role.CASEWORKER, Role.UNIT_MANAGER}, doing="beräkna försörjningsstöd")
    application = _application_for_update(actor, application)
    members = list(application.members.select_related("household_member__applicant").order_by("pk"))
    index_of = {m.pk: i for i, m in enumerate(members)}
    incomes = [(index_of[inc.member_id], inc) for inc in application.incomes.select_related("income_type").order_by("pk")]
    costs = list(application.costs.select_related("cost_type").order_by("pk"))
    case = application.case
    prepared = Prepared(case, application.month, members, incomes, costs,
                        household_size=fs.members_in_month(case.household_id, application.month).count())
    result = _calculate(prepared=prepared, members=members, incomes=incomes, costs=costs)
    stored = Calculation.objects.create(
        application=application, norm_table_id=result.norm_table_id, norm_is_official=result.norm_is_official,
        calculated_by=actor, household_size=result.household_size, norm_total=result.norm_total,
        costs_total=result.costs_total, income_total=result.income_total,
        requested_amount=result.requested_amount, result_amount=result.result_amount,
    )
    CalculationLine.objects.bulk_create(
        CalculationLine(
            calculation=stored, position=position, kind=line.kind, description=line.description[:300],
            amount=line.amount, member_id=line.member_id, personal_amount_id=line.personal_amount_id,
            household_amount_id=line.household_amount_id, cost_type_id=line.cost_type_id,
            income_type_id=line.income_type_id, basis=line.basis,
        )
        for position, line in enumerate(result.lines, start=1)
    )
    record_change(actor=actor, action="application.calculate", instance=stored, person_ids=case_person_ids_db(case),
                  after={"application": application.pk, "norm_table": result.norm_table_id,
                         "norm_is_official": result.norm_is_official, "result_amount": result.result_amount})
    return stored
