"""The OpenAPI schema documents the API's errors: every operation lists the error answers it can
give, each in the one error shape of config/api/exceptions.py, so that a client (and the schema
conformance run in tests/platform/test_fuzz_api.py) knows a 400 or a 404 as well as a 200."""

from __future__ import annotations

from drf_spectacular.openapi import AutoSchema
from rest_framework import serializers


class FieldErrorSerializer(serializers.Serializer):
    code = serializers.CharField()
    message = serializers.CharField()


class ErrorBodySerializer(serializers.Serializer):
    code = serializers.CharField()
    message = serializers.CharField()
    fields = serializers.DictField(child=FieldErrorSerializer(many=True), required=False)


class ErrorSerializer(serializers.Serializer):
    error = ErrorBodySerializer()


ERRORS = {
    "400": "Ogiltiga uppgifter: fälten som är fel namnges i error.fields.",
    "401": "Inte inloggad.",
    "403": "Rollen eller delegationen tillåter inte detta.",
    "404": "Finns inte eller ligger utanför din behörighet.",
    "409": "Objektets läge tillåter inte ändringen (t.ex. ett signerat beslut eller en signerad plan), "
           "eller en begäran med samma Idempotency-Key pågår.",
    "413": "Begäran är för stor.",
    "415": "Formatet stöds inte.",
    "422": "Idempotency-Key har redan använts för en annan begäran.",
}
ALWAYS = ("400", "401", "403", "404")
WITH_BODY = ("409", "413", "415")


class ProjectAutoSchema(AutoSchema):
    def get_override_parameters(self):
        from config.api.idempotency import SCHEMA_PARAMETER

        parameters = super().get_override_parameters()
        if self._is_idempotent_post():
            parameters = [*parameters, SCHEMA_PARAMETER]
        return parameters

    def _is_idempotent_post(self) -> bool:
        from config.api.idempotency import IdempotentCreateMixin

        return self.method == "POST" and isinstance(self.view, IdempotentCreateMixin)

    def _get_response_bodies(self, direction="response"):
        responses = super()._get_response_bodies(direction)
        codes = ALWAYS + (WITH_BODY if self.method in ("POST", "PUT", "PATCH", "DELETE") else ())
        if self._is_idempotent_post():
            codes += ("422",)
        for code in codes:
            if not responses.get(code, {}).get("content"):
                responses[code] = self._get_response_for_code(ErrorSerializer, code, direction=direction)
                responses[code]["description"] = ERRORS[code]
        return dict(sorted(responses.items()))
