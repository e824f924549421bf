"""Forms of the egenkontroll pages. They only parse input; the audit services validate and decide."""

from __future__ import annotations

from django import forms
from django.core.exceptions import ValidationError

from audit.control.models import ChecklistValue, SamplePopulation
from audit.recording.models import AccessAction, Channel
from cases import identity
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


class AccessLogSearchForm(forms.Form):
    """Loggkontroll: who read a person, or what a staff member read, in a period, channel and action.

    Posted, never a GET query: a personnummer must not end up in the address, the browser history
    or a proxy's log. The person field takes a personnummer (or samordningsnummer) or a person id
    (a purged person has only their id left in the log)."""

    person = forms.CharField(label="Person (personnummer eller person-id)", required=False, max_length=20)
    actor = forms.TypedChoiceField(label="Medarbetare", required=False, coerce=int, empty_value=None)
    date_from = forms.DateField(label="Från och med", required=False, widget=DateInput())
    date_to = forms.DateField(label="Till och med", required=False, widget=DateInput())
    channel = forms.ChoiceField(label="Kanal", required=False, choices=[("", "Alla kanaler"), *Channel.choices])
    action = forms.ChoiceField(label="Åtgärd", required=False, choices=[("", "Alla åtgärder"), *AccessAction.choices])

    def __init__(self, *args, readers: list[Staff], **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["actor"].choices = [("", "Alla medarbetare")] + [
            (s.pk, f"{s.get_full_name() or s.get_username()} ({s.get_username()})") for s in readers
        ]

    def clean_person(self):
        """A person id, or a personnummer turned into its canonical form (looked up by the view)."""
        value = self.cleaned_data["person"].strip()
        if not value:
            return None
        if value.isdigit() and len(value) < 10:
            return int(value)
        try:
            return identity.parse(value).canonical
        except ValidationError:
            raise ValidationError(
                "Ange ett giltigt personnummer (ÅÅÅÅMMDD-NNNN) eller ett person-id.", code="invalid"
            ) from None

    def clean(self):
        data = super().clean()
        if not self.errors and data.get("person") is None and data.get("actor") is None:
            self.add_error("person", "Ange en person eller välj en medarbetare.")
        start, end = data.get("date_from"), data.get("date_to")
        if start and end and start > end:
            self.add_error("date_to", "Till och med-datumet är före från och med-datumet.")
        return data
