"""Bulk writes: many rows of one kind in one request (a group's week of attendance, a sampled
case's checklist), the way the staff save them on one page.

The pattern, the same wherever it is used:
- `rows` holds 1 to API_BULK_MAX_ROWS rows (config/settings/base.py); more is refused, 400
  naming `rows`, before any row is judged, so that one request cannot hold locks for long.
- Every row's errors are reported at once, each named by its index and field the way the
  error handler names list items: `rows[3].attended_hours` (config/api/exceptions.py). A row
  that repeats an earlier row's key is an error on its own index (the service's check).
- All or nothing: the app's service judges every row, then writes them set-based in one
  transaction; any error and nothing is written. The service is the one the web form and the
  single-row endpoint use, so the rules live in one place.
- The view answers 200 with the rows as saved; Idempotency-Key applies as on every POST.

Scope: a row about an object outside the caller's scope is a row error (400, `rows[i].<field>`
"finns inte eller ligger utanför din behörighet"), not a 403 for the whole request: the client
learns which row to drop, and learns nothing about the object, since the message is the same
for one that does not exist."""

from __future__ import annotations

from django.conf import settings
from drf_spectacular.extensions import OpenApiSerializerFieldExtension
from rest_framework import serializers


def max_rows() -> int:
    return settings.API_BULK_MAX_ROWS


class BulkRows(serializers.ListSerializer):
    """The `rows` of a bulk request: 1 to API_BULK_MAX_ROWS rows, every row judged, every row's
    errors named by its index. (A row repeating another's key is the service's to refuse: it must
    hold for every caller, the web form too.)"""

    def __init__(self, *args, **kwargs):
        # Read on every construction (DRF copies declared fields per request by constructing them
        # again), so the setting holds as it is now; a bound of its own also keeps
        # config/limits.py from giving the list its general bound of 100 items.
        kwargs.setdefault("max_length", max_rows())
        kwargs.setdefault("help_text", f"Raderna, 1–{max_rows()} stycken; alla sparas eller ingen.")
        super().__init__(*args, **kwargs)

    def to_internal_value(self, data):
        # The size first: no row is judged in a batch that is refused anyway. The errors are
        # lists so that the handler names the field itself (`rows`), not `rows.non_field_errors`.
        if isinstance(data, list) and len(data) > self.max_length:
            raise serializers.ValidationError(
                [f"Högst {self.max_length} rader per begäran; dela upp raderna på flera begäranden."],
                code="max_length")
        if isinstance(data, list) and not data:
            raise serializers.ValidationError(["Ange minst en rad."], code="empty")
        return super().to_internal_value(data)


def bulk_rows(child: serializers.Serializer) -> BulkRows:
    """The `rows` field of a bulk request serializer: `rows = bulk_rows(RowSerializer())`."""
    return BulkRows(child=child)


class BulkRowsExtension(OpenApiSerializerFieldExtension):
    """The schema shows the bound (minItems/maxItems) that drf-spectacular leaves out for a list
    of serializers, read from the setting when the schema is generated."""

    target_class = BulkRows

    def map_serializer_field(self, auto_schema, direction):
        schema = auto_schema._map_serializer_field(self.target, direction, bypass_extensions=True)
        if direction == "request":
            schema.update(minItems=1, maxItems=self.target.max_length)
        return schema
