"""Transferring a case (överflyttning) to another caseworker or another unit, from a date.

Who holds a case is Case.unit and Case.responsible_caseworker; scoping (cases.selectors) and the
egenkontroll's ownership chain (audit/control/rules/ownership.py) read them, so both follow a
transfer once it has taken effect. A transfer dated today or earlier takes effect at once; a
planned one (a date ahead, within case_file_rules.transfer_max_days_ahead) is put into effect by
`transfers_take_effect`, run every night just after midnight (config/celery.py), so the new unit
sees the case from the transfer date. Each CaseTransfer keeps who held the case before and after,
so who was responsible when stays visible (DOMAIN.md 8).

What the old holder still sees: nothing of the case once the transfer has taken effect (scoping is
by the unit that holds the case now; the person too, unless that unit registered them or holds
another of their cases). What they did stays in the case file and the access log; the new holder
reads it. Need to know: the unit that no longer handles the case has no reason to read on.
"""

from __future__ import annotations

import datetime

from django.db import transaction
from django.utils import timezone

from audit.recording.log import record_change, snapshot
from config.errors import NotAllowed
from config.errors import field_error as _field_error

from . import case_file_rules
from .models import Case, CaseStatus, CaseTransfer, Role, Staff, Unit
from .permissions import require_role
from .selectors import case_person_ids, cases_for

# Who moves a case: a caseworker or the unit manager of the unit that holds it (DOMAIN.md 1, 8).
TRANSFERRERS = frozenset({Role.CASEWORKER, Role.UNIT_MANAGER})
TRANSFER_FIELDS = ("case_id", "transferred_on", "from_unit_id", "from_caseworker_id", "to_unit_id",
                   "to_caseworker_id", "reason", "transferred_by_id", "recorded_at", "took_effect_at")
HOLDER_FIELDS = ("unit", "responsible_caseworker")


def _to_unit(code: str) -> Unit:
    unit = Unit.objects.filter(code=code).first()
    if unit is None:
        raise _field_error("to_unit", f"Det finns ingen enhet med koden {code!r}.", "unknown_code")
    if not unit.is_active:
        raise _field_error("to_unit", "Enheten är inte längre aktiv.", "inactive")
    if not Staff.objects.filter(unit=unit, role=Role.CASEWORKER, is_active=True).exists():
        raise _field_error("to_unit", "Enheten har ingen aktiv handläggare som kan ta emot ärendet.",
                           "no_caseworkers")
    return unit


def _to_caseworker(staff_id: int | None, unit: Unit) -> Staff | None:
    if staff_id is None:
        return None
    caseworker = Staff.objects.filter(pk=staff_id, unit=unit, role=Role.CASEWORKER, is_active=True).first()
    if caseworker is None:
        raise _field_error("to_caseworker", "Den nya handläggaren ska vara en aktiv handläggare på den nya enheten.",
                           "not_caseworker_of_unit")
    return caseworker


def _check_date(case: Case, transferred_on: datetime.date, last: CaseTransfer | None, today: datetime.date) -> None:
    if transferred_on < case.opened_on:
        raise _field_error("transferred_on", "Datumet ligger före ärendets aktualiseringsdatum.", "before_opened")
    ahead = case_file_rules.transfer_max_days_ahead()
    if transferred_on > today + datetime.timedelta(days=ahead):
        raise _field_error("transferred_on", f"Datumet får ligga högst {ahead} dagar fram i tiden.", "too_far_ahead")
    if last is not None and last.is_planned:
        raise _field_error("transferred_on", "Ärendet har redan en planerad överflyttning som inte är genomförd.",
                           "transfer_planned")
    if last is not None and transferred_on <= last.transferred_on:
        raise _field_error("transferred_on", "Datumet ligger inte efter ärendets senaste överflyttning "
                           f"({last.transferred_on:%Y-%m-%d}).", "before_last_transfer")


def _take_effect(transfer: CaseTransfer, *, actor: Staff | None) -> None:
    case = transfer.case
    before = snapshot(case, HOLDER_FIELDS)
    case.unit_id, case.responsible_caseworker_id = transfer.to_unit_id, transfer.to_caseworker_id
    case.save(update_fields=["unit", "responsible_caseworker", "updated_at"])
    transfer.took_effect_at = timezone.now()
    transfer.save(update_fields=["took_effect_at", "updated_at"])
    record_change(actor=actor, action="case.transfer_take_effect", instance=case,
                  person_ids=case_person_ids(case) or [None], before=before, after=snapshot(case, HOLDER_FIELDS))


@transaction.atomic
def case_transfer(
    *, actor: Staff, case: Case | int, transferred_on: datetime.date, reason: str, to_unit: str | None = None,
    to_caseworker: int | None = None,
) -> CaseTransfer:
    """Move a case to another caseworker (same unit) or another unit, from `transferred_on`.

    `to_unit` is a unit code (the case's own unit when omitted); `to_caseworker` a staff id, required
    within the unit, optional to another unit (its manager then allocates the case)."""
    require_role(actor, TRANSFERRERS, doing="flytta över ärenden")
    case_id = case.pk if isinstance(case, Case) else case
    case = cases_for(actor).select_for_update(of=("self",)).filter(pk=case_id).first()
    if case is None:
        raise _field_error("case", "Ärendet finns inte eller ligger utanför din behörighet.", "not_found")
    if case.unit_id != actor.unit_id:
        raise NotAllowed("Endast den enhet som har ärendet får flytta över det.", code="not_holding_unit")
    if case.status == CaseStatus.CLOSED:
        raise _field_error("case", "Ärendet är avslutat och kan inte flyttas över.", "closed")
    if not (reason or "").strip():
        raise _field_error("reason", "Ange skälet till överflyttningen.", "required")
    unit = _to_unit(to_unit) if to_unit else case.unit
    caseworker = _to_caseworker(to_caseworker, unit)
    if unit.pk == case.unit_id and caseworker is None:
        raise _field_error("to_caseworker", "Ange den nya handläggaren, eller en annan enhet.", "required")
    if unit.pk == case.unit_id and caseworker.pk == case.responsible_caseworker_id:
        raise _field_error("to_caseworker", "Ärendet har redan denna handläggare på denna enhet.", "same_holder")
    today = timezone.localdate()
    last = case.transfers.order_by("-transferred_on", "-pk").first()
    _check_date(case, transferred_on, last, today)
    transfer = CaseTransfer(
        case=case, transferred_on=transferred_on, from_unit_id=case.unit_id,
        from_caseworker_id=case.responsible_caseworker_id, to_unit=unit, to_caseworker=caseworker,
        reason=reason.strip(), transferred_by=actor, recorded_at=timezone.now(),
    )
    transfer.full_clean()
    transfer.save()
    person_ids = case_person_ids(case) or [None]
    record_change(actor=actor, action="case.transfer", instance=transfer, person_ids=person_ids,
                  after=snapshot(transfer, TRANSFER_FIELDS))
    if transferred_on <= today:
        _take_effect(transfer, actor=actor)
    return transfer


@transaction.atomic
def transfers_take_effect(*, today: datetime.date | None = None) -> int:
    """Put the planned transfers whose date has come into effect (the nightly step). Set-based in
    what it selects; one save per transfer, as there are a handful a night."""
    today = today or timezone.localdate()
    due = (CaseTransfer.objects.select_for_update(of=("self",)).select_related("case")
           .filter(took_effect_at__isnull=True, transferred_on__lte=today).order_by("pk"))
    count = 0
    for transfer in due:
        _take_effect(transfer, actor=None)
        count += 1
    return count
