"""The recording layer of audit: every service and view calls these.

Imports no other app, so every app may import it. Calls made inside a service's
transaction commit or roll back with the change they describe.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any, NamedTuple

from django.db import models
from django.utils import timezone

from audit.recording import context
from audit.recording.models import AccessAction, AccessLogEntry, ChangeEvent
from audit.recording.signals import changes_recorded


def _actor_fields(actor) -> dict:
    if actor is None or not getattr(actor, "is_authenticated", False):
        return {"actor_id": None, "actor_username": "", "actor_role": ""}
    return {"actor_id": actor.pk, "actor_username": actor.get_username(), "actor_role": getattr(actor, "role", "")}


def record_access(
    *, actor, action: str, object_type: str, subjects: Iterable[tuple[Any, int | None]]
) -> None:
    """Write one access-log row per (object_id, person_id) in a single INSERT.

    `subjects` pairs each object read with the person it concerns (None when it concerns
    no one person); duplicates are written once.
    """
    ctx = context.current()
    now = timezone.now()
    actor_fields = _actor_fields(actor)
    seen = set()
    rows = []
    for object_id, person_id in subjects:
        key = (str(object_id), person_id)
        if key in seen:
            continue
        seen.add(key)
        rows.append(
            AccessLogEntry(
                occurred_at=now,
                action=action,
                person_id=person_id,
                object_type=object_type,
                object_id=str(object_id),
                channel=ctx.channel,
                ip_address=ctx.ip_address,
                endpoint=ctx.endpoint,
                **actor_fields,
            )
        )
    if rows:
        AccessLogEntry.objects.bulk_create(rows)


def _jsonable(value):
    if isinstance(value, models.Model):
        return value.pk
    if hasattr(value, "isoformat"):
        return value.isoformat()
    if isinstance(value, (list, tuple)):
        return [_jsonable(v) for v in value]
    if value is None or isinstance(value, (bool, int, float, str)):
        return value
    return str(value)


def snapshot(instance: models.Model, fields: Iterable[str]) -> dict:
    """The current values of `fields`, for diffing before and after a change."""
    out = {}
    for name in fields:
        field = instance._meta.get_field(name)
        out[name] = _jsonable(getattr(instance, field.attname))
    return out


def record_change(
    *,
    actor,
    action: str,
    instance: models.Model,
    person_ids: Iterable[int | None] = (None,),
    before: dict | None = None,
    after: dict | None = None,
) -> None:
    """Record a change event (old and new values) and the matching access-log rows.

    Call it inside the service's transaction, after the save. `before` is None for a creation.
    """
    record_changes(actor=actor, action=action, changes=[Change(instance, person_ids, before, after)])


class Change(NamedTuple):
    """One saved object's change, for record_changes."""

    instance: models.Model
    person_ids: Iterable[int | None] = (None,)
    before: dict | None = None
    after: dict | None = None


def record_changes(*, actor, action: str, changes: Sequence[Change]) -> None:
    """record_change for many objects saved by one service call, in a fixed number of INSERTs
    (one for the change events, one per access action), so a bulk write stays set-based."""
    ctx = context.current()
    now = timezone.now()
    actor_fields = _actor_fields(actor)
    events, access, saved = [], {AccessAction.CREATE: [], AccessAction.UPDATE: []}, []
    for change in changes:
        before, after = change.before or {}, change.after or {}
        diff = {
            key: [before.get(key), after.get(key)]
            for key in sorted(set(before) | set(after))
            if before.get(key) != after.get(key)
        }
        person_ids = list(dict.fromkeys(change.person_ids)) or [None]
        saved.append((change.instance._meta.label_lower, change.instance.pk, [p for p in person_ids if p is not None]))
        events += [
            ChangeEvent(
                occurred_at=now,
                actor_id=actor_fields["actor_id"],
                actor_username=actor_fields["actor_username"],
                action=action,
                object_type=change.instance._meta.label_lower,
                object_id=str(change.instance.pk),
                person_id=person_id,
                changes=diff,
                channel=ctx.channel,
            )
            for person_id in person_ids
        ]
        kind = AccessAction.CREATE if not before else AccessAction.UPDATE
        access[kind] += [(change.instance._meta.label_lower, change.instance.pk, p) for p in person_ids]
    if events:
        ChangeEvent.objects.bulk_create(events)
        changes_recorded.send(sender=ChangeEvent, action=action, changes=saved)
    for kind, rows in access.items():
        for object_type in dict.fromkeys(t for t, _, _ in rows):
            record_access(actor=actor, action=kind, object_type=object_type,
                          subjects=[(pk, p) for t, pk, p in rows if t == object_type])
