"""GET /api/v1/caseload/: the coordinator's caseload for integrators, the same persons and the
same facts as the page "Mina personer" (config/caseload.py is the one definition of both).

Paged like every list (config/api/pagination.py, bounded count); hours and flags are fetched for
the page's persons only, so a request costs a fixed number of queries whatever the caseload size.
Every person served is written to the access log, as on the page.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.utils import timezone
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_field
from rest_framework import generics, serializers

from audit.control.models import Severity
from audit.models import AccessAction
from audit.recording.log import record_access
from config import caseload as shared_caseload
from config.limits import BoundedSerializer

from .permissions import HasRole


class OpenFlagsSerializer(BoundedSerializer):
    high = serializers.IntegerField(help_text="Öppna flaggor med allvarlighetsgrad hög.")
    medium = serializers.IntegerField(help_text="Öppna flaggor med allvarlighetsgrad medel.")
    low = serializers.IntegerField(help_text="Öppna flaggor med allvarlighetsgrad låg.")
    total = serializers.IntegerField(help_text="Alla öppna flaggor för personen som du får se.")

    def to_representation(self, flags):
        return {"high": flags.get(Severity.HIGH, 0), "medium": flags.get(Severity.MEDIUM, 0),
                "low": flags.get(Severity.LOW, 0), "total": sum(flags.values())}


class WeekHoursSerializer(BoundedSerializer):
    scheduled_hours = serializers.DecimalField(max_digits=6, decimal_places=2,
                                               help_text="Schemalagda timmar i insatser denna vecka.")
    attended_hours = serializers.DecimalField(max_digits=6, decimal_places=2,
                                              help_text="Rapporterad närvaro denna vecka, i timmar.")
    norm_hours = serializers.DecimalField(
        max_digits=6, decimal_places=2,
        help_text="Normen för heltidsaktivering denna vecka (ett undantag som gäller ersätter den).")
    under_norm = serializers.BooleanField(help_text="Sant när de schemalagda timmarna är färre än normen.")

    def to_representation(self, row):
        if row.norm_hours is None:
            return None
        return super().to_representation(row)


class CaseloadRowSerializer(BoundedSerializer):
    id = serializers.IntegerField(source="person.pk", help_text="Personens id (som i /api/v1/applicants/).")
    first_name = serializers.CharField(source="person.first_name", help_text="Förnamn.")
    last_name = serializers.CharField(source="person.last_name", help_text="Efternamn.")
    next_follow_up_on = serializers.DateField(
        source="person.next_follow_up_on", allow_null=True,
        help_text="Nästa uppföljning: datumet som den senaste uppföljningen satte, annars planens senaste "
                  "uppföljningsdatum. Null utan signerad plan.")
    follow_up_passed = serializers.SerializerMethodField(
        help_text="Sant när nästa uppföljning har passerat (som sidan markerar \"passerad\").")
    plan = serializers.IntegerField(source="person.plan_id", allow_null=True,
                                    help_text="Den gällande signerade planens id; null när ingen plan gäller.")
    plan_valid_to = serializers.DateField(source="person.plan_valid_until", allow_null=True,
                                             help_text="Sista dag den gällande planen gäller.")
    has_draft_plan = serializers.BooleanField(source="person.has_draft", help_text="Sant när ett utkast till plan finns.")
    open_flags = OpenFlagsSerializer(source="flags", help_text="Öppna flaggor från egenkontrollen, per allvarlighetsgrad.")
    week_hours = WeekHoursSerializer(
        source="*", allow_null=True,
        help_text="Veckans timmar mot normen för heltidsaktivering; null när personen inte omfattas denna vecka.")
    queued_referrals = serializers.IntegerField(source="person.queued_referrals",
                                                help_text="Anvisningar som väntar i kö.")
    queue_position = serializers.IntegerField(source="person.best_queue_position", allow_null=True,
                                              help_text="Bästa köplatsen bland anvisningarna i kö; null utan kö.")
    open_referrals = serializers.IntegerField(source="person.open_referrals",
                                              help_text="Anvisningar som inte har börjat (ej i kö).")
    active_participations = serializers.IntegerField(source="person.active_participations",
                                                     help_text="Pågående deltaganden i insatser.")

    @extend_schema_field(OpenApiTypes.BOOL)
    def get_follow_up_passed(self, row) -> bool:
        due = row.person.next_follow_up_on
        return due is not None and due < self.context["today"]


SHOW = OpenApiParameter(
    "show", OpenApiTypes.STR, enum=[k for k in shared_caseload.FILTERS if k],
    description="Visa bara: utan_plan (ingen gällande plan), uppfoljning_passerad, i_ko (väntar i kö), "
                "utkast (har utkast till plan). Utelämnat: alla.")
SORT = OpenApiParameter(
    "sort", OpenApiTypes.STR, enum=list(shared_caseload.SORTS),
    description="Sortering: namn (standard), uppfoljning (nästa uppföljning), plan (planens giltighet), ko (kö).")


class CaseloadView(generics.GenericAPIView):
    """Mina personer: the coordinator's persons with next follow-up, plan validity, open flags by
    severity, this week's hours against the norm and queue position. Coordinators only."""

    permission_classes = [HasRole]
    allowed_roles = shared_caseload.CASELOAD_ROLES
    serializer_class = CaseloadRowSerializer
    filter_backends = []

    def _choice(self, name: str, choices, default: str) -> str:
        value = self.request.query_params.get(name, default)
        if value not in choices:
            raise ValidationError({name: ValidationError(
                "Välj ett av: " + ", ".join(c for c in choices if c) + ".", code="invalid_choice")})
        return value

    @extend_schema(operation_id="caseload_list", parameters=[SHOW, SORT],
                   responses={200: CaseloadRowSerializer(many=True)})
    def get(self, request):
        show = self._choice("show", shared_caseload.FILTERS, "")
        sort = self._choice("sort", shared_caseload.SORTS, "namn")
        today = timezone.localdate()
        persons = shared_caseload.caseload_persons(user=request.user, show=show, sort=sort, on=today)
        page = self.paginate_queryset(persons)
        rows = shared_caseload.caseload_rows(user=request.user, persons=page, on=today)
        data = self.get_serializer(rows, many=True, context={**self.get_serializer_context(), "today": today}).data
        record_access(actor=request.user, action=AccessAction.LIST, object_type="cases.applicant",
                      subjects=[(r.person.pk, r.person.pk) for r in rows])
        return self.get_paginated_response(data)
