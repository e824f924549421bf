"""Thin API views for insatser: check input types, call a service or selector, serialise.

Roles are checked twice on purpose: HasRole keeps out those who may not even read, and the
service refuses a write by the wrong role naming the field (e.g. who confirms a closing).
"""

from __future__ import annotations

import datetime

import django_filters
from django.core.exceptions import ValidationError
from django.http import Http404
from django.utils import timezone
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiExample, OpenApiParameter, extend_schema
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response
from rest_framework.views import APIView

from audit.models import AccessAction
from audit.recording.log import record_access
from cases.models import Role, Unit
from cases.selectors import cases_for
from config.api import filters as f
from config.api.access import AccessLoggedReadMixin
from config.api.concurrency import ConditionalMixin
from config.api.idempotency import IdempotentCreateMixin
from config.api.names import api_field_names
from config.api.permissions import HasRole

from .. import selectors, services
from ..attendance_services import AttendanceRow, attendance_report, attendance_report_week
from ..full_time import full_time_activity, week_of
from ..models import (
    ClosingReason,
    DecisionKind,
    ExemptionReason,
    InsatsDecision,
    InsatsType,
    ParticipationStatus,
    ReferralStatus,
    Track,
)
from ..timeline import person_timeline
from . import examples as ex
from . import serializers as s

ALL_STAFF = frozenset(Role.values)
READERS = frozenset({Role.CASEWORKER, Role.COORDINATOR, Role.UNIT_MANAGER, Role.INSATS_STAFF})
CASE_READERS = frozenset({Role.CASEWORKER, Role.COORDINATOR, Role.UNIT_MANAGER})
CATALOGUE_EDITORS = frozenset({Role.ADMINISTRATOR, Role.UNIT_MANAGER})

ATTENDANCE_BULK_EXAMPLES = [
    OpenApiExample("En grupps vecka", request_only=True, value={
        "week_start": "2026-11-23",
        "rows": [
            {"participation": 101, "attended_hours": "32.00"},
            {"participation": 102, "attended_hours": "12.50", "note": "Sjuk tisdag till torsdag."},
            {"participation": 103, "attended_hours": "0"},
        ],
    }),
    OpenApiExample("En rad är fel: inget sparas", response_only=True, status_codes=["400"], value={
        "error": {"code": "validation_error", "message": "Uppgifterna är inte giltiga.", "fields": {
            "rows[2].attended_hours": [
                {"code": "max_value", "message": "Kontrollera att detta värde är mindre än eller lika med 168."}],
        }},
    }),
]


def _not_found(field: str, message: str = "Finns inte eller ligger utanför din behörighet.") -> ValidationError:
    return ValidationError({field: ValidationError(message, code="not_found")})


INSATS = "Insatsens id (som i /api/v1/insatser/)."


class InsatsFilter(f.FilterSet):
    insats_type = f.choice(InsatsType.choices, "Bara insatser av denna typ.")
    track = f.by_code("track__code", "Ingångens kod (som i /api/v1/tracks/).")
    provider_unit = f.unit("provider_unit__code")
    is_active = f.is_active()


class InsatsDecisionFilter(f.FilterSet):
    applicant = f.applicant()
    case = f.case()
    kind = f.choice(DecisionKind.choices, "Bara beslut om insats av detta slag.")
    decided_from, decided_to = f.date_range("decided_on", "Beslutsdag")


class ReferralFilter(f.FilterSet):
    applicant = f.applicant()
    insats = f.by_id("insats_id", INSATS)
    status = f.choice(ReferralStatus.choices, "Bara anvisningar med denna status.")
    referred_from, referred_to = f.date_range("referred_on", "Anvisad")


class ParticipationFilter(f.FilterSet):
    applicant = f.applicant()
    insats = f.by_id("insats_id", INSATS)
    status = f.choice(ParticipationStatus.choices, "Bara deltaganden med denna status.")
    # Sorted by the API's names (the model's are start_date and decision_period_end).
    ordering = django_filters.OrderingFilter(
        fields=(("start_date", "valid_from"), ("decision_period_end", "decision_period_to")),
        field_labels={"start_date": "Deltagandets första dag", "decision_period_end": "Beslutsperiodens sista dag"},
        help_text="Sortering: valid_from eller decision_period_to, med - före för fallande ordning.")


class ClosingFilter(f.FilterSet):
    applicant = f.applicant("participation__applicant_id")
    reason = f.choice(ClosingReason.choices, "Bara avslut med denna avslutsorsak.")


class ExemptionFilter(f.FilterSet):
    applicant = f.applicant()
    reason = f.choice(ExemptionReason.choices, "Bara avsteg med detta skäl.")


class TrackViewSet(mixins.ListModelMixin, viewsets.GenericViewSet):
    """Ingångar (reference data)."""

    permission_classes = [HasRole]
    allowed_roles = ALL_STAFF
    serializer_class = s.TrackSerializer
    pagination_class = None
    filter_backends = f.FILTERS_ONLY
    filterset_class = f.code_filterset(Track, "Ingång")

    def get_queryset(self):
        return selectors.track_list()


class InsatsViewSet(ConditionalMixin, IdempotentCreateMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """The catalogue of insatser (no personal data). The queue of an insats is personal data."""

    permission_classes = [HasRole]
    allowed_roles = ALL_STAFF
    allowed_roles_by_action = {
        "create": CATALOGUE_EDITORS,
        "partial_update": CATALOGUE_EDITORS,
        "queue": frozenset({Role.COORDINATOR, Role.INSATS_STAFF, Role.UNIT_MANAGER}),
    }
    serializer_class = s.InsatsSerializer
    filterset_class = InsatsFilter
    ordering_fields = ["name", "capacity"]

    def get_queryset(self):
        return selectors.insats_list()

    @extend_schema(request=s.InsatsCreateSerializer, responses={201: s.InsatsSerializer})
    def create(self, request):
        data = s.InsatsCreateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        v = dict(data.validated_data)
        track = Track.objects.filter(code=v.pop("track")).first()
        if track is None:
            raise _not_found("track", "Ingången finns inte.")
        unit_code = v.pop("provider_unit", "")
        unit = Unit.objects.filter(code=unit_code).first() if unit_code else None
        if unit_code and unit is None:
            raise _not_found("provider_unit", "Enheten finns inte.")
        insats = services.insats_create(actor=request.user, track=track, provider_unit=unit, **v)
        return Response(self.get_serializer(insats).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=s.InsatsUpdateSerializer, responses={200: s.InsatsSerializer})
    def partial_update(self, request, pk=None):
        insats = self.get_object()
        data = s.InsatsUpdateSerializer(data=request.data, partial=True)
        data.is_valid(raise_exception=True)
        insats = services.insats_update(actor=request.user, insats=insats, **data.validated_data)
        return Response(self.get_serializer(insats).data)

    @extend_schema(responses={200: s.ReferralSerializer(many=True)})
    @action(detail=True, methods=["get"], pagination_class=None, filter_backends=[])  # the whole queue, in order
    def queue(self, request, pk=None):
        """The queue in order; each referral shows whether the person has a temporary activity."""
        referrals = list(selectors.queue_for(user=request.user, insats=self.get_object()))
        record_access(actor=request.user, action=AccessAction.LIST, object_type="insatser.referral",
                      subjects=[(r.pk, r.applicant_id) for r in referrals])
        return Response(s.ReferralSerializer(referrals, many=True).data)


class PersonLoggedMixin(AccessLoggedReadMixin):
    def person_ids(self, obj):
        return [obj.applicant_id]


class InsatsDecisionViewSet(ConditionalMixin, IdempotentCreateMixin, PersonLoggedMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Beslut om insats (SoL 12 kap. 4 §): caseworkers decide; coordinators read."""

    permission_classes = [HasRole]
    allowed_roles = CASE_READERS
    serializer_class = s.InsatsDecisionSerializer
    filterset_class = InsatsDecisionFilter
    ordering_fields = ["decided_on", "valid_from"]
    access_object_type = "insatser.insatsdecision"

    def get_queryset(self):
        return selectors.decision_list(user=self.request.user)

    @extend_schema(request=s.InsatsDecisionCreateSerializer, responses={201: s.InsatsDecisionSerializer})
    def create(self, request):
        data = s.InsatsDecisionCreateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        v = dict(data.validated_data)
        case = cases_for(request.user).filter(pk=v.pop("case")).first()
        applicant = selectors.case_persons_for(request.user).filter(pk=v.pop("applicant")).first()
        if request.user.role == Role.CASEWORKER:
            if case is None:
                raise _not_found("case")
            if applicant is None:
                raise _not_found("applicant")
        decision = services.insats_decision_create(actor=request.user, case=case, applicant=applicant, **v)
        return Response(self.get_serializer(decision).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=s.InsatsDecisionEndSerializer, responses={200: s.InsatsDecisionSerializer})
    @action(detail=True, methods=["post"])
    def end(self, request, pk=None):
        """End the insats decision."""
        decision = self.get_object()
        data = s.InsatsDecisionEndSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        decision = services.insats_decision_end(actor=request.user, decision=decision, **data.validated_data)
        return Response(self.get_serializer(decision).data)


class ReferralViewSet(ConditionalMixin, IdempotentCreateMixin, PersonLoggedMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Anvisningar: coordinators refer; a place is given by the insats staff or the coordinator."""

    created_routes = {"start": "participation-detail"}  # Location of what the action creates
    permission_classes = [HasRole]
    allowed_roles = READERS
    serializer_class = s.ReferralSerializer
    filterset_class = ReferralFilter
    ordering_fields = ["referred_on", "queue_position"]
    access_object_type = "insatser.referral"

    def get_queryset(self):
        return selectors.referral_list(user=self.request.user)

    @extend_schema(request=s.ReferralCreateSerializer, responses={201: s.ReferralSerializer}, examples=ex.REFERRAL_CREATE)
    def create(self, request):
        data = s.ReferralCreateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        v = data.validated_data
        applicant = selectors.case_persons_for(request.user).filter(pk=v["applicant"]).first()
        insats = selectors.insats_list().filter(pk=v["insats"]).first()
        decision = None
        if v.get("decision"):
            decision = InsatsDecision.objects.filter(pk=v["decision"], applicant_id=v["applicant"]).first()
            if decision is None:
                raise _not_found("decision")
        if request.user.role == Role.COORDINATOR and applicant is None:
            raise _not_found("applicant")
        if insats is None:
            raise _not_found("insats", "Insatsen finns inte.")
        referral = services.referral_create(
            actor=request.user, applicant=applicant, insats=insats, decision=decision,
            referred_on=v.get("referred_on") or timezone.localdate(), note=v.get("note", ""),
        )
        return Response(self.get_serializer(self.get_queryset().get(pk=referral.pk)).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=s.ReferralStartSerializer, responses={201: s.ParticipationSerializer})
    @action(detail=True, methods=["post"])
    def start(self, request, pk=None):
        """Start the referral: the person begins the insats, which opens a participation."""
        referral = self.get_object()
        data = s.ReferralStartSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        v = dict(data.validated_data)
        start_date = v.pop("start_date")
        with api_field_names(data):
            participation = services.referral_start(actor=request.user, referral=referral, start_date=start_date, hours=v)
        return Response(s.ParticipationSerializer(participation).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=None, responses={200: s.ReferralSerializer})
    @action(detail=True, methods=["post"])
    def withdraw(self, request, pk=None):
        """Återkalla the referral; it stays, marked withdrawn."""
        referral = services.referral_withdraw(actor=request.user, referral=self.get_object())
        return Response(self.get_serializer(self.get_queryset().get(pk=referral.pk)).data)


class ParticipationViewSet(ConditionalMixin, IdempotentCreateMixin, PersonLoggedMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Deltaganden. Insats staff see the participations at their unit only."""

    permission_classes = [HasRole]
    allowed_roles = READERS
    allowed_roles_by_action = {"attendance_bulk": frozenset({Role.INSATS_STAFF})}
    serializer_class = s.ParticipationSerializer
    filter_backends = f.FILTERS_ONLY  # ordering is ParticipationFilter's, by the API's names
    filterset_class = ParticipationFilter
    access_object_type = "insatser.participation"

    def get_queryset(self):
        return selectors.participation_list(user=self.request.user)

    def _refreshed(self, participation):
        return self.get_serializer(self.get_queryset().get(pk=participation.pk)).data

    @extend_schema(request=s.ExtendSerializer, responses={200: s.ParticipationSerializer})
    @action(detail=True, methods=["post"])
    def extend(self, request, pk=None):
        """Extend the participation to a new end date."""
        participation = self.get_object()
        data = s.ExtendSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        with api_field_names(data):
            services.participation_extend(actor=request.user, participation=participation, **data.validated_data)
        return Response(self._refreshed(participation))

    @extend_schema(request=s.AttendanceInputSerializer, responses={200: s.AttendanceSerializer}, examples=ex.ATTENDANCE)
    @action(detail=True, methods=["post"])
    def attendance(self, request, pk=None):
        """Report närvaro for the participation: hours attended in one week."""
        participation = self.get_object()
        data = s.AttendanceInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        row = attendance_report(actor=request.user, participation=participation, **data.validated_data)
        return Response(s.AttendanceSerializer(row).data)

    @extend_schema(
        request=s.AttendanceBulkSerializer, responses={200: s.AttendanceBulkResultSerializer},
        examples=ATTENDANCE_BULK_EXAMPLES,
    )
    @action(detail=False, methods=["post"], url_path="attendance/bulk", url_name="attendance-bulk")
    def attendance_bulk(self, request):
        """Report a group's närvaro for one week in one request: every row is saved, or none.

        Each row is one participation at your unit with the hours attended that week, checked by
        the same rules as the single POST (participations/{id}/attendance/). Any row wrong and
        nothing is saved: the answer is 400 with every row's errors named by index and field
        (`rows[3].attended_hours`). A participation that does not exist or is not at your unit
        is a row error (`rows[i].participation`), not a 403, so that you know which row to drop.
        At most API_BULK_MAX_ROWS rows (200 unless the municipality set otherwise); more is a
        400 naming `rows`. A row whose hours and note are unchanged is left as it is."""
        data = s.AttendanceBulkSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        week_start = data.validated_data["week_start"]
        report = attendance_report_week(actor=request.user, week_start=week_start, rows=[
            AttendanceRow(row["participation"], row["attended_hours"], row["note"])
            for row in data.validated_data["rows"]
        ])
        # The written rows are in the change log (record_changes); the unchanged ones, read back in
        # the answer, are logged as read, in one INSERT.
        record_access(actor=request.user, action=AccessAction.READ, object_type="insatser.weeklyattendance",
                      subjects=[(row.pk, row.participation.applicant_id) for row in report.unchanged])
        body = {"week_start": week_start, "written": report.written, "rows": report.rows}
        return Response(s.AttendanceBulkResultSerializer(body).data)

    @extend_schema(request=s.ClosingProposeSerializer, responses={201: s.ClosingSerializer}, examples=ex.CLOSING_PROPOSE)
    @action(detail=True, methods=["post"])
    def closing(self, request, pk=None):
        """Propose the participation's avslut, with the outcome; it closes when confirmed (POST /closings/{id}/confirm/)."""
        participation = self.get_object()
        data = s.ClosingProposeSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        with api_field_names(data):
            closing = services.closing_propose(actor=request.user, participation=participation, **data.validated_data)
        return Response(s.ClosingSerializer(closing).data, status=status.HTTP_201_CREATED)


class ClosingViewSet(ConditionalMixin, IdempotentCreateMixin, mixins.ListModelMixin, viewsets.GenericViewSet):
    """Closings waiting for the caseworker's confirmation, for the coordinator and the caseworker."""

    permission_classes = [HasRole]
    allowed_roles = CASE_READERS
    serializer_class = s.ClosingSerializer
    filter_backends = f.FILTERS_ONLY
    filterset_class = ClosingFilter
    access_object_type = "insatser.participationclosing"

    def get_queryset(self):
        return selectors.closings_pending(user=self.request.user)

    def list(self, request, *args, **kwargs):
        page = self.paginate_queryset(self.filter_queryset(self.get_queryset()))
        record_access(actor=request.user, action=AccessAction.LIST, object_type=self.access_object_type,
                      subjects=[(c.pk, c.participation.applicant_id) for c in page])
        return self.get_paginated_response(self.get_serializer(page, many=True).data)

    @extend_schema(request=None, responses={200: s.ParticipationSerializer})
    @action(detail=True, methods=["post"])
    def confirm(self, request, pk=None):
        """Bekräfta avslutet of a participation (the coordinator's confirmation)."""
        participation = services.closing_confirm(actor=request.user, closing=self.get_object())
        return Response(s.ParticipationSerializer(participation).data)


class ExemptionViewSet(ConditionalMixin, IdempotentCreateMixin, PersonLoggedMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Avsteg från heltidsaktivering."""

    permission_classes = [HasRole]
    allowed_roles = CASE_READERS
    serializer_class = s.ExemptionSerializer
    filterset_class = ExemptionFilter
    ordering_fields = ["valid_from", "review_on"]
    access_object_type = "insatser.exemption"

    def get_queryset(self):
        return selectors.exemption_list(user=self.request.user)

    @extend_schema(request=s.ExemptionCreateSerializer, responses={201: s.ExemptionSerializer})
    def create(self, request):
        data = s.ExemptionCreateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        v = dict(data.validated_data)
        applicant = selectors.case_persons_for(request.user).filter(pk=v.pop("applicant")).first()
        if applicant is None:
            raise _not_found("applicant")
        exemption = services.exemption_create(
            actor=request.user, applicant=applicant, **{"valid_to": None, "review_on": None, **v}
        )
        return Response(self.get_serializer(exemption).data, status=status.HTTP_201_CREATED)


WEEK_PARAM = OpenApiParameter("week", OpenApiTypes.DATE, description="En dag i veckan (standard: innevarande vecka).")


class FullTimeView(APIView):
    """Heltidsaktivering per person for one week: scheduled and attended hours against the norm."""

    permission_classes = [HasRole]
    allowed_roles = CASE_READERS

    @extend_schema(parameters=[WEEK_PARAM], responses={200: s.FullTimeSerializer(many=True)})
    def get(self, request):
        raw = request.query_params.get("week")
        try:
            day = datetime.date.fromisoformat(raw) if raw else timezone.localdate()
        except ValueError as exc:
            raise ValidationError({"week": ValidationError("Ange ett datum (ÅÅÅÅ-MM-DD).", code="invalid")}) from exc
        rows = list(full_time_activity(week_start=week_of(day), persons=selectors.case_persons_for(request.user)))
        record_access(actor=request.user, action=AccessAction.LIST, object_type="insatser.full_time",
                      subjects=[(f"{week_of(day)}:{r.pk}", r.pk) for r in rows])
        return Response(s.FullTimeSerializer(rows, many=True).data)


class PersonTimelineView(APIView):
    """A person's plans, follow-ups, decisions, referrals, participations and exemptions in date order."""

    permission_classes = [HasRole]
    allowed_roles = CASE_READERS

    @extend_schema(responses={200: s.TimelineEventSerializer(many=True)})
    def get(self, request, pk: int):
        applicant = selectors.case_persons_for(request.user).filter(pk=pk).only("pk").first()
        if applicant is None:
            raise Http404
        events = person_timeline(user=request.user, applicant_id=applicant.pk)
        record_access(actor=request.user, action=AccessAction.READ, object_type="insatser.timeline",
                      subjects=[(applicant.pk, applicant.pk)])
        return Response(s.TimelineEventSerializer(events, many=True).data)
