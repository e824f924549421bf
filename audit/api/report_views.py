"""API of board reports: definitions, ordering a snapshot, its progress, its figures and downloads.

POST /reports/snapshots/ answers 202 with the queued snapshot; GET .../{id}/ shows status and
progress; GET .../{id}/data/ the stored figures (409 until done); GET .../{id}/download/{pdf|xlsx|csv}/.
"""

from __future__ import annotations

import django_filters
from django.http import Http404
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response
from rest_framework.views import APIView

from audit import report_services
from audit.models import AccessAction
from audit.report_models import ReportSnapshot, SnapshotStatus
from audit.report_selectors import log_snapshot_read, snapshots_for
from audit.reports.catalog import reports_for
from audit.reports.render.downloads import DOWNLOADS, download_response
from cases.models import Role
from config.api import filters as f
from config.api.concurrency import ConditionalMixin
from config.api.permissions import HasRole
from config.errors import Conflict
from config.limits import BoundedModelSerializer, BoundedSerializer

REPORT_ROLES = frozenset({Role.BOARD, Role.UNIT_MANAGER, Role.ADMINISTRATOR})


class ReportDefinitionSerializer(BoundedSerializer):
    code = serializers.CharField()
    number = serializers.CharField()
    title = serializers.CharField()
    period_kind = serializers.CharField()
    personal_data = serializers.BooleanField()


class ReportRequestSerializer(BoundedSerializer):
    code = serializers.CharField()
    period_kind = serializers.CharField(required=False, allow_blank=True, allow_null=True)
    year = serializers.IntegerField(required=False, allow_null=True)
    number = serializers.IntegerField(required=False, allow_null=True)
    date_from = serializers.DateField(required=False, allow_null=True)
    date_to = serializers.DateField(required=False, allow_null=True)
    unit = serializers.IntegerField(required=False, allow_null=True)


class ReportSnapshotSerializer(BoundedModelSerializer):
    class Meta:
        model = ReportSnapshot
        fields = ["id", "code", "title", "params", "unit", "made_by", "made_at", "status", "progress", "started_at",
                  "finished_at", "error"]


class ReportSnapshotFilter(f.FilterSet):
    code = django_filters.CharFilter(help_text="Rapportens kod (som i /api/v1/reports/definitions/).")
    status = f.choice(SnapshotStatus.choices, "Bara ögonblicksbilder med denna status.")
    made_from, made_to = f.date_range("made_at", "Beställd", datetime=True)


class ReportDefinitionList(APIView):
    permission_classes = [HasRole]
    allowed_roles = REPORT_ROLES

    @extend_schema(responses={200: ReportDefinitionSerializer(many=True)})
    def get(self, request):
        """The reports the caller may order, with their parameters and what they count."""
        return Response(ReportDefinitionSerializer(reports_for(request.user), many=True).data)


class ReportSnapshotViewSet(ConditionalMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Snapshots the caller may see (report audience; 4a only at the own unit)."""

    permission_classes = [HasRole]
    allowed_roles = REPORT_ROLES
    serializer_class = ReportSnapshotSerializer
    filter_backends = f.FILTERS_ONLY
    filterset_class = ReportSnapshotFilter

    def get_queryset(self):
        return snapshots_for(self.request.user).defer("data").order_by("-made_at", "-pk")

    @extend_schema(request=ReportRequestSerializer, responses={202: ReportSnapshotSerializer})
    def create(self, request):
        data = ReportRequestSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        snap = report_services.report_request(actor=request.user, **data.validated_data)
        return Response(ReportSnapshotSerializer(snap).data, status=status.HTTP_202_ACCEPTED)

    def _done(self, pk) -> ReportSnapshot:
        snap = snapshots_for(self.request.user).filter(pk=pk).first() if str(pk).isdigit() else None
        if snap is None:
            raise Http404
        if snap.status != SnapshotStatus.DONE:
            raise Conflict("Rapporten är inte klar ännu.", code="report_not_ready")
        return snap

    @extend_schema(responses={200: OpenApiResponse(description="ReportData as JSON (tables, charts, definitions)"),
                              409: None})
    @action(detail=True, methods=["get"], filter_backends=[])
    def data(self, request, pk=None):
        """The stored figures of a finished report (409 while it is being made)."""
        snap = self._done(pk)
        log_snapshot_read(user=request.user, snapshot=snap)
        return Response({k: v for k, v in snap.data.items() if k != "subjects"})

    @extend_schema(responses={
        (200, media): OpenApiResponse(OpenApiTypes.BINARY, description="The report as a PDF/A, XLSX or zip of CSV files")
        for media in sorted({content_type for _, content_type, _ in DOWNLOADS.values()})} | {409: None})
    @action(detail=True, methods=["get"], url_path=r"download/(?P<fmt>pdf|xlsx|csv)", filter_backends=[])
    def download(self, request, pk=None, fmt=None):
        """The finished report as a file: fmt pdf, xlsx or csv (a zip of one CSV per table)."""
        snap = self._done(pk)
        response = download_response(snap, fmt)
        log_snapshot_read(user=request.user, snapshot=snap, action=AccessAction.EXPORT)
        return response
