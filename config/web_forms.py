"""Shared by the UI's views: run a service for a bound form and show its errors by the fields.

The services validate (ARCHITECTURE.md); a form only parses types. A service's ValidationError
is put next to the field it names (or at the top when the form has no such field); a domain
error (Conflict, NotAllowed) goes at the top. Services are atomic, so a refusal writes nothing.
"""

from __future__ import annotations

from collections.abc import Callable

from django import forms
from django.core.exceptions import ValidationError

from config.errors import DomainError


def add_service_errors(form: forms.Form, exc: Exception, field_map: Callable[[str], tuple] | None = None) -> None:
    """Attach `exc` to `form`. `field_map(key) -> (form, field)` routes keys such as
    "subgoals[0].measure" to another form (e.g. a formset row)."""
    if isinstance(exc, DomainError):
        target = exc.field if exc.field in form.fields else None
        form.add_error(target, exc.message)
        return
    if not isinstance(exc, ValidationError):
        raise exc
    if not hasattr(exc, "error_dict"):
        form.add_error(None, exc.messages)
        return
    for key, errors in exc.error_dict.items():
        target_form, target_field = (field_map(key) if field_map else (None, None)) or (None, None)
        if target_form is None:
            target_form, target_field = form, key
        if target_field not in target_form.fields:
            target_field = None
        for error in errors:
            target_form.add_error(target_field, error)


def run_service(form: forms.Form, call: Callable[[], object], field_map=None):
    """Call the service; on refusal attach the errors to `form` and return None."""
    try:
        return call()
    except (ValidationError, DomainError) as exc:
        add_service_errors(form, exc, field_map)
        return None


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, **kwargs):
        super().__init__(format="%Y-%m-%d", **kwargs)
