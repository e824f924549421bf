"""The coordinator's form for adding a bilaga: what the service needs, with Swedish labels."""

from __future__ import annotations

from django import forms

from . import attachment_rules as rules


class AttachmentForm(forms.Form):
    case = forms.TypedChoiceField(label="Ärende", coerce=int)
    journal_entry = forms.TypedChoiceField(label="Hör till journalanteckningen", coerce=int, required=False,
                                           empty_value=None)
    description = forms.CharField(label="Vad är bilagan?", max_length=rules.DESCRIPTION_MAX_LENGTH,
                                  help_text="Till exempel: Hyreskontrakt, Läkarintyg.")
    # Empty, oversized and wrongly typed files are judged by the service, with its messages.
    file = forms.FileField(label="Fil", allow_empty_file=True,
                           widget=forms.ClearableFileInput(attrs={"accept": ",".join(rules.ATTACHMENT_TYPES)}))

    def __init__(self, *args, cases, entries, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["case"].choices = [(c.pk, f"Ärende {c.pk}, aktualiserat {c.opened_on:%Y-%m-%d}") for c in cases]
        self.fields["journal_entry"].choices = [("", "Ingen, bilagan hör till ärendet")] + [
            (e.pk, f"{e.event_date:%Y-%m-%d} {e.kind.name}") for e in entries]
        self.fields["file"].help_text = (f"{rules.accepted_types_text()}, högst "
                                         f"{rules.size_text(rules.attachment_max_bytes())}.")
        if len(cases) == 1:
            self.fields["case"].initial = cases[0].pk
