"""Demo transfers and reserve numbers: one case moved to another caseworker some weeks ago, one
coordinated person registered with a reservnummer (no personnummer yet), and one person whose
reserve number was replaced by the real personnummer (the old number kept in the history).

Runs after the journal and before the egenkontroll, so the flags of the transferred case go to its
new holder. Picks rows by order, no random source: the other builders' data is not shifted."""

from __future__ import annotations

import datetime

from django.utils import timezone

from .models import Applicant, Case, CaseStatus, ReplacedReserveNumber
from .reserve_number_services import reserve_number_issue
from .selectors import open_assignments
from .transfer_services import case_transfer

TRANSFER_REASON = "Jämnare fördelning av ärenden inom enheten: handläggaren har tagit över ärendet."


def build(ctx) -> None:
    _transfer(ctx)
    _reserve_numbers(ctx)


def _transfer(ctx) -> None:
    case = (Case.objects.filter(status=CaseStatus.ACTIVE, responsible_caseworker=ctx.staff["handlaggare2"],
                                opened_on__lte=ctx.today - datetime.timedelta(days=60))
            .order_by("pk").first())
    if case is None:
        return
    case_transfer(actor=ctx.staff["chef-eb"], case=case, transferred_on=ctx.today - datetime.timedelta(days=21),
                  reason=TRANSFER_REASON, to_caseworker=ctx.staff["handlaggare"].pk)


def _reserve_numbers(ctx) -> None:
    coordinated = (Applicant.objects.filter(
        protected_identity=False, is_coordination_number=False,
        pk__in=open_assignments(on=ctx.today).filter(coordinator=ctx.staff["koordinator"]).values("applicant_id"))
        .order_by("pk"))
    newcomer, replaced = list(coordinated[:2]) + [None] * (2 - min(2, coordinated.count()))
    if newcomer is not None:
        # Arrived recently; Skatteverket has not yet given a personnummer or samordningsnummer.
        Applicant.objects.filter(pk=newcomer.pk).update(personal_identity_number=None,
                                                       reserve_number=reserve_number_issue())
    if replaced is not None:
        # Had a reserve number at first; the personnummer came later and replaced it.
        when = timezone.make_aware(datetime.datetime.combine(ctx.today - datetime.timedelta(days=90),
                                                             datetime.time(10, 30)))
        ReplacedReserveNumber.objects.create(applicant=replaced, reserve_number=reserve_number_issue(),
                                             replaced_at=when, replaced_by=ctx.staff["handlaggare"])
