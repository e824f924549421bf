"""The API's list filters, in one vocabulary (README "API vocabulary"), so that an integrator
learns the names once:

- a related object by its name in the API, never an ORM path: `applicant`, `case`, `plan` take
  an id; `unit`, `provider_unit`, `track`, `rule`, `kind` take the code shown on the object;
- a date range as `<field>_from` / `<field>_to`, both inclusive (ISO 8601 dates);
- every filter with a help text, which drf-spectacular's django-filter extension publishes as
  the parameter's description.

Filters narrow the view's queryset, which is already scoped to the caller (cases_for,
participations_for, ...): a filter can only take rows away, never add any. A value that is not
valid is a 400 naming the parameter: DjangoFilterBackend raises the FilterSet's errors as a
ValidationError, which config/api/exceptions.py turns into the one error shape.
"""

from __future__ import annotations

import django_filters
from django import forms
from django.core.exceptions import ValidationError
from django_filters.rest_framework import DjangoFilterBackend

from config.api.concurrency import UpdatedSinceFilter

ISO_DATE = "ÅÅÅÅ-MM-DD"

# Reference lists: filters and updated_since (a sync), and no `ordering` (a list in its own order,
# not sorted on any field).
FILTERS_ONLY = [DjangoFilterBackend, UpdatedSinceFilter]


class FilterSet(django_filters.FilterSet):
    """A FilterSet that refuses a date range that ends before it starts (400 naming `<x>_to`)
    instead of answering an empty list the client would take for "nothing there"."""

    def filter_queryset(self, queryset):
        data = self.form.cleaned_data
        for name in self.filters:
            if not name.endswith("_from"):
                continue
            end_name = name.removesuffix("_from") + "_to"
            start, end = data.get(name), data.get(end_name)
            if start is not None and end is not None and end < start:
                raise ValidationError({end_name: ValidationError(
                    "Slutdatum ligger före startdatum.", code="range_backwards")})
        return super().filter_queryset(queryset)


def date_range(field_name: str, what: str, *, datetime: bool = False) -> tuple[django_filters.DateFilter, ...]:
    """`<x>_from` and `<x>_to` over one date (or, datetime=True, the date of a timestamp),
    both inclusive. Use as `decided_from, decided_to = date_range("decided_on", "Beslutsdag")`."""
    prefix = "date__" if datetime else ""
    return (
        django_filters.DateFilter(field_name=field_name, lookup_expr=f"{prefix}gte",
                                  help_text=f"{what} från och med detta datum ({ISO_DATE}), inklusive."),
        django_filters.DateFilter(field_name=field_name, lookup_expr=f"{prefix}lte",
                                  help_text=f"{what} till och med detta datum ({ISO_DATE}), inklusive."),
    )


class IdField(forms.IntegerField):
    """A whole number within PostgreSQL's bigint: 1.5, -1 or 10**20 are a 400, not a database error."""

    def __init__(self, **kwargs):
        super().__init__(min_value=1, max_value=2**63 - 1, **kwargs)


class IdFilter(django_filters.NumberFilter):
    field_class = IdField


def by_id(field_name: str, help_text: str) -> IdFilter:
    """A related object by its id (an applicant, a case, a plan). An id outside the caller's scope
    gives an empty list, like one that does not exist: the filter tells nothing about other units."""
    return IdFilter(field_name=field_name, help_text=help_text)


def by_code(field_name: str, help_text: str) -> django_filters.CharFilter:
    """A related object by its code (a unit, a track, a rule): what the object itself shows."""
    return django_filters.CharFilter(field_name=field_name, help_text=help_text)


def applicant(field_name: str = "applicant_id") -> IdFilter:
    return by_id(field_name, "Sökandens id (som i /api/v1/applicants/).")


def case(field_name: str = "case_id") -> IdFilter:
    return by_id(field_name, "Ärendets id (som i /api/v1/cases/).")


def unit(field_name: str = "unit__code") -> django_filters.CharFilter:
    return by_code(field_name, "Enhetens kod (som i /api/v1/units/).")


def is_active(help_text: str = "Sant: bara de som är aktiva; falskt: bara de som inte är det.") -> django_filters.BooleanFilter:
    return django_filters.BooleanFilter(field_name="is_active", help_text=help_text)


class ChoiceInFilter(django_filters.BaseInFilter, django_filters.ChoiceFilter):
    """Several choices, comma-separated (status=open,acknowledged); each one is checked."""


def choice(choices, help_text: str, **kwargs) -> django_filters.ChoiceFilter:
    return django_filters.ChoiceFilter(choices=choices, help_text=help_text, **kwargs)


def code_filterset(model, what: str, *, active: bool = False):
    """Reference data (tracks, cost types, ...): filter by `code`, and `is_active` where the
    list has one."""
    attrs = {"code": by_code("code", f"{what}: bara den med denna kod.")}
    if active:
        attrs["is_active"] = is_active()
    return type(f"{model.__name__}Filter", (FilterSet,), attrs)
