"""Forms of the egenkontroll pages. They only parse input; the audit services validate and decide."""

from __future__ import annotations

from django import forms

from audit.control.models import ChecklistValue, SamplePopulation
from cases.models import Staff
from config.web_forms import DateInput


class AcknowledgeForm(forms.Form):
    comment = forms.CharField(label="Kommentar (frivillig)", required=False, widget=forms.Textarea(attrs={"rows": 2}))


class CloseFlagForm(forms.Form):
    comment = forms.CharField(label="Varför avslutas flaggan?", required=False, widget=forms.Textarea(attrs={"rows": 2}))


class CorrectiveActionForm(forms.Form):
    description = forms.CharField(label="Vad ska göras?", required=False, widget=forms.Textarea(attrs={"rows": 3}))
    owner = forms.TypedChoiceField(label="Ansvarig", required=False, coerce=int, empty_value=None)
    due_date = forms.DateField(label="Klar senast", required=False, widget=DateInput())

    def __init__(self, *args, owners: list[Staff], **kwargs):
        # A list evaluated once by the view, so a page with many of these forms queries staff once.
        super().__init__(*args, **kwargs)
        self._owners = {s.pk: s for s in owners}
        self.fields["owner"].choices = [("", "Välj ansvarig")] + [
            (s.pk, s.get_full_name() or s.get_username()) for s in owners
        ]

    def clean_owner(self):
        pk = self.cleaned_data["owner"]
        return self._owners.get(pk) if pk is not None else None


class FollowUpForm(forms.Form):
    note = forms.CharField(label="Vad visade uppföljningen?", required=False, widget=forms.Textarea(attrs={"rows": 2}))


class CompleteForm(forms.Form):
    outcome = forms.CharField(label="Resultat", required=False, widget=forms.Textarea(attrs={"rows": 2}))


class SampleDrawForm(forms.Form):
    population = forms.ChoiceField(
        label="Urval ur", choices=SamplePopulation.choices, initial=SamplePopulation.CASES, widget=forms.RadioSelect,
        required=False,
    )

    def clean_population(self):
        return self.cleaned_data["population"] or SamplePopulation.CASES
    period_start = forms.DateField(label="Period från", widget=DateInput())
    period_end = forms.DateField(label="Period till", widget=DateInput())
    size = forms.IntegerField(label="Antal ärenden", initial=10)


class AnswerReviewForm(forms.Form):
    """One checklist question of one sampled case: confirm or change the answer, with a comment."""

    value = forms.ChoiceField(label="Svar", choices=ChecklistValue.choices, widget=forms.RadioSelect, required=False)
    comment = forms.CharField(label="Kommentar (krävs för ej aktuellt och för ändrat svar)", required=False)
