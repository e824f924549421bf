"""Kommunicering before a decision that goes against the applicant (förvaltningslagen 2017:900
25 §, DOMAIN.md 8): what the decision will rest on, when it was told, by when the person may
answer, and the answer when it comes."""

from __future__ import annotations

import datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from audit.recording.log import record_change, snapshot

from . import finance_selectors as fs
from .finance_models import ApplicationStatus
from .letter_models import Communication
from .models import Role, Staff
from .permissions import require_role

# Who records kommunicering: those who decide (decision_services.decision_make).
COMMUNICATION_WRITERS = frozenset({Role.CASEWORKER, Role.UNIT_MANAGER})
COMMUNICATION_FIELDS = ("application", "communicated_on", "content", "answer_by", "answer", "answered_on",
                        "recorded_by")


@transaction.atomic
def communication_create(*, actor: Staff, application: int, communicated_on: datetime.date, content: str,
                         answer_by: datetime.date, answer: str = "", answered_on: datetime.date | None = None
                         ) -> Communication:
    """Record a kommunicering on an application in the actor's scope. Dates cannot lie in the future
    (the answer-by date may), nor before the kommunicering; an answer has its date and vice versa."""
    require_role(actor, COMMUNICATION_WRITERS, doing="registrera kommunicering")
    found = fs.applications_for(actor).select_related("case__household").filter(pk=application).first()
    if found is None:
        raise ValidationError({"application": ValidationError(
            "Ansökan finns inte eller ligger utanför din behörighet.", code="not_found")})
    today, errors = timezone.localdate(), {}
    if found.status == ApplicationStatus.WITHDRAWN:
        errors["application"] = ValidationError("Ansökan är återtagen.", code="withdrawn")
    if not (content or "").strip():
        errors["content"] = ValidationError("Ange vad som kommunicerades.", code="required")
    if communicated_on > today:
        errors["communicated_on"] = ValidationError("Datumet kan inte ligga i framtiden.", code="in_future")
    if answer_by < communicated_on:
        errors["answer_by"] = ValidationError("Sista svarsdag ligger före kommuniceringen.", code="range_backwards")
    answer = (answer or "").strip()
    if answered_on is not None and (answered_on < communicated_on or answered_on > today):
        errors["answered_on"] = ValidationError(
            "Svarsdatumet måste ligga mellan kommuniceringen och i dag.", code="out_of_range")
    if bool(answer) != (answered_on is not None):
        field = "answered_on" if answer else "answer"
        errors.setdefault(field, ValidationError("Ange både svaret och datumet då det kom in.", code="required"))
    if errors:
        raise ValidationError(errors)
    communication = Communication(application=found, communicated_on=communicated_on, content=content.strip(),
                                  answer_by=answer_by, answer=answer, answered_on=answered_on, recorded_by=actor)
    communication.full_clean()
    communication.save()
    record_change(actor=actor, action="communication.create", instance=communication,
                  person_ids=fs.application_person_ids(found) or [None],
                  after=snapshot(communication, COMMUNICATION_FIELDS))
    return communication
