"""The API names some fields otherwise than the models do (README "API vocabulary": a period is
valid_from/valid_to, a person is an applicant), by `source=` on the serializer field. Services
name the model's fields in their errors; `api_field_names` re-keys such an error to the name
the client sent, so a 400 always names the field the client knows, also inside a list
(`activities[0].ends_on` becomes `activities[0].valid_to`)."""

from __future__ import annotations

import re
from contextlib import contextmanager

from django.core.exceptions import ValidationError
from rest_framework import serializers

from config.errors import DomainError


def renamed_fields(serializer, prefix: str = "") -> dict[str, str]:
    """{model name: API name} for the serializer's fields whose `source` is another name; a
    nested list's fields as `activities[].ends_on` → `activities[].valid_to`."""
    mapping = {}
    for name, field in serializer.fields.items():
        if field.source not in ("*", name) and "." not in field.source:
            mapping[prefix + field.source] = prefix + name
        child = field.child if isinstance(field, serializers.ListSerializer) else field
        if isinstance(child, serializers.Serializer):
            nested = f"{prefix}{name}[]." if child is not field else f"{prefix}{name}."
            mapping.update(renamed_fields(child, nested))
    return mapping


def api_name(key: str, mapping: dict[str, str]) -> str:
    pattern = re.sub(r"\[\d+\]", "[]", key)
    if pattern not in mapping:
        return key
    indexes = iter(re.findall(r"\[\d+\]", key))
    return re.sub(r"\[\]", lambda _: next(indexes), mapping[pattern])


@contextmanager
def api_field_names(serializer):
    mapping = renamed_fields(serializer)
    try:
        yield
    except ValidationError as exc:
        if hasattr(exc, "error_dict") and any(api_name(k, mapping) != k for k in exc.error_dict):
            raise ValidationError({api_name(k, mapping): v for k, v in exc.error_dict.items()}) from exc
        raise
    except DomainError as exc:
        if exc.field:
            exc.field = api_name(exc.field, mapping)
        raise
