"""Thin API views of the control layer: rules, runs, flags, corrective actions, samples."""

from __future__ import annotations

import datetime

import django_filters
from django.core.exceptions import ValidationError
from django.utils import timezone
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiExample, OpenApiParameter, extend_schema
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response
from rest_framework.views import APIView

from audit.api import examples as ex
from audit.api import serializers as s
from audit.control import selectors, services
from audit.control.models import (
    ActionStatus,
    FlagStatus,
    RunStatus,
    SamplePopulation,
)
from audit.control.review_services import AnswerReview, checklist_answers_review
from audit.models import AccessAction
from audit.recording.log import record_access
from audit.recording.models import AccessLogEntry, Channel
from cases.models import Role, Unit
from cases.selectors import staff_list
from config.api import filters as f
from config.api.access import AccessLoggedReadMixin
from config.api.concurrency import ConditionalMixin
from config.api.idempotency import IdempotentCreateMixin
from config.api.names import api_field_names
from config.api.permissions import HasRole

ADMIN = frozenset({Role.ADMINISTRATOR})
MANAGER = frozenset({Role.UNIT_MANAGER})
RUN_STARTERS = frozenset({Role.ADMINISTRATOR, Role.UNIT_MANAGER})
FLAG_HANDLERS = frozenset({Role.CASEWORKER, Role.COORDINATOR, Role.INSATS_STAFF, Role.UNIT_MANAGER})


def _field_error(field: str, message: str, code: str = "not_found") -> ValidationError:
    return ValidationError({field: ValidationError(message, code=code)})


AGE_DAYS = "Dagar sedan flaggan först sågs (0 = i dag)"


class FlagFilter(f.FilterSet):
    """The worklist's filters; the worklist itself (flag_worklist) is already the caller's scope."""

    rule = f.by_code("rule__code", "Regelns kod (som i /api/v1/control/rules/).")
    unit = f.unit()
    responsible = f.by_id("responsible_id", "Den ansvariga medarbetarens id (som i /api/v1/staff/).")
    status = f.ChoiceInFilter(field_name="status", choices=FlagStatus.choices,
                              help_text="En eller flera statusar, kommaseparerade (open,acknowledged).")
    min_age_days = django_filters.NumberFilter(method="filter_min_age", min_value=0,
                                               help_text=f"{AGE_DAYS}: minst så många.")
    max_age_days = django_filters.NumberFilter(method="filter_max_age", min_value=0,
                                               help_text=f"{AGE_DAYS}: högst så många.")

    def filter_min_age(self, queryset, name, value):
        return queryset.filter(first_seen__lte=timezone.localdate() - datetime.timedelta(days=int(value)))

    def filter_max_age(self, queryset, name, value):
        return queryset.filter(first_seen__gte=timezone.localdate() - datetime.timedelta(days=int(value)))


class RuleFilter(f.FilterSet):
    code = f.by_code("code", "Bara regeln med denna kod.")


class RuleParameterFilter(f.FilterSet):
    rule = f.by_code("rule__code", "Regelns kod (som i /api/v1/control/rules/).")


class RuleRunFilter(f.FilterSet):
    status = f.choice(RunStatus.choices, "Bara körningar med denna status.")
    started_from, started_to = f.date_range("started_at", "Startad", datetime=True)


class CorrectiveActionFilter(f.FilterSet):
    status = f.choice(ActionStatus.choices, "Bara åtgärder med denna status.")
    owner = f.by_id("owner_id", "Ägarens id (som i /api/v1/staff/).")
    flag = f.by_id("flag_id", "Flaggans id (som i /api/v1/control/flags/).")
    due_from, due_to = f.date_range("due_date", "Klar senast")


class ControlSampleFilter(f.FilterSet):
    population = f.choice(SamplePopulation.choices, "Bara stickprov ur denna population.")
    drawn_from, drawn_to = f.date_range("created_at", "Draget", datetime=True)


class AccessLogFilter(f.FilterSet):
    """At least `applicant` or `actor`: the review is of one person or one staff member, never the
    whole log at once."""

    applicant = f.by_id("person_id", "Sökandens id: vem som har läst om personen.")
    actor = f.by_id("actor_id", "Medarbetarens id (som i /api/v1/staff/): vad medarbetaren har läst.")
    occurred_from, occurred_to = f.date_range("occurred_at", "Loggat", datetime=True)
    channel = f.choice(Channel.choices, "Bara läsningar via denna kanal.")
    action = f.choice(AccessAction.choices, "Bara denna sorts åtkomst.")

    def filter_queryset(self, queryset):
        data = self.form.cleaned_data
        if data.get("applicant") is None and data.get("actor") is None:
            raise ValidationError({"applicant": ValidationError(
                "Ange en person (applicant) eller en medarbetare (actor).", code="required")})
        return super().filter_queryset(queryset)


class RuleViewSet(ConditionalMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Kontrollregler with their parameters. Administrators change them."""

    permission_classes = [HasRole]
    allowed_roles = RUN_STARTERS
    allowed_roles_by_action = {"partial_update": ADMIN}
    serializer_class = s.RuleSerializer
    pagination_class = None
    filter_backends = f.FILTERS_ONLY
    filterset_class = RuleFilter

    def get_queryset(self):
        return selectors.rule_list()

    @extend_schema(request=s.RuleUpdateSerializer, responses={200: s.RuleSerializer})
    def partial_update(self, request, pk=None):
        data = s.RuleUpdateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        rule = services.rule_update(actor=request.user, rule=self.get_object(), **data.validated_data)
        return Response(self.get_serializer(selectors.rule_list().get(pk=rule.pk)).data)


class RuleParameterViewSet(ConditionalMixin, mixins.ListModelMixin, viewsets.GenericViewSet):
    permission_classes = [HasRole]
    allowed_roles = RUN_STARTERS
    allowed_roles_by_action = {"partial_update": ADMIN}
    serializer_class = s.RuleParameterSerializer
    pagination_class = None
    filter_backends = f.FILTERS_ONLY
    filterset_class = RuleParameterFilter

    def get_queryset(self):
        return selectors.parameter_list()

    @extend_schema(request=s.ParameterUpdateSerializer, responses={200: s.RuleParameterSerializer})
    def partial_update(self, request, pk=None):
        data = s.ParameterUpdateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        parameter = services.rule_parameter_update(
            actor=request.user, parameter=self.get_object(), value=data.validated_data["value"]
        )
        return Response(self.get_serializer(parameter).data)


class RuleRunViewSet(ConditionalMixin, IdempotentCreateMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Regelkörningar. POST starts a run now (administrator or unit manager)."""

    permission_classes = [HasRole]
    allowed_roles = RUN_STARTERS
    serializer_class = s.RuleRunSerializer
    filter_backends = f.FILTERS_ONLY
    filterset_class = RuleRunFilter

    def get_queryset(self):
        return selectors.run_list()

    @extend_schema(request=s.RunStartSerializer, responses={202: s.RuleRunSerializer})
    def create(self, request):
        data = s.RunStartSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        run = services.rule_run_start(actor=request.user, rule_codes=data.validated_data.get("rule_codes") or None)
        return Response(self.get_serializer(run).data, status=status.HTTP_202_ACCEPTED)


class FlagViewSet(ConditionalMixin, IdempotentCreateMixin, AccessLoggedReadMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """The worklist: flags on the caller's persons (unit managers: their unit), most severe and oldest first.

    Filters (FlagFilter): rule and unit by code, responsible by id, status (comma-separated),
    min_age_days and max_age_days.
    """

    permission_classes = [HasRole]
    allowed_roles = FLAG_HANDLERS
    filter_backends = f.FILTERS_ONLY
    filterset_class = FlagFilter
    access_object_type = "audit.flag"

    def get_serializer_class(self):
        return s.FlagDetailSerializer if self.action == "retrieve" else s.FlagSerializer

    def get_queryset(self):
        worklist = selectors.flag_worklist(user=self.request.user)
        return worklist if self.action == "list" else worklist.prefetch_related("transitions")

    def person_ids(self, obj):
        return [obj.person_id]

    @extend_schema(request=s.FlagTransitionInputSerializer, responses={200: s.FlagDetailSerializer})
    @action(detail=True, methods=["post"])
    def transition(self, request, pk=None):
        """Move the flag to another status."""
        flag = self.get_object()
        data = s.FlagTransitionInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        services.flag_transition(actor=request.user, flag=flag, **data.validated_data)
        return Response(s.FlagDetailSerializer(self.get_queryset().get(pk=flag.pk)).data)


UNIT_PARAM = OpenApiParameter("unit", OpenApiTypes.STR,
                              description="Enhetens kod (som i /api/v1/units/): bara den enhetens flaggor.")


class FlagCountView(APIView):
    """Counts of flags per rule and status, without any person: what the board sees."""

    permission_classes = [HasRole]
    allowed_roles = frozenset({Role.BOARD, Role.ADMINISTRATOR, Role.UNIT_MANAGER})

    @extend_schema(parameters=[UNIT_PARAM], responses={200: s.FlagCountSerializer(many=True)})
    def get(self, request):
        code, unit = request.query_params.get("unit"), None
        if code:
            unit = Unit.objects.filter(code=code).values_list("pk", flat=True).first()
            if unit is None:
                raise _field_error("unit", "Enheten finns inte.")
        return Response(s.FlagCountSerializer(selectors.flag_counts(unit=unit), many=True).data)


class CorrectiveActionViewSet(
    ConditionalMixin, IdempotentCreateMixin, AccessLoggedReadMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet
):
    permission_classes = [HasRole]
    allowed_roles = FLAG_HANDLERS
    serializer_class = s.CorrectiveActionSerializer
    filter_backends = f.FILTERS_ONLY
    filterset_class = CorrectiveActionFilter
    access_object_type = "audit.correctiveaction"

    def get_queryset(self):
        return selectors.actions_for(self.request.user)

    def person_ids(self, obj):
        return [obj.flag.person_id if obj.flag_id else obj.sample_answer.item.person_id]

    @extend_schema(request=s.CorrectiveActionCreateSerializer, responses={201: s.CorrectiveActionSerializer},
                   examples=ex.CORRECTIVE_ACTION_CREATE)
    def create(self, request):
        data = s.CorrectiveActionCreateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        v = data.validated_data
        flag = answer = owner = None
        if v.get("flag") is not None:
            flag = selectors.flags_for(request.user).filter(pk=v["flag"]).first()
            if flag is None:
                raise _field_error("flag", "Flaggan finns inte eller ligger utanför din behörighet.")
        if v.get("sample_answer") is not None:
            answer = selectors.answers_for(request.user).filter(pk=v["sample_answer"]).first()
            if answer is None:
                raise _field_error("sample_answer", "Svaret finns inte eller ligger utanför din behörighet.")
        if v.get("owner") is not None:
            owner = staff_list().filter(pk=v["owner"]).first()
            if owner is None:
                raise _field_error("owner", "Medarbetaren finns inte.")
        created = services.corrective_action_create(
            actor=request.user, description=v["description"], owner=owner, due_date=v.get("due_date"), flag=flag,
            sample_answer=answer,
        )
        return Response(self.get_serializer(created).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=s.FollowUpSerializer, responses={200: s.CorrectiveActionSerializer})
    @action(detail=True, methods=["post"], url_path="follow-up")
    def follow_up(self, request, pk=None):
        """Record the follow-up of the corrective action."""
        corrective_action = self.get_object()  # out of scope: 404 before the body is judged
        data = s.FollowUpSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        done = services.corrective_action_follow_up(actor=request.user, action=corrective_action, **data.validated_data)
        return Response(self.get_serializer(done).data)

    @extend_schema(request=s.CompleteSerializer, responses={200: s.CorrectiveActionSerializer})
    @action(detail=True, methods=["post"])
    def complete(self, request, pk=None):
        """Mark the corrective action done, with what was done."""
        corrective_action = self.get_object()  # out of scope: 404 before the body is judged
        data = s.CompleteSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        done = services.corrective_action_complete(actor=request.user, action=corrective_action, **data.validated_data)
        return Response(self.get_serializer(done).data)


class ControlSampleViewSet(
    ConditionalMixin, IdempotentCreateMixin, AccessLoggedReadMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet
):
    """Stickprov of the unit manager's own unit, with checklists and results."""

    permission_classes = [HasRole]
    allowed_roles = MANAGER
    serializer_class = s.ControlSampleSerializer
    filter_backends = f.FILTERS_ONLY
    filterset_class = ControlSampleFilter
    access_object_type = "audit.controlsample"

    def get_queryset(self):
        return selectors.samples_for(self.request.user)

    def person_ids(self, obj):
        return [None]

    @extend_schema(request=s.SampleDrawSerializer, responses={201: s.ControlSampleSerializer})
    def create(self, request):
        data = s.SampleDrawSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        with api_field_names(data):
            sample = services.sample_draw(actor=request.user, unit=request.user.unit, **data.validated_data)
        return Response(self.get_serializer(sample).data, status=status.HTTP_201_CREATED)

    @extend_schema(responses={200: s.SampleItemSerializer(many=True)})
    @action(detail=True, methods=["get"], filter_backends=[])  # the sample's items, not a filtered list
    def checklists(self, request, pk=None):
        """The sample's items with their checklists."""
        items = list(selectors.sample_items(sample=self.get_object()))
        record_access(
            actor=request.user,
            action=AccessAction.READ,
            object_type="audit.controlsampleitem",
            subjects=[(item.pk, item.person_id) for item in items],
        )
        return Response(s.SampleItemSerializer(items, many=True).data)

    @action(detail=True, methods=["get"])
    def results(self, request, pk=None):
        """The sample's results, summed."""
        return Response(selectors.sample_results(sample=self.get_object()))


class ChecklistAnswerViewSet(ConditionalMixin, IdempotentCreateMixin, viewsets.GenericViewSet):
    """A sampled case's checklist answers, in the unit manager's own samples. Reading one gives
    its ETag; a review sent with If-Match is saved only on the version read (412 otherwise), so
    two reviewers of one sample do not overwrite each other's verdict unseen."""

    permission_classes = [HasRole]
    allowed_roles = MANAGER
    serializer_class = s.ChecklistAnswerSerializer

    def get_queryset(self):
        return selectors.answers_for(self.request.user)

    def retrieve(self, request, pk=None):
        """One checklist answer, with its version (the ETag to send with the review). No list of
        its own: a sample's answers are read with its checklists (samples/{id}/checklists/)."""
        answer = self.get_object()
        data = self.get_serializer(answer).data
        record_access(actor=request.user, action=AccessAction.READ, object_type="audit.checklistanswer",
                      subjects=[(answer.pk, answer.item.person_id)])
        return Response(data)

    @extend_schema(request=s.AnswerReviewSerializer, responses={200: s.ChecklistAnswerSerializer})
    @action(detail=True, methods=["post"])
    def review(self, request, pk=None):
        """Granska a checklist answer (the reviewer's verdict)."""
        answer = self.get_object()  # out of scope: 404 before the body is judged
        data = s.AnswerReviewSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        answer = services.checklist_answer_review(
            actor=request.user, answer=answer, value=data.validated_data["answer"],
            comment=data.validated_data["comment"],
        )
        return Response(self.get_serializer(answer).data)

    @extend_schema(
        request=s.AnswerReviewBulkSerializer, responses={200: s.ChecklistAnswerSerializer(many=True)},
        examples=[OpenApiExample("Ett ärendes checklista", request_only=True, value={"rows": [
            {"id": 501, "answer": "yes"},
            {"id": 502, "answer": "no", "comment": "Uppföljningen saknar datum."},
            {"id": 503, "answer": "not_applicable", "comment": "Personen har inget delmål om arbete."},
        ]})],
    )
    @action(detail=False, methods=["post"], url_path="review/bulk", url_name="review-bulk")
    def review_bulk(self, request):
        """Granska many checklist answers in one request (a sampled case's whole checklist): all or none.

        The same rules as the single review (checklist-answers/{id}/review/). Any row wrong and
        nothing is saved: 400 with every row's errors named by index and field (`rows[2].comment`);
        an answer outside your samples is a row error (`rows[i].id`), not a 403. At most
        API_BULK_MAX_ROWS rows (a larger batch is a 400 naming `rows`). Answers the reviewed
        answers in the order sent."""
        data = s.AnswerReviewBulkSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        answers = checklist_answers_review(actor=request.user, rows=[
            AnswerReview(row["id"], row["answer"], row["comment"]) for row in data.validated_data["rows"]
        ])
        return Response(self.get_serializer(answers, many=True).data)


class AccessLogViewSet(AccessLoggedReadMixin, mixins.ListModelMixin, viewsets.GenericViewSet):
    """Loggkontroll: who read a given person (`applicant`), what a given staff member read (`actor`),
    filtered by period (`occurred_from`, `occurred_to`), `channel` and `action`; newest first, paginated.
    The administrator sees every row, a unit manager their unit's staff. Reading it is logged."""

    permission_classes = [HasRole]
    allowed_roles = selectors.ACCESS_LOG_REVIEWERS
    serializer_class = s.AccessLogEntrySerializer
    filter_backends = f.FILTERS_ONLY
    filterset_class = AccessLogFilter
    queryset = AccessLogEntry.objects.none()  # the model, for the schema; get_queryset scopes the rows
    access_object_type = "audit.accesslogentry"

    def get_queryset(self):
        return selectors.access_log_review(user=self.request.user)

    def person_ids(self, obj):
        return [obj.person_id]
