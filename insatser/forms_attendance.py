"""Forms for the insats staff's weekly attendance page: pick a group and week, one row per participant."""

from __future__ import annotations

import datetime

from django import forms
from django.utils import timezone


def monday_of(day: datetime.date) -> datetime.date:
    return day - datetime.timedelta(days=day.weekday())


class WeekChoiceForm(forms.Form):
    """Which group (an insats at the staff member's unit) and which week. Neither is personal data."""

    insats = forms.ModelChoiceField(label="Grupp (insats)", queryset=None, empty_label=None)
    vecka = forms.CharField(
        label="Vecka", widget=forms.TextInput(attrs={"type": "week"}), help_text="Välj vecka (måndag–söndag)."
    )

    def __init__(self, *args, insatser, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["insats"].queryset = insatser

    def clean_vecka(self) -> datetime.date:
        value = self.cleaned_data["vecka"]
        try:
            year, week = value.split("-W")
            return datetime.date.fromisocalendar(int(year), int(week), 1)
        except (ValueError, TypeError):
            raise forms.ValidationError("Ange veckan som år och veckonummer, t.ex. 2026-W07.", code="invalid") from None


def week_value(monday: datetime.date) -> str:
    year, week, _ = monday.isocalendar()
    return f"{year}-W{week:02d}"


def current_week() -> datetime.date:
    return monday_of(timezone.localdate())


class AttendanceRowForm(forms.Form):
    """One participant's week. Empty hours means "not reported this time" and writes nothing."""

    attended_hours = forms.DecimalField(
        label="Närvaro (timmar)", required=False, min_value=0, max_digits=5, decimal_places=2, localize=True,
        widget=forms.TextInput(attrs={"inputmode": "decimal", "size": 6}),
    )
    note = forms.CharField(label="Kommentar", required=False, widget=forms.TextInput(attrs={"size": 30}))
