"""The daily digest: one e-mail per staff member listing their new and escalated flags.

E-mail is not a secure channel (OSL 26:1), so the message names rules and flag numbers only,
never a person; the reader opens the worklist to see who it concerns.

Idempotent (ARCHITECTURE.md: a task's re-run changes nothing): each e-mail is sent inside a
transaction that also inserts its DigestDelivery row, unique per staff member and day. A second
run the same day (a Celery retry, beat firing twice) finds the row and sends nothing; a send that
fails rolls its row back, so the retry sends it. A duplicate is possible only if the commit fails
after the mail server has accepted the message.
"""

from __future__ import annotations

import datetime
from collections import defaultdict

from django.conf import settings
from django.core.mail import EmailMessage, get_connection
from django.db import IntegrityError, transaction
from django.utils import timezone

from audit.control.models import LIVE_FLAG_STATUSES, DigestDelivery, Flag
from cases.models import Staff

WINDOW = datetime.timedelta(days=1)


def digest_flags(*, since: datetime.datetime) -> dict[int, dict[str, list[Flag]]]:
    """{staff_id: {"new": [flags], "escalated": [flags]}} for flags opened or escalated since `since`."""
    out: dict[int, dict[str, list[Flag]]] = defaultdict(lambda: {"new": [], "escalated": []})
    live = Flag.objects.filter(status__in=LIVE_FLAG_STATUSES).select_related("rule").order_by("-rule__severity", "pk")
    for flag in live.filter(created_at__gte=since, responsible__isnull=False):
        out[flag.responsible_id]["new"].append(flag)
    for flag in live.filter(escalated_at__gte=since, escalated_to__isnull=False):
        out[flag.escalated_to_id]["escalated"].append(flag)
    return out


def _message(staff: Staff, parts: dict[str, list[Flag]]) -> EmailMessage:
    new = [f"#{f.pk} {f.rule.title} (sedan {f.first_seen:%Y-%m-%d})" for f in parts["new"]]
    escalated = [f"#{f.pk} {f.rule.title} (öppen sedan {f.first_seen:%Y-%m-%d})" for f in parts["escalated"]]
    body = ["Hej!", "", "Sammanställning av egenkontrollens flaggor i ditt ansvar.", ""]
    if new:
        body += ["Nya flaggor:", *[f"  {line}" for line in new], ""]
    if escalated:
        body += ["Eskalerade till dig (ej hanterade i tid):", *[f"  {line}" for line in escalated], ""]
    body.append("Öppna arbetslistan för att se detaljerna.")
    return EmailMessage(
        subject=f"Egenkontroll: {len(new)} nya, {len(escalated)} eskalerade flaggor",
        body="\n".join(body),
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[staff.email],
    )


def _deliver(*, staff: Staff, parts: dict[str, list[Flag]], day: datetime.date, now, connection) -> bool:
    """Record and send one digest in one transaction; False if it was already sent that day."""
    try:
        with transaction.atomic():
            # A concurrent run inserting the same (staff, day) waits here for ours and then fails
            # on the unique constraint: exactly one of them sends.
            DigestDelivery.objects.create(
                staff=staff, digest_date=day, sent_at=now,
                new_flag_ids=[f.pk for f in parts["new"]],
                escalated_flag_ids=[f.pk for f in parts["escalated"]],
            )
            connection.send_messages([_message(staff, parts)])
    except IntegrityError:
        return False
    return True


def send_digests(*, now: datetime.datetime | None = None) -> int:
    """Send today's digests not yet sent; returns how many were sent by this call."""
    now = now or timezone.now()
    day = timezone.localdate(now)
    flags = digest_flags(since=now - WINDOW)
    recipients = (
        Staff.objects.filter(pk__in=flags, is_active=True)
        .exclude(email="")
        .exclude(pk__in=DigestDelivery.objects.filter(digest_date=day).values("staff_id"))
        .order_by("pk")
    )
    sent = 0
    with get_connection() as connection:
        for staff in recipients:
            sent += _deliver(staff=staff, parts=flags[staff.pk], day=day, now=now, connection=connection)
    return sent
