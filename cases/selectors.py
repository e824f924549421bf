"""Every read of cases data, scoped to what the user may see. Scoping lives here, once.

- caseworker: the cases of their unit, and the persons in them or registered by the unit;
- coordinator: the persons assigned to them (an open coordinator assignment) and those cases;
- unit manager: what the staff of their unit see;
- board, administrator, insats staff: no person here (insats staff see participants through
  insatser's selectors). Anything else is denied: an empty queryset, so objects answer 404.
"""

from __future__ import annotations

import datetime

from django.db.models import Exists, OuterRef, Prefetch, Q, QuerySet
from django.utils import timezone

from .models import (
    Applicant,
    Case,
    CaseSupportBarrier,
    CaseTransfer,
    CoordinatorAssignment,
    CorrectedIdentityNumber,
    Household,
    HouseholdMember,
    ReplacedReserveNumber,
    Role,
    Staff,
    SupportBarrier,
    Unit,
)


def _today() -> datetime.date:
    return timezone.localdate()


def open_assignments(*, on: datetime.date | None = None) -> QuerySet[CoordinatorAssignment]:
    on = on or _today()
    return CoordinatorAssignment.objects.filter(start_date__lte=on).filter(Q(end_date__isnull=True) | Q(end_date__gte=on))


def _assignment_filter(user: Staff) -> Q | None:
    """Assignments that give `user` sight of a person, or None when the role has none."""
    if user.role == Role.COORDINATOR:
        return Q(coordinator=user)
    if user.role == Role.UNIT_MANAGER and user.unit_id:
        return Q(coordinator__unit_id=user.unit_id)
    return None


def cases_for(user: Staff) -> QuerySet[Case]:
    qs = Case.objects.all()
    if not (user.is_authenticated and user.is_active):
        return qs.none()
    conditions = Q(pk__in=[])
    if user.role in (Role.CASEWORKER, Role.UNIT_MANAGER) and user.unit_id:
        conditions |= Q(unit_id=user.unit_id)
    assignment = _assignment_filter(user)
    if assignment is not None:
        conditions |= Q(Exists(open_assignments().filter(assignment, case_id=OuterRef("pk"))))
    if user.role not in (Role.CASEWORKER, Role.UNIT_MANAGER, Role.COORDINATOR):
        return qs.none()
    return qs.filter(conditions)


def applicants_for(user: Staff) -> QuerySet[Applicant]:
    qs = Applicant.objects.all()
    if not (user.is_authenticated and user.is_active) or user.role not in (
        Role.CASEWORKER,
        Role.UNIT_MANAGER,
        Role.COORDINATOR,
    ):
        return qs.none()
    conditions = Q(pk__in=[])
    if user.role in (Role.CASEWORKER, Role.UNIT_MANAGER) and user.unit_id:
        in_unit_case = HouseholdMember.objects.filter(
            applicant_id=OuterRef("pk"), household__cases__unit_id=user.unit_id
        )
        conditions |= Q(registered_unit_id=user.unit_id) | Q(Exists(in_unit_case))
    assignment = _assignment_filter(user)
    if assignment is not None:
        conditions |= Q(Exists(open_assignments().filter(assignment, applicant_id=OuterRef("pk"))))
    return qs.filter(conditions)


def households_for(user: Staff) -> QuerySet[Household]:
    """Households with a case the user sees, or with an adult member the user sees."""
    visible_cases = cases_for(user).filter(household_id=OuterRef("pk"))
    visible_members = HouseholdMember.objects.filter(
        household_id=OuterRef("pk"), applicant__in=applicants_for(user)
    )
    return Household.objects.filter(Q(Exists(visible_cases)) | Q(Exists(visible_members)))


def applicant_list(*, user: Staff) -> QuerySet[Applicant]:
    return (
        applicants_for(user)
        .select_related("registered_unit")
        .prefetch_related(Prefetch("replaced_reserve_numbers", queryset=ReplacedReserveNumber.objects.order_by("pk")),
                          Prefetch("corrected_identity_numbers",
                                   queryset=CorrectedIdentityNumber.objects.order_by("corrected_at", "pk")))
        .order_by("last_name", "first_name", "pk")
    )


def with_identity_number(number: str) -> Q:
    """Applicants whose personnummer or samordningsnummer (canonical) is `number`, now or before a
    correction (cases.reserve_number_services): the person is the same."""
    corrected = CorrectedIdentityNumber.objects.filter(applicant_id=OuterRef("pk"), previous_number=number)
    return Q(personal_identity_number=number) | Q(Exists(corrected))


def applicant_search(
    *, user: Staff, personal_identity_number: str | None = None, name: str | None = None,
    reserve_number: str | None = None,
):
    qs = applicant_list(user=user)
    if personal_identity_number:
        qs = qs.filter(with_identity_number(personal_identity_number))
    if reserve_number:  # the current one, or one a personnummer has replaced: the person is the same
        replaced = ReplacedReserveNumber.objects.filter(applicant_id=OuterRef("pk"), reserve_number=reserve_number)
        qs = qs.filter(Q(reserve_number=reserve_number) | Q(Exists(replaced)))
    if name:
        for part in name.split():
            qs = qs.filter(Q(first_name__icontains=part) | Q(last_name__icontains=part))
    return qs


def _members_prefetch() -> Prefetch:
    return Prefetch(
        "members", queryset=HouseholdMember.objects.select_related("applicant").order_by("valid_from", "pk")
    )


def household_list(*, user: Staff) -> QuerySet[Household]:
    return households_for(user).prefetch_related(_members_prefetch()).order_by("pk")


def case_list(*, user: Staff) -> QuerySet[Case]:
    return (
        cases_for(user)
        .select_related("unit", "responsible_caseworker", "household")
        .prefetch_related(
            Prefetch("household__members", queryset=HouseholdMember.objects.select_related("applicant").order_by("valid_from", "pk")),
            Prefetch("support_barriers", queryset=CaseSupportBarrier.objects.select_related("barrier").order_by("pk")),
            Prefetch(
                "coordinator_assignments",
                queryset=CoordinatorAssignment.objects.select_related("coordinator").order_by("start_date", "pk"),
            ),
        )
        .order_by("-opened_on", "pk")
    )


def case_transfer_list(*, case: Case) -> QuerySet:
    """Who held the case when: its transfers in date order, with everything a list shows."""
    return (
        CaseTransfer.objects.filter(case=case)
        .select_related("from_unit", "to_unit", "from_caseworker", "to_caseworker", "transferred_by")
        .order_by("transferred_on", "pk")
    )


def case_person_ids(case: Case) -> list[int]:
    """The adult persons a case concerns (from prefetched members when present)."""
    return [m.applicant_id for m in case.household.members.all() if m.applicant_id]


def household_person_ids(household: Household) -> list[int]:
    return [m.applicant_id for m in household.members.all() if m.applicant_id]


def unit_list() -> QuerySet[Unit]:
    return Unit.objects.order_by("name")


def staff_list() -> QuerySet[Staff]:
    return Staff.objects.filter(is_active=True).select_related("unit").order_by("last_name", "first_name", "pk")


def support_barrier_list() -> QuerySet[SupportBarrier]:
    return SupportBarrier.objects.filter(is_active=True).order_by("group", "name")
