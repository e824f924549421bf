"""Page numbers without counting the whole scope: the API's lists count at most a bounded number
of rows (one `SELECT COUNT(*) FROM (... LIMIT n)`), so a list over a unit of 100 000 persons
costs what its page costs, not an exact COUNT over every row on every request.

`count` is exact while the list is no longer than the bound (`count_is_exact: true`). Beyond it,
`count_is_exact` is false and `count` means "more than `count`": at least the bound, or the rows
up to the end of the requested page if that is further. `next` is given whenever a further page
has rows, so a client pages to the end by following `next`; page numbers (`?page=`) still work at
any depth. `page=last` is refused where the count is not exact (the last page is unknown).
"""

from __future__ import annotations

import math
from functools import cached_property

from django.conf import settings
from django.core.paginator import InvalidPage
from django.core.paginator import Paginator as DjangoPaginator
from django.db.models import QuerySet
from rest_framework.exceptions import NotFound
from rest_framework.pagination import PageNumberPagination
from rest_framework.response import Response


class BoundedPaginator(DjangoPaginator):
    """Counts at most `limit + 1` rows: `count` is then min(rows, limit + 1) and `is_exact` says
    whether it is the real number. `limit` is at least the end of the requested page, so the page
    and whether a next page exists are always known."""

    def __init__(self, object_list, per_page, *, limit: int):
        super().__init__(object_list, per_page)
        self.limit = limit

    @cached_property
    def count(self) -> int:
        rows = self.object_list
        if not isinstance(rows, QuerySet):
            return len(rows[: self.limit + 1])
        if rows.query.group_by is None and not rows.query.distinct and rows._fields is None:
            # Rows of a model: only the primary keys, unordered. The count needs neither the
            # columns, the annotations in SELECT nor the sort (annotations a filter uses stay in
            # WHERE). Grouped, distinct or values() lists are counted as they are.
            rows = rows.order_by().values("pk")
        return rows[: self.limit + 1].count()

    @property
    def is_exact(self) -> bool:
        return self.count <= self.limit

    @property
    def reported_count(self) -> int:
        return self.count if self.is_exact else self.limit

    @property
    def num_pages(self) -> int:  # with an inexact count: the pages known to have rows
        return max(1, math.ceil(self.count / self.per_page))


# No list reaches this many rows; a page number past it is refused like page 0 (the database's
# LIMIT and OFFSET are 64-bit, and a fuzzed page number of 37 digits overflowed them: a 500).
MAX_ROWS_PAGED = 2**31


class Pagination(PageNumberPagination):
    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = 200
    # DRF's own are English and have no Swedish translation.
    page_query_description = "Sidans nummer, från 1."
    page_size_query_description = f"Rader per sida (högst {max_page_size})."

    @property
    def count_bound(self) -> int:
        return settings.API_COUNT_BOUND

    def paginate_queryset(self, queryset, request, view=None):
        self.request = request
        page_size = self.get_page_size(request)
        raw = request.query_params.get(self.page_query_param) or 1
        last = raw in self.last_page_strings
        number = 1
        if not last:
            try:
                number = int(raw)
            except (TypeError, ValueError):
                number = 0
            if number < 1 or number * page_size > MAX_ROWS_PAGED:
                raise NotFound(self.invalid_page_message.format(page_number=raw, message="Ogiltigt sidnummer."))
        paginator = BoundedPaginator(queryset, page_size, limit=max(self.count_bound, number * page_size))
        if last:
            if not paginator.is_exact:
                raise NotFound(self.invalid_page_message.format(
                    page_number=raw, message="Listan är för lång för att hitta sista sidan; följ next."))
            number = paginator.num_pages
        try:
            self.page = paginator.page(number)
        except InvalidPage as exc:
            raise NotFound(self.invalid_page_message.format(page_number=raw, message=str(exc))) from exc
        return list(self.page)

    def get_paginated_response(self, data):
        paginator = self.page.paginator
        return Response({
            "count": paginator.reported_count,
            "count_is_exact": paginator.is_exact,
            "count_bound": self.count_bound,
            "next": self.get_next_link(),
            "previous": self.get_previous_link(),
            "results": data,
        })

    def get_paginated_response_schema(self, schema):
        out = super().get_paginated_response_schema(schema)
        out["properties"]["count"]["description"] = (
            "Antal rader. Exakt när count_is_exact är sant; annars betyder det 'fler än count' "
            "(listan räknas bara upp till count_bound rader, eller till slutet av den begärda sidan).")
        out["properties"] = {
            "count": out["properties"]["count"],
            "count_is_exact": {"type": "boolean", "example": True,
                               "description": "Sant när count är det exakta antalet rader."},
            "count_bound": {"type": "integer", "example": 1000,
                            "description": "Hur många rader listan räknas upp till som mest."},
            **{k: v for k, v in out["properties"].items() if k != "count"},
        }
        out["properties"]["next"]["description"] = "Adressen till nästa sida; null på den sista."
        out["properties"]["previous"]["description"] = "Adressen till föregående sida; null på den första."
        out["properties"]["results"]["description"] = "Sidans rader."
        out["required"] = ["count", "count_is_exact", "count_bound", "results"]
        return out
