"""The daily digest: one e-mail per staff member listing their new and escalated flags.

E-mail is not a secure channel (OSL 26:1), so the message names rules and flag numbers only,
never a person; the reader opens the worklist to see who it concerns.
"""

from __future__ import annotations

import datetime
from collections import defaultdict

from django.conf import settings
from django.core.mail import EmailMessage, get_connection
from django.utils import timezone

from cases.models import Staff

from .control_models import LIVE_FLAG_STATUSES, Flag

WINDOW = datetime.timedelta(days=1)


def digest_lines(*, since: datetime.datetime) -> dict[int, dict[str, list[str]]]:
    """{staff_id: {"new": [...], "escalated": [...]}} for flags opened or escalated since `since`."""
    out: dict[int, dict[str, list[str]]] = defaultdict(lambda: {"new": [], "escalated": []})
    live = Flag.objects.filter(status__in=LIVE_FLAG_STATUSES).select_related("rule").order_by("-rule__severity", "pk")
    for flag in live.filter(created_at__gte=since, responsible__isnull=False):
        out[flag.responsible_id]["new"].append(f"#{flag.pk} {flag.rule.title} (sedan {flag.first_seen:%Y-%m-%d})")
    for flag in live.filter(escalated_at__gte=since, escalated_to__isnull=False):
        out[flag.escalated_to_id]["escalated"].append(
            f"#{flag.pk} {flag.rule.title} (öppen sedan {flag.first_seen:%Y-%m-%d})"
        )
    return out


def send_digests(*, now: datetime.datetime | None = None) -> int:
    now = now or timezone.now()
    lines = digest_lines(since=now - WINDOW)
    recipients = Staff.objects.filter(pk__in=lines, is_active=True).exclude(email="")
    messages = []
    for staff in recipients:
        parts = lines[staff.pk]
        body = ["Hej!", "", "Sammanställning av egenkontrollens flaggor i ditt ansvar.", ""]
        if parts["new"]:
            body += ["Nya flaggor:", *[f"  {line}" for line in parts["new"]], ""]
        if parts["escalated"]:
            body += ["Eskalerade till dig (ej hanterade i tid):", *[f"  {line}" for line in parts["escalated"]], ""]
        body.append("Öppna arbetslistan för att se detaljerna.")
        messages.append(
            EmailMessage(
                subject=f"Egenkontroll: {len(parts['new'])} nya, {len(parts['escalated'])} eskalerade flaggor",
                body="\n".join(body),
                from_email=settings.DEFAULT_FROM_EMAIL,
                to=[staff.email],
            )
        )
    if messages:
        get_connection().send_messages(messages)
    return len(messages)
