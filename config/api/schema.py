"""The OpenAPI schema documents itself: every operation has an area (tag), a summary, its own
description and the error answers it can give, each in the one error shape of
config/api/exceptions.py, so that a client (and the schema conformance run in
tests/platform/test_fuzz_api.py) knows a 400 or a 404 as well as a 200.

Everything is derived here, in one place, from the URL, the view and the handler, so that a new
endpoint is documented without anyone remembering to do it (and tests/platform/test_openapi.py
fails when something cannot be derived)."""

from __future__ import annotations

import inspect

from drf_spectacular.drainage import has_override
from drf_spectacular.openapi import AutoSchema
from drf_spectacular.plumbing import get_doc, get_view_model
from rest_framework import serializers
from rest_framework.permissions import AllowAny
from rest_framework.schemas.utils import get_pk_description

from config.api.exceptions import GENERIC_MESSAGES
from config.api.schema_properties import describe


class FieldErrorSerializer(serializers.Serializer):
    code = serializers.CharField(help_text="Maskinläsbar kod för felet, t.ex. required eller invalid.")
    message = serializers.CharField(help_text="Felet på svenska, att visa för användaren.")


class ErrorBodySerializer(serializers.Serializer):
    code = serializers.CharField(help_text=(
        "Maskinläsbar kod: " + ", ".join(sorted(GENERIC_MESSAGES)) + ", eller en verksamhetskod "
        "(t.ex. report_not_ready) när ett regelbrott har en egen."))
    message = serializers.CharField(help_text="Felet på svenska.")
    fields = serializers.DictField(child=FieldErrorSerializer(many=True), required=False,
                                   help_text="Vid 400 (och när ett regelbrott gäller ett fält): felen per fält. "
                                   "Nyckeln är fältets namn, för en lista med index (costs[0].amount); "
                                   "__all__ för fel som inte gäller ett enskilt fält.")


class ErrorSerializer(serializers.Serializer):
    error = ErrorBodySerializer(help_text="Felets kod, meddelande och (vid 400) fälten som är fel.")


ERRORS = {
    "400": "Ogiltiga uppgifter: fälten som är fel namnges i error.fields.",
    "401": "Inte inloggad.",
    "403": "Rollen eller delegationen tillåter inte detta.",
    "404": "Finns inte eller ligger utanför din behörighet.",
    "409": "Objektets läge tillåter inte ändringen (t.ex. ett signerat beslut eller en signerad plan), "
           "eller en begäran med samma Idempotency-Key pågår.",
    "412": "If-Match angavs men objektet har ändrats sedan dess: hämta det igen (ny ETag) och gör om ändringen.",
    "413": "Begäran är för stor.",
    "415": "Formatet stöds inte.",
    "422": "Idempotency-Key har redan använts för en annan begäran.",
    "429": "För många förfrågningar: försök igen senare.",
}
WRITES = ("POST", "PUT", "PATCH", "DELETE")

# The area of each endpoint, by the first part of its path under /api/v1/ (the longest prefix
# wins). The areas themselves, with their descriptions, are SPECTACULAR_SETTINGS["TAGS"].
AREA_BY_PREFIX = {
    "applicants": "personer och ärenden",
    "households": "personer och ärenden",
    "cases": "personer och ärenden",
    "caseload": "personer och ärenden",
    "journal-entries": "personer och ärenden",
    "attachments": "personer och ärenden",
    "imports": "personer och ärenden",
    "applications": "ekonomiskt bistånd",
    "calculations": "ekonomiskt bistånd",
    "decisions": "ekonomiskt bistånd",
    "delegated-decisions": "ekonomiskt bistånd",
    "communications": "ekonomiskt bistånd",
    "payment-orders": "ekonomiskt bistånd",
    "payment-batches": "ekonomiskt bistånd",
    "assessments": "planering",
    "plans": "planering",
    "follow-ups": "planering",
    "bip-assessments": "planering",
    "applicants/{applicant_id}/planning-timeline": "planering",
    "insatser": "insatser",
    "insats-decisions": "insatser",
    "referrals": "insatser",
    "participations": "insatser",
    "closings": "insatser",
    "exemptions": "insatser",
    "full-time": "insatser",
    "applicants/{id}/timeline": "insatser",
    "control": "egenkontroll",
    "reports": "rapporter",
    "units": "referensdata",
    "staff": "referensdata",
    "support-barriers": "referensdata",
    "riksnorm-tables": "referensdata",
    "cost-types": "referensdata",
    "income-types": "referensdata",
    "legal-bases": "referensdata",
    "delegation-points": "referensdata",
    "journal-entry-kinds": "referensdata",
    "bip-instruments": "referensdata",
    "tracks": "referensdata",
    "auth": "inloggning",
}
API_ROOT = "/api/v1/"


def area_of(path: str) -> str | None:
    rest = path.removeprefix(API_ROOT).strip("/")
    matches = [p for p in AREA_BY_PREFIX if rest == p or rest.startswith(p + "/")]
    return AREA_BY_PREFIX[max(matches, key=len)] if matches else None


# Summaries of the standard actions; {0} is the resource's name (its model's verbose name).
STANDARD_SUMMARIES = {
    "list": "Lista: {0}",
    "retrieve": "Hämta: {0}",
    "create": "Skapa: {0}",
    "update": "Ersätt: {0}",
    "partial_update": "Ändra: {0}",
    "destroy": "Ta bort: {0}",
}


def _own_class_doc(serializer) -> bool:
    cls = serializer if inspect.isclass(serializer) else type(serializer)
    return bool(cls.__dict__.get("__doc__"))


def _own_doc(func) -> str:
    """The docstring a method has itself, not one it inherits from a DRF mixin or base class."""
    func = inspect.unwrap(func) if func is not None else None
    return get_doc(func) if func is not None and getattr(func, "__doc__", None) else ""


class ProjectAutoSchema(AutoSchema):
    def get_override_parameters(self):
        from config.api.concurrency import ETAG_HEADER, IF_MATCH, IF_NONE_MATCH
        from config.api.idempotency import SCHEMA_PARAMETER

        parameters = super().get_override_parameters()
        if self._is_idempotent_post():
            parameters = [*parameters, SCHEMA_PARAMETER]
        if self._honours_if_match():
            parameters = [*parameters, IF_MATCH, ETAG_HEADER]
        elif self._is_conditional_get():
            parameters = [*parameters, IF_NONE_MATCH, ETAG_HEADER]
        return parameters

    def _is_conditional(self) -> bool:
        from config.api.concurrency import ConditionalMixin

        return isinstance(self.view, ConditionalMixin) and bool(getattr(self.view, "detail", False))

    def _honours_if_match(self) -> bool:
        """A write on one object of a ConditionalMixin viewset (config/api/concurrency.py)."""
        from config.api.concurrency import CONDITIONAL_WRITES

        return self.method in CONDITIONAL_WRITES and self._is_conditional()

    def _is_conditional_get(self) -> bool:
        return self.method == "GET" and self._action() == "retrieve" and self._is_conditional()

    def _is_idempotent_post(self) -> bool:
        from config.api.idempotency import IdempotentCreateMixin

        return self.method == "POST" and isinstance(self.view, IdempotentCreateMixin)

    def _action(self) -> str:
        return getattr(self.view, "action", None) or self.method.lower()

    def _resource_name(self) -> str:
        model = get_view_model(self.view, emit_warnings=False)
        if model is None:
            serializer = getattr(self.view, "serializer_class", None)
            model = getattr(getattr(serializer, "Meta", None), "model", None)
        if model is not None:
            return str(model._meta.verbose_name_plural if self._action() == "list" else model._meta.verbose_name)
        return self.path.removeprefix(API_ROOT).strip("/").replace("/", " ")

    # A field is described where it sits in its serializer, not in drf-spectacular's own calls
    # for its parts (a slug field maps the target's code field, a list its child).
    _field_depth = 0

    def _map_serializer_field(self, field, direction, bypass_extensions=False):
        self._field_depth += 1
        try:
            schema = super()._map_serializer_field(field, direction, bypass_extensions)
        finally:
            self._field_depth -= 1
        if self._field_depth == 0:
            describe(field, schema)
        return schema

    def _map_basic_serializer(self, serializer, direction):
        depth, self._field_depth = self._field_depth, 0  # a nested serializer's own fields
        try:
            schema = super()._map_basic_serializer(serializer, direction)
        finally:
            self._field_depth = depth
        # A docstring the serializer inherits (BoundedSerializer's, on how it bounds its fields)
        # says nothing about this object: only its own is the component's description.
        if not has_override(serializer, "description") and not _own_class_doc(serializer):
            schema.pop("description", None)
        return schema

    def _resolve_path_parameters(self, variables):
        parameters = super()._resolve_path_parameters(variables)
        model = get_view_model(self.view, emit_warnings=False)
        if model is not None:  # DRF's "A unique integer value identifying this ..." is English
            english = get_pk_description(model, model._meta.pk)
            for parameter in parameters:
                if parameter.get("description") == english:
                    parameter["description"] = f"Id för {model._meta.verbose_name}."
        return parameters

    def get_tags(self) -> list[str]:
        area = area_of(self.path)
        return [area] if area else super().get_tags()

    def get_description(self):
        # The action's (or HTTP method's) own docstring; the viewset's docstring describes the
        # resource, so it goes on the list only, never copied onto every action.
        own = _own_doc(getattr(self.view, self._action(), None))
        if own:
            return own
        if self._action() == "list" or getattr(self.view, "action_map", None) is None:
            return get_doc(self.view.__class__) or self._standard_summary()
        return self._standard_summary()

    def _standard_summary(self) -> str:
        template = STANDARD_SUMMARIES.get(self._action())
        return template.format(self._resource_name()) + "." if template else ""

    def get_summary(self):
        if self._action() in STANDARD_SUMMARIES:
            return self._standard_summary().rstrip(".")
        doc = self.get_description()
        first = doc.split("\n\n")[0].split(". ")[0].replace("\n", " ").strip().rstrip(".")
        return first[:120] if first else self._action().replace("_", " ").capitalize()

    def _error_codes(self) -> list[str]:
        """The statuses the handler (config/api/exceptions.py) can answer this operation with."""
        public = any(issubclass(p, AllowAny) for p in getattr(self.view, "permission_classes", ()))
        codes = [] if public else ["401", "403"]
        paged = bool(self._get_pagination_parameters())
        # Filters, pages and a view's own query parameters (e.g. full-time's week) are all judged.
        has_query = paged or any(p.get("in") == "query" for p in self._get_parameters())
        writes = self.method in WRITES
        if writes or has_query:
            codes.append("400")  # a body, or a query parameter, that is not valid
        if "{" in self.path or paged:
            codes.append("404")  # an object outside the caller's scope, or a page past the last
        if writes:
            codes.append("409")  # a domain Conflict: the object's state forbids the change
        if self.method in ("POST", "PUT", "PATCH"):
            codes += ["413", "415"]  # config/api/parsers.py bounds and the JSON-only parser
        if self._honours_if_match():
            codes.append("412")  # If-Match named another version than the row's
        if self._is_idempotent_post():
            codes.append("422")  # an Idempotency-Key used before for another request
        if getattr(self.view, "throttle_classes", None):
            codes.append("429")
        return codes

    def _get_response_bodies(self, direction="response"):
        responses = super()._get_response_bodies(direction)
        # A code declared without a body in extend_schema (e.g. {409: None} on a GET that can be
        # refused) is given the error body too.
        declared = [c for c, r in responses.items() if c[0] == "4" and not r.get("content")]
        for code in set(self._error_codes()) | set(declared):
            if not responses.get(code, {}).get("content"):
                responses[code] = self._get_response_for_code(ErrorSerializer, code, direction=direction)
            if not responses[code].get("description"):
                responses[code]["description"] = ERRORS.get(code, "")
        if self._is_conditional_get():
            responses["304"] = {"description": "Oförändrat sedan den ETag som angavs i If-None-Match: inget innehåll."}
        return dict(sorted(responses.items()))
