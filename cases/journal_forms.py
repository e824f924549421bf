"""The coordinator's journal form: what the service needs, with Swedish labels."""

from __future__ import annotations

from django import forms
from django.utils import timezone

from config.limits import TEXT_MAX_LENGTH
from config.web_forms import DateInput

from .journal_selectors import journal_entry_kinds


class JournalEntryForm(forms.Form):
    case = forms.TypedChoiceField(label="Ärende", coerce=int)
    kind = forms.ChoiceField(label="Slag av anteckning")
    event_date = forms.DateField(label="Händelsedatum", widget=DateInput(),
                                 help_text="Dagen det som antecknas hände. Skriver du senare syns det i journalen.")
    text = forms.CharField(label="Anteckning", max_length=TEXT_MAX_LENGTH, widget=forms.Textarea(attrs={"rows": 6}))
    is_persons_view = forms.BooleanField(label="Anteckningen återger personens egen synpunkt", required=False)
    corrects = forms.TypedChoiceField(label="Rättar anteckningen", coerce=int, required=False, empty_value=None)

    def __init__(self, *args, cases, entries, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["case"].choices = [(c.pk, f"Ärende {c.pk}, aktualiserat {c.opened_on:%Y-%m-%d}") for c in cases]
        self.fields["kind"].choices = [(k.code, k.name) for k in journal_entry_kinds()]
        self.fields["corrects"].choices = [("", "Ingen, en ny anteckning")] + [
            (e.pk, f"{e.event_date:%Y-%m-%d} {e.kind.name}") for e in entries]
        self.fields["event_date"].initial = timezone.localdate()
        if len(cases) == 1:
            self.fields["case"].initial = cases[0].pk
