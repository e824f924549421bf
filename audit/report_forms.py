"""The report order form. It only parses types; audit.report_services validates and decides."""

from __future__ import annotations

from django import forms

from cases.models import Unit
from config.web_forms import DateInput

PERIOD_KINDS = [("month", "Månad"), ("quarter", "Kvartal"), ("year", "År")]


class ReportRequestForm(forms.Form):
    code = forms.ChoiceField(label="Rapport")
    period_kind = forms.ChoiceField(label="Periodtyp", choices=[("", "Välj")] + PERIOD_KINDS, required=False,
                                    help_text="För rapporter per månad, kvartal eller år.")
    year = forms.IntegerField(label="År", required=False)
    number = forms.IntegerField(label="Månad (1–12) eller kvartal (1–4)", required=False)
    date_from = forms.DateField(label="Från och med (datum)", required=False, widget=DateInput(),
                                help_text="För delegationsbeslut: dagen efter förra nämndsammanträdet.")
    date_to = forms.DateField(label="Till och med (datum)", required=False, widget=DateInput())
    unit = forms.TypedChoiceField(label="Enhet", required=False, coerce=int, empty_value=None)

    def __init__(self, *args, reports, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["code"].choices = [(r.code, f"{r.number}. {r.title}") for r in reports]
        self.fields["unit"].choices = [("", "Hela nämndens område")] + list(
            Unit.objects.filter(is_active=True).order_by("name").values_list("pk", "name")
        )
