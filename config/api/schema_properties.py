"""Every property in the schema says what it holds, and every enum its Swedish labels.

A property's description comes, in this order, from its serializer field's help_text (which a
ModelSerializer copies from the model field), from config/api/field_descriptions.py's entry for
this component's field, from its label (a model field's Swedish verbose_name, so an integrator
reads "Personnummer" beside personal_identity_number; a reference says whether it takes an id or
a code, and of what), or from field_descriptions.py's entry for the name wherever it occurs. Only
the names in SELF_EXPLANATORY go without; tests/platform/test_openapi.py fails on any other
property that has none, so a new field is described when it is added.

Descriptions are Swedish, like the areas, summaries and error messages (the users' language); the
identifiers stay English (shared/design/GLOSSARY.md)."""

from __future__ import annotations

import re

from django.core.exceptions import FieldDoesNotExist
from django.utils.text import camel_case_to_spaces, capfirst
from drf_spectacular.plumbing import build_choice_description_list, is_trivial_string_variation
from rest_framework import serializers

from config.api.field_descriptions import DESCRIPTIONS

# Properties whose name says it all; no description is asked of them.
SELF_EXPLANATORY = frozenset({"id"})

CHOICE_LIST = re.compile(r"^\* `(?P<code>.*)` - (?P<label>.*)$")


def describe(field: serializers.Field, schema: dict | None) -> None:
    """Give a field's schema its description, in the order above."""
    if schema is None or field.field_name in SELF_EXPLANATORY:
        return
    text = str(field.help_text or "") or _listed(field, own=True) or _label_text(field) or _listed(field)
    if isinstance(field, serializers.ChoiceField) and not isinstance(field, serializers.MultipleChoiceField):
        # The choice list after a blank line: postprocess_schema_enums moves it onto the enum
        # (help_text alone would replace it, and the enum would lose its labels).
        choices = build_choice_description_list(field.choices.items())
        schema["description"] = f"{text}\n\n{choices}" if text else choices
    elif text and (not schema.get("description") or isinstance(_related(field), serializers.RelatedField)):
        # A reference's own text, over the one drf-spectacular took from its target (a slug's field).
        schema["description"] = text


def _listed(field: serializers.Field, own: bool = False) -> str:
    """From DESCRIPTIONS: this component's entry ("Component.field"), or the name's shared one."""
    if not own:
        return DESCRIPTIONS.get(field.field_name, "")
    parent = field.parent.child if isinstance(field.parent, serializers.ListSerializer) else field.parent
    component = type(parent).__name__.removesuffix("Serializer") if parent is not None else ""
    return DESCRIPTIONS.get(f"{component}.{field.field_name}", "")


def _label_text(field: serializers.Field) -> str:
    """The field's Swedish label, or for a reference or a nested object the model it points at."""
    label = str(field.label or "")
    if is_trivial_string_variation(label, field.field_name):
        label = ""
    target = _target_model(field)
    name = _swedish_name(target) if target is not None else None
    related = _related(field)
    if isinstance(related, serializers.RelatedField) and name:
        key = "kod" if isinstance(related, serializers.SlugRelatedField) else "id"
        if not label:
            return f"{key.capitalize()} för {name}" + (" (flera)." if related is not field else ".")
        return f"{label} ({key} för {name})." if name.lower() != label.lower() else f"{label} ({key})."
    if not label and name:
        many = isinstance(field, serializers.ListSerializer)
        return capfirst(str(target._meta.verbose_name_plural if many else target._meta.verbose_name)) + "."
    return "" if not label else label if label.endswith((".", "?", ")")) else f"{label}."


def _swedish_name(model) -> str | None:
    """The model's verbose_name, unless it is Django's default from the class name (English)."""
    name = str(model._meta.verbose_name)
    return None if name == camel_case_to_spaces(model._meta.object_name) else name


def _related(field):
    return field.child_relation if isinstance(field, serializers.ManyRelatedField) else field


def _target_model(field):
    """The model a reference (its queryset) or a nested serializer (its Meta) stands for."""
    field = _related(field)
    if isinstance(field, serializers.ListSerializer):
        field = field.child
    queryset = getattr(field, "queryset", None)
    if queryset is not None:
        return queryset.model
    if isinstance(field, serializers.RelatedField):  # read-only: the model field it reads
        return _model_field_target(field)
    return getattr(getattr(field, "Meta", None), "model", None) if isinstance(field, serializers.Serializer) else None


def _model_field_target(field):
    parent = field.parent.child if isinstance(field.parent, serializers.ListSerializer) else field.parent
    model = getattr(getattr(parent, "Meta", None), "model", None)
    if model is None or not field.source or "." in field.source:
        return None
    try:
        return model._meta.get_field(field.source).related_model
    except FieldDoesNotExist:  # a property or an annotation, not a model field
        return None


def labels(description: str) -> dict[str, str]:
    """Code -> label from drf-spectacular's choice list ("* `code` - label", one a line)."""
    found = (CHOICE_LIST.match(line) for line in (description or "").split("\n"))
    return {m["code"]: m["label"] for m in found if m}


def _add_enum_labels(schema: dict, description: str) -> None:
    """x-enum-descriptions in the order of enum (django-filter sorts its values, the list not)."""
    found = labels(description)
    values = [v for v in schema.get("enum", ()) if v not in ("", None)]
    if values and all(str(v) in found for v in values):
        schema["x-enum-descriptions"] = [found[str(v)] for v in values]


def postprocess_enum_labels(result, generator, **kwargs):
    """Each enum (the components and the query parameters' own) carries its labels as
    x-enum-descriptions beside its values: code generators and Swagger UI show them, and a client
    need not parse the description's list. A property that points at an enum keeps only its own
    text, as the list is the enum's. Runs after drf-spectacular's postprocess_schema_enums."""
    for component in result.get("components", {}).get("schemas", {}).values():
        _add_enum_labels(component, component.get("description", ""))
        for prop in (component.get("properties") or {}).values():
            text = prop.get("description", "")
            if "enum" not in prop and "\n\n* `" in text:
                prop["description"] = text.split("\n\n* `")[0]
    for item in result.get("paths", {}).values():
        for operation in item.values():
            for parameter in operation.get("parameters", []) if isinstance(operation, dict) else ():
                schema = parameter.get("schema", {})
                _add_enum_labels(schema.get("items", schema), parameter.get("description", ""))
    return result
