"""Transfers and reserve numbers by API: the shapes (the actions are on the case and applicant views).

Types only here; the rules are in cases.transfer_services and cases.reserve_number_services.
"""

from __future__ import annotations

from rest_framework import serializers

from config.limits import BoundedModelSerializer, BoundedSerializer

from ..models import CaseTransfer


class CaseTransferSerializer(BoundedModelSerializer):
    """One transfer: who held the case before and who holds it from `transferred_on`."""

    from_unit = serializers.SlugRelatedField(slug_field="code", read_only=True)
    to_unit = serializers.SlugRelatedField(slug_field="code", read_only=True)
    from_caseworker_name = serializers.SerializerMethodField()
    to_caseworker_name = serializers.SerializerMethodField()
    transferred_by_name = serializers.CharField(source="transferred_by.get_full_name", read_only=True)
    is_planned = serializers.BooleanField(read_only=True, help_text="Datumet har inte kommit: ännu inte genomförd.")

    class Meta:
        model = CaseTransfer
        fields = ["id", "case", "transferred_on", "from_unit", "from_caseworker", "from_caseworker_name", "to_unit",
                  "to_caseworker", "to_caseworker_name", "reason", "transferred_by", "transferred_by_name",
                  "recorded_at", "took_effect_at", "is_planned"]
        read_only_fields = fields

    def get_from_caseworker_name(self, obj) -> str | None:
        return obj.from_caseworker.get_full_name() if obj.from_caseworker_id else None

    def get_to_caseworker_name(self, obj) -> str | None:
        return obj.to_caseworker.get_full_name() if obj.to_caseworker_id else None


class CaseTransferInputSerializer(BoundedSerializer):
    transferred_on = serializers.DateField(help_text="Den nya innehavaren har ärendet från och med detta datum.")
    to_unit = serializers.SlugField(required=False, help_text="Den nya enhetens kod; ärendets egen om det utelämnas.")
    to_caseworker = serializers.IntegerField(required=False, allow_null=True,
                                             help_text="Den nya handläggaren (id); krävs inom samma enhet.")
    reason = serializers.CharField()


class ReserveNumberReplaceSerializer(BoundedSerializer):
    personal_identity_number = serializers.CharField(max_length=20,
                                                     help_text="Personnummer eller samordningsnummer.")


class IdentityNumberCorrectSerializer(BoundedSerializer):
    personal_identity_number = serializers.CharField(
        max_length=20, help_text="Det rätta personnumret eller samordningsnumret.")
    reason = serializers.CharField(help_text="Varför numret rättas (t.ex. fel inmatat, eller samordningsnummer "
                                             "som ersatts av personnummer enligt Skatteverket).")
