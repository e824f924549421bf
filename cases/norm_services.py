"""Loading a riksnorm table (reference data) as one audited write, and the period check that
every path writing a table uses.

Used by `manage.py load_riksnorm <file.json>` and the demo data. Validates the whole table
before writing anything: age bands 0..20 without gaps or overlaps, household sizes 1..7,
whole kronor, and no overlap in validity with another table of the same kind (official or not).
The admin's edit form calls `riksnorm_period_check` too; on PostgreSQL an exclusion constraint
(migration 0006) refuses overlapping periods even past both (e.g. two concurrent edits).
"""

from __future__ import annotations

import datetime

from django.db import transaction
from django.db.models import Q

from audit.recording.log import record_change
from config.errors import field_error as _error

from . import norms
from .application_services import kronor
from .finance_models import RiksnormHouseholdAmount, RiksnormPersonalAmount, RiksnormTable
from .models import Role, Staff
from .permissions import require_role


def _date(value, field: str) -> datetime.date | None:
    if value in (None, ""):
        return None
    if isinstance(value, datetime.date):
        return value
    try:
        return datetime.date.fromisoformat(str(value))
    except ValueError as exc:
        raise _error(field, "Ogiltigt datum (ÅÅÅÅ-MM-DD).") from exc


def riksnorm_period_check(
    *, valid_from: datetime.date, valid_to: datetime.date | None, is_official: bool, exclude_pk: int | None = None
) -> None:
    """Refuse a validity period that overlaps another table of the same kind.

    A month must have exactly one official norm (DOMAIN.md 6: the calculation uses the norm in
    force; two would make it a guess). `valid_to` is the last day (inclusive); None = until further
    notice. `exclude_pk` is the table being edited.
    """
    if valid_to is not None and valid_to < valid_from:
        raise _error("valid_to", "Slutdatumet ligger före startdatumet.", "period_backwards")
    overlapping = RiksnormTable.objects.filter(is_official=is_official).filter(
        Q(valid_to__isnull=True) | Q(valid_to__gte=valid_from)
    )
    if valid_to is not None:
        overlapping = overlapping.filter(valid_from__lte=valid_to)
    if exclude_pk is not None:
        overlapping = overlapping.exclude(pk=exclude_pk)
    other = overlapping.order_by("valid_from").first()
    if other is not None:
        raise _error("valid_from", f"Perioden överlappar {other} ({_period(other)}).", "overlap")


def _period(table: RiksnormTable) -> str:
    return f"{table.valid_from:%Y-%m-%d}–{table.valid_to:%Y-%m-%d}" if table.valid_to else f"från {table.valid_from:%Y-%m-%d}"


@transaction.atomic
def riksnorm_table_load(*, actor: Staff | None, data: dict, system: bool = False) -> RiksnormTable:
    """Create a norm table from `data` (the JSON shape in README). `system` is for the demo
    builder, which runs without a logged-in administrator."""
    if not system:
        require_role(actor, {Role.ADMINISTRATOR}, doing="lägga in riksnormer")
    valid_from = _date(data.get("valid_from"), "valid_from")
    valid_to = _date(data.get("valid_to"), "valid_to")
    if valid_from is None:
        raise _error("valid_from", "Ange från vilket datum normen gäller.", "required")
    is_official = bool(data.get("is_official", True))
    riksnorm_period_check(valid_from=valid_from, valid_to=valid_to, is_official=is_official)

    bands = sorted(data.get("personal_amounts") or [], key=lambda b: b.get("age_from", 0))
    expected_from = 0
    for i, band in enumerate(bands):
        if band.get("age_from") != expected_from or band.get("age_to", -1) < band.get("age_from", 0):
            raise _error(f"personal_amounts[{i}]", "Åldersgrupperna ska täcka 0–20 år utan luckor eller överlapp.")
        expected_from = band["age_to"] + 1
    if expected_from != norms.ADULT_NORM_FROM_AGE:
        raise _error("personal_amounts", "Åldersgrupperna ska täcka 0–20 år utan luckor eller överlapp.")
    shared = data.get("household_amounts") or []
    if len(shared) != norms.SHARED_AMOUNT_PUBLISHED_SIZES:
        raise _error("household_amounts", "Ange gemensamma belopp för hushåll om 1–7 personer.")

    table = RiksnormTable(
        name=str(data.get("name") or f"Riksnorm {valid_from.year}"), valid_from=valid_from, valid_to=valid_to,
        is_official=is_official, source=str(data.get("source") or ""),
        single_adult=kronor(data.get("single_adult"), "single_adult"),
        cohabiting_couple=kronor(data.get("cohabiting_couple"), "cohabiting_couple"),
        shared_per_member_beyond_7=kronor(data.get("shared_per_member_beyond_7"), "shared_per_member_beyond_7"),
    )
    table.full_clean()
    personal = [
        RiksnormPersonalAmount(
            age_from=b["age_from"], age_to=b["age_to"], amount=kronor(b.get("amount"), f"personal_amounts[{i}].amount"),
            amount_no_lunch=None if b.get("amount_no_lunch") in (None, "")
            else kronor(b["amount_no_lunch"], f"personal_amounts[{i}].amount_no_lunch"),
        )
        for i, b in enumerate(bands)
    ]
    household = [
        RiksnormHouseholdAmount(size=i + 1, amount=kronor(amount, f"household_amounts[{i}]"))
        for i, amount in enumerate(shared)
    ]
    table.save()
    for row in (*personal, *household):
        row.table = table
    RiksnormPersonalAmount.objects.bulk_create(personal)
    RiksnormHouseholdAmount.objects.bulk_create(household)
    record_change(actor=actor, action="riksnorm.load", instance=table, after={
        "name": table.name, "valid_from": valid_from.isoformat(), "valid_to": valid_to.isoformat() if valid_to else None,
        "is_official": is_official, "single_adult": table.single_adult, "cohabiting_couple": table.cohabiting_couple,
        "personal": [[p.age_from, p.age_to, p.amount, p.amount_no_lunch] for p in personal],
        "household": [h.amount for h in household], "beyond_7": table.shared_per_member_beyond_7,
    })
    return table
