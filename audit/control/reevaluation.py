"""Flags follow the facts: a saved fact re-checks the rules that read it, right after the commit.

How it is wired (no app imports this layer): every service records its change events through
`audit.recording.log.record_changes`, which sends `audit.recording.signals.changes_recorded`
inside the service's transaction. `on_changes_recorded` (connected in `audit.apps`) keeps the
changes to models some rule `reads`, and queues one `audit.reevaluate_subjects` task with their
ids on commit (never before: the worker must see the saved fact, and a rolled-back save queues
nothing). The task (`services.subjects_reevaluate`) finds each reading rule's subjects for those
objects and persons and runs the engine's chunk over exactly those ids (`engine.run_chunk`, the
same code as the nightly run: same idempotency, same history). A re-check that is lost (broker
down at commit, Redis losing its data) is caught by the nightly run, which stays the safety net.
"""

from __future__ import annotations

import logging
from collections import defaultdict
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar

from django.conf import settings
from django.db import transaction
from kombu.exceptions import OperationalError as BrokerError

from audit.control.rules import REGISTRY

logger = logging.getLogger(__name__)


def read_facts() -> frozenset[str]:
    """Every model some rule reads."""
    return frozenset(label for rule in REGISTRY.values() for label in rule.reads)


def facts_in_words(rule_code: str) -> list[str]:
    """What the rule reads, in plain Swedish for the flag's page (the models' own plural names)."""
    from django.apps import apps

    rule = REGISTRY.get(rule_code)
    return [str(apps.get_model(label)._meta.verbose_name_plural) for label in (rule.reads if rule else ())]


def facts_payload(changes) -> dict[str, dict[str, list[int]]]:
    """`{object_type: {"ids": [...], "persons": [...]}}` for the changes to facts some rule reads
    (ids only, JSON for the task message; persons and ids sorted, each once)."""
    wanted = read_facts()
    ids, persons = defaultdict(set), defaultdict(set)
    for object_type, object_id, person_ids in changes:
        if object_type in wanted:
            ids[object_type].add(int(object_id))
            persons[object_type].update(int(p) for p in person_ids if p is not None)
    return {t: {"ids": sorted(ids[t]), "persons": sorted(persons[t])} for t in sorted(ids)}


_paused: ContextVar[bool] = ContextVar("audit_reevaluation_paused", default=False)


@contextmanager
def paused() -> Iterator[None]:
    """No re-check per saved fact inside this block: for bulk writers (the demo data) that run
    every rule once when they are done, instead of one re-check per row they save."""
    token = _paused.set(True)
    try:
        yield
    finally:
        _paused.reset(token)


def enabled() -> bool:
    return bool(getattr(settings, "AUDIT_REEVALUATE_ON_CHANGE", True)) and not _paused.get()


def _queue(payload) -> None:
    from audit.tasks import reevaluate_subjects  # tasks import services; import here to keep one direction

    try:
        reevaluate_subjects.delay(facts=payload)
    except (BrokerError, ConnectionError, OSError):
        # The fact is saved; only its early re-check is lost, and the nightly run does it instead.
        # A save must not fail (after its commit) because the broker is away.
        logger.warning("Could not queue the re-check of saved facts; the nightly run will do it.", exc_info=True)


def on_changes_recorded(sender, *, changes, **kwargs) -> None:
    if not enabled():
        return
    payload = facts_payload(changes)
    if payload:
        transaction.on_commit(lambda: _queue(payload))
