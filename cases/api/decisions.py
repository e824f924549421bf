"""Decisions on applications, their execution, and the list of delegated decisions."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.http import HttpResponse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response
from rest_framework.views import APIView

from audit.models import AccessAction
from audit.recording.log import record_access
from config.api import filters as f
from config.api.access import AccessLoggedReadMixin
from config.api.concurrency import ConditionalMixin
from config.api.idempotency import IdempotentCreateMixin
from config.api.permissions import HasRole
from config.errors import DomainError

from .. import decision_services as services
from .. import finance_selectors as fs
from .. import letters
from ..communication_services import COMMUNICATION_WRITERS, communication_create
from ..finance_models import Decision, DecisionOutcome
from ..models import Role
from . import examples as ex
from . import finance_serializers as s


def _not_found(field: str) -> ValidationError:
    return ValidationError({field: ValidationError("Finns inte eller ligger utanför din behörighet.", code="not_found")})


class NoLetter(DomainError):
    status = 404
    code = "no_letter"


class DecisionFilter(f.FilterSet):
    case = f.case("application__case_id")
    application = f.by_id("application_id", "Ansökans id (som i /api/v1/applications/).")
    outcome = f.choice(DecisionOutcome.choices, "Bara beslut med detta utfall.")
    item_kind = f.choice(Decision._meta.get_field("item_kind").choices, "Bara beslut om denna sorts post.")
    decided_by = f.by_id("decided_by_id", "Beslutsfattarens id (som i /api/v1/staff/).")
    delegation_point = f.by_code("delegation_point__code", "Delegationspunktens kod (som i /api/v1/delegation-points/).")
    decided_from, decided_to = f.date_range("decided_on", "Beslutsdag")


class DecisionViewSet(ConditionalMixin, IdempotentCreateMixin, AccessLoggedReadMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin,
                      viewsets.GenericViewSet):
    """Beslut per post. Signed when made; a change is refused (409), a correction is a new
    decision replacing the old one (POST /decisions/{id}/correct/)."""

    created_routes = {"correct": "decision-detail"}  # Location of what the action creates
    permission_classes = [HasRole]
    allowed_roles = fs.FINANCE_ROLES
    serializer_class = s.DecisionSerializer
    filterset_class = DecisionFilter
    ordering_fields = ["decided_on", "id"]
    access_object_type = "cases.decision"

    def get_queryset(self):
        return fs.decision_list(user=self.request.user)

    def person_ids(self, obj):
        return fs.decision_person_ids(obj)

    def _refreshed(self, decision, code=status.HTTP_201_CREATED):
        return Response(self.get_serializer(self.get_queryset().get(pk=decision.pk)).data, status=code)

    @extend_schema(request=s.DecisionCreateSerializer, responses={201: s.DecisionSerializer}, examples=ex.DECISION_CREATE)
    def create(self, request):
        data = s.DecisionCreateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        v = dict(data.validated_data)
        application = fs.applications_for(request.user).filter(pk=v.pop("application")).first()
        if application is None:
            raise _not_found("application")
        decision = services.decision_make(actor=request.user, application=application, cost_id=v.pop("cost", None), **v)
        return self._refreshed(decision)

    @extend_schema(request=s.DecisionCorrectSerializer, responses={201: s.DecisionSerializer})
    @action(detail=True, methods=["post"])
    def correct(self, request, pk=None):
        """Rättelse: a new signed decision on the same item that replaces this one."""
        old = self.get_object()
        data = s.DecisionCorrectSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        decision = services.decision_make(actor=request.user, application=old.application, item_kind=old.item_kind,
                                          cost_id=old.cost_id, replaces=old, **data.validated_data)
        return self._refreshed(decision)

    # Always refused (409), so not published in the schema; kept so a client that tries gets the reason.
    @extend_schema(exclude=True)
    def partial_update(self, request, pk=None):
        """Always refused: a signed decision never changes."""
        decision = self.get_object()
        changes = request.data if isinstance(request.data, dict) else {}  # a list or a number changes nothing either
        services.decision_change(actor=request.user, decision=decision, changes=changes)

    @extend_schema(exclude=True)
    def update(self, request, pk=None):
        return self.partial_update(request, pk)

    @extend_schema(request=s.ExecutionEventInputSerializer, responses={201: s.DecisionSerializer})
    @action(detail=True, methods=["post"])
    def execution(self, request, pk=None):
        """Verkställighet: executed (once), interrupted, resumed, with dates."""
        decision = self.get_object()
        data = s.ExecutionEventInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        services.decision_record_execution(actor=request.user, decision=decision, **data.validated_data)
        return self._refreshed(decision)


    def _letter(self):
        """The letter stored when the decision was signed; 404 naming the letter when there is none
        (a decision imported from the previous system, or made before letters were kept)."""
        decision = self.get_object()
        letter = fs.decision_letter(decision)
        if letter is None:
            raise NoLetter("Beslutet har inget sparat beslutsmeddelande (det fattades innan beslutsmeddelanden "
                           "sparades, eller kommer från det tidigare verksamhetssystemet).", field="letter")
        return decision, letter

    def _log_letter(self, decision, letter, action):
        record_access(actor=self.request.user, action=action, object_type="cases.decisionletter",
                      subjects=[(letter.pk, pid) for pid in (self.person_ids(decision) or [None])])

    @extend_schema(responses={200: s.DecisionLetterSerializer})
    @action(detail=True, methods=["get"])
    def letter(self, request, pk=None):
        """Beslutsmeddelandet: the text stored when the decision was signed, with its SHA-256."""
        decision, letter = self._letter()
        data = s.DecisionLetterSerializer(letter).data
        self._log_letter(decision, letter, AccessAction.READ)
        return Response(data)

    @extend_schema(responses={(200, "application/pdf"): OpenApiResponse(OpenApiTypes.BINARY,
                                                                        description="PDF/A-2b")})
    @action(detail=True, methods=["get"], url_path="letter/pdf", url_name="letter-pdf")
    def letter_pdf(self, request, pk=None):
        """The stored letter as a PDF/A for the person and the e-archive."""
        decision, letter = self._letter()
        content = letters.letter_pdf(letter)
        self._log_letter(decision, letter, AccessAction.EXPORT)
        response = HttpResponse(content, content_type="application/pdf")
        response["Content-Disposition"] = f'attachment; filename="beslut-{decision.pk}.pdf"'
        return response

    @extend_schema(request=s.DeliveryInputSerializer, responses={201: s.DecisionSerializer})
    @action(detail=True, methods=["post"])
    def delivery(self, request, pk=None):
        """Expediering: when and how the decision was sent or handed over; the appeal period runs from it."""
        decision = self.get_object()
        data = s.DeliveryInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        services.decision_record_delivery(actor=request.user, decision=decision, **data.validated_data)
        return self._refreshed(decision)


class CommunicationFilter(f.FilterSet):
    case = f.case("application__case_id")
    application = f.by_id("application_id", "Ansökans id (som i /api/v1/applications/).")
    communicated_from, communicated_to = f.date_range("communicated_on", "Kommunicerad")


class CommunicationViewSet(ConditionalMixin, IdempotentCreateMixin, AccessLoggedReadMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin,
                           viewsets.GenericViewSet):
    """Kommunicering before a decision that goes against the applicant (förvaltningslagen 25 §)."""

    permission_classes = [HasRole]
    allowed_roles = fs.FINANCE_ROLES
    allowed_roles_by_action = {"create": COMMUNICATION_WRITERS}
    serializer_class = s.CommunicationSerializer
    filterset_class = CommunicationFilter
    ordering_fields = ["communicated_on", "id"]
    access_object_type = "cases.communication"

    def get_queryset(self):
        return fs.communication_list(user=self.request.user)

    def person_ids(self, obj):
        return fs.application_person_ids(obj.application)

    @extend_schema(request=s.CommunicationCreateSerializer, responses={201: s.CommunicationSerializer})
    def create(self, request):
        data = s.CommunicationCreateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        communication = communication_create(actor=request.user, **data.validated_data)
        return Response(self.get_serializer(self.get_queryset().get(pk=communication.pk)).data,
                        status=status.HTTP_201_CREATED)


class DelegatedDecisionListView(APIView):
    """Delegationsbeslut in a period, per delegation point and decision maker (for the board).

    Aggregates only: no person, no case. The board sees all units, a unit manager their own.
    """

    permission_classes = [HasRole]
    allowed_roles = frozenset({Role.BOARD, Role.UNIT_MANAGER, Role.ADMINISTRATOR})

    @extend_schema(parameters=[s.PeriodSerializer], responses={200: s.DelegatedDecisionGroupSerializer(many=True)})
    def get(self, request):
        period = s.PeriodSerializer(data=request.query_params)
        period.is_valid(raise_exception=True)
        rows = fs.delegated_decision_summary(user=request.user, **period.validated_data)
        record_access(actor=request.user, action=AccessAction.LIST, object_type="cases.delegated_decision_list",
                      subjects=[(f"{period.validated_data['date_from']}/{period.validated_data['date_to']}", None)])
        return Response(s.DelegatedDecisionGroupSerializer(rows, many=True).data)
