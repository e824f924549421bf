"""One exception handler for the whole API.

Every error has the same shape, a stable machine-readable code and a Swedish message:

    {"error": {"code": "validation_error", "message": "...",
               "fields": {"personal_identity_number": [{"code": "invalid_checksum",
                                                        "message": "..."}]}}}

Services raise django.core.exceptions.ValidationError (with a dict naming the fields) or the
domain errors below; the handler maps them so that views stay thin.
"""

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import RequestDataTooBig
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404, JsonResponse
from django.views.defaults import page_not_found
from rest_framework import exceptions, status
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

from config.api.parsers import RequestTooLarge
from config.errors import DomainError

GENERIC_MESSAGES = {
    "validation_error": "Uppgifterna är inte giltiga.",
    "not_found": "Hittades inte.",
    "permission_denied": "Du saknar behörighet för detta.",
    "not_authenticated": "Du måste logga in.",
    "authentication_failed": "Inloggningen misslyckades.",
    "method_not_allowed": "Metoden är inte tillåten.",
    "throttled": "För många förfrågningar.",
    "parse_error": "Begäran kunde inte tolkas.",
    "unsupported_media_type": "Formatet stöds inte.",
}


def _field_errors(detail) -> dict:
    """Flatten DRF's nested ErrorDetail structure into {field: [{code, message}]}."""
    out: dict = {}

    def walk(prefix, value):
        if isinstance(value, dict):
            for key, sub in value.items():
                # DRF keys a list's errors by index ({0: ...}); name them like services do: costs[0].amount
                if isinstance(key, int):
                    walk(f"{prefix}[{key}]" if prefix else str(key), sub)
                else:
                    walk(f"{prefix}.{key}" if prefix else str(key), sub)
        elif isinstance(value, list):
            if value and all(not isinstance(v, (dict, list)) for v in value):
                out.setdefault(prefix or "non_field_errors", []).extend(
                    {"code": getattr(v, "code", "invalid") or "invalid", "message": str(v)} for v in value
                )
            else:
                for index, sub in enumerate(value):
                    walk(f"{prefix}[{index}]" if prefix else str(index), sub)
        else:
            out.setdefault(prefix or "non_field_errors", []).append(
                {"code": getattr(value, "code", "invalid") or "invalid", "message": str(value)}
            )

    walk("", detail)
    if "non_field_errors" in out:
        out["__all__"] = out.pop("non_field_errors")
    return out


def _from_django_validation_error(exc: DjangoValidationError) -> exceptions.ValidationError:
    if hasattr(exc, "error_dict"):
        detail = {
            field: [exceptions.ErrorDetail(" ".join(e.messages), code=e.code or "invalid") for e in errors]
            for field, errors in exc.error_dict.items()
        }
    else:
        detail = {
            "__all__": [exceptions.ErrorDetail(" ".join(e.messages), code=e.code or "invalid") for e in exc.error_list]
        }
    return exceptions.ValidationError(detail)


def exception_handler(exc, context):
    if isinstance(exc, DomainError):
        body = {"error": {"code": exc.code, "message": exc.message}}
        if exc.field:
            body["error"]["fields"] = {exc.field: [{"code": exc.code, "message": exc.message}]}
        return Response(body, status=exc.status)
    if isinstance(exc, DjangoValidationError):
        exc = _from_django_validation_error(exc)
    elif isinstance(exc, Http404):
        exc = exceptions.NotFound()
    elif isinstance(exc, DjangoPermissionDenied):
        exc = exceptions.PermissionDenied()
    elif isinstance(exc, RequestDataTooBig):  # DATA_UPLOAD_MAX_MEMORY_SIZE, read by DRF before the parser
        exc = RequestTooLarge()

    response = drf_exception_handler(exc, context)
    if response is None:
        return None

    if isinstance(exc, exceptions.ValidationError):
        fields = _field_errors(exc.detail)
        response.data = {
            "error": {"code": "validation_error", "message": GENERIC_MESSAGES["validation_error"], "fields": fields}
        }
        response.status_code = status.HTTP_400_BAD_REQUEST
        return response

    code = getattr(exc, "default_code", "error")
    detail = getattr(exc, "detail", None)
    detail_code = getattr(detail, "code", None)
    message = GENERIC_MESSAGES.get(code) if detail_code == code or detail is None else str(detail)
    response.data = {"error": {"code": detail_code or code, "message": message or str(detail)}}
    return response


def not_found(request, exception=None):
    """Django's 404 for a URL no route matches (e.g. /api/v1/cases/0.5/): under /api/ in the API's
    error shape, as JSON; elsewhere the site's page."""
    if request.path.startswith("/api/"):
        body = {"error": {"code": "not_found", "message": GENERIC_MESSAGES["not_found"]}}
        return JsonResponse(body, status=status.HTTP_404_NOT_FOUND)
    return page_not_found(request, exception)
