"""Shared by the UI's views: run a service for a bound form and show its errors by the fields.

The services validate (ARCHITECTURE.md); a form only parses types. A service's ValidationError
is put next to the field it names (or at the top when the form has no such field); a domain
error (Conflict, NotAllowed) goes at the top. Services are atomic, so a refusal writes nothing.

Every error of a form shows at once (issue 13): when a field cannot even be read, the service is
still asked about the rest (`check_only=True`: it validates and writes nothing), so one save
shows the unreadable date and the rule the other fields break. The error summary at the top of
the page (GOV.UK's pattern, templates/web/_form_errors.html) links to each field: error_items.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import NamedTuple

from django import forms
from django.core.exceptions import ValidationError

from config.errors import DomainError


def add_service_errors(form: forms.Form, exc: Exception, field_map: Callable[[str], tuple] | None = None) -> None:
    """Attach `exc` to `form`. `field_map(key) -> (form, field)` routes keys such as
    "subgoals[0].measure" to another form (e.g. a formset row). A field the form could not read
    keeps its own error only: the service, given nothing there, would only add "Ange ..."."""
    unreadable = {}
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
        if target_field is not None:
            before = unreadable.setdefault(id(target_form), set(target_form.errors))
            if target_field in before:
                continue
        for error in errors:
            target_form.add_error(target_field, error)


def run_service(form: forms.Form, call: Callable[[], object], field_map=None):
    """Call the service; on refusal attach the errors to `form` and return None."""
    try:
        return call()
    except (ValidationError, DomainError) as exc:
        add_service_errors(form, exc, field_map)
        return None


def save_with_service(form: forms.Form, call: Callable[..., object], field_map=None, *,
                      also: Iterable[forms.Form] = ()):
    """Parse `form` (and the forms in `also`, e.g. formset rows), then call the service:
    `call(check_only)`. With a field unreadable the service only checks (writes nothing) so its
    errors show beside the parse errors; the result is then None, as on a refusal."""
    readable = all([f.is_valid() for f in (form, *also)])  # a list: every form parsed, none skipped
    try:
        result = call(not readable)
    except (ValidationError, DomainError) as exc:
        add_service_errors(form, exc, field_map)
        return None
    return result if readable else None


def values(form: forms.Form, names: Iterable[str] | None = None) -> dict:
    """The form's parsed values by field, None for a field it could not read (for check_only)."""
    cleaned = getattr(form, "cleaned_data", {})
    return {name: cleaned.get(name) for name in (form.fields if names is None else names)}


class ErrorItem(NamedTuple):
    """One line of the error summary: the link to the field ("" when it concerns the whole form)."""

    href: str
    message: str


def field_anchor(field: forms.BoundField) -> str:
    """The id a summary link goes to: the input itself, or a group's first radio or checkbox."""
    widget = field.field.widget
    kind = getattr(widget, "input_type", "")
    if kind == "radio" or (kind == "checkbox" and widget.allow_multiple_selected):
        return f"{field.auto_id}_0"
    return field.id_for_label


def error_items(form: forms.Form, label: str = "") -> list[ErrorItem]:
    """The errors of `form` in page order, each linking to its field; `label` names a row ("Delmål 2")."""
    prefix = f"{label}: " if label else ""
    items = [ErrorItem("", f"{prefix}{e}") for e in form.non_field_errors()]
    for field in form:
        items += [ErrorItem(f"#{field_anchor(field)}", f"{prefix}{e}") for e in field.errors]
    return items


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, **kwargs):
        super().__init__(format="%Y-%m-%d", **kwargs)
