"""Forms for the coordinator UI. They parse input only; the services validate (planning.services)."""

from __future__ import annotations

from django import forms
from django.utils import timezone

from config.web_forms import DateInput

from .models import BipInstrument, FollowUpMethod, Partner, Progress

YES_NO_UNKNOWN = [("", "Inte angivet"), ("true", "Ja"), ("false", "Nej")]


def _yes_no(value):
    return {"true": True, "false": False}.get(value)


class AssessmentForm(forms.Form):
    assessed_on = forms.DateField(label="Datum", widget=DateInput(), initial=timezone.localdate)
    work_experience = forms.CharField(label="Arbetslivserfarenhet", widget=forms.Textarea, required=False)
    education = forms.CharField(label="Utbildning", widget=forms.Textarea, required=False)
    language = forms.CharField(label="Språk", widget=forms.Textarea, required=False)
    health = forms.CharField(label="Hälsa (enligt den enskilde)", widget=forms.Textarea, required=False)
    housing = forms.CharField(label="Boende", widget=forms.Textarea, required=False)
    family = forms.CharField(label="Familj", widget=forms.Textarea, required=False)
    other = forms.CharField(label="Övrigt", widget=forms.Textarea, required=False)


class PlanForm(forms.Form):
    made_on = forms.DateField(label="Upprättad", widget=DateInput())
    long_term_goal = forms.CharField(label="Långsiktigt mål", widget=forms.Textarea, required=False,
                                     help_text="Egen försörjning genom arbete eller studier, konkretiserat.")
    areas_to_maintain = forms.CharField(label="Områden att upprätthålla", widget=forms.Textarea, required=False)
    areas_to_change = forms.CharField(label="Områden att förändra", widget=forms.Textarea, required=False)
    participants = forms.CharField(label="Deltog vid upprättandet", required=False)
    participation_recorded = forms.TypedChoiceField(
        label="Har den enskilde varit delaktig?", choices=YES_NO_UNKNOWN, coerce=_yes_no, empty_value=None,
        required=False, widget=forms.RadioSelect,
    )
    person_views = forms.CharField(label="Den enskildes synpunkter", widget=forms.Textarea, required=False)
    latest_follow_up_on = forms.DateField(label="Följs upp senast", widget=DateInput(), required=False)
    follow_up_method = forms.ChoiceField(
        label="Uppföljning sker genom", choices=[("", "Välj")] + FollowUpMethod.choices, required=False
    )


class SubgoalForm(forms.Form):
    description = forms.CharField(label="Delmål", required=False)
    measure = forms.CharField(label="Vad som mäts", required=False)
    target = forms.CharField(label="Målvärde", required=False)
    target_date = forms.DateField(label="Ska vara uppnått", widget=DateInput(), required=False)

    def is_blank(self) -> bool:
        return not any(self.cleaned_data.get(k) for k in self.fields)


class ActivityForm(forms.Form):
    description = forms.CharField(label="Aktivitet", required=False)
    how = forms.CharField(label="Hur den genomförs", required=False)
    responsible = forms.CharField(label="Ansvarig", required=False)
    partners = forms.MultipleChoiceField(
        label="Samarbetspartner", choices=Partner.choices, required=False, widget=forms.CheckboxSelectMultiple
    )
    starts_on = forms.DateField(label="Från", widget=DateInput(), required=False)
    ends_on = forms.DateField(label="Till", widget=DateInput(), required=False)

    def is_blank(self) -> bool:
        return not any(self.cleaned_data.get(k) for k in self.fields)


SubgoalFormSet = forms.formset_factory(SubgoalForm, extra=0)
ActivityFormSet = forms.formset_factory(ActivityForm, extra=0)


class FollowUpForm(forms.Form):
    followed_up_on = forms.DateField(label="Datum för uppföljningen", widget=DateInput(), initial=timezone.localdate)
    method = forms.ChoiceField(label="Form", choices=[("", "Välj")] + FollowUpMethod.choices, required=False)
    participants = forms.CharField(label="Deltagare", required=False)
    follows_plan = forms.TypedChoiceField(
        label="Följer den enskilde planeringen?", choices=[("true", "Ja"), ("false", "Nej")], coerce=_yes_no,
        empty_value=None, required=False, widget=forms.RadioSelect,
    )
    plan_deviation = forms.CharField(label="Avvikelse från planeringen", widget=forms.Textarea, required=False,
                                     help_text="Beskriv avvikelsen om den enskilde inte följer planeringen.")
    notes = forms.CharField(label="Anteckningar", widget=forms.Textarea, required=False)
    next_follow_up_on = forms.DateField(label="Nästa uppföljning", widget=DateInput(), required=False,
                                        help_text="Lämna tomt för normen (en månad).")

    def __init__(self, *args, subgoals=(), instrument: BipInstrument | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.subgoal_fields = []
        for s in subgoals:
            name = f"progress_{s.pk}"
            self.fields[name] = forms.ChoiceField(
                label=f"Delmål: {s.description}", choices=[("", "Inte bedömt")] + Progress.choices, required=False
            )
            self.subgoal_fields.append((s, name))
        self.bip_fields = []
        if instrument is not None:
            scale = [("", "Inte besvarad")] + [(str(step.value), step.label)
                                                for step in instrument.scale.all()]
            for indicator in instrument.indicators.all():
                name = f"bip_{indicator.code}"
                self.fields[name] = forms.TypedChoiceField(
                    label=indicator.name, choices=scale, coerce=int, empty_value=None, required=False
                )
                self.bip_fields.append((indicator, name))

    def progress(self) -> list[dict]:
        return [{"subgoal": s.pk, "status": self.cleaned_data[name]}
                for s, name in self.subgoal_fields if self.cleaned_data.get(name)]

    def bip_answers(self) -> dict[str, int]:
        return {i.code: self.cleaned_data[name] for i, name in self.bip_fields
                if self.cleaned_data.get(name) is not None}
