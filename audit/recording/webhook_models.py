"""Events out (webhooks): the outbox, the integrations' subscriptions and the delivery log.

An event is a row in the outbox written in the same transaction as the change it tells of, so
an event exists exactly when its change was committed. It carries the event type, the unit and
ids, never personal data (no names, personnummer or free text): a subscriber that needs more asks
the API, where its role and scope are checked and the access logged.
"""

from django.core.exceptions import ValidationError
from django.db import models


class EventType(models.TextChoices):
    FLAG_OPENED = "flag.opened", "Avvikelse öppnad"
    FLAG_CLOSED = "flag.closed", "Avvikelse stängd"
    DECISION_SIGNED = "decision.signed", "Beslut signerat"
    PLAN_SIGNED = "plan.signed", "Plan signerad"
    REFERRAL_STARTED = "referral.started", "Anvisning påbörjad"
    PARTICIPATION_CLOSED = "participation.closed", "Deltagande avslutat"
    REPORT_READY = "report.ready", "Rapport klar"


class OutboxEvent(models.Model):
    """One event, written with its change. `unit` decides which subscriptions may receive it."""

    event_type = models.CharField("händelsetyp", max_length=32, choices=EventType.choices)
    occurred_at = models.DateTimeField("inträffade", auto_now_add=True)
    unit = models.ForeignKey("cases.Unit", verbose_name="enhet", on_delete=models.PROTECT, null=True, blank=True,
                             related_name="+")
    subject_type = models.CharField("objekttyp", max_length=32)
    subject_id = models.BigIntegerField("objekt-id")
    # Set once every matching subscription has its delivery row (the sweep picks up the rest).
    fanned_out_at = models.DateTimeField(null=True, blank=True, editable=False)

    class Meta:
        verbose_name = "utgående händelse"
        verbose_name_plural = "utgående händelser"
        indexes = [models.Index(fields=["fanned_out_at"], name="outbox_not_fanned_out",
                                condition=models.Q(fanned_out_at__isnull=True))]

    def __str__(self) -> str:
        return f"{self.event_type} {self.subject_type}:{self.subject_id}"

    def body(self) -> dict:
        """What is POSTed: ids and the event type only."""
        return {
            "id": self.pk, "event_type": self.event_type, "occurred_at": self.occurred_at.isoformat(),
            "unit_id": self.unit_id, "subject": {"type": self.subject_type, "id": self.subject_id},
        }


def validate_event_types(value) -> None:
    """At least one event type, each a known code (as the choices of an array field would)."""
    known = set(EventType.values)
    if not isinstance(value, list) or not value or not all(isinstance(code, str) and code in known for code in value):
        raise ValidationError("Välj minst en händelsetyp bland de kända: " + ", ".join(EventType.values) + ".")


class WebhookSubscription(models.Model):
    """An integration's subscription. A unit's subscription gets that unit's events only; one
    without a unit (made by an administrator) gets every unit's."""

    name = models.CharField("integration", max_length=100)
    url = models.URLField("mottagarens adress", max_length=500)
    # The signing key, shown once when the subscription is made and never again.
    secret = models.CharField("hemlighet", max_length=128, editable=False)
    # A JSON list of EventType codes, not a PostgreSQL array: the embedded default (SQLite) must
    # migrate too. Subscriptions are few; matching an event reads the active ones (webhooks._fan_out).
    event_types = models.JSONField("händelsetyper", default=list, validators=[validate_event_types])
    unit = models.ForeignKey("cases.Unit", verbose_name="enhet", on_delete=models.PROTECT, null=True, blank=True,
                             related_name="+", help_text="Tomt: alla enheter.")
    active = models.BooleanField("aktiv", default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = "webhook-prenumeration"
        verbose_name_plural = "webhook-prenumerationer"

    def __str__(self) -> str:
        return self.name


class DeliveryStatus(models.TextChoices):
    PENDING = "pending", "Väntar"
    DELIVERED = "delivered", "Levererad"
    FAILED = "failed", "Misslyckad"


class WebhookDelivery(models.Model):
    """One event to one subscription: its state and when it is next tried."""

    event = models.ForeignKey(OutboxEvent, on_delete=models.CASCADE, related_name="deliveries")
    subscription = models.ForeignKey(WebhookSubscription, on_delete=models.CASCADE, related_name="deliveries")
    status = models.CharField("status", max_length=16, choices=DeliveryStatus.choices, default=DeliveryStatus.PENDING)
    attempts = models.PositiveIntegerField("försök", default=0)
    next_attempt_at = models.DateTimeField("nästa försök", null=True, blank=True)
    delivered_at = models.DateTimeField("levererad", null=True, blank=True)

    class Meta:
        verbose_name = "leverans"
        verbose_name_plural = "leveranser"
        constraints = [models.UniqueConstraint(fields=["event", "subscription"], name="webhook_delivery_once")]
        indexes = [models.Index(fields=["next_attempt_at"], name="webhook_delivery_due",
                                condition=models.Q(status="pending"))]

    def __str__(self) -> str:
        return f"{self.event} → {self.subscription}"


class DeliveryAttempt(models.Model):
    """The delivery log: one row per POST, with its answer or error."""

    delivery = models.ForeignKey(WebhookDelivery, on_delete=models.CASCADE, related_name="log")
    attempt = models.PositiveIntegerField("försök")
    attempted_at = models.DateTimeField("tid", auto_now_add=True)
    status_code = models.PositiveIntegerField("svarskod", null=True, blank=True)
    duration_ms = models.PositiveIntegerField("tid (ms)")
    error = models.CharField("fel", max_length=500, blank=True)

    class Meta:
        verbose_name = "leveransförsök"
        verbose_name_plural = "leveransförsök"
        ordering = ["attempted_at"]

    def __str__(self) -> str:
        return f"{self.delivery} #{self.attempt}: {self.status_code or self.error}"
