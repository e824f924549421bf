"""Idempotency keys of the API: a retried create answers with the first result instead of writing
twice (config/api/idempotency.py). The request body is kept only as a hash (it may hold personal
data); the stored RESPONSE does hold personal data (the created record as its creator saw it), so
a key lives only API_IDEMPOTENCY_KEY_HOURS and is then deleted with its response by the
platform.purge_idempotency_keys beat task."""

from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.db import models

__all__ = ["IdempotencyKey"]


class IdempotencyKey(models.Model):
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    key = models.CharField(max_length=255)
    # sha256 of method, path and body: the same key with anything else is a client error (422).
    request_hash = models.CharField(max_length=64)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    # Null while the first request is still running (a second one meanwhile gets 409).
    status_code = models.PositiveSmallIntegerField(null=True)
    response_body = models.JSONField(null=True, encoder=DjangoJSONEncoder)
    response_headers = models.JSONField(default=dict)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "key"], name="idempotency_key_once_per_user")]

    def __str__(self):
        return f"idempotency key {self.pk}"
