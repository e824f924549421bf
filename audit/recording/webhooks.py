"""Events out: write an event to the outbox with its change, deliver it signed, retry, replay.

Every service that makes a change an integration may want to hear of calls `event_emit` inside its
own transaction. Delivery runs in Celery (audit.deliver_webhook_event, queued on commit, and the
sweep audit.sweep_webhooks for whatever was missed): so an event rolled back with its change is
never sent, and a receiver that is down delays nothing but its own deliveries.

The signature (documented for integrators in README.md, "Webhooks"):
    X-Webhook-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256(secret, "<t>.<raw body>")>
The receiver recomputes it with its secret and refuses a stale t (replay protection is theirs).
"""

from __future__ import annotations

import hashlib
import hmac
import json
import secrets
import time
import urllib.error
import urllib.request
from datetime import timedelta

from celery import current_app
from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from audit.recording.webhook_models import (
    DeliveryAttempt,
    DeliveryStatus,
    EventType,
    OutboxEvent,
    WebhookDelivery,
    WebhookSubscription,
)

SIGNATURE_HEADER = "X-Webhook-Signature"


def _send(task: str, *args) -> None:
    """Queue a task of audit/tasks.py by its stable name once the transaction commits: the
    recording layer imports no module that imports the control layer."""
    transaction.on_commit(lambda: current_app.send_task(task, args=args))


def _enqueue_event(event_id: int) -> None:
    _send("audit.deliver_webhook_event", event_id)


def event_emit(*, event_type: str, unit_id: int | None, subject_type: str, subject_id: int) -> OutboxEvent:
    """Write one event to the outbox in the caller's transaction; delivered once it commits."""
    event = OutboxEvent.objects.create(event_type=EventType(event_type), unit_id=unit_id,
                                       subject_type=subject_type, subject_id=subject_id)
    _enqueue_event(event.pk)
    return event


def webhooks_after_commit() -> None:
    """For writers that put events in the outbox in bulk with SQL (the egenkontroll engine): one
    sweep queued on commit delivers them all, instead of a message per event."""
    _send("audit.sweep_webhooks")


def new_secret() -> str:
    return secrets.token_urlsafe(32)


def subscription_create(*, name: str, url: str, event_types: list[str], unit_id: int | None) -> tuple[WebhookSubscription, str]:
    """A new subscription and its secret: the only time the secret is handed out."""
    secret = new_secret()
    subscription = WebhookSubscription(name=name, url=url, event_types=event_types, unit_id=unit_id, secret=secret)
    subscription.full_clean()
    subscription.save()
    return subscription, secret


def sign(secret: str, timestamp: int, body: bytes) -> str:
    digest = hmac.new(secret.encode(), str(timestamp).encode() + b"." + body, hashlib.sha256).hexdigest()
    return f"t={timestamp},v1={digest}"


def _fan_out(event: OutboxEvent) -> None:
    """A delivery row for every active subscription that wants this event type and whose scope
    holds the event's unit (one without a unit holds all)."""
    in_scope = WebhookSubscription.objects.filter(active=True).filter(Q(unit__isnull=True) | Q(unit_id=event.unit_id))
    matching = [s for s in in_scope if event.event_type in s.event_types]
    WebhookDelivery.objects.bulk_create(
        [WebhookDelivery(event=event, subscription=s, next_attempt_at=timezone.now()) for s in matching],
        ignore_conflicts=True)
    OutboxEvent.objects.filter(pk=event.pk).update(fanned_out_at=timezone.now())


def _backoff(attempts: int) -> timedelta:
    """Exponential: base, 2×base, 4×base, ... after the 1st, 2nd, 3rd failure."""
    return timedelta(seconds=settings.WEBHOOK_BACKOFF_SECONDS * 2 ** (attempts - 1))


def _post(delivery: WebhookDelivery) -> tuple[int | None, str]:
    body = json.dumps(delivery.event.body(), separators=(",", ":")).encode()
    request = urllib.request.Request(delivery.subscription.url, data=body, method="POST", headers={
        "Content-Type": "application/json", "User-Agent": "ekonomiskt-bistand-webhooks/1",
        SIGNATURE_HEADER: sign(delivery.subscription.secret, int(time.time()), body),
        "X-Webhook-Event": delivery.event.event_type, "X-Webhook-Delivery": str(delivery.pk),
    })
    try:
        with urllib.request.urlopen(request, timeout=settings.WEBHOOK_TIMEOUT_SECONDS) as response:  # noqa: S310
            return response.status, ""
    except urllib.error.HTTPError as exc:
        return exc.code, f"Mottagaren svarade {exc.code}."
    except (urllib.error.URLError, OSError) as exc:
        return None, str(getattr(exc, "reason", exc))[:500]


def delivery_attempt(delivery_id: int) -> str | None:
    """One POST of a due delivery, logged; answers its new status (None: not due or taken).
    A failure is tried again after a growing pause, up to WEBHOOK_MAX_ATTEMPTS in all."""
    with transaction.atomic():
        delivery = (WebhookDelivery.objects.select_for_update(skip_locked=True, of=("self",))
                    .select_related("event", "subscription")
                    .filter(pk=delivery_id, status=DeliveryStatus.PENDING, next_attempt_at__lte=timezone.now()).first())
        if delivery is None:
            return None
        started = time.monotonic()
        code, error = _post(delivery)
        delivery.attempts += 1
        DeliveryAttempt.objects.create(delivery=delivery, attempt=delivery.attempts, status_code=code,
                                       duration_ms=int((time.monotonic() - started) * 1000), error=error)
        if code is not None and 200 <= code < 300:
            delivery.status, delivery.delivered_at, delivery.next_attempt_at = DeliveryStatus.DELIVERED, timezone.now(), None
        elif delivery.attempts >= settings.WEBHOOK_MAX_ATTEMPTS:
            delivery.status, delivery.next_attempt_at = DeliveryStatus.FAILED, None
        else:
            delivery.next_attempt_at = timezone.now() + _backoff(delivery.attempts)
        delivery.save(update_fields=["status", "attempts", "delivered_at", "next_attempt_at"])
        return delivery.status


def event_deliver(event_id: int) -> list[int]:
    """Fan an event out to its subscriptions; answers the ids of its deliveries now due."""
    event = OutboxEvent.objects.filter(pk=event_id).first()
    if event is None:
        return []
    if event.fanned_out_at is None:
        _fan_out(event)
    return list(event.deliveries.filter(status=DeliveryStatus.PENDING, next_attempt_at__lte=timezone.now())
                .values_list("pk", flat=True))


def due_work() -> tuple[list[int], list[int]]:
    """For the sweep: events not yet fanned out, and pending deliveries whose time has come."""
    events = list(OutboxEvent.objects.filter(fanned_out_at__isnull=True).order_by("pk").values_list("pk", flat=True)[:1000])
    deliveries = list(WebhookDelivery.objects.filter(status=DeliveryStatus.PENDING, next_attempt_at__lte=timezone.now())
                      .order_by("next_attempt_at").values_list("pk", flat=True)[:1000])
    return events, deliveries


def delivery_replay(*, delivery_ids: list[int]) -> int:
    """Send events again (an administrator's choice, e.g. after the receiver lost them): the
    deliveries start over with a fresh count of attempts; their log so far is kept."""
    with transaction.atomic():
        count = WebhookDelivery.objects.filter(pk__in=delivery_ids).update(
            status=DeliveryStatus.PENDING, attempts=0, next_attempt_at=timezone.now(), delivered_at=None)
        for pk in delivery_ids:
            _send("audit.deliver_webhook", pk)
    return count
