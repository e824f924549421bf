"""Serializers of the control-layer API: shapes only, no rules."""

from rest_framework import serializers

from audit.control import services
from audit.control.models import (
    ChecklistAnswer,
    ChecklistValue,
    ControlSample,
    ControlSampleItem,
    CorrectiveAction,
    Flag,
    FlagStatus,
    FlagTransition,
    Rule,
    RuleParameter,
    RuleRun,
    SamplePopulation,
)
from audit.recording.models import AccessLogEntry
from config.api.bulk import bulk_rows
from config.limits import BoundedModelSerializer, BoundedSerializer


class RuleParameterSerializer(BoundedModelSerializer):
    rule = serializers.SlugRelatedField(slug_field="code", read_only=True)

    class Meta:
        model = RuleParameter
        fields = ["id", "rule", "key", "label", "unit", "value", "default", "min_value", "max_value", "source"]
        read_only_fields = fields


class ParameterUpdateSerializer(BoundedSerializer):
    value = serializers.IntegerField()


class RuleSerializer(BoundedModelSerializer):
    parameters = RuleParameterSerializer(many=True, read_only=True)

    class Meta:
        model = Rule
        fields = [
            "id", "code", "title", "source", "description", "severity", "schedule", "enabled",
            "escalate_after_days", "parameters",
        ]
        read_only_fields = fields


class RuleUpdateSerializer(BoundedSerializer):
    enabled = serializers.BooleanField(required=False)
    severity = serializers.IntegerField(required=False)
    escalate_after_days = serializers.IntegerField(required=False)


class RuleRunSerializer(BoundedModelSerializer):
    class Meta:
        model = RuleRun
        fields = [
            "id", "as_of", "rule_codes", "trigger", "started_by", "status", "started_at", "finished_at",
            "duration_ms", "chunks_total", "chunks_done", "subjects_examined", "flags_opened", "flags_kept",
            "flags_resolved", "error",
        ]
        read_only_fields = fields


class RunStartSerializer(BoundedSerializer):
    rule_codes = serializers.ListField(child=serializers.CharField(), required=False, allow_empty=True)


class FlagTransitionSerializer(BoundedModelSerializer):
    class Meta:
        model = FlagTransition
        fields = ["from_status", "to_status", "event", "actor", "occurred_at", "comment"]
        read_only_fields = fields


class FlagSerializer(BoundedModelSerializer):
    rule = serializers.SlugRelatedField(slug_field="code", read_only=True)
    rule_title = serializers.CharField(source="rule.title", read_only=True)
    severity = serializers.IntegerField(source="rule.severity", read_only=True)
    owner_explanation = serializers.CharField(read_only=True)
    applicant = serializers.PrimaryKeyRelatedField(source="person", read_only=True,
                                                   help_text="Sökandens id som flaggan gäller (som i /api/v1/applicants/).")

    class Meta:
        model = Flag
        fields = [
            "id", "rule", "rule_title", "severity", "subject_type", "subject_id", "applicant", "responsible", "unit",
            "owner_basis", "owner_explanation", "first_seen", "last_seen", "facts", "status", "resolved_on", "resolution_reason", "escalated_at",
            "escalated_to",
        ]
        read_only_fields = fields


class FlagDetailSerializer(FlagSerializer):
    transitions = FlagTransitionSerializer(many=True, read_only=True)

    class Meta(FlagSerializer.Meta):
        fields = [*FlagSerializer.Meta.fields, "transitions"]
        read_only_fields = fields


class FlagTransitionInputSerializer(BoundedSerializer):
    event = serializers.ChoiceField(choices=list(services.TRANSITION_LABELS.items()))
    comment = serializers.CharField(required=False, allow_blank=True, default="")


class CorrectiveActionSerializer(BoundedModelSerializer):
    class Meta:
        model = CorrectiveAction
        fields = [
            "id", "flag", "sample_answer", "description", "owner", "due_date", "status", "created_by",
            "followed_up_on", "follow_up_note", "followed_up_by", "outcome", "completed_on", "completed_by",
            "created_at",
        ]
        read_only_fields = fields


class CorrectiveActionCreateSerializer(BoundedSerializer):
    flag = serializers.IntegerField(required=False, allow_null=True)
    sample_answer = serializers.IntegerField(required=False, allow_null=True)
    description = serializers.CharField()
    owner = serializers.IntegerField(required=False, allow_null=True)
    due_date = serializers.DateField(required=False, allow_null=True)


class FollowUpSerializer(BoundedSerializer):
    note = serializers.CharField()


class CompleteSerializer(BoundedSerializer):
    outcome = serializers.CharField()


class ChecklistAnswerSerializer(BoundedModelSerializer):
    class Meta:
        model = ChecklistAnswer
        fields = [
            "id", "question", "prefilled", "prefill_reason", "answer", "overridden", "comment", "reviewed_by",
            "reviewed_at", "updated_at",
        ]
        read_only_fields = fields


class SampleItemSerializer(BoundedModelSerializer):
    answers = ChecklistAnswerSerializer(many=True, read_only=True)
    applicant = serializers.PrimaryKeyRelatedField(source="person", read_only=True,
                                                   help_text="Sökandens id (som i /api/v1/applicants/).")

    class Meta:
        model = ControlSampleItem
        fields = ["id", "position", "case", "applicant", "plan", "plan_state", "answers"]
        read_only_fields = fields


class ControlSampleSerializer(BoundedModelSerializer):
    period_from = serializers.DateField(source="period_start", read_only=True,
                                        help_text="Perioden stickprovet drogs ur, från och med.")
    period_to = serializers.DateField(source="period_end", read_only=True,
                                      help_text="Perioden stickprovet drogs ur, till och med.")

    class Meta:
        model = ControlSample
        fields = [
            "id", "unit", "population", "period_from", "period_to", "size", "seed", "population_size", "drawn_by",
            "created_at",
        ]
        read_only_fields = fields


class SampleDrawSerializer(BoundedSerializer):
    population = serializers.ChoiceField(choices=SamplePopulation.choices, required=False, default=SamplePopulation.CASES)
    period_from = serializers.DateField(source="period_start", help_text="Perioden att dra ur, från och med.")
    period_to = serializers.DateField(source="period_end", help_text="Perioden att dra ur, till och med.")
    size = serializers.IntegerField(required=False, default=10)
    seed = serializers.IntegerField(required=False, allow_null=True, default=None)


class ChecklistValueField(serializers.ChoiceField):
    """yes / no / not_applicable; true and false are still taken as yes and no."""

    def __init__(self, **kwargs):
        super().__init__(choices=ChecklistValue.choices, **kwargs)

    def to_internal_value(self, data):
        if isinstance(data, bool):
            data = ChecklistValue.YES if data else ChecklistValue.NO
        return super().to_internal_value(data)


class AnswerReviewSerializer(BoundedSerializer):
    answer = ChecklistValueField()
    comment = serializers.CharField(required=False, allow_blank=True, default="")


class AnswerReviewRowSerializer(AnswerReviewSerializer):
    """One question's review in a bulk review: the single review's fields, with the answer's id."""

    id = serializers.IntegerField(help_text="Checklistsvarets id (från stickprovets checklistor).")


class AnswerReviewBulkSerializer(BoundedSerializer):
    """Many checklist answers reviewed at once, e.g. a sampled case's whole checklist; all or none."""

    rows = bulk_rows(AnswerReviewRowSerializer())


class FlagCountSerializer(BoundedSerializer):
    rule = serializers.CharField(source="rule__code", help_text="Regelns kod.")
    rule_title = serializers.CharField(source="rule__title", help_text="Regelns namn.")
    status = serializers.ChoiceField(choices=FlagStatus.choices, help_text="Flaggornas status.")
    count = serializers.IntegerField(help_text="Antal flaggor med regeln och statusen.")


class AccessLogEntrySerializer(serializers.ModelSerializer):
    applicant = serializers.IntegerField(source="person_id", read_only=True, allow_null=True,
                                         help_text="Id för personen vars uppgifter lästes; null när ingen person berörs.")

    class Meta:
        model = AccessLogEntry
        fields = [
            "id", "occurred_at", "actor_id", "actor_username", "actor_role", "action", "applicant", "object_type",
            "object_id", "channel", "ip_address", "endpoint",
        ]
        read_only_fields = fields
