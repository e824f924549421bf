"""Thin API views for cases: validate input types, call a service or selector, serialise."""

from __future__ import annotations

import django_filters
from django.core.exceptions import ValidationError
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from audit.models import AccessAction
from audit.recording.log import record_access
from config.api import filters as f
from config.api.access import AccessLoggedReadMixin
from config.api.concurrency import ConditionalMixin
from config.api.idempotency import IdempotentCreateMixin
from config.api.names import api_field_names
from config.api.permissions import HasRole

from .. import reserve_number_services, selectors, services, transfer_services
from ..models import (
    Applicant,
    Case,
    CaseStatus,
    HouseholdMember,
    OpeningWay,
    Role,
    SupportBarrier,
    Unit,
)
from . import examples as ex
from . import serializers as s
from . import transfers as t

PERSONAL_DATA_READERS = frozenset({Role.CASEWORKER, Role.COORDINATOR, Role.UNIT_MANAGER})
CASEWORKERS = frozenset({Role.CASEWORKER})
ALL_STAFF_ROLES = frozenset(Role.values)


def _field_error(field: str, message: str, code: str = "not_found") -> ValidationError:
    return ValidationError({field: ValidationError(message, code=code)})


class UnitViewSet(ConditionalMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Enheter (reference data, no personal data)."""

    permission_classes = [HasRole]
    allowed_roles = ALL_STAFF_ROLES
    serializer_class = s.UnitSerializer
    filterset_class = f.code_filterset(Unit, "Enhet", active=True)
    ordering_fields = ["name", "code"]

    def get_queryset(self):
        return selectors.unit_list()


class StaffFilter(f.FilterSet):
    role = f.choice(Role.choices, "Bara medarbetare med denna roll.")
    unit = f.unit()


class StaffViewSet(ConditionalMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Medarbetare: the staff directory. Not for the board."""

    permission_classes = [HasRole]
    allowed_roles = ALL_STAFF_ROLES - {Role.BOARD}
    serializer_class = s.StaffSerializer
    filterset_class = StaffFilter
    ordering_fields = ["last_name", "username"]

    def get_queryset(self):
        return selectors.staff_list()


class SupportBarrierViewSet(mixins.ListModelMixin, viewsets.GenericViewSet):
    """Försörjningshinder (reference data)."""

    permission_classes = [HasRole]
    allowed_roles = ALL_STAFF_ROLES
    serializer_class = s.SupportBarrierSerializer
    pagination_class = None
    filter_backends = f.FILTERS_ONLY
    filterset_class = f.code_filterset(SupportBarrier, "Försörjningshinder")

    def get_queryset(self):
        return selectors.support_barrier_list()


class ApplicantFilter(f.FilterSet):
    legal_gender = f.choice(Applicant._meta.get_field("legal_gender").choices, "Bara sökande med detta juridiska kön.")
    protected_identity = django_filters.BooleanFilter(
        help_text="Sant: bara sökande med skyddade personuppgifter; falskt: bara de utan.")
    is_coordination_number = django_filters.BooleanFilter(
        help_text="Sant: bara sökande med samordningsnummer; falskt: bara de med personnummer eller reservnummer.")


class HouseholdFilter(f.FilterSet):
    applicant = f.IdFilter(method="filter_applicant",
                           help_text="Bara hushåll där sökanden med detta id är eller har varit medlem.")

    def filter_applicant(self, queryset, name, value):
        # A subquery, not a join: a person with two membership periods gives one household row.
        return queryset.filter(pk__in=HouseholdMember.objects.filter(applicant_id=value).values("household_id"))


class ApplicantViewSet(
    ConditionalMixin, IdempotentCreateMixin, AccessLoggedReadMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet
):
    """Sökande. Search by personnummer with POST /applicants/search/, never in the URL."""

    permission_classes = [HasRole]
    allowed_roles = PERSONAL_DATA_READERS
    allowed_roles_by_action = {"create": CASEWORKERS, "partial_update": CASEWORKERS,
                               "replace_reserve_number": CASEWORKERS, "correct_identity_number": CASEWORKERS}
    serializer_class = s.ApplicantSerializer
    filterset_class = ApplicantFilter
    ordering_fields = ["last_name", "first_name", "birth_date"]
    access_object_type = "cases.applicant"

    def get_queryset(self):
        return selectors.applicant_list(user=self.request.user)

    def person_ids(self, obj):
        return [obj.pk]

    @extend_schema(request=s.ApplicantCreateSerializer, responses={201: s.ApplicantSerializer}, examples=ex.APPLICANT_CREATE)
    def create(self, request):
        data = s.ApplicantCreateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        applicant = services.applicant_create(actor=request.user, **data.validated_data)
        return Response(self.get_serializer(self.get_queryset().get(pk=applicant.pk)).data,
                        status=status.HTTP_201_CREATED)

    @extend_schema(request=t.ReserveNumberReplaceSerializer, responses={200: s.ApplicantSerializer})
    @action(detail=True, methods=["post"], url_path="replace-reserve-number")
    def replace_reserve_number(self, request, pk=None):
        """The real personnummer or samordningsnummer replaces the reserve number; the person and every
        record about them stay the same, the reserve number is kept (replaced_reserve_numbers)."""
        applicant = self.get_object()
        data = t.ReserveNumberReplaceSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        applicant = reserve_number_services.applicant_replace_reserve_number(
            actor=request.user, applicant=applicant, **data.validated_data)
        return Response(self.get_serializer(self.get_queryset().get(pk=applicant.pk)).data)

    @extend_schema(request=t.IdentityNumberCorrectSerializer, responses={200: s.ApplicantSerializer})
    @action(detail=True, methods=["post"], url_path="correct-identity-number")
    def correct_identity_number(self, request, pk=None):
        """Correct the person's personnummer or samordningsnummer (entered wrong, or a samordningsnummer
        followed by a personnummer), with the reason. The person and every record about them stay
        the same; the old number is kept (corrected_identity_numbers) and still finds the person in
        a search. Never by PATCH: there the number answers 400."""
        applicant = self.get_object()
        data = t.IdentityNumberCorrectSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        applicant = reserve_number_services.applicant_correct_identity_number(
            actor=request.user, applicant=applicant, **data.validated_data)
        return Response(self.get_serializer(self.get_queryset().get(pk=applicant.pk)).data)

    @extend_schema(request=s.ApplicantUpdateSerializer, responses={200: s.ApplicantSerializer})
    def partial_update(self, request, pk=None):
        applicant = self.get_object()
        data = s.ApplicantUpdateSerializer(data=request.data, partial=True, context={"applicant": applicant})
        data.is_valid(raise_exception=True)
        applicant = services.applicant_update(actor=request.user, applicant=applicant, **data.validated_data)
        return Response(self.get_serializer(applicant).data)

    @extend_schema(request=s.ApplicantSearchSerializer, responses={200: s.ApplicantSerializer(many=True)})
    @action(detail=False, methods=["post"], pagination_class=None)  # at most 50, never paged
    def search(self, request):
        """Search for people by personnummer or reserve number (POST: the number is never in a URL)."""
        data = s.ApplicantSearchSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        pnr = data.validated_data.get("personal_identity_number")
        reserve = data.validated_data.get("reserve_number")
        results = list(
            selectors.applicant_search(
                user=request.user,
                personal_identity_number=services.normalise_identity_number(pnr) if pnr else None,
                reserve_number=reserve_number_services.normalise_reserve_number(reserve) if reserve else None,
                name=data.validated_data.get("name"),
            )[:50]
        )
        self.log_access(results, AccessAction.SEARCH)
        return Response(self.get_serializer(results, many=True).data)


class HouseholdViewSet(
    ConditionalMixin, IdempotentCreateMixin, AccessLoggedReadMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet
):
    """Hushåll with their members and periods."""

    permission_classes = [HasRole]
    allowed_roles = PERSONAL_DATA_READERS
    allowed_roles_by_action = {"create": CASEWORKERS, "members": CASEWORKERS, "end_member": CASEWORKERS}
    serializer_class = s.HouseholdSerializer
    filterset_class = HouseholdFilter
    access_object_type = "cases.household"
    ordering_fields = ["id", "created_at"]

    def get_queryset(self):
        return selectors.household_list(user=self.request.user)

    def person_ids(self, obj):
        return selectors.household_person_ids(obj)

    @extend_schema(request=s.HouseholdCreateSerializer, responses={201: s.HouseholdSerializer})
    def create(self, request):
        data = s.HouseholdCreateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        household = services.household_create(actor=request.user, members=data.validated_data["members"])
        return Response(
            self.get_serializer(self.get_queryset().get(pk=household.pk)).data, status=status.HTTP_201_CREATED
        )

    @extend_schema(request=s.HouseholdMemberInputSerializer, responses={201: s.HouseholdMemberSerializer})
    @action(detail=True, methods=["post"])
    def members(self, request, pk=None):
        """Add a person to the household from a date, with their role."""
        household = self.get_object()
        data = s.HouseholdMemberInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        member = services.household_member_add(actor=request.user, household=household, **data.validated_data)
        return Response(s.HouseholdMemberSerializer(member).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=s.MemberEndSerializer, responses={200: s.HouseholdMemberSerializer})
    @action(detail=True, methods=["post"], url_path="end-member")
    def end_member(self, request, pk=None):
        """End a person's membership of the household on a date."""
        household = self.get_object()
        data = s.MemberEndSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        member = household.members.filter(pk=data.validated_data["member"]).first()
        if member is None:
            raise _field_error("member", "Medlemmen finns inte i hushållet.")
        member = services.household_member_end(
            actor=request.user, member=member, valid_to=data.validated_data["valid_to"]
        )
        return Response(s.HouseholdMemberSerializer(member).data)


class CaseFilter(f.FilterSet):
    status = f.choice(CaseStatus.choices, "Bara ärenden med denna status.")
    unit = f.unit()
    responsible_caseworker = f.by_id("responsible_caseworker_id", "Ansvarig handläggares id (som i /api/v1/staff/).")
    opening_way = f.choice(OpeningWay.choices, "Bara ärenden som aktualiserades på detta sätt.")
    opened_from, opened_to = f.date_range("opened_on", "Öppnade")


class CaseViewSet(ConditionalMixin, IdempotentCreateMixin, AccessLoggedReadMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Ärenden: open, set support barriers, assign a coordinator, close."""

    permission_classes = [HasRole]
    allowed_roles = PERSONAL_DATA_READERS
    allowed_roles_by_action = {
        "create": CASEWORKERS,
        "close": CASEWORKERS,
        "activate": CASEWORKERS,
        "support_barriers": CASEWORKERS,
        "coordinator_assignments": frozenset({Role.CASEWORKER, Role.UNIT_MANAGER}),
        "end_coordinator_assignment": frozenset({Role.CASEWORKER, Role.UNIT_MANAGER}),
        "transfer": transfer_services.TRANSFERRERS,
    }
    serializer_class = s.CaseSerializer
    filterset_class = CaseFilter
    ordering_fields = ["opened_on", "closed_on", "id"]
    access_object_type = "cases.case"

    def get_queryset(self):
        return selectors.case_list(user=self.request.user)

    def person_ids(self, obj):
        return selectors.case_person_ids(obj)

    def _refreshed(self, case: Case):
        return self.get_serializer(self.get_queryset().get(pk=case.pk)).data

    @extend_schema(request=s.CaseCreateSerializer, responses={201: s.CaseSerializer}, examples=ex.CASE_CREATE)
    def create(self, request):
        data = s.CaseCreateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        v = data.validated_data
        household = selectors.households_for(request.user).filter(pk=v["household"]).first()
        if household is None:
            raise _field_error("household", "Hushållet finns inte eller ligger utanför din behörighet.")
        caseworker = None
        if v.get("responsible_caseworker"):
            caseworker = selectors.staff_list().filter(pk=v["responsible_caseworker"]).first()
            if caseworker is None:
                raise _field_error("responsible_caseworker", "Medarbetaren finns inte.")
        case = services.case_open(
            actor=request.user,
            household=household,
            opened_on=v["opened_on"],
            opening_way=v["opening_way"],
            responsible_caseworker=caseworker,
            support_barriers=v.get("support_barriers", []),
        )
        return Response(self._refreshed(case), status=status.HTTP_201_CREATED)

    @extend_schema(request=None, responses={200: s.CaseSerializer})
    @action(detail=True, methods=["post"])
    def activate(self, request, pk=None):
        """Aktualisera: the case becomes active."""
        case = services.case_activate(actor=request.user, case=self.get_object())
        return Response(self._refreshed(case))

    @extend_schema(request=s.CaseCloseSerializer, responses={200: s.CaseSerializer})
    @action(detail=True, methods=["post"])
    def close(self, request, pk=None):
        """Avsluta ärendet, with the date and reason."""
        case = self.get_object()
        data = s.CaseCloseSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        case = services.case_close(
            actor=request.user,
            case=case,
            closed_on=data.validated_data.get("closed_on"),
            closing_reason=data.validated_data.get("closing_reason"),
        )
        return Response(self._refreshed(case))

    @extend_schema(request=s.CaseBarrierSetSerializer, responses={201: s.CaseSupportBarrierSerializer})
    @action(detail=True, methods=["post"], url_path="support-barriers")
    def support_barriers(self, request, pk=None):
        """Set one of the person's försörjningshinder on the case."""
        case = self.get_object()
        data = s.CaseBarrierSetSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        row = services.case_set_support_barrier(
            actor=request.user,
            case=case,
            applicant_id=data.validated_data["applicant"],
            barrier_code=data.validated_data["barrier"],
            valid_from=data.validated_data["valid_from"],
        )
        return Response(s.CaseSupportBarrierSerializer(row).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=s.CoordinatorAssignSerializer, responses={201: s.CoordinatorAssignmentSerializer})
    @action(detail=True, methods=["post"], url_path="coordinator-assignments")
    def coordinator_assignments(self, request, pk=None):
        """Assign a coordinator (arbetsmarknadskoordinator) to the case from a date."""
        case = self.get_object()
        data = s.CoordinatorAssignSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        coordinator = selectors.staff_list().filter(pk=data.validated_data["coordinator"]).first()
        if coordinator is None:
            raise _field_error("coordinator", "Medarbetaren finns inte.")
        with api_field_names(data):
            assignment = services.coordinator_assign(
                actor=request.user,
                case=case,
                applicant_id=data.validated_data["applicant"],
                coordinator=coordinator,
                start_date=data.validated_data["start_date"],
            )
        return Response(s.CoordinatorAssignmentSerializer(assignment).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=s.AssignmentEndSerializer, responses={200: s.CoordinatorAssignmentSerializer})
    @action(detail=True, methods=["post"], url_path="end-coordinator-assignment")
    def end_coordinator_assignment(self, request, pk=None):
        """End a coordinator's assignment to the case on a date."""
        case = self.get_object()
        data = s.AssignmentEndSerializer(data=request.data)
        data.is_valid(raise_exception=True)  # before the lookup: a non-numeric id must be a 400, not a 500
        assignment = case.coordinator_assignments.filter(pk=data.validated_data["assignment"]).first()
        if assignment is None:
            raise _field_error("assignment", "Tilldelningen finns inte i ärendet.")
        with api_field_names(data):
            assignment = services.coordinator_assignment_end(
                actor=request.user, assignment=assignment, end_date=data.validated_data["end_date"]
            )
        return Response(s.CoordinatorAssignmentSerializer(assignment).data)

    @extend_schema(request=t.CaseTransferInputSerializer, responses={201: t.CaseTransferSerializer})
    @action(detail=True, methods=["post"])
    def transfer(self, request, pk=None):
        """Överflyttning: the case moves to another caseworker or unit from a date (today, earlier, or
        planned a few days ahead); the unit that holds it now does this."""
        case = self.get_object()
        data = t.CaseTransferInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        row = transfer_services.case_transfer(actor=request.user, case=case, **data.validated_data)
        row = selectors.case_transfer_list(case=case).get(pk=row.pk)
        return Response(t.CaseTransferSerializer(row).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=None, responses={200: t.CaseTransferSerializer(many=True)})
    @action(detail=True, methods=["get"], pagination_class=None, filter_backends=[])
    def transfers(self, request, pk=None):
        """Who held the case when: its transfers in date order (empty: held since it opened by its
        unit). Every read is logged, on the case and on each transfer."""
        case = self.get_object()
        rows = list(selectors.case_transfer_list(case=case))
        person_ids = selectors.case_person_ids(case) or [None]
        record_access(actor=request.user, action=AccessAction.READ, object_type=self.access_object_type,
                      subjects=[(case.pk, pid) for pid in person_ids])
        record_access(actor=request.user, action=AccessAction.LIST, object_type="cases.casetransfer",
                      subjects=[(row.pk, pid) for row in rows for pid in person_ids])
        return Response(t.CaseTransferSerializer(rows, many=True).data)
