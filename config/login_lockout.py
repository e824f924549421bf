"""What a locked-out sign-in gets back (django-axes' AXES_LOCKOUT_CALLABLE): the API's error shape
on /api/, a Swedish page elsewhere; HTTP 429 in both. Who is locked out, and for how long, is
axes' decision (LOGIN_FAILURE_LIMIT, LOGIN_COOLOFF_MINUTES in config/settings/base.py)."""

from __future__ import annotations

from axes.helpers import get_cool_off
from django.http import JsonResponse
from django.shortcuts import render

LOCKED_OUT_STATUS = 429


def lockout_message(request) -> str:
    cool_off = get_cool_off(request)
    if cool_off is None:
        return "För många misslyckade inloggningar. Kontakta administratören för att låsa upp kontot."
    minutes = max(1, round(cool_off.total_seconds() / 60))
    return f"För många misslyckade inloggningar. Försök igen om {minutes} minuter."


def lockout_response(request, original_response=None, credentials=None):
    message = lockout_message(request)
    if request.path.startswith("/api/"):
        return JsonResponse({"error": {"code": "locked_out", "message": message, "fields": {}}},
                            status=LOCKED_OUT_STATUS)
    return render(request, "registration/locked_out.html", {"message": message}, status=LOCKED_OUT_STATUS)


def lockout_parameters(request_or_attempt, credentials=None) -> list[str]:
    """What axes counts and locks (AXES_LOCKOUT_PARAMETERS): the user name and the address, each
    on its own. A sign-in without a user name (the identity provider's callback) is counted by
    address only: counted by an empty user name, a few failures anywhere in the municipality would
    lock everyone out of the identity provider."""
    username = (credentials or {}).get("username") or getattr(request_or_attempt, "username", None)
    return ["username", "ip_address"] if username else ["ip_address"]
