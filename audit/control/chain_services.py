"""The nightly check of the hash chain: verify, keep the result, open a flag on a break, and
write the chain's last link where the database role cannot change it (audit/recording/chain.py).

Settings: AUDIT_CHAIN_ANCHOR_DIR (a folder the municipality keeps outside the database, e.g. a
write-once share; one file per day, never overwritten) and AUDIT_CHAIN_ANCHOR_EMAILS (addresses
that get the same line by mail). No personal data in either: a date, a number and a hash.
"""

from __future__ import annotations

import dataclasses
import datetime

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.utils import timezone

from audit.control import engine
from audit.control.models import Rule
from audit.control.rules.access_log import CHAIN_BROKEN
from audit.recording import chain
from audit.recording.models import ChainVerification


@transaction.atomic
def chain_verification_record(*, anchors_dir=None, as_of: datetime.date | None = None) -> chain.Verification:
    """Verify the chain, store the result and, on a break, open the administrator's flag."""
    result = chain.verify(anchors_dir=anchors_dir)
    row = ChainVerification.objects.create(checked_at=timezone.now(), **dataclasses.asdict(result))
    if not result.intact and Rule.objects.filter(code=CHAIN_BROKEN.code, enabled=True).exists():
        engine.run_chunk(
            rule_code=CHAIN_BROKEN.code, lower=row.pk, upper=row.pk + 1, as_of=as_of or timezone.localdate()
        )
    return result


def chain_nightly_check(*, today: datetime.date | None = None) -> bool:
    """The nightly task's work; True when the chain is intact. A second run the same day writes
    no second anchor and sends no second mail."""
    if not chain.available():
        return True
    today = today or timezone.localdate()
    directory = getattr(settings, "AUDIT_CHAIN_ANCHOR_DIR", "")
    engine.rules_sync()
    result = chain_verification_record(anchors_dir=directory or None, as_of=today)
    written = chain.write_anchor(directory=directory, date=today, verification=result) if directory else True
    recipients = getattr(settings, "AUDIT_CHAIN_ANCHOR_EMAILS", [])
    if written and recipients:
        send_mail(
            subject=f"Loggens hashkedja {today.isoformat()}",
            message=(
                f"Datum: {today.isoformat()}\nLöpnummer: {result.last_seq or 0}\nHash: {result.last_hash}\n"
                f"Kedjan hel: {'ja' if result.intact else 'nej'}\n\nSpara detta meddelande: det visar "
                "att loggen inte skrivits om efteråt."
            ),
            from_email=None,
            recipient_list=list(recipients),
        )
    return result.intact
