"""Serializers for cases: output shapes, and input shapes that only check types.

Business validation (personnummer, periods, scope) is in services.py.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError as DjangoValidationError
from rest_framework import serializers

from config.limits import BoundedModelSerializer, BoundedSerializer

from .. import identity
from ..models import (
    Applicant,
    Case,
    CaseClosingReason,
    CaseSupportBarrier,
    CoordinatorAssignment,
    Household,
    HouseholdMember,
    LegalGender,
    MemberRole,
    OpeningWay,
    Role,
    Staff,
    SupportBarrier,
    Unit,
)

PROTECTED_FIELDS = ("street_address", "postal_code", "city", "phone", "email")


class UnitSerializer(BoundedModelSerializer):
    class Meta:
        model = Unit
        fields = ["id", "code", "name", "is_active"]


class StaffSerializer(BoundedModelSerializer):
    unit = serializers.SlugRelatedField(slug_field="code", read_only=True, allow_null=True)
    name = serializers.CharField(source="get_full_name", read_only=True)

    class Meta:
        model = Staff
        fields = ["id", "username", "name", "title", "role", "unit"]


class SupportBarrierSerializer(BoundedModelSerializer):
    class Meta:
        model = SupportBarrier
        fields = ["code", "name", "group", "is_labour_market"]


class ApplicantSerializer(BoundedModelSerializer):
    """A person. With skyddad identitet, address and contact details are shown to caseworkers only."""

    registered_unit = serializers.SlugRelatedField(slug_field="code", read_only=True)
    replaced_reserve_numbers = serializers.SlugRelatedField(
        slug_field="reserve_number", many=True, read_only=True,
        help_text="Reservnummer som personnummer eller samordningsnummer har ersatt.",
    )

    corrected_identity_numbers = serializers.SlugRelatedField(
        slug_field="previous_number", many=True, read_only=True,
        help_text="Tidigare personnummer eller samordningsnummer som har rättats, äldst först.",
    )

    class Meta:
        model = Applicant
        fields = [
            "id",
            "personal_identity_number",
            "reserve_number",
            "replaced_reserve_numbers",
            "corrected_identity_numbers",
            "is_coordination_number",
            "birth_date",
            "legal_gender",
            "first_name",
            "last_name",
            "street_address",
            "postal_code",
            "city",
            "phone",
            "email",
            "protected_identity",
            "registered_unit",
        ]
        # Null for a person with skyddad identitet unless the reader is a caseworker (below).
        extra_kwargs = {name: {"allow_null": True} for name in PROTECTED_FIELDS}

    def to_representation(self, instance):
        data = super().to_representation(instance)
        user = self.context["request"].user
        if instance.protected_identity and user.role != Role.CASEWORKER:
            for name in PROTECTED_FIELDS:
                data[name] = None
        return data


class ApplicantCreateSerializer(BoundedSerializer):
    """A person with personnummer or samordningsnummer, or, with assign_reserve_number, a person who
    has neither: the system issues a reserve number, and birth date and legal gender are entered."""

    personal_identity_number = serializers.CharField(max_length=20, required=False, allow_blank=True)
    assign_reserve_number = serializers.BooleanField(
        required=False, default=False, help_text="Personen saknar personnummer och samordningsnummer: ge ett reservnummer.")
    birth_date = serializers.DateField(required=False, allow_null=True, help_text="Endast med reservnummer.")
    legal_gender = serializers.ChoiceField(choices=LegalGender.choices, required=False, allow_blank=True,
                                           help_text="Endast med reservnummer.")
    first_name = serializers.CharField(max_length=100)
    last_name = serializers.CharField(max_length=100)
    street_address = serializers.CharField(max_length=200, required=False, allow_blank=True)
    postal_code = serializers.CharField(max_length=6, required=False, allow_blank=True)
    city = serializers.CharField(max_length=100, required=False, allow_blank=True)
    phone = serializers.CharField(max_length=30, required=False, allow_blank=True)
    email = serializers.EmailField(required=False, allow_blank=True)
    protected_identity = serializers.BooleanField(required=False, default=False)


class ApplicantUpdateSerializer(BoundedSerializer):
    first_name = serializers.CharField(max_length=100, required=False)
    last_name = serializers.CharField(max_length=100, required=False)
    street_address = serializers.CharField(max_length=200, required=False, allow_blank=True)
    postal_code = serializers.CharField(max_length=6, required=False, allow_blank=True)
    city = serializers.CharField(max_length=100, required=False, allow_blank=True)
    phone = serializers.CharField(max_length=30, required=False, allow_blank=True)
    email = serializers.EmailField(required=False, allow_blank=True)
    protected_identity = serializers.BooleanField(required=False)

    # Identity numbers never change by an update: sent with another value they are refused by
    # name (not silently dropped). Each changes by its own audited operation: a personnummer is
    # corrected (POST applicants/{id}/correct-identity-number/), a reserve number replaced
    # (POST applicants/{id}/replace-reserve-number/).
    FIXED_FIELDS = ("personal_identity_number", "reserve_number")

    def validate(self, attrs):
        applicant = self.context.get("applicant")
        data = self.initial_data if isinstance(self.initial_data, dict) else {}
        for name in self.FIXED_FIELDS:
            if applicant is None or name not in data:
                continue
            if _comparable(name, data[name]) != _comparable(name, getattr(applicant, name)):
                raise serializers.ValidationError(
                    {name: "Kan inte ändras här. Ett personnummer rättas med åtgärden rätta personnummer, "
                           "ett reservnummer ersätts med åtgärden ersätt reservnummer."}, code="read_only")
        return attrs


def _comparable(name: str, value) -> str:
    """An identity number in its canonical form, so 900101-1234 is the stored 199001011234."""
    text = str(value or "").strip().upper()
    if name == "personal_identity_number" and text:
        try:
            return identity.parse(text).canonical
        except DjangoValidationError:
            return text
    return text


class ApplicantSearchSerializer(BoundedSerializer):
    """Search in the request body, so a personnummer never appears in a URL or access log line."""

    personal_identity_number = serializers.CharField(max_length=20, required=False)
    reserve_number = serializers.CharField(max_length=20, required=False)
    name = serializers.CharField(max_length=200, required=False)

    def validate(self, attrs):
        if not any(attrs.get(f) for f in ("personal_identity_number", "reserve_number", "name")):
            raise serializers.ValidationError(
                {"personal_identity_number": "Ange personnummer, reservnummer eller namn att söka på."}, code="required"
            )
        return attrs


class HouseholdMemberSerializer(BoundedModelSerializer):
    name = serializers.CharField(source="display_name", read_only=True)

    class Meta:
        model = HouseholdMember
        fields = ["id", "role", "applicant", "name", "birth_date", "valid_from", "valid_to"]


class HouseholdSerializer(BoundedModelSerializer):
    members = HouseholdMemberSerializer(many=True, read_only=True)

    class Meta:
        model = Household
        fields = ["id", "members", "created_at"]


class HouseholdMemberInputSerializer(BoundedSerializer):
    role = serializers.ChoiceField(choices=MemberRole.choices)
    applicant = serializers.IntegerField(required=False, allow_null=True)
    first_name = serializers.CharField(max_length=100, required=False, allow_blank=True)
    last_name = serializers.CharField(max_length=100, required=False, allow_blank=True)
    birth_date = serializers.DateField(required=False, allow_null=True)
    personal_identity_number = serializers.CharField(max_length=20, required=False, allow_blank=True)
    valid_from = serializers.DateField()
    valid_to = serializers.DateField(required=False, allow_null=True)


class HouseholdCreateSerializer(BoundedSerializer):
    members = HouseholdMemberInputSerializer(many=True)


class MemberEndSerializer(BoundedSerializer):
    member = serializers.IntegerField()
    valid_to = serializers.DateField()


class CaseSupportBarrierSerializer(BoundedModelSerializer):
    barrier = serializers.SlugRelatedField(slug_field="code", read_only=True)
    is_labour_market = serializers.BooleanField(source="barrier.is_labour_market", read_only=True)

    class Meta:
        model = CaseSupportBarrier
        fields = ["id", "applicant", "barrier", "is_labour_market", "valid_from", "valid_to"]


class CoordinatorAssignmentSerializer(BoundedModelSerializer):
    coordinator_name = serializers.CharField(source="coordinator.get_full_name", read_only=True)
    valid_from = serializers.DateField(source="start_date", read_only=True, help_text="Första dagen koordinatorn har personen.")
    valid_to = serializers.DateField(source="end_date", read_only=True, allow_null=True,
                                     help_text="Sista dagen; null medan uppdraget pågår.")

    class Meta:
        model = CoordinatorAssignment
        fields = ["id", "applicant", "coordinator", "coordinator_name", "valid_from", "valid_to"]


class CaseSerializer(BoundedModelSerializer):
    unit = serializers.SlugRelatedField(slug_field="code", read_only=True)
    household = HouseholdSerializer(read_only=True)
    support_barriers = CaseSupportBarrierSerializer(many=True, read_only=True)
    coordinator_assignments = CoordinatorAssignmentSerializer(many=True, read_only=True)

    class Meta:
        model = Case
        fields = [
            "id",
            "unit",
            "household",
            "responsible_caseworker",
            "opened_on",
            "opening_way",
            "status",
            "closed_on",
            "closing_reason",
            "support_barriers",
            "coordinator_assignments",
        ]


class SupportBarrierInputSerializer(BoundedSerializer):
    applicant = serializers.IntegerField()
    barrier = serializers.CharField(max_length=50)
    valid_from = serializers.DateField(required=False)


class CaseCreateSerializer(BoundedSerializer):
    household = serializers.IntegerField()
    opened_on = serializers.DateField()
    opening_way = serializers.ChoiceField(choices=OpeningWay.choices)
    responsible_caseworker = serializers.IntegerField(required=False, allow_null=True)
    support_barriers = SupportBarrierInputSerializer(many=True, required=False)


class CaseCloseSerializer(BoundedSerializer):
    closed_on = serializers.DateField(required=False, allow_null=True)
    closing_reason = serializers.ChoiceField(choices=CaseClosingReason.choices, required=False, allow_blank=True)


class CaseBarrierSetSerializer(BoundedSerializer):
    applicant = serializers.IntegerField()
    barrier = serializers.CharField(max_length=50)
    valid_from = serializers.DateField()


class CoordinatorAssignSerializer(BoundedSerializer):
    applicant = serializers.IntegerField()
    coordinator = serializers.IntegerField()
    valid_from = serializers.DateField(source="start_date", help_text="Första dagen koordinatorn har personen.")


class AssignmentEndSerializer(BoundedSerializer):
    assignment = serializers.IntegerField()
    valid_to = serializers.DateField(source="end_date", help_text="Sista dagen koordinatorn har personen.")
