"""Thin API views for planning: check input types, call a service or selector, serialise.

Reads: coordinators (their assigned persons), caseworkers and unit managers (their scope), all
through cases.selectors.applicants_for. Writes: coordinators only (the services check it too).
"""

from __future__ import annotations

import django_filters
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response
from rest_framework.views import APIView

from audit.models import AccessAction
from audit.recording.log import record_access
from cases.models import Role
from cases.selectors import applicants_for
from config.api import filters as f
from config.api.access import AccessLoggedReadMixin
from config.api.concurrency import ConditionalMixin
from config.api.idempotency import IdempotentCreateMixin
from config.api.names import api_field_names
from config.api.permissions import HasRole

from .. import quality, selectors, services
from ..models import BipInstrument, ImplementationPlan, PlanStatus
from . import examples as ex
from . import serializers as s

READERS = frozenset({Role.COORDINATOR, Role.CASEWORKER, Role.UNIT_MANAGER})
COORDINATORS = frozenset({Role.COORDINATOR})
CHILDREN = ("subgoals", "activities")


def _field_error(field: str, message: str, code: str = "not_found") -> ValidationError:
    return ValidationError({field: ValidationError(message, code=code)})


class PersonLoggedMixin(AccessLoggedReadMixin):
    def person_ids(self, obj):
        return [obj.applicant_id]


class AssessmentFilter(f.FilterSet):
    applicant = f.applicant()
    assessed_from, assessed_to = f.date_range("assessed_on", "Kartlagd")


class AssessmentViewSet(ConditionalMixin, IdempotentCreateMixin, PersonLoggedMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Kartläggningar."""

    permission_classes = [HasRole]
    allowed_roles = READERS
    allowed_roles_by_action = {"create": COORDINATORS}
    serializer_class = s.AssessmentSerializer
    filterset_class = AssessmentFilter
    ordering_fields = ["assessed_on", "id"]
    access_object_type = "planning.assessment"

    def get_queryset(self):
        return selectors.assessment_list(user=self.request.user)

    @extend_schema(request=s.AssessmentCreateSerializer, responses={201: s.AssessmentSerializer})
    def create(self, request):
        data = s.AssessmentCreateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        assessment = services.assessment_create(actor=request.user, **data.validated_data)
        return Response(self.get_serializer(assessment).data, status=status.HTTP_201_CREATED)


class PlanFilter(f.FilterSet):
    applicant = f.applicant()
    status = f.choice(PlanStatus.choices, "Bara planer med denna status.")
    version = django_filters.NumberFilter(help_text="Bara planens version med detta nummer (1, 2, ...).")
    made_from, made_to = f.date_range("made_on", "Upprättad")


class PlanViewSet(ConditionalMixin, IdempotentCreateMixin, PersonLoggedMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Genomförandeplaner: draft, change the draft, sign, start a new version. A signed plan is fixed."""

    created_routes = {"new_version": "plan-detail"}  # Location of what the action creates
    permission_classes = [HasRole]
    allowed_roles = READERS
    allowed_roles_by_action = {
        "create": COORDINATORS, "partial_update": COORDINATORS, "sign": COORDINATORS, "new_version": COORDINATORS,
    }
    serializer_class = s.PlanSerializer
    filterset_class = PlanFilter
    ordering_fields = ["made_on", "version", "id"]
    access_object_type = "planning.implementationplan"

    def get_queryset(self):
        return selectors.plan_list(user=self.request.user)

    def get_serializer_context(self):
        return {**super().get_serializer_context(), "blocking_checkpoints": quality.blocking_checkpoints()}

    def _refreshed(self, plan: ImplementationPlan):
        return self.get_serializer(self.get_queryset().get(pk=plan.pk)).data

    @extend_schema(request=s.PlanCreateSerializer, responses={201: s.PlanSerializer}, examples=ex.PLAN_CREATE)
    def create(self, request):
        data = s.PlanCreateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        v = dict(data.validated_data)
        if v.get("assessment") is not None:
            assessment = selectors.assessment_list(user=request.user).filter(pk=v["assessment"]).first()
            if assessment is None:
                raise _field_error("assessment", "Kartläggningen finns inte eller ligger utanför din behörighet.")
            v["assessment"] = assessment
        with api_field_names(data):
            plan = services.plan_create(actor=request.user, **v)
        return Response(self._refreshed(plan), status=status.HTTP_201_CREATED)

    @extend_schema(request=s.PlanFieldsSerializer, responses={200: s.PlanSerializer})
    def partial_update(self, request, pk=None):
        plan = self.get_object()
        data = s.PlanFieldsSerializer(data=request.data, partial=True)
        data.is_valid(raise_exception=True)
        with api_field_names(data):
            plan = services.plan_update(actor=request.user, plan=plan, **data.validated_data)
        return Response(self._refreshed(plan))

    @extend_schema(request=None, responses={200: s.SignedPlanSerializer})
    @action(detail=True, methods=["post"])
    def sign(self, request, pk=None):
        """Sign the plan. The answer is the plan, with `warnings`: the checkpoints it fails that the
        municipality lets through (they warn instead of blocking)."""
        plan = services.plan_sign(actor=request.user, plan=self.get_object())
        warnings = [{"code": a.code, "field": a.field, "message": f"{a.question} Nej: {a.reason}"}
                    for a in plan.signing_warnings]
        return Response({**self._refreshed(plan), "warnings": warnings})

    @extend_schema(request=s.NewVersionSerializer, responses={201: s.PlanSerializer})
    @action(detail=True, methods=["post"], url_path="new-version")
    def new_version(self, request, pk=None):
        """Start a new version of the plan."""
        plan = self.get_object()  # 404 before the body is read (or refused as not JSON)
        data = s.NewVersionSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        plan = services.plan_new_version(actor=request.user, plan=plan, **data.validated_data)
        return Response(self._refreshed(plan), status=status.HTTP_201_CREATED)

    @extend_schema(request=None, responses={200: s.PlanQualitySerializer})
    @action(detail=True, methods=["get"])
    def quality(self, request, pk=None):
        """The plan's answers to the quality questions."""
        plan = self.get_object()
        self.log_access([plan], AccessAction.READ)
        return Response(s.PlanQualitySerializer(quality.answers_for(plan), context=self.get_serializer_context()).data)


class FollowUpFilter(f.FilterSet):
    plan = f.by_id("plan_id", "Planens id (som i /api/v1/plans/).")
    applicant = f.applicant("plan__applicant_id")
    follows_plan = django_filters.BooleanFilter(
        help_text="Sant: bara uppföljningar där personen följer planen; falskt: bara avvikelser från planen.")
    followed_up_from, followed_up_to = f.date_range("followed_up_on", "Uppföljd")


class FollowUpViewSet(ConditionalMixin, IdempotentCreateMixin, AccessLoggedReadMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Uppföljningar of signed plans."""

    permission_classes = [HasRole]
    allowed_roles = READERS
    allowed_roles_by_action = {"create": COORDINATORS}
    serializer_class = s.FollowUpSerializer
    filterset_class = FollowUpFilter
    ordering_fields = ["followed_up_on", "id"]
    access_object_type = "planning.followup"

    def get_queryset(self):
        return selectors.follow_up_list(user=self.request.user)

    def person_ids(self, obj):
        return [obj.plan.applicant_id]

    @extend_schema(request=s.FollowUpCreateSerializer, responses={201: s.FollowUpSerializer}, examples=ex.FOLLOW_UP_CREATE)
    def create(self, request):
        data = s.FollowUpCreateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        v = dict(data.validated_data)
        plan = selectors.plans_for(request.user).filter(pk=v.pop("plan")).first()
        if plan is None:
            raise _field_error("plan", "Planen finns inte eller ligger utanför din behörighet.")
        follow_up = services.follow_up_record(actor=request.user, plan=plan, **v)
        return Response(self.get_serializer(self.get_queryset().get(pk=follow_up.pk)).data,
                        status=status.HTTP_201_CREATED)


class BipInstrumentViewSet(mixins.ListModelMixin, viewsets.GenericViewSet):
    """BIP instruments: indicators and answer scale (reference data)."""

    permission_classes = [HasRole]
    allowed_roles = READERS | {Role.ADMINISTRATOR}
    serializer_class = s.BipInstrumentSerializer
    pagination_class = None
    filter_backends = f.FILTERS_ONLY
    filterset_class = f.code_filterset(BipInstrument, "BIP-instrument")

    def get_queryset(self):
        return selectors.bip_instrument_list()


class BipAssessmentFilter(f.FilterSet):
    applicant = f.applicant()
    assessed_from, assessed_to = f.date_range("assessed_on", "Bedömd")


class BipAssessmentViewSet(ConditionalMixin, IdempotentCreateMixin, PersonLoggedMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """BIP assessments; each answer shows the change since the previous assessment (stegförflyttning)."""

    permission_classes = [HasRole]
    allowed_roles = READERS
    allowed_roles_by_action = {"create": COORDINATORS}
    serializer_class = s.BipAssessmentSerializer
    filterset_class = BipAssessmentFilter
    ordering_fields = ["assessed_on", "id"]
    access_object_type = "planning.bipassessment"

    def get_queryset(self):
        return selectors.bip_assessment_list(user=self.request.user)

    @extend_schema(request=s.BipAssessmentCreateSerializer, responses={201: s.BipAssessmentSerializer})
    def create(self, request):
        data = s.BipAssessmentCreateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        v = dict(data.validated_data)
        instrument = BipInstrument.objects.filter(code=v.pop("instrument"), is_active=True).first()
        if instrument is None:
            raise _field_error("instrument", "Instrumentet finns inte.")
        assessment = services.bip_assessment_record(actor=request.user, instrument=instrument, **v)
        return Response(self.get_serializer(self.get_queryset().get(pk=assessment.pk)).data,
                        status=status.HTTP_201_CREATED)


class PlanningTimelineView(APIView):
    """The planning part of a person's timeline, in date order (a fixed number of queries)."""

    permission_classes = [HasRole]
    allowed_roles = READERS

    @extend_schema(responses={200: s.TimelineEntrySerializer(many=True)})
    def get(self, request, applicant_id: int):
        person = get_object_or_404(applicants_for(request.user), pk=applicant_id)
        entries = selectors.timeline_entries(user=request.user, applicant_id=person.pk)
        record_access(actor=request.user, action=AccessAction.LIST, object_type="planning.timeline",
                      subjects=[(person.pk, person.pk)])
        return Response(s.TimelineEntrySerializer(entries, many=True).data)


