"""The journal by API: list (filtered), read, write, correct. Entries are never changed or removed,
so there is no PUT, PATCH or DELETE; every read is written to the access log."""

from __future__ import annotations

import django_filters
from django.db.models import Prefetch
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from config.api import filters as f
from config.api.access import AccessLoggedReadMixin
from config.api.concurrency import ConditionalMixin
from config.api.idempotency import IdempotentCreateMixin
from config.api.permissions import HasRole
from config.limits import BoundedModelSerializer, BoundedSerializer

from .. import journal_selectors as js
from .. import journal_services
from ..models import JournalEntry, JournalEntryKind, Role


class JournalEntryKindSerializer(BoundedModelSerializer):
    class Meta:
        model = JournalEntryKind
        fields = ["code", "name"]


class JournalEntrySerializer(BoundedModelSerializer):
    kind = serializers.SlugRelatedField(slug_field="code", read_only=True, help_text="Slag av anteckning (kod).")
    kind_name = serializers.CharField(source="kind.name", read_only=True)
    author_name = serializers.CharField(source="author.get_full_name", read_only=True)
    signed_at = serializers.DateTimeField(source="written_at", read_only=True,
                                          help_text="När anteckningen skrevs och signerades.")
    written_late = serializers.BooleanField(read_only=True, help_text="Skriven en annan dag än händelsen.")
    corrected_by = serializers.SerializerMethodField(help_text="Rättelser av denna anteckning (id).")

    class Meta:
        model = JournalEntry
        fields = ["id", "case", "applicant", "kind", "kind_name", "event_date", "text", "is_persons_view",
                  "corrects", "corrected_by", "author", "author_name", "signed_at", "written_late"]
        read_only_fields = fields

    def get_corrected_by(self, obj) -> list[int]:
        return [c.pk for c in obj.corrections.all()]


class JournalEntryCreateSerializer(BoundedSerializer):
    case = serializers.IntegerField()
    applicant = serializers.IntegerField(required=False, allow_null=True,
                                         help_text="Personen anteckningen gäller; tomt för hela ärendet.")
    kind = serializers.SlugField()
    event_date = serializers.DateField()
    text = serializers.CharField()
    is_persons_view = serializers.BooleanField(required=False, default=False)
    corrects = serializers.IntegerField(required=False, allow_null=True,
                                        help_text="Id för anteckningen som denna rättar, om det är en rättelse.")


class JournalCorrectionSerializer(BoundedSerializer):
    kind = serializers.SlugField(required=False, help_text="Som den rättade anteckningen om det utelämnas.")
    event_date = serializers.DateField(required=False, help_text="Som den rättade anteckningen om det utelämnas.")
    text = serializers.CharField()
    is_persons_view = serializers.BooleanField(required=False, default=False)


class JournalEntryFilter(f.FilterSet):
    case = f.case()
    applicant = f.applicant()
    kind = f.by_code("kind__code", "Anteckningens slag, med kod (som i /api/v1/journal-entry-kinds/).")
    is_persons_view = django_filters.BooleanFilter(
        help_text="Sant: bara anteckningar om den enskildes egen syn; falskt: bara övriga.")
    event_date_from, event_date_to = f.date_range("event_date", "Händelsedag")


class JournalEntryViewSet(ConditionalMixin, IdempotentCreateMixin, AccessLoggedReadMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin,
                          viewsets.GenericViewSet):
    """Journalanteckningar. Signed when written and never changed: a correction is a new entry that
    points to the one it corrects (POST /journal-entries/{id}/corrections/); both stay readable."""

    created_routes = {"corrections": "journal-entry-detail"}  # Location of what the action creates
    permission_classes = [HasRole]
    allowed_roles = js.JOURNAL_READERS
    allowed_roles_by_action = {"create": journal_services.JOURNAL_WRITERS,
                               "corrections": journal_services.JOURNAL_WRITERS}
    serializer_class = JournalEntrySerializer
    filterset_class = JournalEntryFilter
    ordering_fields = ["event_date", "id"]
    access_object_type = "cases.journalentry"

    def get_queryset(self):
        return js.journal_entry_list(user=self.request.user).prefetch_related(
            Prefetch("corrections", queryset=JournalEntry.objects.only("pk", "corrects_id").order_by("pk"))
        )

    def person_ids(self, obj):
        return js.journal_person_ids(obj)

    def _created(self, entry):
        return Response(self.get_serializer(self.get_queryset().get(pk=entry.pk)).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=JournalEntryCreateSerializer, responses={201: JournalEntrySerializer})
    def create(self, request):
        data = JournalEntryCreateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        entry = journal_services.journal_entry_create(actor=request.user, **data.validated_data)
        return self._created(entry)

    @extend_schema(request=JournalCorrectionSerializer, responses={201: JournalEntrySerializer})
    @action(detail=True, methods=["post"])
    def corrections(self, request, pk=None):
        """Rättelse: a new entry that corrects this one (same case and person)."""
        original = self.get_object()
        data = JournalCorrectionSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        v = data.validated_data
        entry = journal_services.journal_entry_create(
            actor=request.user, case=original.case_id, applicant=original.applicant_id,
            kind=v.get("kind", original.kind.code), event_date=v.get("event_date", original.event_date),
            text=v["text"], is_persons_view=v["is_persons_view"], corrects=original,
        )
        return self._created(entry)


class JournalEntryKindViewSet(mixins.ListModelMixin, viewsets.GenericViewSet):
    """Slag av journalanteckning (reference data, no personal data)."""

    permission_classes = [HasRole]
    allowed_roles = frozenset(Role.values)
    serializer_class = JournalEntryKindSerializer
    pagination_class = None
    filter_backends = f.FILTERS_ONLY
    filterset_class = f.code_filterset(JournalEntryKind, "Slag av anteckning")

    def get_queryset(self):
        return js.journal_entry_kinds()
