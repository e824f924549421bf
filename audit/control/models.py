"""Models of audit's control layer: egenkontroll rules, runs, flags, corrective actions, samples.

Other apps are referenced by lazy string ("cases.Unit"), never imported, so loading this module
(which audit/models.py does) keeps the recording layer free of imports from other apps.
Rules themselves are code (audit/control/rules/); the Rule table holds what a municipality may change:
whether a rule is enabled, its severity, its escalation time and its parameters.
"""

from __future__ import annotations

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Q

from config.limits import TEXT_MAX_LENGTH, text_max_length
from config.models import TimeStampedModel

__all__ = [
    "ActionStatus",
    "ChecklistAnswer",
    "ChecklistValue",
    "ControlSample",
    "ControlSampleItem",
    "CorrectiveAction",
    "DigestDelivery",
    "Flag",
    "FlagStatus",
    "FlagTransition",
    "LIVE_FLAG_STATUSES",
    "OwnerBasis",
    "Rule",
    "RuleParameter",
    "RuleRun",
    "RuleRunChunk",
    "RunStatus",
    "RunTrigger",
    "SamplePopulation",
    "Schedule",
    "Severity",
]


class Severity(models.IntegerChoices):
    LOW = 1, "Låg"
    MEDIUM = 2, "Medel"
    HIGH = 3, "Hög"


class Schedule(models.TextChoices):
    NIGHTLY = "nightly", "Varje natt"
    WEEKLY = "weekly", "Varje vecka (efter veckans slut)"


class Rule(TimeStampedModel):
    """One egenkontroll rule, as configured. The query lives in audit/control/rules/<family>.py."""

    code = models.SlugField("kod", max_length=50, unique=True)
    title = models.CharField("benämning", max_length=200)
    # The texts users read (title, description, what to do, what closes it, source as the audit
    # or the law is cited) come from the rule's definition in code and are refreshed by rules_sync.
    source = models.CharField("källa", max_length=200)
    description = models.TextField("beskrivning", blank=True, max_length=TEXT_MAX_LENGTH, validators=[text_max_length])
    what_to_do = models.TextField("att göra", blank=True, max_length=TEXT_MAX_LENGTH, validators=[text_max_length])
    closes_when = models.TextField("flaggan stängs", blank=True, max_length=TEXT_MAX_LENGTH, validators=[text_max_length])
    severity = models.PositiveSmallIntegerField("allvarlighetsgrad", choices=Severity.choices, default=Severity.MEDIUM)
    schedule = models.CharField("körs", max_length=16, choices=Schedule.choices, default=Schedule.NIGHTLY)
    enabled = models.BooleanField("aktiv", default=True)
    # An unattended flag goes to the unit manager after this many days (DOMAIN.md 4: findings
    # must be followed up; the number of days is the municipality's choice).
    escalate_after_days = models.PositiveSmallIntegerField(
        "eskalera efter dagar", default=14, validators=[MinValueValidator(1), MaxValueValidator(365)]
    )

    class Meta:
        verbose_name = "kontrollregel"
        verbose_name_plural = "kontrollregler"
        ordering = ["code"]

    def __str__(self) -> str:
        return self.title


class RuleParameter(TimeStampedModel):
    """A configurable limit of a rule (an interval, a number of hours ...), within a range."""

    rule = models.ForeignKey(Rule, on_delete=models.CASCADE, related_name="parameters")
    key = models.SlugField("nyckel", max_length=50)
    label = models.CharField("benämning", max_length=200)
    unit = models.CharField("enhet", max_length=20)
    value = models.IntegerField("värde")
    default = models.IntegerField("standardvärde")
    min_value = models.IntegerField("lägsta värde")
    max_value = models.IntegerField("högsta värde")
    source = models.CharField("källa", max_length=200)

    class Meta:
        verbose_name = "regelparameter"
        verbose_name_plural = "regelparametrar"
        ordering = ["rule__code", "key"]
        constraints = [
            models.UniqueConstraint(fields=["rule", "key"], name="one_parameter_per_rule_key"),
            models.CheckConstraint(
                name="parameter_value_in_range",
                condition=Q(value__gte=F("min_value")) & Q(value__lte=F("max_value")),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.rule.code}.{self.key} = {self.value} {self.unit}"


class RunStatus(models.TextChoices):
    RUNNING = "running", "Pågår"
    SUCCEEDED = "succeeded", "Klar"
    FAILED = "failed", "Misslyckades"


class RunTrigger(models.TextChoices):
    SCHEDULE = "schedule", "Schemalagd"
    ON_DEMAND = "on_demand", "Startad manuellt"


class RuleRun(TimeStampedModel):
    """One run of a set of rules: when, which, what it found, how long it took, why it failed."""

    as_of = models.DateField("kontrolldatum")
    rule_codes = models.JSONField("regler", default=list)
    trigger = models.CharField("start", max_length=16, choices=RunTrigger.choices)
    started_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    status = models.CharField("status", max_length=16, choices=RunStatus.choices, default=RunStatus.RUNNING)
    started_at = models.DateTimeField("startad")
    finished_at = models.DateTimeField("avslutad", null=True, blank=True)
    duration_ms = models.PositiveBigIntegerField("tid (ms)", null=True, blank=True)
    chunks_total = models.PositiveIntegerField(default=0)
    chunks_done = models.PositiveIntegerField(default=0)
    subjects_examined = models.PositiveBigIntegerField("granskade", default=0)
    flags_opened = models.PositiveBigIntegerField("nya flaggor", default=0)
    flags_kept = models.PositiveBigIntegerField("kvarstående flaggor", default=0)
    flags_resolved = models.PositiveBigIntegerField("lösta flaggor", default=0)
    error = models.TextField("fel", blank=True)

    class Meta:
        verbose_name = "regelkörning"
        verbose_name_plural = "regelkörningar"
        ordering = ["-started_at"]

    def __str__(self) -> str:
        return f"Regelkörning {self.pk} ({self.as_of})"


class RuleRunChunk(models.Model):
    """One slice of a run: one rule over a range of subject ids. Done once, counted once."""

    run = models.ForeignKey(RuleRun, on_delete=models.CASCADE, related_name="chunks")
    rule_code = models.SlugField(max_length=50)
    lower = models.BigIntegerField()
    upper = models.BigIntegerField()
    done = models.BooleanField(default=False)
    subjects_examined = models.PositiveBigIntegerField(default=0)
    flags_opened = models.PositiveBigIntegerField(default=0)
    flags_kept = models.PositiveBigIntegerField(default=0)
    flags_resolved = models.PositiveBigIntegerField(default=0)
    # What the run's watchdog (audit.redispatch_stalled_runs) and the rule status page read: when
    # the chunk was last sent to the broker and how often, when a worker last began it, when it
    # was done and how long its work took. The database alone says whether a run is stuck.
    dispatched_at = models.DateTimeField(null=True, blank=True)
    dispatch_count = models.PositiveSmallIntegerField(default=0)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    duration_ms = models.PositiveBigIntegerField(null=True, blank=True)

    class Meta:
        # The rule status page looks up each rule's latest runs through its chunks.
        indexes = [models.Index(fields=["rule_code", "run"], name="chunk_rule_run")]
        constraints = [
            models.UniqueConstraint(fields=["run", "rule_code", "lower"], name="one_chunk_per_run_rule_range"),
            models.CheckConstraint(name="chunk_range_not_empty", condition=Q(upper__gt=F("lower"))),
        ]

    def __str__(self) -> str:
        return f"{self.rule_code} [{self.lower}, {self.upper})"


class FlagStatus(models.TextChoices):
    OPEN = "open", "Öppen"
    ACKNOWLEDGED = "acknowledged", "Kvitterad"
    ACTION_PLANNED = "action_planned", "Åtgärd planerad"
    CLOSED = "closed", "Avslutad"
    RESOLVED = "resolved", "Löst (villkoret gäller inte längre)"


# A flag in these states is "live": the rule may not open another for the same subject.
LIVE_FLAG_STATUSES = (FlagStatus.OPEN, FlagStatus.ACKNOWLEDGED, FlagStatus.ACTION_PLANNED)


class OwnerBasis(models.TextChoices):
    """Which link of the ownership chain (audit/control/rules/ownership.py) named the flag's responsible."""

    ACTION_OWNER = "action_owner", "åtgärdens ägare"
    REFERRER = "referrer", "den som anvisade"
    DECIDED_BY = "decided_by", "den som fattade beslutet"
    PROPOSED_BY = "proposed_by", "den som föreslog avslutet"
    # Findings about the access log: the reader's unit manager, or the administrator.
    READER_MANAGER = "reader_manager", "enhetschefen för den som läste"
    ADMINISTRATOR = "administrator", "systemets administratör"
    COORDINATOR = "coordinator", "personens koordinator"
    CASEWORKER = "caseworker", "ärendets handläggare"
    CASE_UNIT_MANAGER = "case_unit_manager", "enhetschefen för ärendets enhet"
    REGISTERED_UNIT_MANAGER = "registered_unit_manager", "enhetschefen för enheten där personen är registrerad"
    CONTROL_OWNER = "control_owner", "egenkontrollens ägare"


class Flag(TimeStampedModel):
    """A rule's finding about one subject (person, plan, participation, decision ...)."""

    # No single-column indexes on rule, responsible and unit: the composite indexes below (and the
    # partial unique constraint, rule first) serve every lookup they would (issue 12: three
    # duplicates made every flag write update three more indexes).
    rule = models.ForeignKey(Rule, on_delete=models.PROTECT, related_name="flags", db_index=False)
    # The subject: "<app_label>.<model>" and its primary key (generic, so any app's row fits).
    subject_type = models.CharField("objekttyp", max_length=64)
    subject_id = models.BigIntegerField("objekt-id")
    person = models.ForeignKey(
        "cases.Applicant", verbose_name="person", on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    responsible = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="ansvarig",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="control_flags",
        db_index=False,
    )
    unit = models.ForeignKey(
        "cases.Unit", verbose_name="enhet", on_delete=models.SET_NULL, null=True, blank=True, related_name="+",
        db_index=False,
    )
    # Why `responsible` is who it is: the link of the ownership chain that named them (empty for
    # a flag no link could place, or one made before the chain existed).
    owner_basis = models.CharField("ansvarig enligt", max_length=32, choices=OwnerBasis.choices, blank=True)
    first_seen = models.DateField("först upptäckt")
    last_seen = models.DateField("senast upptäckt")
    # When the rule last looked at the subject (nightly, on demand, or right after a fact it reads
    # was saved): what the flag's page tells the person handling it.
    checked_at = models.DateTimeField("senast kontrollerad", null=True, blank=True)
    facts = models.JSONField("underlag", default=dict)
    status = models.CharField("status", max_length=16, choices=FlagStatus.choices, default=FlagStatus.OPEN)
    resolved_on = models.DateField("löst", null=True, blank=True)
    resolution_reason = models.CharField("orsak", max_length=200, blank=True)
    escalated_at = models.DateTimeField("eskalerad", null=True, blank=True)
    escalated_to = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="escalated_flags"
    )

    class Meta:
        verbose_name = "flagga"
        verbose_name_plural = "flaggor"
        indexes = [
            models.Index(fields=["rule", "subject_id"], name="flag_rule_subject"),
            models.Index(fields=["responsible", "status"], name="flag_responsible_status"),
            models.Index(fields=["unit", "status"], name="flag_unit_status"),
        ]
        constraints = [
            # Idempotent runs: one live flag per rule and subject, enforced by the database.
            models.UniqueConstraint(
                fields=["rule", "subject_type", "subject_id"],
                condition=Q(status__in=["open", "acknowledged", "action_planned"]),
                name="one_live_flag_per_rule_subject",
            ),
            models.CheckConstraint(
                name="flag_resolved_has_date",
                condition=~Q(status="resolved") | Q(resolved_on__isnull=False),
            ),
        ]

    def __str__(self) -> str:
        return f"Flagga {self.pk} ({self.rule_id}: {self.subject_type}:{self.subject_id})"

    @property
    def owner_explanation(self) -> str:
        """Why the responsible is who they are, e.g. "ingen koordinator: ärendets handläggare"
        (the ownership chain in audit/control/rules/ownership.py). Reads the loaded rule only."""
        from audit.control.rules import REGISTRY, ownership  # the rules import this module

        return ownership.explain(REGISTRY.get(self.rule.code), self.owner_basis)


class FlagTransition(models.Model):
    """The history of a flag: who moved it from which state to which, when and why."""

    flag = models.ForeignKey(Flag, on_delete=models.CASCADE, related_name="transitions")
    from_status = models.CharField(max_length=16, choices=FlagStatus.choices, blank=True)
    to_status = models.CharField(max_length=16, choices=FlagStatus.choices)
    event = models.CharField("händelse", max_length=32)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    occurred_at = models.DateTimeField()
    comment = models.TextField("kommentar", blank=True, max_length=TEXT_MAX_LENGTH, validators=[text_max_length])

    class Meta:
        verbose_name = "flagghändelse"
        verbose_name_plural = "flagghistorik"
        ordering = ["occurred_at", "pk"]

    def __str__(self) -> str:
        return f"{self.event}: {self.from_status} -> {self.to_status}"


class ActionStatus(models.TextChoices):
    PLANNED = "planned", "Planerad"
    COMPLETED = "completed", "Genomförd"


class CorrectiveAction(TimeStampedModel):
    """Åtgärd: what is done about a flag or a sample finding, by whom, by when, with what result."""

    flag = models.ForeignKey(Flag, on_delete=models.PROTECT, null=True, blank=True, related_name="actions")
    sample_answer = models.ForeignKey(
        "audit.ChecklistAnswer", on_delete=models.PROTECT, null=True, blank=True, related_name="actions"
    )
    description = models.TextField("åtgärd", max_length=TEXT_MAX_LENGTH, validators=[text_max_length])
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="ägare", on_delete=models.PROTECT, related_name="corrective_actions"
    )
    due_date = models.DateField("klar senast")
    status = models.CharField("status", max_length=16, choices=ActionStatus.choices, default=ActionStatus.PLANNED)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    followed_up_on = models.DateField("följdes upp", null=True, blank=True)
    follow_up_note = models.TextField("uppföljning", blank=True, max_length=TEXT_MAX_LENGTH, validators=[text_max_length])
    followed_up_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    outcome = models.TextField("resultat", blank=True, max_length=TEXT_MAX_LENGTH, validators=[text_max_length])
    completed_on = models.DateField("avslutad", null=True, blank=True)
    completed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        verbose_name = "åtgärd"
        verbose_name_plural = "åtgärder"
        ordering = ["due_date", "pk"]
        constraints = [
            models.CheckConstraint(
                name="action_about_flag_or_sample",
                condition=Q(flag__isnull=False) | Q(sample_answer__isnull=False),
            ),
            models.CheckConstraint(
                name="action_completed_has_outcome",
                condition=~Q(status="completed") | (Q(completed_on__isnull=False) & ~Q(outcome="")),
            ),
        ]


class SamplePopulation(models.TextChoices):
    """What a control sample is drawn from; the drawer chooses, the sample keeps it with its seed."""

    CASES = "unit_cases", "Ärenden som enheten har"
    # The coordinator unit works with persons, not cases it holds (DOMAIN.md 4; 004:583-605):
    # persons with a coordinator of the unit assigned at some time in the period.
    PERSONS = "unit_persons", "Personer som enheten arbetar med"


class ControlSample(TimeStampedModel):
    """Stickprov: N random cases or persons of a unit and period; population and seed are kept so
    it can be redrawn."""

    unit = models.ForeignKey("cases.Unit", verbose_name="enhet", on_delete=models.PROTECT, related_name="+")
    population = models.CharField(
        "urval ur", max_length=16, choices=SamplePopulation.choices, default=SamplePopulation.CASES
    )
    period_start = models.DateField("period från")
    period_end = models.DateField("period till")
    size = models.PositiveIntegerField("antal")
    seed = models.BigIntegerField("slumpfrö")
    population_size = models.PositiveIntegerField("population")
    drawn_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    class Meta:
        verbose_name = "stickprov"
        verbose_name_plural = "stickprov"
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(name="sample_period_not_backwards", condition=Q(period_end__gte=F("period_start"))),
            models.CheckConstraint(name="sample_not_larger_than_population", condition=Q(size__lte=F("population_size"))),
        ]


class ControlSampleItem(models.Model):
    """One sampled case or person: the case, the person whose plan is checked, and that plan."""

    sample = models.ForeignKey(ControlSample, on_delete=models.CASCADE, related_name="items")
    case = models.ForeignKey("cases.Case", on_delete=models.PROTECT, related_name="+")
    person = models.ForeignKey("cases.Applicant", on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    # The plan the prefill judged (the person's plan as of the period's end, whatever its state);
    # None: the person had no plan then.
    plan = models.ForeignKey(
        "planning.ImplementationPlan", verbose_name="plan", on_delete=models.PROTECT, null=True, blank=True,
        related_name="+",
    )
    position = models.PositiveIntegerField()
    # What the person had on the period's last day when the sample was drawn (checklist.prefill).
    plan_state = models.CharField(
        "plan", max_length=8, blank=True,
        choices=[("signed", "Fastställd plan"), ("draft", "Enbart utkast"), ("none", "Ingen plan")],
    )

    class Meta:
        ordering = ["sample_id", "position"]
        constraints = [
            # Two adults of one household may both be drawn from the persons a unit works with.
            models.UniqueConstraint(fields=["sample", "case", "person"], name="item_once_per_sample"),
        ]

    def __str__(self) -> str:
        return f"Stickprov {self.sample_id} #{self.position}"


class ChecklistValue(models.TextChoices):
    """An answer to a checklist question (planning.quality's yes / no / not applicable)."""

    YES = "yes", "Ja"
    NO = "no", "Nej"
    NOT_APPLICABLE = "not_applicable", "Ej aktuellt"


class ChecklistAnswer(models.Model):
    """One checklist question for one sampled case: the prefilled answer and the reviewer's."""

    item = models.ForeignKey(ControlSampleItem, on_delete=models.CASCADE, related_name="answers")
    question = models.SlugField("fråga", max_length=50)
    # What the data says (planning.quality's answer and reason; empty: the data cannot tell), and
    # what the reviewer confirmed (empty: not reviewed yet).
    prefilled = models.CharField("förifyllt svar", max_length=16, choices=ChecklistValue.choices, blank=True)
    prefill_reason = models.CharField("förifyllt enligt", max_length=300, blank=True)
    answer = models.CharField("svar", max_length=16, choices=ChecklistValue.choices, blank=True)
    overridden = models.BooleanField("ändrat av granskaren", default=False)
    comment = models.TextField("kommentar", blank=True, max_length=TEXT_MAX_LENGTH, validators=[text_max_length])
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    reviewed_at = models.DateTimeField(null=True, blank=True)
    # The row's version (ETag, If-Match, updated_since: config/api/concurrency.py): two unit
    # managers reviewing the same sample must not overwrite each other's verdict unseen.
    updated_at = models.DateTimeField(auto_now=True, editable=False)

    class Meta:
        ordering = ["item_id", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["item", "question"], name="one_answer_per_item_question"),
            models.CheckConstraint(name="override_has_comment", condition=Q(overridden=False) | ~Q(comment="")),
            # "Ej aktuellt" is an answer with a reason (GLOSSARY: not_applicable, with the reason).
            models.CheckConstraint(
                name="not_applicable_answer_has_reason", condition=~Q(answer="not_applicable") | ~Q(comment="")
            ),
        ]

    def __str__(self) -> str:
        return f"{self.question}: {self.answer or self.prefilled or '–'}"

    @property
    def value(self) -> str:
        """The answer that counts: the reviewer's, else the prefilled one ("" if neither)."""
        return self.answer or self.prefilled


class DigestDelivery(models.Model):
    """One daily digest e-mail sent to one staff member: the record that makes the digest idempotent.

    The row is written in the same transaction as the send, and (staff, digest_date) is unique, so
    a Celery retry or a second beat firing the same day finds the row and sends nothing again.
    """

    staff = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    digest_date = models.DateField("sammanställningens datum")
    sent_at = models.DateTimeField("skickad")
    # Flag numbers only (never personal data), as the e-mail listed them.
    new_flag_ids = models.JSONField("nya flaggor", default=list)
    escalated_flag_ids = models.JSONField("eskalerade flaggor", default=list)

    class Meta:
        verbose_name = "skickad sammanställning"
        verbose_name_plural = "skickade sammanställningar"
        ordering = ["-digest_date", "staff_id"]
        constraints = [
            models.UniqueConstraint(fields=["staff", "digest_date"], name="one_digest_per_staff_and_day"),
        ]

    def __str__(self) -> str:
        return f"Sammanställning {self.digest_date} till {self.staff_id}"
