"""Decisions are communicated: kommunicering before a decision, the decision letter, and when the
decision was sent or handed over (DOMAIN.md 8; förvaltningslagen 2017:900 25, 32-33, 44 §§).

Imported at the end of cases/models.py, so these are models of the cases app. The letter is
rendered and stored, with the SHA-256 of its text, in the transaction that signs the decision;
it is never rendered again (the PDF and the API show the stored text). On PostgreSQL a trigger
refuses every UPDATE and every DELETE of a letter but gallring's (audit migration 0023).
"""

from __future__ import annotations

import hashlib

from django.db import models
from django.db.models import F, Q

from config.limits import TEXT_MAX_LENGTH, text_max_length
from config.models import TimeStampedModel


class Communication(TimeStampedModel):
    """Kommunicering: what the decision will rest on, told to the applicant before a decision that
    goes against them, with the date they must answer by and their answer, if any (FL 25 §)."""

    application = models.ForeignKey("cases.Application", verbose_name="ansökan", on_delete=models.PROTECT,
                                    related_name="communications")
    communicated_on = models.DateField("kommunicerat den")
    content = models.TextField("vad som kommunicerades", max_length=TEXT_MAX_LENGTH, validators=[text_max_length])
    answer_by = models.DateField("svar senast")
    answer = models.TextField("svar", blank=True, max_length=TEXT_MAX_LENGTH, validators=[text_max_length])
    answered_on = models.DateField("svar inkom", null=True, blank=True)
    recorded_by = models.ForeignKey("cases.Staff", verbose_name="registrerad av", on_delete=models.PROTECT,
                                    related_name="+")

    class Meta:
        verbose_name = "kommunicering"
        verbose_name_plural = "kommuniceringar"
        ordering = ["communicated_on", "pk"]
        constraints = [
            models.CheckConstraint(name="communication_answer_by_not_before",
                                   condition=Q(answer_by__gte=F("communicated_on"))),
            models.CheckConstraint(name="communication_answered_not_before",
                                   condition=Q(answered_on__isnull=True) | Q(answered_on__gte=F("communicated_on"))),
        ]

    def __str__(self) -> str:
        return f"Kommunicering {self.communicated_on} ansökan {self.application_id}"


def text_hash(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


class DecisionLetter(TimeStampedModel):
    """Beslutsmeddelande: the letter as signed with its decision. `text` is what the person is sent;
    `sha256` lets anyone check it is the text that was signed."""

    decision = models.OneToOneField("cases.Decision", verbose_name="beslut", on_delete=models.PROTECT,
                                    related_name="letter")
    text = models.TextField("text")
    sha256 = models.CharField("SHA-256", max_length=64)
    signed_at = models.DateTimeField("signerat")

    class Meta:
        verbose_name = "beslutsmeddelande"
        verbose_name_plural = "beslutsmeddelanden"
        ordering = ["pk"]

    def __str__(self) -> str:
        return f"Beslutsmeddelande för beslut {self.decision_id}"

    @property
    def verifies(self) -> bool:
        return text_hash(self.text) == self.sha256


class DeliveryWay(models.TextChoices):
    POST = "post", "Brev med post"
    DIGITAL = "digital", "E-post eller digital brevlåda"
    IN_PERSON = "in_person", "Överlämnat personligen"


class DecisionDelivery(TimeStampedModel):
    """When and how the decision was sent or handed over: the appeal period runs from it."""

    decision = models.OneToOneField("cases.Decision", verbose_name="beslut", on_delete=models.PROTECT,
                                    related_name="delivery")
    delivered_on = models.DateField("skickat eller överlämnat den")
    way = models.CharField("sätt", max_length=16, choices=DeliveryWay.choices)
    recorded_by = models.ForeignKey("cases.Staff", verbose_name="registrerad av", on_delete=models.PROTECT,
                                    related_name="+")

    class Meta:
        verbose_name = "expediering av beslut"
        verbose_name_plural = "expedieringar av beslut"
        ordering = ["pk"]

    def __str__(self) -> str:
        return f"Beslut {self.decision_id} {self.get_way_display()} {self.delivered_on}"

    @property
    def appeal_deadline(self):
        """The last day to appeal, or None when the decision cannot be appealed by förvaltningsbesvär
        (the rule: cases.norms.appeal_deadline)."""
        from .finance_models import AppealKind
        from .norms import appeal_deadline

        basis = self.decision.cited_legal_basis
        if basis.appeal_kind != AppealKind.ADMINISTRATIVE_APPEAL:
            return None
        return appeal_deadline(self.delivered_on, basis.appeal_period_days)
