"""Bilagor by API: upload (multipart), list with filters, metadata, download, withdrawal.

An attachment is never changed or removed (no PUT, PATCH or DELETE): a wrong one is withdrawn
with a reason and stays. Every list, read and download is written to the access log; a download
is checked against the SHA-256 recorded when the file was added.
"""

from __future__ import annotations

from urllib.parse import quote

import django_filters
from django.http import HttpResponse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.parsers import MultiPartParser
from rest_framework.response import Response

from audit.models import AccessAction
from config.api import filters as f
from config.api.access import AccessLoggedReadMixin
from config.api.concurrency import ConditionalMixin
from config.api.idempotency import IdempotentCreateMixin
from config.api.permissions import HasRole
from config.api.schema import ErrorSerializer
from config.limits import BoundedModelSerializer, BoundedSerializer

from .. import attachment_rules as rules
from .. import attachment_selectors as selectors
from .. import attachment_services as services
from ..models import Attachment


class AttachmentSerializer(BoundedModelSerializer):
    uploaded_by_name = serializers.CharField(source="uploaded_by.get_full_name", read_only=True)
    withdrawn = serializers.BooleanField(source="is_withdrawn", read_only=True,
                                         help_text="Återkallad: felaktig bilaga, finns kvar men ska inte användas.")
    withdrawn_by_name = serializers.SerializerMethodField()
    content_type = serializers.CharField(read_only=True, help_text="Filtyp avläst ur filens innehåll.")
    sha256 = serializers.CharField(read_only=True, help_text="Kontrollsumma (SHA-256) när filen lades till.")

    class Meta:
        model = Attachment
        fields = ["id", "case", "journal_entry", "application", "description", "file_name", "content_type", "size",
                  "sha256", "uploaded_by", "uploaded_by_name", "uploaded_at", "withdrawn", "withdrawn_at",
                  "withdrawn_by", "withdrawn_by_name", "withdrawal_reason"]
        read_only_fields = fields

    def get_withdrawn_by_name(self, obj) -> str | None:
        return obj.withdrawn_by.get_full_name() if obj.withdrawn_by_id else None


class AttachmentUploadSerializer(BoundedSerializer):
    case = serializers.IntegerField(help_text="Ärendet bilagan hör till.")
    journal_entry = serializers.IntegerField(required=False, allow_null=True,
                                             help_text="Journalanteckningen bilagan hör till, om någon.")
    application = serializers.IntegerField(required=False, allow_null=True,
                                           help_text="Ansökan bilagan hör till, om någon.")
    description = serializers.CharField(max_length=rules.DESCRIPTION_MAX_LENGTH, help_text="Vad bilagan är.")
    # Empty and oversized files and their type are judged by the service, with its messages.
    file = serializers.FileField(allow_empty_file=True, use_url=False,
                                 help_text="PDF, PNG eller JPEG; typen avläses ur innehållet.")


class AttachmentWithdrawalSerializer(BoundedSerializer):
    reason = serializers.CharField(max_length=rules.WITHDRAWAL_REASON_MAX_LENGTH,
                                   help_text="Varför bilagan återkallas.")


class AttachmentFilter(f.FilterSet):
    case = f.case()
    journal_entry = f.by_id("journal_entry_id", "Journalanteckningens id (som i /api/v1/journal-entries/).")
    application = f.by_id("application_id", "Ansökans id (som i /api/v1/applications/).")
    withdrawn = django_filters.BooleanFilter(field_name="withdrawn_at", lookup_expr="isnull", exclude=True,
                                             help_text="Sant: bara återkallade bilagor; falskt: bara de som gäller.")


FILE_RESPONSES = {
    **{(200, mime): OpenApiResponse(OpenApiTypes.BINARY, description=f"Filen ({kind.name}).")
       for mime, kind in rules.ATTACHMENT_TYPES.items()},
    500: OpenApiResponse(ErrorSerializer,
                         description="Den lagrade filen stämmer inte med sin kontrollsumma och lämnas inte ut."),
}


class AttachmentViewSet(ConditionalMixin, IdempotentCreateMixin, AccessLoggedReadMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin,
                        viewsets.GenericViewSet):
    """Bilagor till ett ärende, en journalanteckning eller en ansökan (PDF, PNG, JPEG)."""

    permission_classes = [HasRole]
    allowed_roles = services.ATTACHMENT_READERS
    allowed_roles_by_action = {"create": services.ATTACHMENT_WRITERS, "withdrawal": services.ATTACHMENT_WRITERS}
    serializer_class = AttachmentSerializer
    filterset_class = AttachmentFilter
    ordering_fields = ["uploaded_at", "id"]
    access_object_type = "cases.attachment"

    def get_parsers(self):
        # Called before `self.action` is set: the upload (create) alone takes a multipart body.
        request = getattr(self, "request", None)
        if request is not None and self.action_map.get(request.method.lower()) == "create":
            return [MultiPartParser()]
        return super().get_parsers()

    def perform_content_negotiation(self, request, force=False):
        # A download answers with the file's own type whatever the client accepts; errors are JSON.
        return super().perform_content_negotiation(request, force=force or self.action == "file")

    def get_queryset(self):
        return selectors.attachment_list(user=self.request.user)

    def person_ids(self, obj):
        return selectors.attachment_person_ids(obj)

    @extend_schema(request={"multipart/form-data": AttachmentUploadSerializer}, responses={201: AttachmentSerializer})
    def create(self, request):
        services.refuse_oversized_body(request.META.get("CONTENT_LENGTH"))
        data = AttachmentUploadSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        attachment = services.attachment_upload(actor=request.user, **data.validated_data)
        return Response(self.get_serializer(self.get_queryset().get(pk=attachment.pk)).data,
                        status=status.HTTP_201_CREATED)

    @extend_schema(request=AttachmentWithdrawalSerializer, responses={200: AttachmentSerializer})
    @action(detail=True, methods=["post"])
    def withdrawal(self, request, pk=None):
        """Återkalla en felaktig bilaga, med skäl. Den finns kvar och kan fortfarande läsas."""
        attachment = self.get_object()
        data = AttachmentWithdrawalSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        services.attachment_withdraw(actor=request.user, attachment=attachment, reason=data.validated_data["reason"])
        return Response(self.get_serializer(self.get_queryset().get(pk=attachment.pk)).data)

    @extend_schema(responses=FILE_RESPONSES)
    @action(detail=True, methods=["get"])
    def file(self, request, pk=None):
        """Hämta filen. Den kontrolleras mot kontrollsumman innan den lämnas ut."""
        attachment = self.get_object()
        content = services.attachment_content(attachment)
        self.log_access([attachment], AccessAction.EXPORT)
        return attachment_response(attachment, content)


def attachment_response(attachment: Attachment, content: bytes) -> HttpResponse:
    """The file as a download, under its own name, never rendered by the browser as a page."""
    response = HttpResponse(content, content_type=attachment.content_type)
    kind = rules.ATTACHMENT_TYPES[attachment.content_type]
    response["Content-Disposition"] = (f'attachment; filename="bilaga-{attachment.pk}.{kind.extension}"; '
                                       f"filename*=UTF-8''{quote(attachment.file_name, safe='')}")
    response["X-Content-Type-Options"] = "nosniff"
    return response

