"""Serializers for insatser: output shapes, and input shapes that only check types.

Business validation (plans, hours, periods, roles, scope) is in insatser/services.py.
"""

from __future__ import annotations

import datetime
import functools

from django.utils import timezone
from rest_framework import serializers

from config.api.bulk import bulk_rows
from config.limits import BoundedModelSerializer, BoundedSerializer

from .. import norms
from ..models import (
    WEEKDAY_FIELDS,
    ClosingReason,
    DecisionKind,
    Exemption,
    ExemptionReason,
    Insats,
    InsatsDecision,
    InsatsType,
    Participation,
    ParticipationClosing,
    ParticipationExtension,
    Referral,
    Track,
    WeeklyAttendance,
)

HOURS = {"max_digits": 4, "decimal_places": 2, "min_value": 0}


class TrackSerializer(BoundedModelSerializer):
    class Meta:
        model = Track
        fields = ["id", "code", "name"]


class InsatsSerializer(BoundedModelSerializer):
    track = serializers.SlugRelatedField(slug_field="code", read_only=True)
    provider_unit = serializers.SlugRelatedField(slug_field="code", read_only=True, allow_null=True)

    class Meta:
        model = Insats
        fields = [
            "id", "name", "insats_type", "track", "provider_unit", "external_provider", "capacity",
            "normal_hours_per_week", "description", "is_active",
        ]


class InsatsCreateSerializer(BoundedSerializer):
    name = serializers.CharField(max_length=200)
    insats_type = serializers.ChoiceField(choices=InsatsType.choices)
    track = serializers.CharField(max_length=50, help_text="Ingångens kod.")
    provider_unit = serializers.CharField(max_length=50, required=False, allow_blank=True, help_text="Enhetens kod.")
    external_provider = serializers.CharField(max_length=200, required=False, allow_blank=True)
    capacity = serializers.IntegerField(min_value=1)
    normal_hours_per_week = serializers.DecimalField(max_digits=4, decimal_places=1, min_value=0)
    description = serializers.CharField(required=False, allow_blank=True)


class InsatsUpdateSerializer(BoundedSerializer):
    name = serializers.CharField(max_length=200, required=False)
    capacity = serializers.IntegerField(min_value=1, required=False)
    normal_hours_per_week = serializers.DecimalField(max_digits=4, decimal_places=1, min_value=0, required=False)
    description = serializers.CharField(required=False, allow_blank=True)
    is_active = serializers.BooleanField(required=False)


class InsatsDecisionSerializer(BoundedModelSerializer):
    applicant_name = serializers.CharField(source="applicant.full_name", read_only=True)
    decided_by_name = serializers.CharField(source="decided_by.get_full_name", read_only=True)

    class Meta:
        model = InsatsDecision
        fields = [
            "id", "case", "applicant", "applicant_name", "kind", "legal_basis", "reasoning", "decided_on", "decided_by",
            "decided_by_name", "valid_from", "valid_to", "ended_on", "end_decided_on", "end_decided_by", "end_reasoning",
        ]


class InsatsDecisionCreateSerializer(BoundedSerializer):
    case = serializers.IntegerField()
    applicant = serializers.IntegerField()
    kind = serializers.ChoiceField(choices=DecisionKind.choices)
    reasoning = serializers.CharField(allow_blank=True)
    decided_on = serializers.DateField()
    valid_from = serializers.DateField()
    valid_to = serializers.DateField(required=False, allow_null=True, help_text="Tomt: tills vidare.")


class InsatsDecisionEndSerializer(BoundedSerializer):
    ended_on = serializers.DateField()
    end_decided_on = serializers.DateField()
    end_reasoning = serializers.CharField(allow_blank=True)


class ReferralSerializer(BoundedModelSerializer):
    applicant_name = serializers.CharField(source="applicant.full_name", read_only=True)
    insats_name = serializers.CharField(source="insats.name", read_only=True)
    has_temporary_activity = serializers.BooleanField(read_only=True, default=None)
    waited_days = serializers.SerializerMethodField()
    needs_temporary_activity = serializers.BooleanField(read_only=True)  # selectors.referral_list
    valid_to = serializers.DateField(source="valid_until", read_only=True, help_text="Sista dag anvisningen gäller.")

    class Meta:
        model = Referral
        fields = [
            "id", "applicant", "applicant_name", "insats", "insats_name", "plan", "decision", "referred_by",
            "referred_on", "valid_to", "status", "queue_position", "queued_on", "started_on", "note",
            "waited_days", "needs_temporary_activity", "has_temporary_activity",
        ]

    def get_waited_days(self, obj) -> int | None:
        return (timezone.localdate() - obj.queued_on).days if obj.status == "queued" else None


class ReferralCreateSerializer(BoundedSerializer):
    applicant = serializers.IntegerField()
    insats = serializers.IntegerField()
    referred_on = serializers.DateField(required=False)
    decision = serializers.IntegerField(required=False, allow_null=True)
    note = serializers.CharField(required=False, allow_blank=True)


class ScheduleSerializer(BoundedSerializer):
    """Scheduled hours per weekday."""

    hours_monday = serializers.DecimalField(**HOURS, required=False, default=0)
    hours_tuesday = serializers.DecimalField(**HOURS, required=False, default=0)
    hours_wednesday = serializers.DecimalField(**HOURS, required=False, default=0)
    hours_thursday = serializers.DecimalField(**HOURS, required=False, default=0)
    hours_friday = serializers.DecimalField(**HOURS, required=False, default=0)
    hours_saturday = serializers.DecimalField(**HOURS, required=False, default=0)
    hours_sunday = serializers.DecimalField(**HOURS, required=False, default=0)


class ReferralStartSerializer(ScheduleSerializer):
    started_on = serializers.DateField(source="start_date", help_text="Dagen deltagandet börjar.")


class ExtensionSerializer(BoundedModelSerializer):
    previous_decision_period_to = serializers.DateField(source="previous_end", read_only=True,
                                                        help_text="Beslutsperiodens sista dag före förlängningen.")
    decision_period_to = serializers.DateField(source="new_end", read_only=True,
                                               help_text="Beslutsperiodens sista dag efter förlängningen.")

    class Meta:
        model = ParticipationExtension
        fields = ["id", "previous_decision_period_to", "decision_period_to", "special_reason", "decided_by", "decided_on"]


class ClosingSerializer(BoundedModelSerializer):
    waiting_for = serializers.SerializerMethodField()
    applicant = serializers.IntegerField(source="participation.applicant_id", read_only=True)
    ended_on = serializers.DateField(source="end_date", read_only=True, help_text="Dagen deltagandet avslutas.")

    class Meta:
        model = ParticipationClosing
        fields = [
            "id", "participation", "applicant", "reason", "reason_text", "ended_on", "proposed_by", "proposed_at",
            "confirmed_by", "confirmed_at", "waiting_for",
        ]

    def get_waiting_for(self, obj) -> str | None:
        return None if obj.confirmed_at else "caseworker"


class ParticipationSerializer(BoundedModelSerializer):
    applicant_name = serializers.CharField(source="applicant.full_name", read_only=True)
    insats_name = serializers.CharField(source="insats.name", read_only=True)
    weekly_hours = serializers.DecimalField(max_digits=5, decimal_places=2, read_only=True)
    extensions = ExtensionSerializer(many=True, read_only=True)
    closing = serializers.SerializerMethodField()
    matching_from = serializers.SerializerMethodField()
    valid_from = serializers.DateField(source="start_date", read_only=True, help_text="Deltagandets första dag.")
    valid_to = serializers.DateField(source="end_date", read_only=True, allow_null=True,
                                     help_text="Deltagandets sista dag; null medan det pågår.")
    decision_period_to = serializers.DateField(source="decision_period_end", read_only=True,
                                               help_text="Beslutsperiodens sista dag (sex månader, med förlängningar).")

    class Meta:
        model = Participation
        fields = [
            "id", "applicant", "applicant_name", "insats", "insats_name", "referral", "valid_from",
            "decision_period_to", "status", "valid_to", "closing_reason", *WEEKDAY_FIELDS, "weekly_hours",
            "extensions", "closing", "matching_from",
        ]

    def get_matching_from(self, obj) -> datetime.date | None:
        """Arbetsmarknadsanställning: the date the person joins the matching group."""
        return norms.matching_from_for(obj.start_date, insats_type=obj.insats.insats_type)

    def get_closing(self, obj) -> dict | None:
        closing = getattr(obj, "closing", None)
        return self._closing_serializer.to_representation(closing) if closing else None

    @functools.cached_property
    def _closing_serializer(self):
        return ClosingSerializer()  # one for the whole list, not one (and its fields) per row


class ExtendSerializer(BoundedSerializer):
    decision_period_to = serializers.DateField(source="new_end", help_text="Beslutsperiodens nya sista dag.")
    special_reason = serializers.CharField(allow_blank=True)


class AttendanceSerializer(BoundedModelSerializer):
    class Meta:
        model = WeeklyAttendance
        fields = ["id", "participation", "week_start", "attended_hours", "note", "reported_by"]


class AttendanceInputSerializer(BoundedSerializer):
    week_start = serializers.DateField(help_text="Veckans måndag.")
    attended_hours = serializers.DecimalField(max_digits=5, decimal_places=2, min_value=0)
    note = serializers.CharField(required=False, allow_blank=True)


class AttendanceBulkRowSerializer(BoundedSerializer):
    """One participant's week in a bulk report: the single POST's fields, with the participation."""

    participation = serializers.IntegerField(help_text="Deltagandets id (vid din enhet).")
    attended_hours = serializers.DecimalField(
        max_digits=5, decimal_places=2, min_value=0, help_text="Närvarade timmar under veckan.")
    note = serializers.CharField(required=False, allow_blank=True, default="")


class AttendanceBulkSerializer(BoundedSerializer):
    """A group's week: one week, one row per participation; all rows saved or none."""

    week_start = serializers.DateField(help_text="Veckans måndag; samma vecka för alla rader.")
    rows = bulk_rows(AttendanceBulkRowSerializer())


class AttendanceBulkResultSerializer(serializers.Serializer):
    """The week as saved: every row asked for, and how many were written."""

    week_start = serializers.DateField(help_text="Veckans måndag.")
    written = serializers.IntegerField(help_text="Hur många rader som skapades eller ändrades (oförändrade lämnas).")
    rows = AttendanceSerializer(many=True, help_text="Raderna som de nu är sparade, i samma ordning som i begäran.")


class ClosingProposeSerializer(BoundedSerializer):
    reason = serializers.ChoiceField(choices=ClosingReason.choices)
    ended_on = serializers.DateField(source="end_date", help_text="Dagen deltagandet avslutas.")
    reason_text = serializers.CharField(required=False, allow_blank=True)


class ExemptionSerializer(BoundedModelSerializer):
    applicant_name = serializers.CharField(source="applicant.full_name", read_only=True)

    class Meta:
        model = Exemption
        fields = [
            "id", "applicant", "applicant_name", "reason", "reason_text", "valid_from", "valid_to",
            "required_hours_per_week", "decided_by", "decided_on", "review_on",
        ]


class ExemptionCreateSerializer(BoundedSerializer):
    applicant = serializers.IntegerField()
    reason = serializers.ChoiceField(choices=ExemptionReason.choices)
    reason_text = serializers.CharField(allow_blank=True)
    valid_from = serializers.DateField()
    # Optional here so that the service answers, naming the field, when it is missing.
    valid_to = serializers.DateField(required=False, allow_null=True)
    review_on = serializers.DateField(required=False, allow_null=True)
    required_hours_per_week = serializers.DecimalField(max_digits=4, decimal_places=1, min_value=0, required=False)


class FullTimeSerializer(BoundedSerializer):
    applicant = serializers.IntegerField(source="pk")
    name = serializers.CharField(source="full_name")
    birth_date = serializers.DateField()
    legal_gender = serializers.CharField()
    scheduled_hours = serializers.DecimalField(max_digits=6, decimal_places=2)
    attended_hours = serializers.DecimalField(max_digits=6, decimal_places=2)
    norm_hours = serializers.DecimalField(max_digits=6, decimal_places=2)
    is_scheduled_full_time = serializers.BooleanField()
    is_attended_full_time = serializers.BooleanField()
    exemption = serializers.IntegerField(source="exemption_id", allow_null=True)
    exemption_reason = serializers.CharField(allow_null=True)
    exemption_review_on = serializers.DateField(allow_null=True)


class TimelineEventSerializer(BoundedSerializer):
    date = serializers.DateField()
    kind = serializers.CharField()
    object_type = serializers.CharField()
    object_id = serializers.IntegerField()
    title = serializers.CharField()
    detail = serializers.CharField()
