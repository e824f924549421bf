"""Serializers for applications, calculations and decisions.

Input serializers check types only; amounts arrive as decimals so that the service can say
"hela kronor" about öre rather than a generic type error. Output marks every calculation and
decision made on an unofficial riksnorm with a visible warning.
"""

from __future__ import annotations

import datetime
import functools

from django.core.exceptions import ObjectDoesNotExist
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from config.api.versions import UPDATED_AT_HELP
from config.limits import Amount, BoundedModelSerializer, BoundedSerializer

from ..finance_models import (
    Application,
    ApplicationCost,
    ApplicationIncome,
    ApplicationMember,
    Calculation,
    CostType,
    Decision,
    DecisionExecutionEvent,
    DecisionItemKind,
    DecisionOutcome,
    DelegationPoint,
    ExecutionEventKind,
    IncomeType,
    LegalBasis,
    RiksnormHouseholdAmount,
    RiksnormPersonalAmount,
    RiksnormTable,
)
from ..letter_models import Communication, DecisionDelivery, DecisionLetter, DeliveryWay

UNOFFICIAL_WARNING = "OBS: beräkningen bygger på en riksnorm som INTE är officiell (endast demo/test)."




# --- reference data ----------------------------------------------------------------------

class PersonalAmountSerializer(BoundedModelSerializer):
    class Meta:
        model = RiksnormPersonalAmount
        fields = ["id", "age_from", "age_to", "amount", "amount_no_lunch"]


class HouseholdAmountSerializer(BoundedModelSerializer):
    class Meta:
        model = RiksnormHouseholdAmount
        fields = ["id", "size", "amount"]


class RiksnormTableSerializer(BoundedModelSerializer):
    personal_amounts = PersonalAmountSerializer(many=True, read_only=True)
    household_amounts = HouseholdAmountSerializer(many=True, read_only=True)

    class Meta:
        model = RiksnormTable
        fields = ["id", "name", "valid_from", "valid_to", "is_official", "source", "single_adult", "cohabiting_couple",
                  "shared_per_member_beyond_7", "personal_amounts", "household_amounts"]


class CostTypeSerializer(BoundedModelSerializer):
    class Meta:
        model = CostType
        fields = ["code", "name", "counts"]


class IncomeTypeSerializer(BoundedModelSerializer):
    class Meta:
        model = IncomeType
        fields = ["code", "name", "counts", "is_employment"]


class LegalBasisSerializer(BoundedModelSerializer):
    class Meta:
        model = LegalBasis
        fields = ["code", "law", "reference", "former_reference", "title", "appeal_kind", "appeal_period_days",
                  "appeal_information", "valid_from", "valid_to"]


class DelegationPointSerializer(BoundedModelSerializer):
    legal_basis = serializers.SlugRelatedField(slug_field="code", read_only=True)

    class Meta:
        model = DelegationPoint
        fields = ["code", "description", "legal_basis", "item_kind", "role", "max_amount"]


# --- applications ---------------------------------------------------------------------------

class MemberInputSerializer(BoundedSerializer):
    household_member = serializers.IntegerField()
    no_lunch = serializers.BooleanField(required=False, default=False)


class IncomeInputSerializer(BoundedSerializer):
    member = serializers.IntegerField(help_text="Id för hushållsmedlemmen inkomsten gäller.")
    income_type = serializers.CharField(help_text="Inkomsttypens kod.")
    amount = Amount()


class CostInputSerializer(BoundedSerializer):
    cost_type = serializers.CharField(help_text="Kostnadstypens kod.")
    amount_applied = Amount()
    note = serializers.CharField(required=False, allow_blank=True, max_length=300)


class DryRunSerializer(BoundedSerializer):
    case = serializers.IntegerField()
    month = serializers.DateField(help_text="Månaden ansökan gäller: vilken dag som helst i månaden, sparas som dess första dag.")
    members = MemberInputSerializer(many=True)
    incomes = IncomeInputSerializer(many=True, required=False, default=list)
    costs = CostInputSerializer(many=True, required=False, default=list)


class ApplicationCreateSerializer(DryRunSerializer):
    received_on = serializers.DateField(required=False)
    notes = serializers.CharField(required=False, allow_blank=True)


class CostApprovalSerializer(BoundedSerializer):
    cost = serializers.IntegerField()
    amount_approved = Amount()


class CostApprovalsSerializer(BoundedSerializer):
    approvals = CostApprovalSerializer(many=True)


class ApplicationMemberSerializer(BoundedModelSerializer):
    role = serializers.CharField(source="household_member.role", read_only=True)
    birth_date = serializers.DateField(source="household_member.birth_date", read_only=True)

    class Meta:
        model = ApplicationMember
        fields = ["household_member", "role", "birth_date", "no_lunch"]


class ApplicationIncomeSerializer(BoundedModelSerializer):
    member = serializers.IntegerField(source="member.household_member_id", read_only=True)
    income_type = serializers.SlugRelatedField(slug_field="code", read_only=True)

    class Meta:
        model = ApplicationIncome
        fields = ["id", "member", "income_type", "amount"]


class ApplicationCostSerializer(BoundedModelSerializer):
    cost_type = serializers.SlugRelatedField(slug_field="code", read_only=True)
    counts = serializers.BooleanField(source="cost_type.counts", read_only=True)

    class Meta:
        model = ApplicationCost
        fields = ["id", "cost_type", "counts", "amount_applied", "amount_approved", "note"]


class LineSerializer(BoundedSerializer):
    position = serializers.IntegerField(required=False)
    kind = serializers.CharField()
    description = serializers.CharField()
    amount = serializers.IntegerField()
    member = serializers.IntegerField(source="member_id", allow_null=True)
    personal_amount = serializers.IntegerField(source="personal_amount_id", allow_null=True)
    household_amount = serializers.IntegerField(source="household_amount_id", allow_null=True)
    cost_type = serializers.IntegerField(source="cost_type_id", allow_null=True)
    income_type = serializers.IntegerField(source="income_type_id", allow_null=True)
    basis = serializers.JSONField()


class _Warnings:
    def get_warnings(self, obj) -> list[str]:
        return [] if obj.norm_is_official else [UNOFFICIAL_WARNING]


class CalculationResultSerializer(_Warnings, BoundedSerializer):
    """A calculation's figures and lines; as is, a dry-run result (nothing saved)."""

    norm_table = serializers.IntegerField(source="norm_table_id")
    norm_name = serializers.CharField()
    norm_is_official = serializers.BooleanField()
    household_size = serializers.IntegerField()
    norm_total = serializers.IntegerField()
    costs_total = serializers.IntegerField()
    income_total = serializers.IntegerField()
    requested_amount = serializers.IntegerField()
    result_amount = serializers.IntegerField()
    lines = LineSerializer(many=True)
    warnings = serializers.SerializerMethodField()
    saved = serializers.SerializerMethodField()

    def get_saved(self, obj) -> bool:
        return isinstance(obj, Calculation)


class CalculationSerializer(CalculationResultSerializer):
    """A stored calculation, with who made it and when."""

    id = serializers.IntegerField()
    application = serializers.IntegerField(source="application_id")
    norm_name = serializers.CharField(source="norm_table.name")
    calculated_by = serializers.IntegerField(source="calculated_by_id")
    created_at = serializers.DateTimeField()
    updated_at = serializers.DateTimeField(help_text=UPDATED_AT_HELP)  # not a model serialiser: named here
    lines = LineSerializer(many=True, source="lines.all")


class ApplicationSerializer(BoundedModelSerializer):
    members = ApplicationMemberSerializer(many=True, read_only=True)
    incomes = ApplicationIncomeSerializer(many=True, read_only=True)
    costs = ApplicationCostSerializer(many=True, read_only=True)
    latest_calculation = serializers.SerializerMethodField()

    class Meta:
        model = Application
        fields = ["id", "case", "month", "received_on", "status", "notes", "members", "incomes", "costs",
                  "latest_calculation", "created_at"]

    def get_latest_calculation(self, obj) -> dict | None:
        calcs = list(obj.calculations.all())  # prefetched, newest first
        return self._calculation_serializer.to_representation(calcs[0]) if calcs else None

    @functools.cached_property
    def _calculation_serializer(self):
        return CalculationSerializer()  # one for the whole list, not one (and its fields) per row


# --- decisions ---------------------------------------------------------------------------------

class DecisionCreateSerializer(BoundedSerializer):
    application = serializers.IntegerField()
    item_kind = serializers.ChoiceField(choices=DecisionItemKind.choices)
    cost = serializers.IntegerField(required=False, allow_null=True)
    outcome = serializers.ChoiceField(choices=DecisionOutcome.choices)
    amount = Amount(required=False, allow_null=True)
    legal_basis = serializers.CharField(required=False, allow_blank=True, allow_null=True)
    delegation_point = serializers.CharField(required=False, allow_blank=True, allow_null=True)
    reasoning = serializers.CharField(required=False, allow_blank=True, allow_null=True)
    decided_on = serializers.DateField(required=False)
    communication_omitted_reason = serializers.CharField(
        required=False, allow_blank=True, allow_null=True,
        help_text="Vid avslag eller delvis bifall utan registrerad kommunicering: varför den uppenbart inte behövdes.")


class DecisionCorrectSerializer(DecisionCreateSerializer):
    application = None
    item_kind = None
    cost = None


class ExecutionEventInputSerializer(BoundedSerializer):
    kind = serializers.ChoiceField(choices=ExecutionEventKind.choices)
    occurred_on = serializers.DateField()
    note = serializers.CharField(required=False, allow_blank=True, max_length=500)


class ExecutionEventSerializer(BoundedModelSerializer):
    class Meta:
        model = DecisionExecutionEvent
        fields = ["id", "kind", "occurred_on", "note", "recorded_by", "created_at"]


class DeliveryInputSerializer(BoundedSerializer):
    delivered_on = serializers.DateField(help_text="Dagen beslutet skickades eller lämnades över.")
    way = serializers.ChoiceField(choices=DeliveryWay.choices)


class DeliverySerializer(BoundedModelSerializer):
    appeal_deadline = serializers.SerializerMethodField(
        help_text="Sista dag att överklaga, räknad från dagen beslutet skickades eller lämnades över (tre veckor).")

    class Meta:
        model = DecisionDelivery
        fields = ["delivered_on", "way", "recorded_by", "appeal_deadline"]

    def get_appeal_deadline(self, obj) -> datetime.date | None:
        return obj.appeal_deadline


COMMUNICATION_MISSING_WARNING = "Ingen kommunicering registrerades före beslutet; skälet är angivet i beslutet."


class DecisionSerializer(_Warnings, BoundedModelSerializer):
    legal_basis = LegalBasisSerializer(source="cited_legal_basis", read_only=True)
    delegation_point = serializers.SlugRelatedField(slug_field="code", read_only=True)
    decided_by_name = serializers.CharField(source="decided_by.get_full_name", read_only=True)
    case = serializers.IntegerField(source="application.case_id", read_only=True)
    month = serializers.DateField(source="application.month", read_only=True)
    replaced_by = serializers.SerializerMethodField()
    execution_events = ExecutionEventSerializer(many=True, read_only=True)
    executed_on = serializers.SerializerMethodField()
    warnings = serializers.SerializerMethodField()
    delivery = serializers.SerializerMethodField(help_text="När och hur beslutet skickades; tomt tills det registrerats.")
    has_letter = serializers.SerializerMethodField(help_text="Beslutsmeddelandet finns (GET letter/).")

    class Meta:
        model = Decision
        fields = ["id", "application", "case", "month", "item_kind", "cost", "calculation", "outcome", "amount_applied",
                  "amount", "legal_basis", "reasoning", "decided_by", "decided_by_name", "decided_by_role",
                  "delegation_point", "decided_on", "signed_at", "appeal_information", "norm_is_official", "replaces",
                  "replaced_by", "execution_events", "executed_on", "communication_omitted_reason", "delivery",
                  "has_letter", "warnings"]

    def get_warnings(self, obj) -> list[str]:
        return super().get_warnings(obj) + ([COMMUNICATION_MISSING_WARNING] if obj.communication_omitted_reason else [])

    @staticmethod
    def _related(obj, name):
        try:
            return getattr(obj, name)
        except ObjectDoesNotExist:
            return None

    @extend_schema_field(DeliverySerializer(allow_null=True))
    def get_delivery(self, obj):  # selected with the decision
        delivery = self._related(obj, "delivery")
        return DeliverySerializer(delivery).data if delivery else None

    def get_has_letter(self, obj) -> bool:
        return obj.has_letter

    def get_replaced_by(self, obj) -> int | None:
        replacement = getattr(obj, "replaced_by", None)
        return replacement.pk if replacement else None

    def get_executed_on(self, obj) -> datetime.date | None:
        executed = [e.occurred_on for e in obj.execution_events.all() if e.kind == ExecutionEventKind.EXECUTED]
        return executed[0] if executed else None


class DelegatedDecisionGroupSerializer(BoundedSerializer):
    delegation_point = serializers.CharField(source="delegation_point__code")
    delegation_point_description = serializers.CharField(source="delegation_point__description")
    decided_by = serializers.IntegerField(source="decided_by_id")
    decided_by_name = serializers.SerializerMethodField()
    decided_by_role = serializers.CharField()
    count = serializers.IntegerField()
    granted = serializers.IntegerField()
    partly_granted = serializers.IntegerField()
    refused = serializers.IntegerField()
    corrections = serializers.IntegerField()
    amount_total = serializers.IntegerField()

    def get_decided_by_name(self, row) -> str:
        return f"{row['decided_by__first_name']} {row['decided_by__last_name']}".strip()


class PeriodSerializer(BoundedSerializer):
    """The delegated decisions' period, named as the decisions list's filter (decided_from/_to)."""

    decided_from = serializers.DateField(source="date_from", help_text="Beslutsdag från och med (ÅÅÅÅ-MM-DD), inklusive.")
    decided_to = serializers.DateField(source="date_to", help_text="Beslutsdag till och med (ÅÅÅÅ-MM-DD), inklusive.")

    def validate(self, attrs):
        if attrs["date_to"] < attrs["date_from"]:
            raise serializers.ValidationError({"decided_to": "Slutdatumet ligger före startdatumet."})
        return attrs



# --- decisions are communicated (issue 14) ------------------------------------------------------

class CommunicationSerializer(BoundedModelSerializer):
    case = serializers.IntegerField(source="application.case_id", read_only=True)
    recorded_by_name = serializers.CharField(source="recorded_by.get_full_name", read_only=True)

    class Meta:
        model = Communication
        fields = ["id", "application", "case", "communicated_on", "content", "answer_by", "answer", "answered_on",
                  "recorded_by", "recorded_by_name", "created_at"]
        read_only_fields = fields


class CommunicationCreateSerializer(BoundedSerializer):
    application = serializers.IntegerField()
    communicated_on = serializers.DateField(help_text="Dagen sökanden fick ta del av underlaget.")
    content = serializers.CharField(help_text="Vad som kommunicerades: det beslutet kommer att grunda sig på.")
    answer_by = serializers.DateField(help_text="Sista dag att svara.")
    answer = serializers.CharField(required=False, allow_blank=True, default="")
    answered_on = serializers.DateField(required=False, allow_null=True, default=None)


class DecisionLetterSerializer(BoundedModelSerializer):
    verified = serializers.BooleanField(source="verifies", read_only=True,
                                        help_text="Texten stämmer med kontrollsumman från signeringen.")

    class Meta:
        model = DecisionLetter
        fields = ["decision", "text", "sha256", "signed_at", "verified"]
        read_only_fields = fields
