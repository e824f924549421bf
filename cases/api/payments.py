"""Payments by API: payment orders (list, filter, prepare, attest, record a return) and the day's
batches (list, form, download the pain.001 file). Payee accounts are personal data: every read and
every download is written to the access log. Orders are never removed; there is no DELETE."""

from __future__ import annotations

import django_filters
from django.http import HttpResponse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from audit.models import AccessAction
from audit.recording.log import record_access
from config.api import filters as f
from config.api.access import AccessLoggedReadMixin
from config.api.concurrency import ConditionalMixin
from config.api.idempotency import IdempotentCreateMixin
from config.api.permissions import HasRole
from config.limits import BoundedModelSerializer, BoundedSerializer

from .. import finance_selectors as fs
from .. import payment_selectors as ps
from .. import payment_services as services
from ..pain001 import pain001_document
from ..payment_models import PayeeAccountKind, PaymentBatch, PaymentOrder, PaymentReturn, PaymentStatus


class PaymentReturnSerializer(BoundedModelSerializer):
    class Meta:
        model = PaymentReturn
        fields = ["returned_on", "reason", "recorded_by"]
        read_only_fields = fields


class PaymentOrderSerializer(BoundedModelSerializer):
    status = serializers.SerializerMethodField(
        help_text="upprättad, attesterad, skickad (i en omgång) eller returnerad.")
    attest_right = serializers.SlugRelatedField(slug_field="code", read_only=True, allow_null=True)
    payment_return = PaymentReturnSerializer(read_only=True, allow_null=True)
    reissued_by = serializers.PrimaryKeyRelatedField(read_only=True, allow_null=True,
                                                     help_text="Ny utbetalning som betalar ut denna på nytt.")
    case = serializers.IntegerField(source="decision.application.case_id", read_only=True)

    class Meta:
        model = PaymentOrder
        fields = ["id", "decision", "case", "amount", "payment_date", "payee_name", "account_kind",
                  "clearing_number", "account_number", "reference", "status", "prepared_by", "prepared_at",
                  "attested_by", "attested_at", "attest_right", "batch", "payment_return", "reissues", "reissued_by"]
        read_only_fields = fields

    def get_status(self, obj) -> str:
        return obj.status


class PaymentOrderCreateSerializer(BoundedSerializer):
    decision = serializers.IntegerField()
    amount = serializers.IntegerField(help_text="Hela kronor.")
    payment_date = serializers.DateField()
    payee_name = serializers.CharField(max_length=70)
    account_kind = serializers.ChoiceField(choices=PayeeAccountKind.choices)
    clearing_number = serializers.CharField(required=False, allow_blank=True, default="", max_length=10)
    account_number = serializers.CharField(max_length=40)
    reference = serializers.CharField(required=False, max_length=140,
                                      help_text="Meddelande till mottagaren; som standard beslutets månad.")
    reissues = serializers.IntegerField(required=False, allow_null=True,
                                        help_text="Id för den returnerade utbetalning som betalas ut på nytt.")


class PaymentReturnCreateSerializer(BoundedSerializer):
    returned_on = serializers.DateField()
    reason = serializers.CharField(max_length=300)


class PaymentOrderFilter(f.FilterSet):
    case = f.case("decision__application__case_id")
    decision = f.by_id("decision_id", "Beslutets id (som i /api/v1/decisions/).")
    batch = f.by_id("batch_id", "Utbetalningsomgångens id (som i /api/v1/payment-batches/).")
    payment_date = django_filters.DateFilter(help_text=f"Bara utbetalningar denna dag ({f.ISO_DATE}).")
    payment_date_from, payment_date_to = f.date_range("payment_date", "Utbetalningsdag")
    status = f.choice(PaymentStatus.choices, "Bara utbetalningar med denna status.", method="filter_status")

    def filter_status(self, queryset, name, value):
        return queryset.filter(ps.with_status(value))


class PaymentBatchFilter(f.FilterSet):
    payment_date = django_filters.DateFilter(help_text=f"Bara omgången för denna utbetalningsdag ({f.ISO_DATE}).")
    payment_date_from, payment_date_to = f.date_range("payment_date", "Utbetalningsdag")


class PaymentOrderViewSet(ConditionalMixin, IdempotentCreateMixin, AccessLoggedReadMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin,
                          viewsets.GenericViewSet):
    """Utbetalningar. Prepared by a caseworker (POST), attested by another person with an attest
    right (POST /payment-orders/{id}/attest/), sent in a batch; a payment that came back is recorded
    (POST /payment-orders/{id}/return/) and may be paid again by a new order that `reissues` it."""

    permission_classes = [HasRole]
    allowed_roles = fs.FINANCE_ROLES
    allowed_roles_by_action = {"create": services.PREPARERS}
    serializer_class = PaymentOrderSerializer
    filterset_class = PaymentOrderFilter
    ordering_fields = ["payment_date", "id"]
    access_object_type = "cases.paymentorder"

    def get_queryset(self):
        return ps.payment_order_list(user=self.request.user)

    def person_ids(self, obj):
        return ps.payment_order_person_ids(obj)

    def _answer(self, order_id, code=status.HTTP_200_OK):
        return Response(self.get_serializer(self.get_queryset().get(pk=order_id)).data, status=code)

    @extend_schema(request=PaymentOrderCreateSerializer, responses={201: PaymentOrderSerializer})
    def create(self, request):
        data = PaymentOrderCreateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        order = services.payment_order_prepare(actor=request.user, **data.validated_data)
        return self._answer(order.pk, status.HTTP_201_CREATED)

    @extend_schema(request=None, responses={200: PaymentOrderSerializer})
    @action(detail=True, methods=["post"])
    def attest(self, request, pk=None):
        """Attest: by another person than the preparer, under the attest right that covers the amount."""
        order = self.get_object()
        services.payment_order_attest(actor=request.user, order=order)
        return self._answer(order.pk)

    @extend_schema(request=PaymentReturnCreateSerializer, responses={201: PaymentOrderSerializer})
    @action(detail=True, methods=["post"], url_path="return")
    def record_return(self, request, pk=None):
        """The payment came back or failed (date, reason); the order stays and no longer counts as paid."""
        order = self.get_object()
        data = PaymentReturnCreateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        services.payment_return_record(actor=request.user, order=order, **data.validated_data)
        return self._answer(order.pk, status.HTTP_201_CREATED)


class PaymentBatchSerializer(BoundedModelSerializer):
    orders = serializers.PrimaryKeyRelatedField(many=True, read_only=True)

    class Meta:
        model = PaymentBatch
        fields = ["id", "unit", "payment_date", "message_id", "number_of_orders", "total_amount", "created_by",
                  "formed_at", "orders"]
        read_only_fields = fields


class PaymentBatchCreateSerializer(BoundedSerializer):
    payment_date = serializers.DateField(help_text="Dagen vars attesterade utbetalningar ska ingå.")


class PaymentBatchViewSet(ConditionalMixin, IdempotentCreateMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Utbetalningsomgångar: the attested orders of one unit and day. The file for the bank
    (pain.001) is GET /payment-batches/{id}/pain001/; each download is logged per person paid."""

    permission_classes = [HasRole]
    allowed_roles = fs.FINANCE_ROLES
    serializer_class = PaymentBatchSerializer
    filterset_class = PaymentBatchFilter
    ordering_fields = ["payment_date", "id"]

    def get_queryset(self):
        return ps.batch_list(user=self.request.user)

    @extend_schema(request=PaymentBatchCreateSerializer, responses={201: PaymentBatchSerializer})
    def create(self, request):
        data = PaymentBatchCreateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        batch = services.payment_batch_create(actor=request.user, **data.validated_data)
        return Response(self.get_serializer(self.get_queryset().get(pk=batch.pk)).data, status=status.HTTP_201_CREATED)

    @extend_schema(responses={(200, "application/xml"): OpenApiResponse(
        response=OpenApiTypes.BINARY, description="ISO 20022 pain.001.001.03 (betalningsfil till banken)")})
    @action(detail=True, methods=["get"])
    def pain001(self, request, pk=None):
        """The batch's payment file for the bank (ISO 20022 pain.001); logged per person paid."""
        batch = self.get_object()
        orders = ps.batch_orders(batch)
        content = pain001_document(batch, orders)
        record_access(actor=request.user, action=AccessAction.EXPORT, object_type="cases.paymentorder",
                      subjects=[(o.pk, pid) for o in orders for pid in (ps.payment_order_person_ids(o) or [None])])
        response = HttpResponse(content, content_type="application/xml")
        response["Content-Disposition"] = f'attachment; filename="utbetalningar-{batch.payment_date}-{batch.pk}.xml"'
        return response
