"""Access-logged read endpoints: every list and detail of personal data writes log rows.

A view names `access_object_type` and implements `person_ids(obj)`; the mixin logs each
object served (one bulk INSERT per response, so lists keep a fixed query count).
"""

from __future__ import annotations

from rest_framework.response import Response

from audit.models import AccessAction
from audit.recording.log import record_access


class AccessLoggedReadMixin:
    access_object_type: str = ""

    def person_ids(self, obj) -> list[int | None]:
        raise NotImplementedError

    def log_access(self, objects, action: str) -> None:
        record_access(
            actor=self.request.user,
            action=action,
            object_type=self.access_object_type,
            subjects=[(obj.pk, pid) for obj in objects for pid in (self.person_ids(obj) or [None])],
        )

    def list(self, request, *args, **kwargs):
        queryset = self.filter_queryset(self.get_queryset())
        page = self.paginate_queryset(queryset)
        objects = list(page) if page is not None else list(queryset)
        data = self.get_serializer(objects, many=True).data
        self.log_access(objects, AccessAction.LIST)
        return self.get_paginated_response(data) if page is not None else Response(data)

    def retrieve(self, request, *args, **kwargs):
        instance = self.get_object()
        data = self.get_serializer(instance).data
        self.log_access([instance], AccessAction.READ)
        return Response(data)
