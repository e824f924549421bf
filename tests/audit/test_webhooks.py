"""Events out (webhooks): outbox written with the change, signed POSTs to a real receiver on
loopback, retries with back-off, the delivery log, replay, and the subscription's unit scope."""

from __future__ import annotations

import datetime
import hashlib
import hmac
import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from django.db import transaction
from django.utils import timezone

from audit.models import DeliveryAttempt, EventType, OutboxEvent, WebhookDelivery
from audit.recording import webhooks
from tests.factories.cases import UnitFactory
from tests.factories.finance import family_case, granted_month

MARCH = datetime.date(2019, 3, 1)


class Receiver:
    """An HTTP receiver on 127.0.0.1 (random port) that answers the given statuses in turn (the
    last one from then on) and verifies each signature with the subscription's secret."""

    def __init__(self, statuses=(200,)):
        self.statuses, self.received, self.secret = list(statuses), [], None
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):  # noqa: N802 (http.server's name)
                body = self.rfile.read(int(self.headers["Content-Length"]))
                receiver.received.append({"body": body, "signature_ok": receiver.verify(self.headers, body),
                                          "event": self.headers["X-Webhook-Event"]})
                status = receiver.statuses.pop(0) if len(receiver.statuses) > 1 else receiver.statuses[0]
                self.send_response(status)
                self.end_headers()

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_port}/hook"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def verify(self, headers, body: bytes) -> bool:
        """What an integrator writes: t and v1 from the header, HMAC-SHA256 over "<t>.<body>"."""
        parts = dict(item.split("=", 1) for item in headers[webhooks.SIGNATURE_HEADER].split(","))
        expected = hmac.new(self.secret.encode(), parts["t"].encode() + b"." + body, hashlib.sha256).hexdigest()
        return hmac.compare_digest(expected, parts["v1"]) and abs(time.time() - int(parts["t"])) < 300

    def bodies(self) -> list[dict]:
        return [json.loads(r["body"]) for r in self.received]

    def close(self):
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def receiver():
    made = []

    def make(statuses=(200,)):
        made.append(Receiver(statuses))
        return made[-1]

    yield make
    for r in made:
        r.close()


def subscribe(receiver, *, unit=None, event_types=(EventType.DECISION_SIGNED,)):
    subscription, secret = webhooks.subscription_create(name="Ekonomisystemet", url=receiver.url,
                                                        event_types=list(event_types), unit_id=unit and unit.pk)
    receiver.secret = secret
    return subscription


def deliver_now(event_id: int) -> list[str | None]:
    """What the worker does for one event, synchronously."""
    return [webhooks.delivery_attempt(pk) for pk in webhooks.event_deliver(event_id)]


def sign_a_decision(caseworker):
    case, members = family_case(unit=caseworker.unit)
    return case, granted_month(actor=caseworker, case=case, month=MARCH, members=members)[2]


@pytest.mark.django_db
def test_a_signed_decision_is_delivered_signed_with_ids_and_no_personal_data(caseworker, receiver,
                                                                             django_capture_on_commit_callbacks):
    hook = receiver()
    subscribe(hook, unit=caseworker.unit)
    with django_capture_on_commit_callbacks() as queued:
        case, decision = sign_a_decision(caseworker)
    event = OutboxEvent.objects.get(event_type=EventType.DECISION_SIGNED)
    assert len(queued) >= 1  # delivery is queued on commit

    assert deliver_now(event.pk) == ["delivered"]

    [got] = hook.received
    assert got["signature_ok"] and got["event"] == "decision.signed"
    assert hook.bodies() == [{"id": event.pk, "event_type": "decision.signed", "occurred_at": event.occurred_at.isoformat(),
                              "unit_id": caseworker.unit_id, "subject": {"type": "decision", "id": decision.pk}}]
    applicant = case.household.members.first().applicant
    for personal in filter(None, (applicant.personal_identity_number, applicant.first_name, applicant.last_name, decision.reasoning)):
        assert personal not in got["body"].decode()
    [attempt] = DeliveryAttempt.objects.all()
    assert (attempt.attempt, attempt.status_code, attempt.error) == (1, 200, "")


@pytest.mark.django_db
def test_a_receiver_that_fails_is_retried_with_backoff_and_then_delivered(caseworker, receiver, settings):
    settings.WEBHOOK_BACKOFF_SECONDS = 30
    hook = receiver(statuses=(500, 500, 200))
    subscribe(hook)
    sign_a_decision(caseworker)
    event = OutboxEvent.objects.get()

    assert deliver_now(event.pk) == ["pending"]
    delivery = WebhookDelivery.objects.get()
    first_wait = delivery.next_attempt_at - timezone.now()
    assert datetime.timedelta(seconds=25) < first_wait <= datetime.timedelta(seconds=30)
    assert webhooks.delivery_attempt(delivery.pk) is None  # not due yet: nothing sent
    assert len(hook.received) == 1

    WebhookDelivery.objects.update(next_attempt_at=timezone.now())
    assert webhooks.delivery_attempt(delivery.pk) == "pending"
    delivery.refresh_from_db()
    assert datetime.timedelta(seconds=55) < delivery.next_attempt_at - timezone.now() <= datetime.timedelta(seconds=60)

    WebhookDelivery.objects.update(next_attempt_at=timezone.now())
    assert webhooks.delivery_attempt(delivery.pk) == "delivered"
    assert list(DeliveryAttempt.objects.values_list("attempt", "status_code")) == [(1, 500), (2, 500), (3, 200)]
    assert all(r["signature_ok"] for r in hook.received) and len({r["body"] for r in hook.received}) == 1


@pytest.mark.django_db
def test_attempts_are_bounded_and_a_replay_sends_the_event_again(caseworker, receiver, settings,
                                                                django_capture_on_commit_callbacks):
    settings.WEBHOOK_MAX_ATTEMPTS, settings.WEBHOOK_BACKOFF_SECONDS = 2, 0
    hook = receiver(statuses=(500, 500, 200))
    subscribe(hook)
    sign_a_decision(caseworker)
    event = OutboxEvent.objects.get()
    delivery_id = webhooks.event_deliver(event.pk)[0]
    assert [webhooks.delivery_attempt(delivery_id) for _ in range(3)] == ["pending", "failed", None]
    assert len(hook.received) == 2

    with django_capture_on_commit_callbacks(execute=False) as queued:
        assert webhooks.delivery_replay(delivery_ids=[delivery_id]) == 1
    assert len(queued) == 1
    assert webhooks.delivery_attempt(delivery_id) == "delivered"
    assert DeliveryAttempt.objects.filter(delivery_id=delivery_id).count() == 3  # the log is kept
    assert len(hook.received) == 3


@pytest.mark.django_db
def test_a_subscription_gets_only_its_units_events_and_its_event_types(caseworker, receiver):
    ours, others, everyones, plans_only = receiver(), receiver(), receiver(), receiver()
    subscribe(ours, unit=caseworker.unit)
    subscribe(others, unit=UnitFactory())
    subscribe(everyones)
    subscribe(plans_only, event_types=[EventType.PLAN_SIGNED])
    sign_a_decision(caseworker)

    deliver_now(OutboxEvent.objects.get().pk)

    assert (len(ours.received), len(others.received), len(everyones.received), len(plans_only.received)) == (1, 0, 1, 0)


@pytest.mark.django_db
def test_an_unknown_event_type_is_refused_and_nothing_is_written(caseworker):
    with pytest.raises(ValueError):
        webhooks.event_emit(event_type="person.changed", unit_id=None, subject_type="x", subject_id=1)
    assert OutboxEvent.objects.count() == 0


@pytest.mark.celery_worker
def test_the_worker_delivers_committed_events_only_and_retries_a_failing_receiver(
        celery_worker, caseworker, receiver, settings):
    settings.WEBHOOK_BACKOFF_SECONDS = 0.5
    hook = receiver(statuses=(500, 200))
    subscribe(hook, event_types=[EventType.DECISION_SIGNED, EventType.REPORT_READY])
    with pytest.raises(RuntimeError), transaction.atomic():
        webhooks.event_emit(event_type=EventType.REPORT_READY, unit_id=None, subject_type="report", subject_id=99)
        raise RuntimeError("the change is rolled back")
    _, decision = sign_a_decision(caseworker)

    deadline = time.monotonic() + 60
    while not WebhookDelivery.objects.filter(status="delivered").exists() and time.monotonic() < deadline:
        time.sleep(0.2)

    assert [b["subject"] for b in hook.bodies()] == [{"type": "decision", "id": decision.pk}] * 2
    assert list(DeliveryAttempt.objects.values_list("status_code", flat=True)) == [500, 200]
    assert OutboxEvent.objects.filter(event_type=EventType.REPORT_READY).count() == 0


def test_the_sweep_is_scheduled():
    from config.celery import app

    assert app.conf.beat_schedule["audit.sweep_webhooks"]["task"] == "audit.sweep_webhooks"


@pytest.mark.django_db
def test_the_engine_writes_flag_events_set_based_with_its_flags():
    from audit.control import engine
    from audit.control.models import Flag
    from tests.audit.test_engine_set_based import AS_OF, one_chunk, overdue
    from tests.factories.planning import FollowUpFactory

    engine.rules_sync()
    plans = overdue(3)
    one_chunk()
    flags = sorted(Flag.objects.values_list("pk", "unit_id"))
    opened = OutboxEvent.objects.filter(event_type=EventType.FLAG_OPENED)
    assert sorted(opened.values_list("subject_id", "unit_id")) == flags
    one_chunk(AS_OF + datetime.timedelta(days=1))  # seen again: no new event
    assert OutboxEvent.objects.count() == 3
    FollowUpFactory(plan=plans[0], followed_up_on=AS_OF)
    one_chunk(AS_OF + datetime.timedelta(days=1))
    closed = Flag.objects.get(status="resolved")
    closed_events = OutboxEvent.objects.filter(event_type=EventType.FLAG_CLOSED)
    assert list(closed_events.values_list("subject_type", "subject_id", "unit_id")) == [("flag", closed.pk, closed.unit_id)]


@pytest.mark.django_db
def test_the_secret_is_shown_once_and_a_delivery_can_be_replayed_from_the_admin(client, caseworker, receiver):
    from cases.models import Role
    from tests.factories.cases import StaffFactory

    client.force_login(StaffFactory(role=Role.ADMINISTRATOR, unit=None, is_staff=True, is_superuser=True))
    hook = receiver(statuses=(500,))
    response = client.post("/admin/audit/webhooksubscription/add/", {
        "name": "Ekonomisystemet", "url": hook.url, "event_types": "decision.signed", "active": "on"}, follow=True)
    subscription = webhooks.WebhookSubscription.objects.get()
    assert subscription.secret in response.content.decode()
    page = client.get(f"/admin/audit/webhooksubscription/{subscription.pk}/change/").content.decode()
    assert subscription.secret not in page

    sign_a_decision(caseworker)
    hook.secret = subscription.secret
    [delivery_id] = webhooks.event_deliver(OutboxEvent.objects.get().pk)
    delivery = WebhookDelivery.objects.filter(pk=delivery_id)
    delivery.update(status="failed", attempts=8)
    response = client.post("/admin/audit/webhookdelivery/", {"action": "replay", "_selected_action": [delivery_id]})
    assert response.status_code == 302
    assert delivery.get().status == "pending" and delivery.get().attempts == 0
    assert client.get(f"/admin/audit/webhookdelivery/{delivery_id}/change/").status_code == 200


@pytest.mark.django_db
def test_a_flag_closed_by_a_person_writes_one_event_and_a_refused_close_none(caseworker):
    from django.core.exceptions import ValidationError

    from audit.control import services
    from tests.factories.audit import FlagFactory

    flag = FlagFactory(responsible=caseworker, unit=caseworker.unit)
    services.flag_transition(actor=caseworker, flag=flag, event="acknowledge")  # not an event of its own
    with pytest.raises(ValidationError):
        services.flag_transition(actor=caseworker, flag=flag, event="close", comment=" ")
    assert OutboxEvent.objects.count() == 0
    services.flag_transition(actor=caseworker, flag=flag, event="close", comment="Åtgärdat")
    assert list(OutboxEvent.objects.values_list("event_type", "subject_id", "unit_id")) == [
        (EventType.FLAG_CLOSED, flag.pk, caseworker.unit_id)]
