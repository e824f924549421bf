"""Bulk import of participations in insatser from a previous system.

A participation here always comes from a referral made from a plan (Referral.plan), so each
imported participation brings its started referral, on the plan the file names. A closed one
brings its closing (proposed and confirmed on its end date), so the board's closings count it.
Kept as it was: dates, hours and decision period (no capacity or 60-hour check, which concern
placing people today). Checked: the insats and closing reason are known, dates not backwards,
the plan is the person's, hours per day within a day.
"""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal, InvalidOperation

from django.db import transaction

from audit.recording.log import snapshot
from cases.decision_import_services import signed_at
from cases.import_services import (
    BATCH_SIZE,
    ImportOutcome,
    Refused,
    check_each,
    clean_row,
    code_in,
    not_backwards,
    record_imports,
    required,
    staff_by_username,
    staff_member,
)
from cases.models import Staff
from planning.models import ImplementationPlan

from . import norms
from .models import (
    HOURS_IN_A_DAY,
    WEEKDAYS,
    ClosingReason,
    Insats,
    Participation,
    ParticipationClosing,
    ParticipationStatus,
    Referral,
    ReferralStatus,
)
from .services import PARTICIPATION_FIELDS


def _hours(spec: dict) -> dict:
    hours = spec.get("hours") or {}
    if not isinstance(hours, dict):
        raise Refused("hours", "Ange timmar per veckodag, t.ex. {\"monday\": 8}.", "invalid")
    out = {}
    for day in hours:
        if day not in WEEKDAYS:
            raise Refused(f"hours.{day}", "Okänd veckodag.", "unknown_code")
    for day in WEEKDAYS:
        try:
            value = Decimal(str(hours.get(day) or 0))
        except InvalidOperation:
            raise Refused(f"hours.{day}", "Ange ett antal timmar.", "invalid") from None
        if not Decimal(0) <= value <= HOURS_IN_A_DAY:
            raise Refused(f"hours.{day}", "Timmarna ska vara mellan 0 och 24.", "out_of_range")
        out[f"hours_{day}"] = value
    return out


@transaction.atomic
def participations_import(*, actor: Staff, specs: Sequence[dict], provenance: Sequence[dict]) -> ImportOutcome:
    """Participations (`person_id`, `plan_id`), each with its started referral and, when ended, its closing."""
    outcome = ImportOutcome()
    insatser = {}
    for insats in Insats.objects.filter(name__in={s.get("insats") for s in specs}).order_by("pk"):
        insatser.setdefault(insats.name, insats)
    plan_persons = dict(ImplementationPlan.objects.filter(pk__in={s.get("plan_id") for s in specs})
                        .values_list("pk", "applicant_id"))
    staff = staff_by_username([s.get(n) for s in specs for n in ("referred_by", "closed_by", "confirmed_by")])

    def check(index: int, spec: dict) -> dict:
        insats = insatser.get(spec.get("insats"))
        if insats is None:
            raise Refused("insats", f"Okänd insats: {spec.get('insats')!r} (ange namnet i katalogen).",
                          "unknown_code")
        if plan_persons.get(spec.get("plan_id")) != spec["person_id"]:
            raise Refused("plan", "Planen gäller en annan person.", "other_person")
        start = required(spec, "start_date", "Ange startdatum.")
        referred_on = spec.get("referred_on") or start
        not_backwards(referred_on, start, "start_date", "Startdatumet ligger före anvisningsdatumet.")
        period_end = spec.get("decision_period_end") or norms.participation_period_end(
            start, insats_type=insats.insats_type)
        not_backwards(start, period_end, "decision_period_end", "Beslutsperioden slutar före startdatumet.")
        end, reason = spec.get("end_date"), spec.get("closing_reason") or ""
        not_backwards(start, end, "end_date")
        if reason:
            code_in(reason, ClosingReason.values, "closing_reason", "avslutsorsak")
        if bool(end) != bool(reason):
            raise Refused("closing_reason" if end else "end_date",
                          "Ett avslutat deltagande har både slutdatum och avslutsorsak.", "required")
        referred_by = staff_member(spec, "referred_by", staff, actor)
        referral = Referral(
            applicant_id=spec["person_id"], insats=insats, plan_id=spec["plan_id"], referred_by=referred_by,
            referred_on=referred_on, valid_until=max(norms.referral_valid_until(referred_on), start),
            status=ReferralStatus.STARTED, started_on=start,
        )
        participation = Participation(
            applicant_id=spec["person_id"], insats=insats, start_date=start, decision_period_end=period_end,
            status=ParticipationStatus.CLOSED if end else ParticipationStatus.ACTIVE, end_date=end,
            closing_reason=reason, **_hours(spec),
        )
        clean_row(participation)
        closing = None
        if end:
            closing = ParticipationClosing(
                reason=reason, reason_text=(spec.get("closing_text") or "").strip(), end_date=end,
                proposed_by=staff_member(spec, "closed_by", staff, actor), proposed_at=signed_at(end),
                confirmed_by=staff_member(spec, "confirmed_by", staff, actor), confirmed_at=signed_at(end),
            )
        return {"referral": referral, "participation": participation, "closing": closing}

    built = check_each(specs, outcome, check)
    Referral.objects.bulk_create([item["referral"] for item in built.values()], batch_size=BATCH_SIZE)
    for item in built.values():
        item["participation"].referral = item["referral"]
    Participation.objects.bulk_create([item["participation"] for item in built.values()], batch_size=BATCH_SIZE)
    closings = []
    for item in built.values():
        if item["closing"] is not None:
            item["closing"].participation = item["participation"]
            closings.append(item["closing"])
    ParticipationClosing.objects.bulk_create(closings, batch_size=BATCH_SIZE)
    outcome.objects.update({i: item["participation"] for i, item in built.items()})
    record_imports(actor=actor, action="participation.import", rows=[
        (item["participation"], [item["participation"].applicant_id],
         {**snapshot(item["participation"], (*PARTICIPATION_FIELDS, "end_date", "closing_reason")),
          "referral": snapshot(item["referral"], ("plan", "referred_on", "started_on"))})
        for item in built.values()
    ], provenance=[provenance[i] for i in built])
    return outcome

