"""Monthly applications and their calculations: thin views over application_services."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from config.api import filters as f
from config.api.access import AccessLoggedReadMixin
from config.api.concurrency import ConditionalMixin
from config.api.idempotency import IdempotentCreateMixin
from config.api.permissions import HasRole

from .. import application_services as services
from .. import finance_selectors as fs
from ..finance_models import ApplicationStatus
from ..models import Role
from . import examples as ex
from . import finance_serializers as s

FINANCE_READERS = fs.FINANCE_ROLES
CASEWORKERS = frozenset({Role.CASEWORKER})


class ApplicationFilter(f.FilterSet):
    case = f.case()
    status = f.choice(ApplicationStatus.choices, "Bara ansökningar med denna status.")
    month_from, month_to = f.date_range("month", "Ansökningsmånad (första dagen i månaden)")


class ApplicationViewSet(ConditionalMixin, IdempotentCreateMixin, AccessLoggedReadMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin,
                         viewsets.GenericViewSet):
    """Månadsansökningar: create, approve costs, calculate (stored or dry run), withdraw."""

    created_routes = {"calculate": "calculation-detail"}  # Location of what the action creates
    permission_classes = [HasRole]
    allowed_roles = FINANCE_READERS
    allowed_roles_by_action = {"create": CASEWORKERS, "approve_costs": CASEWORKERS, "withdraw": CASEWORKERS}
    serializer_class = s.ApplicationSerializer
    filterset_class = ApplicationFilter
    ordering_fields = ["month", "received_on", "id"]
    access_object_type = "cases.application"

    def get_queryset(self):
        return fs.application_list(user=self.request.user)

    def person_ids(self, obj):
        return fs.application_person_ids(obj)

    def _refreshed(self, application):
        obj = self.get_queryset().get(pk=application.pk)
        return self.get_serializer(obj).data

    @extend_schema(request=s.ApplicationCreateSerializer, responses={201: s.ApplicationSerializer},
                   examples=ex.APPLICATION_CREATE)
    def create(self, request):
        data = s.ApplicationCreateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        application = services.application_create(actor=request.user, **data.validated_data)
        return Response(self._refreshed(application), status=status.HTTP_201_CREATED)

    @extend_schema(request=s.DryRunSerializer, responses={200: s.CalculationResultSerializer})
    @action(detail=False, methods=["post"], url_path="dry-run")
    def dry_run(self, request):
        """Provberäkning: validates and calculates like a real application, saves nothing."""
        data = s.DryRunSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        result = services.application_dry_run(actor=request.user, **data.validated_data)
        return Response(s.CalculationResultSerializer(result).data)

    @extend_schema(request=None, responses={201: s.CalculationSerializer})
    @action(detail=True, methods=["post"])
    def calculate(self, request, pk=None):
        """Beräkna: the application's calculation, stored with it."""
        stored = services.application_calculate(actor=request.user, application=self.get_object())
        stored = fs.calculation_list(user=request.user).get(pk=stored.pk)
        return Response(s.CalculationSerializer(stored).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=s.CostApprovalsSerializer, responses={200: s.ApplicationSerializer})
    @action(detail=True, methods=["post"], url_path="approve-costs")
    def approve_costs(self, request, pk=None):
        """Godkänn kostnader: approve the application's costs."""
        application = self.get_object()
        data = s.CostApprovalsSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        services.application_approve_costs(actor=request.user, application=application,
                                           approvals=data.validated_data["approvals"])
        return Response(self._refreshed(application))

    @extend_schema(request=None, responses={200: s.ApplicationSerializer})
    @action(detail=True, methods=["post"])
    def withdraw(self, request, pk=None):
        """Återta: the application is withdrawn; it stays."""
        application = services.application_withdraw(actor=request.user, application=self.get_object())
        return Response(self._refreshed(application))


class CalculationFilter(f.FilterSet):
    application = f.by_id("application_id", "Ansökans id (som i /api/v1/applications/).")


class CalculationViewSet(ConditionalMixin, IdempotentCreateMixin, AccessLoggedReadMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin,
                         viewsets.GenericViewSet):
    """Stored calculations, with every line and the norm rows used."""

    permission_classes = [HasRole]
    allowed_roles = FINANCE_READERS
    serializer_class = s.CalculationSerializer
    filterset_class = CalculationFilter
    ordering_fields = ["id"]
    access_object_type = "cases.calculation"

    def get_queryset(self):
        return fs.calculation_list(user=self.request.user)

    def person_ids(self, obj):
        return fs.application_person_ids(obj.application)

