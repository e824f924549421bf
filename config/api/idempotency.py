"""Safe retries of the API's POSTs: an `Idempotency-Key` header makes a repeated request (a client
that lost the answer and sends again) get the FIRST answer (status, body, Location) instead of
writing a second time; the same key with another request is refused (422 naming the header), and
a second request while the first still runs gets 409. Keys are per user and live
API_IDEMPOTENCY_KEY_HOURS (config/settings/base.py), then platform.purge_idempotency_keys deletes
them with their stored answers, which hold personal data (the body is kept only as a hash).

Concurrency: insert first. The key row is inserted, and committed, before the view runs; the
unique constraint (user, key) lets exactly one request of two identical ones through.

Also here: every 201 carries `Location`, the detail URL of what was created."""

from __future__ import annotations

import hashlib
from datetime import timedelta

from django.conf import settings
from django.db import IntegrityError, transaction
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from drf_spectacular.utils import OpenApiParameter
from rest_framework.generics import get_object_or_404
from rest_framework.response import Response

from audit.models import AccessAction
from config.errors import DomainError

HEADER = "Idempotency-Key"
MAX_KEY_LENGTH = 255
REPLAYED_HEADERS = ("Location", "Content-Type")

SCHEMA_PARAMETER = OpenApiParameter(
    name=HEADER, type=str, location=OpenApiParameter.HEADER, required=False,
    description=(
        "Valfri nyckel (högst 255 tecken) för säkra omförsök: samma nyckel och samma innehåll inom "
        "24 timmar ger det första svaret utan att något skrivs igen. Samma nyckel med annat innehåll "
        "ger 422, och medan den första begäran pågår ger en andra 409."
    ),
)


class IdempotencyConflict(DomainError):
    status = 422
    code = "idempotency_key_reused"


class IdempotencyInProgress(DomainError):
    status = 409
    code = "idempotency_key_in_progress"


class _Replay(Exception):
    def __init__(self, response: Response):
        self.response = response


def key_lifetime() -> timedelta:
    return timedelta(hours=settings.API_IDEMPOTENCY_KEY_HOURS)


def purge_expired(now=None) -> int:
    from audit.models import IdempotencyKey

    cutoff = (now or timezone.now()) - key_lifetime()
    deleted, _ = IdempotencyKey.objects.filter(created_at__lt=cutoff).delete()
    return deleted


def _request_hash(request) -> str:
    digest = hashlib.sha256()
    digest.update(request.method.encode())
    digest.update(b"\0" + request.path.encode() + b"\0")
    digest.update(request.body)
    return digest.hexdigest()


class IdempotentCreateMixin:
    """For viewsets with POST actions: Idempotency-Key on every POST, Location on every 201.
    An action that creates something other than the viewset's own resource names the created
    resource's detail route in `created_routes` ({action name: route name})."""

    created_routes: dict[str, str] = {}

    def initial(self, request, *args, **kwargs):
        self._idempotency_row = None
        super().initial(request, *args, **kwargs)  # authenticated and allowed first
        key = request.headers.get(HEADER)
        if request.method != "POST" or key is None:
            return
        if not key.strip() or len(key) > MAX_KEY_LENGTH:
            raise DomainError(f"{HEADER} ska vara 1–{MAX_KEY_LENGTH} tecken.", code="invalid", field=HEADER)
        self._idempotency_row = self._claim(request, key)

    def _claim(self, request, key):
        from audit.models import IdempotencyKey

        request_hash = _request_hash(request)
        # An expired key not yet purged counts as new.
        IdempotencyKey.objects.filter(
            user=request.user, key=key, created_at__lt=timezone.now() - key_lifetime()).delete()
        try:
            with transaction.atomic():
                return IdempotencyKey.objects.create(user=request.user, key=key, request_hash=request_hash)
        except IntegrityError:
            pass
        first = IdempotencyKey.objects.filter(user=request.user, key=key).first()
        if first is None:  # the first request failed and gave its key back meanwhile
            return self._claim(request, key)
        if first.request_hash != request_hash:
            raise IdempotencyConflict(
                f"{HEADER} har redan använts för en annan begäran. Använd en ny nyckel.", field=HEADER)
        if first.status_code is None:
            raise IdempotencyInProgress(
                f"En begäran med samma {HEADER} pågår fortfarande. Försök igen om en stund.", field=HEADER)
        self._read_again(first.response_body)
        response = Response(first.response_body, status=first.status_code, headers=first.response_headers)
        response["Idempotent-Replayed"] = "true"
        raise _Replay(response)

    def _read_again(self, stored_body) -> None:
        """A replayed answer shows the record again, so it is a read like any other: checked against
        the user's scope and rights today (someone whose access ended since gets 404 or 403, not
        the stored personal data) and access-logged. The record is the object the action was on,
        or for a create the created one; an action that only answers a status reads nothing."""
        lookup = self.lookup_url_kwarg or self.lookup_field
        if lookup in self.kwargs:
            record = self.get_object()
        elif getattr(self, "action", None) == "create" and isinstance(stored_body, dict) and "id" in stored_body:
            record = get_object_or_404(self.get_queryset(), pk=stored_body["id"])
        else:
            return
        if hasattr(self, "log_access"):
            self.log_access([record], AccessAction.READ)

    def handle_exception(self, exc):
        if isinstance(exc, _Replay):
            return exc.response
        try:
            return super().handle_exception(exc)
        except Exception:  # a server error: give the key back, so the retry is not refused with 409
            row, self._idempotency_row = getattr(self, "_idempotency_row", None), None
            if row is not None:
                row.delete()
            raise

    def finalize_response(self, request, response, *args, **kwargs):
        response = super().finalize_response(request, response, *args, **kwargs)
        if response.status_code == 201 and not response.has_header("Location"):
            location = self._created_location(response)
            if location:
                response["Location"] = location
        row = getattr(self, "_idempotency_row", None)
        if row is not None:
            self._idempotency_row = None
            if 200 <= response.status_code < 300:
                row.status_code = response.status_code
                row.response_body = response.data
                row.response_headers = {h: response[h] for h in ("Location",) if response.has_header(h)}
                row.save(update_fields=["status_code", "response_body", "response_headers"])
            else:  # nothing was done: the key is free for a corrected retry
                row.delete()
        return response

    def _created_location(self, response) -> str | None:
        """The created record's detail URL: the viewset's own for `create`, the named route of
        `created_routes` for an action that creates another resource with its own URL, and else,
        for an action on one object (a member added to a household), that object's URL."""
        data = response.data
        created_id = data.get("id") if isinstance(data, dict) else None
        action = getattr(self, "action", None)
        basename = getattr(self, "basename", None)
        if action in self.created_routes and created_id is not None:
            route, arg = self.created_routes[action], created_id
        elif action == "create" and created_id is not None and basename:
            route, arg = f"{basename}-detail", created_id
        elif basename and (self.lookup_url_kwarg or self.lookup_field) in self.kwargs:
            route, arg = f"{basename}-detail", self.kwargs[self.lookup_url_kwarg or self.lookup_field]
        else:
            return None
        try:
            return reverse(route, args=[arg])
        except NoReverseMatch:
            return None
