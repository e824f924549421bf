"""Serializers for planning: output shapes, and input shapes that only check types.

Business validation (scope, dates, sub-goals measurable, signed plans fixed) is in services.py.
"""

from __future__ import annotations

import functools

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from config.limits import BoundedModelSerializer, BoundedSerializer

from .. import quality
from ..models import (
    Assessment,
    BipAnswer,
    BipAssessment,
    BipIndicator,
    BipInstrument,
    BipScaleStep,
    FollowUp,
    FollowUpMethod,
    ImplementationPlan,
    Partner,
    PlanActivity,
    Progress,
    Subgoal,
    SubgoalProgress,
)

AREAS = ["work_experience", "education", "language", "health", "housing", "family", "other"]


class AssessmentSerializer(BoundedModelSerializer):
    made_by_name = serializers.CharField(source="made_by.get_full_name", read_only=True)

    class Meta:
        model = Assessment
        fields = ["id", "applicant", "assessed_on", "made_by", "made_by_name", *AREAS, "created_at"]


class AssessmentCreateSerializer(BoundedSerializer):
    applicant = serializers.IntegerField()
    assessed_on = serializers.DateField()
    work_experience = serializers.CharField(required=False, allow_blank=True)
    education = serializers.CharField(required=False, allow_blank=True)
    language = serializers.CharField(required=False, allow_blank=True)
    health = serializers.CharField(required=False, allow_blank=True)
    housing = serializers.CharField(required=False, allow_blank=True)
    family = serializers.CharField(required=False, allow_blank=True)
    other = serializers.CharField(required=False, allow_blank=True)


class SubgoalSerializer(BoundedModelSerializer):
    class Meta:
        model = Subgoal
        fields = ["id", "position", "description", "measure", "target", "target_date"]


class PlanActivitySerializer(BoundedModelSerializer):
    valid_from = serializers.DateField(source="starts_on", read_only=True, allow_null=True,
                                       help_text="Aktivitetens första dag, om den har en.")
    valid_to = serializers.DateField(source="ends_on", read_only=True, allow_null=True,
                                     help_text="Aktivitetens sista dag, om den har en.")

    class Meta:
        model = PlanActivity
        fields = ["id", "position", "subgoal", "description", "how", "responsible", "partners", "valid_from", "valid_to"]


class AnswerSerializer(BoundedSerializer):
    code = serializers.CharField()
    question = serializers.CharField()
    answer = serializers.ChoiceField(choices=quality.ANSWER_CHOICES)
    reason = serializers.CharField()
    field = serializers.CharField()


class PlanQualitySerializer(BoundedSerializer):
    checkpoints = AnswerSerializer(many=True)
    control_questions = AnswerSerializer(many=True)
    missing_for_signing = serializers.SerializerMethodField()

    @extend_schema_field(serializers.ListField(child=serializers.CharField()))
    def get_missing_for_signing(self, obj):
        # The view reads the municipality's blocking choice once per request (no query per plan).
        return [a.code for a in obj.missing(self.context.get("blocking_checkpoints"))]


class SigningWarningSerializer(serializers.Serializer):
    """A checkpoint the plan fails that the municipality lets through at signing (it only warns)."""

    code = serializers.CharField()
    field = serializers.CharField()
    message = serializers.CharField()


class PlanCaseSerializer(serializers.Serializer):
    """The case a plan belongs to, as the plan shows it (from the list's select_related)."""

    id = serializers.IntegerField()
    unit = serializers.IntegerField(source="unit_id")
    unit_name = serializers.CharField(source="unit.name")
    status = serializers.CharField()
    status_display = serializers.CharField(source="get_status_display")
    opened_on = serializers.DateField()
    closed_on = serializers.DateField(allow_null=True)


class PlanSerializer(BoundedModelSerializer):
    """A plan with its sub-goals, activities and quality (from the list's annotations: no extra query)."""

    case_summary = PlanCaseSerializer(source="case", read_only=True, allow_null=True)
    subgoals = SubgoalSerializer(many=True, read_only=True)
    activities = PlanActivitySerializer(many=True, read_only=True)
    superseded_by = serializers.SerializerMethodField()
    quality = serializers.SerializerMethodField()
    valid_to = serializers.DateField(source="valid_until", read_only=True, allow_null=True,
                                     help_text="Sista dag planen gäller (sex månader från signeringen).")

    class Meta:
        model = ImplementationPlan
        fields = [
            "id", "applicant", "case", "case_summary", "assessment", "version", "supersedes", "superseded_by", "status",
            "areas_to_maintain", "areas_to_change", "long_term_goal", "participants", "participation_recorded",
            "person_views", "made_on", "latest_follow_up_on", "follow_up_method", "valid_to", "created_by",
            "signed_at", "signed_by", "subgoals", "activities", "quality",
        ]

    @extend_schema_field(serializers.IntegerField(allow_null=True))
    def get_superseded_by(self, obj):
        return getattr(obj, "q_superseded_by", None)

    @extend_schema_field(PlanQualitySerializer)
    def get_quality(self, obj):
        return self._quality_serializer.to_representation(quality.answers_for(obj))

    @functools.cached_property
    def _quality_serializer(self):
        # One for the whole list: a serializer made per plan copies its fields per plan, which was
        # most of the plan list's time (50 plans a page).
        return PlanQualitySerializer(context=self.context)


class SignedPlanSerializer(PlanSerializer):
    """The answer to signing: the plan, and the checkpoints it fails that only warn."""

    warnings = SigningWarningSerializer(many=True, read_only=True)

    class Meta(PlanSerializer.Meta):
        fields = [*PlanSerializer.Meta.fields, "warnings"]


class SubgoalInputSerializer(BoundedSerializer):
    description = serializers.CharField(allow_blank=True, required=False)
    measure = serializers.CharField(allow_blank=True, required=False)
    target = serializers.CharField(allow_blank=True, required=False)
    target_date = serializers.DateField(required=False, allow_null=True)


class ActivityInputSerializer(BoundedSerializer):
    description = serializers.CharField(allow_blank=True, required=False)
    how = serializers.CharField(allow_blank=True, required=False)
    responsible = serializers.CharField(allow_blank=True, required=False, max_length=200)
    partners = serializers.ListField(child=serializers.ChoiceField(choices=Partner.choices), required=False)
    subgoal_index = serializers.IntegerField(required=False, allow_null=True, min_value=0)
    valid_from = serializers.DateField(source="starts_on", required=False, allow_null=True,
                                       help_text="Aktivitetens första dag, om den har en.")
    valid_to = serializers.DateField(source="ends_on", required=False, allow_null=True,
                                     help_text="Aktivitetens sista dag (inte före valid_from).")


class PlanFieldsSerializer(BoundedSerializer):
    areas_to_maintain = serializers.CharField(required=False, allow_blank=True)
    areas_to_change = serializers.CharField(required=False, allow_blank=True)
    long_term_goal = serializers.CharField(required=False, allow_blank=True)
    participants = serializers.CharField(required=False, allow_blank=True)
    participation_recorded = serializers.BooleanField(required=False, allow_null=True)
    person_views = serializers.CharField(required=False, allow_blank=True)
    made_on = serializers.DateField(required=False)
    latest_follow_up_on = serializers.DateField(required=False, allow_null=True)
    follow_up_method = serializers.ChoiceField(choices=FollowUpMethod.choices, required=False, allow_blank=True)
    subgoals = SubgoalInputSerializer(many=True, required=False)
    activities = ActivityInputSerializer(many=True, required=False)


class PlanCreateSerializer(PlanFieldsSerializer):
    applicant = serializers.IntegerField()
    made_on = serializers.DateField()
    assessment = serializers.IntegerField(required=False, allow_null=True)
    case = serializers.IntegerField(required=False, allow_null=True,
                                    help_text="Ärendet planen upprättas i; utelämnat: personens öppna ärende.")


class NewVersionSerializer(BoundedSerializer):
    made_on = serializers.DateField(required=False)


class SubgoalProgressSerializer(BoundedModelSerializer):
    class Meta:
        model = SubgoalProgress
        fields = ["subgoal", "status", "comment"]


class FollowUpSerializer(BoundedModelSerializer):
    progress = SubgoalProgressSerializer(many=True, read_only=True)
    applicant = serializers.IntegerField(source="plan.applicant_id", read_only=True)

    class Meta:
        model = FollowUp
        fields = [
            "id", "plan", "applicant", "followed_up_on", "method", "participants", "follows_plan", "plan_deviation",
            "notes", "next_follow_up_on", "recorded_by", "progress", "created_at",
        ]


class ProgressInputSerializer(BoundedSerializer):
    subgoal = serializers.IntegerField()
    status = serializers.ChoiceField(choices=Progress.choices)
    comment = serializers.CharField(required=False, allow_blank=True)


class FollowUpCreateSerializer(BoundedSerializer):
    plan = serializers.IntegerField()
    followed_up_on = serializers.DateField()
    method = serializers.ChoiceField(choices=FollowUpMethod.choices)
    participants = serializers.CharField(required=False, allow_blank=True)
    follows_plan = serializers.BooleanField(allow_null=True)
    plan_deviation = serializers.CharField(required=False, allow_blank=True)
    notes = serializers.CharField(required=False, allow_blank=True)
    next_follow_up_on = serializers.DateField(required=False, allow_null=True)
    progress = ProgressInputSerializer(many=True, required=False)


class BipIndicatorSerializer(BoundedModelSerializer):
    class Meta:
        model = BipIndicator
        fields = ["code", "name", "position", "answered_by", "is_confirmed"]


class BipScaleStepSerializer(BoundedModelSerializer):
    class Meta:
        model = BipScaleStep
        fields = ["value", "label"]


class BipInstrumentSerializer(BoundedModelSerializer):
    indicators = BipIndicatorSerializer(many=True, read_only=True)
    scale = BipScaleStepSerializer(many=True, read_only=True)

    class Meta:
        model = BipInstrument
        fields = ["code", "name", "description", "indicators", "scale"]


class BipAnswerSerializer(BoundedModelSerializer):
    indicator = serializers.CharField(source="indicator.code", read_only=True)
    indicator_name = serializers.CharField(source="indicator.name", read_only=True)
    previous_value = serializers.IntegerField(read_only=True, allow_null=True)
    change = serializers.IntegerField(read_only=True, allow_null=True)

    class Meta:
        model = BipAnswer
        fields = ["indicator", "indicator_name", "value", "previous_value", "change"]


class BipAssessmentSerializer(BoundedModelSerializer):
    instrument = serializers.SlugRelatedField(slug_field="code", read_only=True)
    answers = BipAnswerSerializer(many=True, read_only=True)

    class Meta:
        model = BipAssessment
        fields = ["id", "applicant", "instrument", "assessed_on", "recorded_by", "answers", "created_at"]


class BipAssessmentCreateSerializer(BoundedSerializer):
    applicant = serializers.IntegerField()
    instrument = serializers.SlugField(required=False, default="bip-standard")
    assessed_on = serializers.DateField()
    answers = serializers.DictField(child=serializers.IntegerField())


class TimelineEntrySerializer(BoundedSerializer):
    date = serializers.DateField()
    kind = serializers.CharField()
    object_type = serializers.CharField()
    id = serializers.IntegerField()
    title = serializers.CharField()
