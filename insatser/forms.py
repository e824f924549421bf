"""Forms for the coordinator UI. They parse input only; insatser.services validates."""

from __future__ import annotations

from decimal import Decimal

from django import forms
from django.utils import timezone

from config.web_forms import DateInput

from .models import ClosingReason, ExemptionReason


class InsatsChoiceField(forms.ModelChoiceField):
    """Each option shows capacity and queue, from the annotated queryset (no query per row)."""

    def label_from_instance(self, obj):
        free = max(obj.capacity - obj.occupied, 0)
        text = f"{obj.name} ({obj.track.name}) – {obj.occupied} av {obj.capacity} platser upptagna"
        if free == 0 or obj.queued:
            text += f", {obj.queued} i kö"
        return text


class ReferralForm(forms.Form):
    insats = InsatsChoiceField(label="Insats", queryset=None, empty_label="Välj insats")
    referred_on = forms.DateField(label="Anvisningsdatum", widget=DateInput(), initial=timezone.localdate)
    note = forms.CharField(label="Information till insatsen", widget=forms.Textarea, required=False)

    def __init__(self, *args, insatser=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["insats"].queryset = insatser


class ClosingForm(forms.Form):
    reason = forms.ChoiceField(label="Avslutsorsak", choices=[("", "Välj orsak")] + ClosingReason.choices,
                               required=False)
    reason_text = forms.CharField(label="Kommentar", widget=forms.Textarea, required=False,
                                  help_text="Krävs när orsaken är Annat.")
    end_date = forms.DateField(label="Slutdatum", widget=DateInput(), initial=timezone.localdate)


class ExemptionForm(forms.Form):
    reason = forms.ChoiceField(label="Skäl", choices=[("", "Välj skäl")] + ExemptionReason.choices, required=False)
    reason_text = forms.CharField(label="Motivering", widget=forms.Textarea, required=False)
    valid_from = forms.DateField(label="Från", widget=DateInput(), initial=timezone.localdate)
    valid_to = forms.DateField(label="Till", widget=DateInput(), required=False)
    review_on = forms.DateField(label="Omprövas senast", widget=DateInput(), required=False)
    required_hours_per_week = forms.DecimalField(
        label="Timmar per vecka som ändå krävs", min_value=Decimal(0), max_value=Decimal(60), decimal_places=1,
        initial=Decimal(0), help_text="0 betyder att ingen aktivitet krävs under avsteget.",
    )
