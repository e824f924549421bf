"""The error summary's tag, a template builtin (config/settings/base.py): {% error_summary as items %}."""

from django import template

from config.web_forms import error_items

register = template.Library()


@register.simple_tag(takes_context=True)
def error_summary(context):
    """The summary's lines: `error_list` when the view built it (a page of formsets), else the
    errors of the page's `form`."""
    built = context.get("error_list")
    if isinstance(built, list):
        return built
    form = context.get("form")
    return error_items(form) if form is not None and hasattr(form, "non_field_errors") else []
