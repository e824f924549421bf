"""What they aim at: kartläggning, genomförandeplaner, uppföljningar and BIP indicators.

Names follow shared/design/GLOSSARY.md; labels shown to staff are Swedish. Rules with audit
meaning (validity, follow-up interval, required checkpoints) are in planning/norms.py.
"""

from __future__ import annotations

from django.db import models
from django.db.models import F, Q

from cases.models import Applicant, Case, Staff
from config.limits import TEXT_MAX_LENGTH, text_max_length
from config.models import TimeStampedModel


class Assessment(TimeStampedModel):
    """Kartläggning: the coordinator's mapping of the person's situation, by area (004:521)."""

    applicant = models.ForeignKey(Applicant, on_delete=models.PROTECT, related_name="assessments")
    assessed_on = models.DateField("datum")
    made_by = models.ForeignKey(Staff, verbose_name="koordinator", on_delete=models.PROTECT, related_name="+")
    work_experience = models.TextField("arbetslivserfarenhet", blank=True, max_length=TEXT_MAX_LENGTH, validators=[text_max_length])
    education = models.TextField("utbildning", blank=True, max_length=TEXT_MAX_LENGTH, validators=[text_max_length])
    language = models.TextField("språk", blank=True, max_length=TEXT_MAX_LENGTH, validators=[text_max_length])
    # As the person describes it: the coordinator records, does not diagnose.
    health = models.TextField("hälsa (enligt den enskilde)", blank=True)
    housing = models.TextField("boende", blank=True, max_length=TEXT_MAX_LENGTH, validators=[text_max_length])
    family = models.TextField("familj", blank=True, max_length=TEXT_MAX_LENGTH, validators=[text_max_length])
    other = models.TextField("övrigt", blank=True, max_length=TEXT_MAX_LENGTH, validators=[text_max_length])

    class Meta:
        verbose_name = "kartläggning"
        verbose_name_plural = "kartläggningar"
        ordering = ["-assessed_on", "-pk"]
        indexes = [models.Index(fields=["applicant", "assessed_on"], name="assessment_person_date")]


class PlanStatus(models.TextChoices):
    DRAFT = "draft", "Utkast"
    SIGNED = "signed", "Fastställd"


class FollowUpMethod(models.TextChoices):
    MEETING = "meeting", "Möte"
    PHONE = "phone", "Telefon"
    DIGITAL = "digital", "Digitalt"


class ImplementationPlan(TimeStampedModel):
    """Genomförandeplan (004:521-537). A draft until signed; once signed it never changes.

    A new version (`supersedes` the previous plan) replaces it from its own made_on; the
    previous version stays as it was, readable. `valid_until` is fixed at signing from the
    validity norm in force then, so a later change of norm does not rewrite old plans.
    """

    applicant = models.ForeignKey(Applicant, on_delete=models.PROTECT, related_name="plans")
    case = models.ForeignKey(Case, on_delete=models.PROTECT, null=True, blank=True, related_name="plans")
    assessment = models.ForeignKey(
        Assessment, verbose_name="kartläggning", on_delete=models.PROTECT, null=True, blank=True, related_name="plans"
    )
    version = models.PositiveIntegerField("version", default=1)
    supersedes = models.OneToOneField(
        "self", verbose_name="ersätter", on_delete=models.PROTECT, null=True, blank=True, related_name="superseded_by"
    )
    status = models.CharField("status", max_length=8, choices=PlanStatus.choices, default=PlanStatus.DRAFT)
    areas_to_maintain = models.TextField("områden att upprätthålla", blank=True, max_length=TEXT_MAX_LENGTH, validators=[text_max_length])
    areas_to_change = models.TextField("områden att förändra", blank=True, max_length=TEXT_MAX_LENGTH, validators=[text_max_length])
    long_term_goal = models.TextField("långsiktigt mål", blank=True, max_length=TEXT_MAX_LENGTH, validators=[text_max_length])
    participants = models.TextField("deltog vid upprättandet", blank=True, max_length=TEXT_MAX_LENGTH, validators=[text_max_length])
    # Delaktighet: None = not documented; True/False = whether the person took part.
    participation_recorded = models.BooleanField("den enskilde delaktig", null=True, blank=True)
    person_views = models.TextField("den enskildes synpunkter", blank=True, max_length=TEXT_MAX_LENGTH, validators=[text_max_length])
    made_on = models.DateField("upprättad")
    latest_follow_up_on = models.DateField("följs upp senast", null=True, blank=True)
    follow_up_method = models.CharField(
        "uppföljning sker genom", max_length=8, choices=FollowUpMethod.choices, blank=True
    )
    valid_until = models.DateField("giltig till", null=True, blank=True)
    created_by = models.ForeignKey(Staff, verbose_name="upprättad av", on_delete=models.PROTECT, related_name="+")
    signed_at = models.DateTimeField("fastställd", null=True, blank=True)
    signed_by = models.ForeignKey(
        Staff, verbose_name="fastställd av", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    # What the coordinator typed in a draft that is not valid yet (issue 13: a draft keeps every row
    # typed): {"plan": {field: text}, "subgoals": [{"position": i, field: text}], "activities": [...]}.
    # The columns and the sub-goal and activity rows hold only what is valid; a signed plan holds
    # nothing here (plan_signed_has_no_invalid_input), so a signed plan is valid throughout.
    draft_input = models.JSONField("inskrivet med fel (utkast)", default=dict, blank=True)

    class Meta:
        verbose_name = "genomförandeplan"
        verbose_name_plural = "genomförandeplaner"
        ordering = ["applicant_id", "-version"]
        indexes = [models.Index(fields=["applicant", "status", "made_on"], name="plan_person_status_made")]
        constraints = [
            models.UniqueConstraint(fields=["applicant", "version"], name="plan_one_version_number_per_person"),
            models.UniqueConstraint(
                fields=["applicant"], condition=Q(status="draft"), name="plan_one_draft_per_person"
            ),
            models.CheckConstraint(
                name="plan_signed_is_complete",
                condition=Q(status="draft")
                | Q(signed_at__isnull=False, signed_by__isnull=False, valid_until__isnull=False),
            ),
            models.CheckConstraint(
                name="plan_signed_has_no_invalid_input", condition=Q(status="draft") | Q(draft_input={}),
            ),
            models.CheckConstraint(
                name="plan_valid_until_after_made",
                condition=Q(valid_until__isnull=True) | Q(valid_until__gt=F("made_on")),
            ),
            models.CheckConstraint(
                name="plan_follow_up_not_before_made",
                condition=Q(latest_follow_up_on__isnull=True) | Q(latest_follow_up_on__gte=F("made_on")),
            ),
        ]

    def __str__(self) -> str:
        return f"Genomförandeplan {self.applicant_id} v{self.version}"

    @property
    def is_signed(self) -> bool:
        return self.status == PlanStatus.SIGNED


class SigningRule(models.TextChoices):
    BLOCK = "block", "Spärrar fastställande"
    WARN = "warn", "Varnar, men planen kan fastställas"


class CheckpointPolicy(TimeStampedModel):
    """Whether a plan failing a checkpoint can be signed: the municipality's choice per checkpoint
    (planning.services.checkpoint_policy_set, from the admin, with a change event). Empty: the
    default in planning.norms ("required_checkpoints" block, the others warn). Only signing reads
    it; plan quality is measured the same whatever is chosen."""

    code = models.SlugField("kontrollpunkt", max_length=50, unique=True)
    rule = models.CharField("vid nej", max_length=8, choices=SigningRule.choices, blank=True,
                            help_text="Tomt: standard (planeringsnormerna).")

    class Meta:
        verbose_name = "kontrollpunkt vid fastställande"
        verbose_name_plural = "kontrollpunkter vid fastställande"
        ordering = ["pk"]

    def __str__(self) -> str:
        return self.code


class Subgoal(TimeStampedModel):
    """Delmål: short-term and measurable (what is measured, the target, the date), toward the plan's goal."""

    plan = models.ForeignKey(ImplementationPlan, on_delete=models.CASCADE, related_name="subgoals")
    position = models.PositiveSmallIntegerField("ordning", default=0)
    description = models.TextField("delmål", max_length=TEXT_MAX_LENGTH, validators=[text_max_length])
    measure = models.CharField("vad som mäts", max_length=300)
    target = models.CharField("målvärde", max_length=300)
    target_date = models.DateField("ska vara uppnått")

    class Meta:
        verbose_name = "delmål"
        verbose_name_plural = "delmål"
        ordering = ["plan_id", "position", "pk"]
        constraints = [
            models.CheckConstraint(name="subgoal_has_target", condition=~Q(target="") & ~Q(measure="")),
        ]


class Partner(models.TextChoices):
    ARBETSFORMEDLINGEN = "arbetsformedlingen", "Arbetsförmedlingen"
    FORSAKRINGSKASSAN = "forsakringskassan", "Försäkringskassan"
    SAMORDNINGSFORBUNDET = "samordningsforbundet", "Samordningsförbundet"
    REGION = "region", "Region"
    PROVIDER = "provider", "Anordnare"
    OTHER = "other", "Annan"


class PlanActivity(TimeStampedModel):
    """Aktivitet: a step in the plan, who is responsible for it and which partners take part."""

    plan = models.ForeignKey(ImplementationPlan, on_delete=models.CASCADE, related_name="activities")
    subgoal = models.ForeignKey(Subgoal, on_delete=models.SET_NULL, null=True, blank=True, related_name="activities")
    position = models.PositiveSmallIntegerField("ordning", default=0)
    description = models.TextField("aktivitet", max_length=TEXT_MAX_LENGTH, validators=[text_max_length])
    how = models.TextField("hur den genomförs", blank=True, max_length=TEXT_MAX_LENGTH, validators=[text_max_length])
    responsible = models.CharField("ansvarig", max_length=200, blank=True)
    partners = models.JSONField("samarbetspartner", default=list, blank=True)
    starts_on = models.DateField("från", null=True, blank=True)
    ends_on = models.DateField("till", null=True, blank=True)

    class Meta:
        verbose_name = "aktivitet"
        verbose_name_plural = "aktiviteter"
        ordering = ["plan_id", "position", "pk"]
        constraints = [
            models.CheckConstraint(
                name="activity_period_not_backwards",
                condition=Q(ends_on__isnull=True) | Q(starts_on__isnull=True) | Q(ends_on__gte=F("starts_on")),
            ),
        ]

    @property
    def partner_names(self) -> list[str]:
        """The partners as staff and the person read them ("Arbetsförmedlingen"), in stored order."""
        labels = dict(Partner.choices)
        return [labels.get(code, code) for code in self.partners]


class FollowUp(TimeStampedModel):
    """Uppföljning of a signed plan (004:347-349, 558-566): monthly by norm."""

    plan = models.ForeignKey(ImplementationPlan, on_delete=models.PROTECT, related_name="follow_ups")
    followed_up_on = models.DateField("datum")
    method = models.CharField("form", max_length=8, choices=FollowUpMethod.choices)
    participants = models.TextField("deltagare", blank=True, max_length=TEXT_MAX_LENGTH, validators=[text_max_length])
    follows_plan = models.BooleanField("följer planeringen")
    plan_deviation = models.TextField("avvikelse från planering", blank=True, max_length=TEXT_MAX_LENGTH, validators=[text_max_length])
    notes = models.TextField("anteckningar", blank=True, max_length=TEXT_MAX_LENGTH, validators=[text_max_length])
    next_follow_up_on = models.DateField("nästa uppföljning")
    recorded_by = models.ForeignKey(Staff, verbose_name="dokumenterad av", on_delete=models.PROTECT, related_name="+")

    class Meta:
        verbose_name = "uppföljning"
        verbose_name_plural = "uppföljningar"
        ordering = ["-followed_up_on", "-pk"]
        indexes = [models.Index(fields=["plan", "followed_up_on"], name="followup_plan_date")]
        constraints = [
            models.CheckConstraint(
                name="followup_deviation_when_not_followed", condition=Q(follows_plan=True) | ~Q(plan_deviation="")
            ),
            models.CheckConstraint(
                name="followup_next_after_this", condition=Q(next_follow_up_on__gt=F("followed_up_on"))
            ),
        ]


class FollowUpDue(models.Model):
    """The day each follow-up was due: the next follow-up that the person's previous one set, or
    for the first, its plan's "följs upp senast" (planning/follow_up_due.py has the definition).
    Read only, with the person, the day and whether the person followed the plan, so that report 2
    counts the follow-ups made in a period without ordering every follow-up again. On PostgreSQL a
    table that statement triggers keep in step with the follow-ups and the plans (migration 0009);
    on SQLite a view. Not managed by Django either way."""

    follow_up = models.OneToOneField(FollowUp, primary_key=True, on_delete=models.DO_NOTHING, related_name="due",
                                     db_column="follow_up_id")
    applicant = models.ForeignKey("cases.Applicant", on_delete=models.DO_NOTHING, related_name="+",
                                  db_constraint=False)
    followed_up_on = models.DateField()
    follows_plan = models.BooleanField()
    due_on = models.DateField(null=True)

    class Meta:
        managed = False
        db_table = "planning_followupdue"
        verbose_name = "uppföljningens planerade datum"
        verbose_name_plural = "uppföljningarnas planerade datum"

    def __str__(self) -> str:
        return f"Planerat datum för uppföljning {self.follow_up_id}"


class PlanFacts(models.Model):
    """What a plan's quality answers count in other tables, one row per plan: its sub-goals, its
    activities (and those without a responsible or a how), its first follow-up and the first
    signed version that replaced it. Read only: count_answers joins it so that a report over a
    million plans reads a row per plan instead of running a subquery per plan and fact
    (planning/quality.py). On PostgreSQL a table that statement triggers keep in step with the
    plans and their rows (planning/plan_facts.py, migration 0008); on SQLite the view of
    migration 0007. Not managed by Django either way."""

    plan = models.OneToOneField(ImplementationPlan, primary_key=True, on_delete=models.DO_NOTHING,
                                related_name="facts", db_column="plan_id")
    subgoals = models.IntegerField()
    activities = models.IntegerField()
    activities_without_responsible = models.IntegerField()
    activities_without_how = models.IntegerField()
    first_follow_up_on = models.DateField(null=True)
    first_signed_successor_on = models.DateField(null=True)
    # The person's coordinator assignments: the last one's start, and the end of the one that
    # ended last (None while one is open or when there is none).
    assignments_last_start = models.DateField(null=True)
    assignments_last_end = models.DateField(null=True)

    class Meta:
        managed = False
        db_table = "planning_planfacts"
        verbose_name = "planens fakta"
        verbose_name_plural = "planernas fakta"

    def __str__(self) -> str:
        return f"Fakta för plan {self.plan_id}"


class Progress(models.TextChoices):
    NOT_STARTED = "not_started", "Ej påbörjat"
    IN_PROGRESS = "in_progress", "Pågår"
    ACHIEVED = "achieved", "Uppnått"
    NOT_ACHIEVED = "not_achieved", "Ej uppnått"


class SubgoalProgress(TimeStampedModel):
    follow_up = models.ForeignKey(FollowUp, on_delete=models.CASCADE, related_name="progress")
    subgoal = models.ForeignKey(Subgoal, on_delete=models.PROTECT, related_name="progress")
    status = models.CharField("status", max_length=16, choices=Progress.choices)
    comment = models.TextField("kommentar", blank=True, max_length=TEXT_MAX_LENGTH, validators=[text_max_length])

    class Meta:
        verbose_name = "delmålsuppföljning"
        verbose_name_plural = "delmålsuppföljningar"
        ordering = ["follow_up_id", "subgoal__position", "subgoal_id"]
        constraints = [
            models.UniqueConstraint(fields=["follow_up", "subgoal"], name="progress_once_per_subgoal"),
        ]


# --- BIP (DOMAIN.md section 5): the instrument is data so the licensed version can replace it.


class BipInstrument(TimeStampedModel):
    code = models.SlugField(max_length=50, unique=True)
    name = models.CharField("namn", max_length=200)
    description = models.TextField("beskrivning", blank=True, max_length=TEXT_MAX_LENGTH, validators=[text_max_length])
    is_active = models.BooleanField("aktiv", default=True)

    class Meta:
        verbose_name = "BIP-instrument"
        verbose_name_plural = "BIP-instrument"

    def __str__(self) -> str:
        return self.name


class BipAnswerer(models.TextChoices):
    PERSON = "person", "Den enskilde"
    CASEWORKER = "caseworker", "Handläggare/koordinator"


class BipIndicator(TimeStampedModel):
    instrument = models.ForeignKey(BipInstrument, on_delete=models.CASCADE, related_name="indicators")
    code = models.SlugField(max_length=50)
    name = models.CharField("indikator", max_length=200)
    position = models.PositiveSmallIntegerField("ordning", default=0)
    answered_by = models.CharField("besvaras av", max_length=16, choices=BipAnswerer.choices)
    # False = a placeholder name, not confirmed against the licensed instrument (DOMAIN.md 5).
    is_confirmed = models.BooleanField("bekräftad benämning", default=False)

    class Meta:
        verbose_name = "BIP-indikator"
        verbose_name_plural = "BIP-indikatorer"
        ordering = ["instrument_id", "position", "pk"]
        constraints = [models.UniqueConstraint(fields=["instrument", "code"], name="bip_indicator_code_unique")]

    def __str__(self) -> str:
        return self.name


class BipScaleStep(TimeStampedModel):
    instrument = models.ForeignKey(BipInstrument, on_delete=models.CASCADE, related_name="scale")
    value = models.SmallIntegerField("värde")
    label = models.CharField("benämning", max_length=100)

    class Meta:
        verbose_name = "BIP-svarsalternativ"
        verbose_name_plural = "BIP-svarsalternativ"
        ordering = ["instrument_id", "value"]
        constraints = [models.UniqueConstraint(fields=["instrument", "value"], name="bip_scale_value_unique")]


class BipAssessment(TimeStampedModel):
    """One BIP measurement of a person on a date; progress is the change since the previous one."""

    applicant = models.ForeignKey(Applicant, on_delete=models.PROTECT, related_name="bip_assessments")
    instrument = models.ForeignKey(BipInstrument, on_delete=models.PROTECT, related_name="assessments")
    assessed_on = models.DateField("datum")
    recorded_by = models.ForeignKey(Staff, verbose_name="registrerad av", on_delete=models.PROTECT, related_name="+")

    class Meta:
        verbose_name = "BIP-skattning"
        verbose_name_plural = "BIP-skattningar"
        ordering = ["applicant_id", "-assessed_on"]
        constraints = [
            models.UniqueConstraint(
                fields=["applicant", "instrument", "assessed_on"], name="bip_one_assessment_per_day"
            ),
        ]


class BipAnswer(TimeStampedModel):
    assessment = models.ForeignKey(BipAssessment, on_delete=models.CASCADE, related_name="answers")
    indicator = models.ForeignKey(BipIndicator, on_delete=models.PROTECT, related_name="answers")
    value = models.SmallIntegerField("värde")

    class Meta:
        verbose_name = "BIP-svar"
        verbose_name_plural = "BIP-svar"
        ordering = ["assessment_id", "indicator__position"]
        constraints = [models.UniqueConstraint(fields=["assessment", "indicator"], name="bip_answer_once")]
