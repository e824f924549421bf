"""POST /api/v1/imports/: the same import as `manage.py import_records`, for an administrator.

The answer names every refused record by line, external id and field; it holds no personal data
(messages name codes and ids from the file, never a personnummer or a name).
"""

from __future__ import annotations

from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import serializers, status
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.response import Response
from rest_framework.views import APIView

from audit.control.importing.runner import import_records
from cases.models import Role
from config.api.idempotency import IdempotentCreateMixin
from config.api.permissions import HasRole
from config.api.schema import ErrorBodySerializer


class ImportRequestSerializer(serializers.Serializer):
    file = serializers.FileField(help_text="JSON Lines, en post per rad (format: README).")
    source = serializers.CharField(max_length=100, help_text="Källsystemets namn.")
    dry_run = serializers.BooleanField(default=False, help_text="Kontrollera utan att skriva något.")
    accept_valid = serializers.BooleanField(default=False, help_text="Importera giltiga poster trots avvisade.")


# A refused import answers in the one error shape, with each refused line named, plus the result.
ImportRefusedSerializer = inline_serializer("ImportRefused", {
    "error": ErrorBodySerializer(), "result": serializers.DictField(help_text="Resultatet per rad.")})


class ImportView(IdempotentCreateMixin, APIView):
    permission_classes = [HasRole]
    allowed_roles = frozenset({Role.ADMINISTRATOR})
    parser_classes = [MultiPartParser, FormParser]

    @extend_schema(request={"multipart/form-data": ImportRequestSerializer}, responses={200: dict, 201: dict, 400: ImportRefusedSerializer})
    def post(self, request):
        """Import records from the previous system (a CSV file); the answer lists each row's result."""
        data = ImportRequestSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        upload = data.validated_data["file"]
        result = import_records(actor=request.user, lines=upload, source=data.validated_data["source"],
                                file_name=upload.name, dry_run=data.validated_data["dry_run"],
                                accept_valid=data.validated_data["accept_valid"])
        body = result.as_dict()
        if result.refused and not result.written and not result.dry_run:
            fields = {}
            for r in result.refusals:
                fields.setdefault(f"line[{r.line}].{r.field}", []).append({"code": r.code, "message": r.message})
            return Response({"error": {
                "code": "import_refused",
                "message": f"{result.refused} poster avvisades; ingenting har skrivits.",
                "fields": fields}, "result": body}, status=status.HTTP_400_BAD_REQUEST)
        return Response(body, status=status.HTTP_201_CREATED if result.written else status.HTTP_200_OK)
