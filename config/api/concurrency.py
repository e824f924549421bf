"""Safe concurrent writes and synchronisation (issue 15): ETag, If-Match (412), If-None-Match (304)
and `updated_since` on every list.

The version of a row is its `updated_at` (config/models.py TimeStampedModel; Staff has its own),
not a separate counter: every model the API serves already has it, every write path keeps it
(save() with `update_fields` names it, the bulk UPDATEs set it), and `updated_since` needs it
anyway; a counter would be a second version to keep in step on each of those paths, the control
engine's raw SQL included. The ETag is `"<pk>-<updated_at in µs since 1970>-<digest>"`: the
row's version, then a digest of the answer's body. If-Match compares the row's version (locked,
inside the write's transaction); If-None-Match compares the whole tag, so a GET answers 304 only
when the body is the same to the byte, also when something shown inside the object (a case's
coordinator assignments, rows with versions of their own) changed without the row. Strong either
way: a tag names one version of the row and one body. A write's answer carries the new ETag.

If-Match is optional in v1 (no 428): a client that sends it gets a write only on the version it
saw; without it the last write wins, as before. The comparison is race-free: the precondition is
evaluated inside the write's transaction with the row locked (SELECT ... FOR UPDATE), and the
write runs in that same transaction, so a second writer with the same old ETag waits for the
first and then answers 412.

Append-only tables (audit/recording/purge.py APPEND_ONLY: decisions, journal, letters, and the
access log) are never updated; decisions, journal entries and letters carry an `updated_at` that
stays their creation time, and the access log is synchronised by its own time of writing
(config/api/versions.py). Nothing here writes to them.
"""

from __future__ import annotations

import hashlib
import json
import re
from datetime import UTC, datetime, timedelta

from django.db import transaction
from django.utils.dateparse import parse_datetime
from django.utils.http import parse_etags
from drf_spectacular.plumbing import get_view_model
from drf_spectacular.utils import OpenApiParameter
from rest_framework.filters import BaseFilterBackend
from rest_framework.utils.encoders import JSONEncoder

from config.api.versions import VERSION_FIELD, version_field
from config.errors import DomainError, field_error
from config.limits import DATE_MAX, DATE_MIN

UPDATED_SINCE = "updated_since"
CONDITIONAL_WRITES = ("PUT", "PATCH", "POST", "DELETE")
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_MICROSECOND = timedelta(microseconds=1)


class PreconditionFailed(DomainError):
    status = 412
    code = "precondition_failed"


def row_version(pk, version: datetime) -> str:
    """The row's part of an ETag. Integer microseconds, exact (a float timestamp can be a
    microsecond off)."""
    return f"{pk}-{(version - _EPOCH) // _MICROSECOND}"


def etag(pk, version: datetime, data) -> str:
    body = json.dumps(data, cls=JSONEncoder, sort_keys=True, ensure_ascii=False).encode()
    return f'"{row_version(pk, version)}-{hashlib.sha256(body).hexdigest()[:16]}"'


def _names_version(tag: str, version: str) -> bool:
    """Strong comparison of an If-Match tag with the row's version: a weak W/"..." never matches."""
    return tag.startswith('"') and tag.strip('"').rsplit("-", 1)[0] == version


def _etag_of_representation(data) -> str | None:
    """The ETag of a detail answer, from its `id` and `updated_at` (the serialiser's ISO 8601)."""
    if not isinstance(data, dict) or data.get("id") is None or not data.get(VERSION_FIELD):
        return None
    try:
        version = datetime.fromisoformat(str(data[VERSION_FIELD]))
    except ValueError:
        return None
    return etag(data["id"], version, data) if version.tzinfo else None


class ConditionalMixin:
    """For viewsets with a detail route: ETag on the resource's answers, If-Match on its writes
    (PUT, PATCH, DELETE and the POST actions on one object: 412 when stale), If-None-Match on
    its GET (304 when unchanged). Listed first in the bases so that it sees the final answer."""

    def initial(self, request, *args, **kwargs):
        super().initial(request, *args, **kwargs)  # authenticated and allowed first
        header = request.headers.get("If-Match")
        if header is None or request.method not in CONDITIONAL_WRITES or not getattr(self, "detail", False):
            return
        method = request.method.lower()
        handler = getattr(self, method, None)
        if handler is None:
            return
        tags = parse_etags(header)

        def conditional_handler(*args, **kwargs):
            # One transaction for the check and the write: the row stays locked from the
            # comparison until the change is committed (or rolled back with the exception).
            with transaction.atomic():
                self.check_if_match(tags)
                return handler(*args, **kwargs)

        setattr(self, method, conditional_handler)

    def check_if_match(self, tags: list[str]) -> None:
        obj = self.get_object()  # scope first: 404 for what the caller may not see, never 412
        field = version_field(type(obj))
        if tags == ["*"] or field is None:
            return
        version = (type(obj)._base_manager.select_for_update(of=("self",))
                   .filter(pk=obj.pk).values_list(field, flat=True).get())
        if not any(_names_version(tag, row_version(obj.pk, version)) for tag in tags):
            raise PreconditionFailed(
                "Uppgifterna har ändrats sedan du hämtade dem. Hämta dem igen och gör om ändringen.",
                field="If-Match")

    def finalize_response(self, request, response, *args, **kwargs):
        tag = self._etag_of(response)
        if tag:
            response["ETag"] = tag
            if request.method in ("GET", "HEAD") and _none_match(request.headers.get("If-None-Match"), tag):
                response.status_code = 304
                response.data = None  # the client's copy is current: no body
        return super().finalize_response(request, response, *args, **kwargs)

    def _etag_of(self, response) -> str | None:
        """The ETag of an answer that is the representation of the object at this URL (not of
        something an action created, nor a download)."""
        lookup = self.kwargs.get(self.lookup_url_kwarg or self.lookup_field)
        data = getattr(response, "data", None)
        if not getattr(self, "detail", False) or response.status_code != 200 or not isinstance(data, dict):
            return None
        return _etag_of_representation(data) if str(data.get("id")) == str(lookup) else None


def _none_match(header: str | None, tag: str) -> bool:
    if not header:
        return False
    tags = parse_etags(header)
    # If-None-Match compares weakly (RFC 9110 13.1.2): W/"x" matches "x".
    return tags == ["*"] or tag in (t.removeprefix("W/") for t in tags)


class UpdatedSinceFilter(BaseFilterBackend):
    """`updated_since` on every list whose rows have a version (updated_at, or the time of writing
    of an append-only row): the rows changed at or after that time, oldest change first (then by
    id), so that a client can synchronise: ask again with the last row's `updated_at`."""

    description = (
        "Bara rader som ändrats vid eller efter denna tidpunkt (ISO 8601 med tidszon, t.ex. "
        "2026-01-31T08:00:00+01:00), sorterade efter updated_at och sedan id, äldst först; "
        "ordering används då inte. För synkronisering: fråga nästa gång med updated_at från den "
        "sista rad du fått (rader med exakt den tiden kommer då en gång till)."
    )

    def filter_queryset(self, request, queryset, view):
        raw = request.query_params.get(UPDATED_SINCE)
        field = version_field(getattr(queryset, "model", None))
        if raw is None or field is None:
            return queryset
        return queryset.filter(**{f"{field}__gte": parse_updated_since(raw)}).order_by(field, "pk")

    def get_schema_operation_parameters(self, view):
        model = get_view_model(view, emit_warnings=False)
        if model is None:  # a queryset that needs the request's own parameters (the access log)
            model = getattr(getattr(getattr(view, "serializer_class", None), "Meta", None), "model", None)
        if version_field(model) is None:
            return []
        return [{
            "name": UPDATED_SINCE, "required": False, "in": "query", "description": self.description,
            "schema": {"type": "string", "format": "date-time"},
        }]


def parse_updated_since(raw: str) -> datetime:
    # A '+' left unencoded in a query string arrives as a space: 08:00:00 01:00 means +01:00.
    value = parse_datetime(re.sub(r" (\d\d(:?\d\d)?)$", r"+\1", raw.strip())) if raw.strip() else None
    if value is None or value.tzinfo is None:
        raise field_error(UPDATED_SINCE, "Ange en tidpunkt enligt ISO 8601 med tidszon, t.ex. "
                          "2026-01-31T08:00:00+01:00.")
    # Within the project's date bounds (config/limits.py): year 1 with +14:00 is not even a UTC time.
    if not DATE_MIN <= value.date() <= DATE_MAX:
        raise field_error(UPDATED_SINCE, f"Ange en tidpunkt mellan {DATE_MIN:%Y-%m-%d} och {DATE_MAX:%Y-%m-%d}.")
    # In UTC: PostgreSQL refuses offsets beyond ±15:59 that ISO 8601 (and Python) accept.
    return value.astimezone(UTC)


ETAG_HEADER = OpenApiParameter(
    name="ETag", type=str, location=OpenApiParameter.HEADER, response=[200],
    description="Radens version. Skicka den i If-Match för att ändra bara den version du har sett, "
                "eller i If-None-Match för att slippa hämta något som inte har ändrats (304).")
IF_MATCH = OpenApiParameter(
    name="If-Match", type=str, location=OpenApiParameter.HEADER, required=False,
    description="Valfri: ETag från den senaste hämtningen. Ändringen görs bara om objektet inte har "
                "ändrats sedan dess; annars 412. * betyder vilken version som helst.")
IF_NONE_MATCH = OpenApiParameter(
    name="If-None-Match", type=str, location=OpenApiParameter.HEADER, required=False,
    description="Valfri: ETag från den senaste hämtningen. Är objektet oförändrat blir svaret 304 utan innehåll.")
