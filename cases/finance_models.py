"""Ekonomiskt bistånd: riksnorm tables, monthly applications, calculations and decisions.

Imported at the end of cases/models.py, so these are models of the cases app. Amounts are whole
kronor (integers). Reference data (norm tables, cost and income types, legal bases, the
delegation order) is data with validity, editable by an administrator; nothing here is a
constant in code (DOMAIN.md section 6).
"""

from __future__ import annotations

import datetime

from django.core.exceptions import ObjectDoesNotExist
from django.db import models
from django.db.models import F, Q

from config.limits import TEXT_MAX_LENGTH, text_max_length
from config.models import TimeStampedModel

# Imported at the end of cases/models.py, when Role is already defined there.
from .models import Role


class RiksnormTable(TimeStampedModel):
    """One year's (or period's) riksnorm: personal amounts, cohabitation, household-shared amounts."""

    name = models.CharField("benämning", max_length=100)
    valid_from = models.DateField("gäller från")
    valid_to = models.DateField("gäller till", null=True, blank=True)
    is_official = models.BooleanField(
        "officiell", default=True, help_text="Fastställd i socialtjänstförordningen. Ej officiella normer är bara för demo/test."
    )
    source = models.TextField("källa", blank=True)
    single_adult = models.PositiveIntegerField("ensamstående vuxen")
    cohabiting_couple = models.PositiveIntegerField("sammanlevande makar/sambor (båda)")
    shared_per_member_beyond_7 = models.PositiveIntegerField("gemensamt, per person utöver 7")

    class Meta:
        verbose_name = "riksnorm"
        verbose_name_plural = "riksnormer"
        ordering = ["-valid_from"]
        constraints = [
            models.CheckConstraint(
                name="riksnorm_period_not_backwards",
                condition=Q(valid_to__isnull=True) | Q(valid_to__gte=F("valid_from")),
            ),
        ]

    def __str__(self) -> str:
        return self.name if self.is_official else f"{self.name} (EJ OFFICIELL)"


class RiksnormPersonalAmount(models.Model):
    """Personal amount for an age band (age in whole years on the first of the month)."""

    table = models.ForeignKey(RiksnormTable, on_delete=models.CASCADE, related_name="personal_amounts")
    age_from = models.PositiveSmallIntegerField("ålder från")
    age_to = models.PositiveSmallIntegerField("ålder till")
    amount = models.PositiveIntegerField("belopp")
    amount_no_lunch = models.PositiveIntegerField(
        "belopp utan lunch 5 dagar/vecka", null=True, blank=True, help_text="Tomt om tabellen inte anger något."
    )

    class Meta:
        verbose_name = "personligt belopp"
        verbose_name_plural = "personliga belopp"
        ordering = ["table", "age_from"]
        constraints = [
            models.UniqueConstraint(fields=["table", "age_from"], name="riksnorm_band_unique"),
            models.CheckConstraint(name="riksnorm_band_not_backwards", condition=Q(age_to__gte=F("age_from"))),
        ]

    def __str__(self) -> str:
        return f"{self.age_from}–{self.age_to} år: {self.amount} kr"


class RiksnormHouseholdAmount(models.Model):
    """Household-shared amount for a household of `size` persons (1..7)."""

    table = models.ForeignKey(RiksnormTable, on_delete=models.CASCADE, related_name="household_amounts")
    size = models.PositiveSmallIntegerField("antal personer")
    amount = models.PositiveIntegerField("belopp")

    class Meta:
        verbose_name = "gemensamt hushållsbelopp"
        verbose_name_plural = "gemensamma hushållsbelopp"
        ordering = ["table", "size"]
        constraints = [
            models.UniqueConstraint(fields=["table", "size"], name="riksnorm_size_unique"),
            models.CheckConstraint(name="riksnorm_size_range", condition=Q(size__gte=1, size__lte=7)),
        ]

    def __str__(self) -> str:
        return f"{self.size} pers.: {self.amount} kr"


class CostType(TimeStampedModel):
    """Kostnadsslag. `counts` marks reasonable costs (skäliga kostnader) inside the calculation;
    the others (e.g. medical, other) are livsföring i övrigt and decided as items of their own."""

    code = models.SlugField(max_length=50, unique=True)
    name = models.CharField("benämning", max_length=200)
    counts = models.BooleanField("ingår i försörjningsstödsberäkningen", default=True)
    is_active = models.BooleanField("aktiv", default=True)

    class Meta:
        verbose_name = "kostnadsslag"
        verbose_name_plural = "kostnadsslag"
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class IncomeType(TimeStampedModel):
    """Inkomstslag. `counts` marks incomes deducted in the calculation; `is_employment` marks
    income from employment (jobbstimulans, and children's own earnings, SoL 12:8-9)."""

    code = models.SlugField(max_length=50, unique=True)
    name = models.CharField("benämning", max_length=200)
    counts = models.BooleanField("räknas som inkomst", default=True)
    is_employment = models.BooleanField("inkomst av anställning", default=False)
    is_active = models.BooleanField("aktiv", default=True)

    class Meta:
        verbose_name = "inkomstslag"
        verbose_name_plural = "inkomstslag"
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class AppealKind(models.TextChoices):
    ADMINISTRATIVE_APPEAL = "forvaltningsbesvar", "Förvaltningsbesvär"
    LEGALITY_REVIEW = "laglighetsprovning", "Laglighetsprövning"
    NONE = "none", "Kan inte överklagas"


class LegalBasis(TimeStampedModel):
    """A section of law a decision is made under, with the appeal information it requires."""

    code = models.SlugField(max_length=50, unique=True)
    law = models.CharField("lag", max_length=100, default="SoL (2025:400)")
    reference = models.CharField("lagrum", max_length=50, help_text="t.ex. 12 kap. 1 §")
    former_reference = models.CharField("motsvarande i SoL (2001:453)", max_length=50, blank=True)
    title = models.CharField("benämning", max_length=200)
    appeal_kind = models.CharField("överklagande", max_length=24, choices=AppealKind.choices)
    appeal_period_days = models.PositiveSmallIntegerField("överklagandetid (dagar)", null=True, blank=True)
    appeal_information = models.TextField("överklagandehänvisning", blank=True)
    is_active = models.BooleanField("aktiv", default=True)
    # Dated reference data: the provision is cited by decisions dated within its period (empty:
    # open). A provision of a new law `replaces` the one of the old law it takes over from, so a
    # decision cites the one in force on its decision date (SoL 2001:453 until 30 June 2025,
    # SoL 2025:400 from 1 July 2025; DOMAIN.md introduction).
    valid_from = models.DateField("gäller från", null=True, blank=True)
    valid_to = models.DateField("gäller till", null=True, blank=True)
    replaces = models.OneToOneField(
        "self", verbose_name="ersätter lagrum", on_delete=models.PROTECT, null=True, blank=True,
        related_name="replaced_by",
    )

    class Meta:
        verbose_name = "lagrum"
        verbose_name_plural = "lagrum"
        ordering = ["law", "reference"]
        constraints = [
            models.CheckConstraint(
                name="legal_basis_appeal_has_text",
                condition=Q(appeal_kind="none") | ~Q(appeal_information=""),
            ),
            models.CheckConstraint(
                name="legal_basis_period_not_backwards",
                condition=Q(valid_from__isnull=True) | Q(valid_to__isnull=True) | Q(valid_to__gte=F("valid_from")),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.reference} {self.law}"

    def covers(self, day: datetime.date) -> bool:
        return (self.valid_from is None or self.valid_from <= day) and (self.valid_to is None or day <= self.valid_to)

    def in_force_on(self, day: datetime.date) -> LegalBasis:
        """This provision as in force on `day`: itself, or the old-law provision it replaces when
        `day` is before its period (no query when `replaces` is select_related)."""
        if self.covers(day) or self.replaces_id is None:
            return self
        return self.replaces.in_force_on(day)

    def same_provision(self, other: LegalBasis) -> bool:
        """The same provision, whichever law's number (a delegation point covers both)."""
        return other.pk in (self.pk, self.replaces_id) or other.replaces_id == self.pk


class DecisionItemKind(models.TextChoices):
    INCOME_SUPPORT = "income_support", "Försörjningsstöd"
    COST = "cost", "Livsföring i övrigt (kostnadspost)"


class DelegationPoint(TimeStampedModel):
    """A point of the delegation order: which role may decide what, under which legal basis,
    up to which amount (None: no limit)."""

    code = models.CharField("punkt", max_length=20, unique=True)
    description = models.CharField("beslut som delegeras", max_length=300)
    legal_basis = models.ForeignKey(LegalBasis, verbose_name="lagrum", on_delete=models.PROTECT, related_name="delegation_points")
    item_kind = models.CharField("beslutspost", max_length=20, choices=DecisionItemKind.choices, blank=True,
                                 help_text="Tomt: alla slags poster.")
    role = models.CharField("delegat (roll)", max_length=32, choices=Role.choices)
    max_amount = models.PositiveIntegerField("högsta belopp (kr)", null=True, blank=True)
    is_active = models.BooleanField("aktiv", default=True)

    class Meta:
        verbose_name = "delegationspunkt"
        verbose_name_plural = "delegationsordning"
        ordering = ["code"]

    def __str__(self) -> str:
        return f"{self.code} {self.description}"


class ApplicationStatus(models.TextChoices):
    RECEIVED = "received", "Inkommen"
    DECIDED = "decided", "Beslutad"
    WITHDRAWN = "withdrawn", "Återtagen"


class Application(TimeStampedModel):
    """Månadsansökan: one case, one calendar month (`month` is its first day)."""

    case = models.ForeignKey("cases.Case", on_delete=models.PROTECT, related_name="applications")
    month = models.DateField("månad")
    received_on = models.DateField("inkom")
    status = models.CharField("status", max_length=16, choices=ApplicationStatus.choices, default=ApplicationStatus.RECEIVED)
    notes = models.TextField("anteckningar", blank=True, max_length=TEXT_MAX_LENGTH, validators=[text_max_length])
    created_by = models.ForeignKey("cases.Staff", on_delete=models.PROTECT, related_name="+")

    class Meta:
        verbose_name = "ansökan"
        verbose_name_plural = "ansökningar"
        ordering = ["-month", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["case", "month"], condition=~Q(status="withdrawn"), name="one_active_application_per_month"
            ),
            models.CheckConstraint(name="application_month_first_day", condition=Q(month__day=1)),
        ]

    def __str__(self) -> str:
        return f"Ansökan {self.month:%Y-%m} ärende {self.case_id}"


class ApplicationMember(models.Model):
    """A household member the application is for, that month."""

    application = models.ForeignKey(Application, on_delete=models.CASCADE, related_name="members")
    household_member = models.ForeignKey("cases.HouseholdMember", on_delete=models.PROTECT, related_name="+")
    no_lunch = models.BooleanField("saknar lunch i skola/förskola 5 dagar/vecka", default=False)

    class Meta:
        ordering = ["application", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["application", "household_member"], name="application_member_once"),
        ]

    def __str__(self) -> str:
        return f"Medlem {self.household_member_id} i ansökan {self.application_id}"


class ApplicationIncome(models.Model):
    application = models.ForeignKey(Application, on_delete=models.CASCADE, related_name="incomes")
    member = models.ForeignKey(ApplicationMember, on_delete=models.CASCADE, related_name="incomes")
    income_type = models.ForeignKey(IncomeType, on_delete=models.PROTECT)
    amount = models.PositiveIntegerField("belopp")

    class Meta:
        ordering = ["application", "pk"]

    def __str__(self) -> str:
        return f"{self.income_type_id}: {self.amount} kr"


class ApplicationCost(models.Model):
    application = models.ForeignKey(Application, on_delete=models.CASCADE, related_name="costs")
    cost_type = models.ForeignKey(CostType, on_delete=models.PROTECT)
    amount_applied = models.PositiveIntegerField("sökt belopp")
    amount_approved = models.PositiveIntegerField("godkänt belopp", null=True, blank=True)
    note = models.CharField("kommentar", max_length=300, blank=True)

    class Meta:
        ordering = ["application", "pk"]

    def __str__(self) -> str:
        return f"{self.cost_type_id}: {self.amount_applied} kr"


class Calculation(TimeStampedModel):
    """A stored riksnorm calculation. Its lines keep every amount and norm row used, so the
    result can be explained and re-checked after the norm tables change."""

    application = models.ForeignKey(Application, on_delete=models.PROTECT, related_name="calculations")
    norm_table = models.ForeignKey(RiksnormTable, on_delete=models.PROTECT, related_name="+")
    norm_is_official = models.BooleanField("officiell norm")
    calculated_by = models.ForeignKey("cases.Staff", on_delete=models.PROTECT, related_name="+")
    household_size = models.PositiveSmallIntegerField("hushållets storlek")
    norm_total = models.PositiveIntegerField("riksnorm")
    costs_total = models.PositiveIntegerField("godkända kostnader")
    income_total = models.PositiveIntegerField("räknade inkomster")
    requested_amount = models.PositiveIntegerField("sökt (med sökta kostnader)")
    result_amount = models.PositiveIntegerField("försörjningsstöd")

    class Meta:
        verbose_name = "beräkning"
        verbose_name_plural = "beräkningar"
        ordering = ["-pk"]


class LineKind(models.TextChoices):
    PERSONAL = "personal", "Personligt belopp"
    COHABITING = "cohabiting", "Sammanlevande makar/sambor"
    SHARED = "shared", "Gemensamma hushållskostnader"
    COST = "cost", "Skälig kostnad"
    INCOME = "income", "Inkomst"
    JOBBSTIMULANS = "jobbstimulans", "Jobbstimulans (ej räknad inkomst)"
    CHILD_EARNINGS = "child_earnings", "Barns inkomst av arbete (räknas inte)"
    NOT_COUNTED = "not_counted", "Inkomst som inte räknas"


class CalculationLine(models.Model):
    """One line: `amount` is signed (norm and costs +, counted income −, disregarded 0)."""

    calculation = models.ForeignKey(Calculation, on_delete=models.CASCADE, related_name="lines")
    position = models.PositiveSmallIntegerField()
    kind = models.CharField(max_length=20, choices=LineKind.choices)
    description = models.CharField(max_length=300)
    amount = models.IntegerField()
    member = models.ForeignKey("cases.HouseholdMember", on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    personal_amount = models.ForeignKey(RiksnormPersonalAmount, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    household_amount = models.ForeignKey(RiksnormHouseholdAmount, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    cost_type = models.ForeignKey(CostType, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    income_type = models.ForeignKey(IncomeType, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    basis = models.JSONField(default=dict, help_text="The inputs: age, table amount, gross income, rate ...")

    class Meta:
        ordering = ["calculation", "position"]

    def __str__(self) -> str:
        return f"{self.description}: {self.amount} kr"


class DecisionOutcome(models.TextChoices):
    GRANTED = "granted", "Bifall"
    PARTLY_GRANTED = "partly_granted", "Delvis bifall"
    REFUSED = "refused", "Avslag"


GRANTING_OUTCOMES = (DecisionOutcome.GRANTED, DecisionOutcome.PARTLY_GRANTED)
# Decisions that go fully or partly against the applicant: kommunicering first (FL 25 §, DOMAIN.md 8).
ADVERSE_OUTCOMES = (DecisionOutcome.REFUSED, DecisionOutcome.PARTLY_GRANTED)


class Decision(TimeStampedModel):
    """A signed decision on one item of an application. Never changed after creation (on
    PostgreSQL a trigger refuses UPDATE and DELETE); a correction is a new decision that
    `replaces` this one."""

    application = models.ForeignKey(Application, on_delete=models.PROTECT, related_name="decisions")
    item_kind = models.CharField("beslutspost", max_length=20, choices=DecisionItemKind.choices)
    cost = models.ForeignKey(ApplicationCost, on_delete=models.PROTECT, null=True, blank=True, related_name="decisions")
    calculation = models.ForeignKey(Calculation, on_delete=models.PROTECT, null=True, blank=True, related_name="decisions")
    outcome = models.CharField("utfall", max_length=20, choices=DecisionOutcome.choices)
    amount_applied = models.PositiveIntegerField("sökt belopp")
    amount = models.PositiveIntegerField("beviljat belopp")
    legal_basis = models.ForeignKey(LegalBasis, verbose_name="lagrum", on_delete=models.PROTECT, related_name="decisions")
    reasoning = models.TextField("motivering", max_length=TEXT_MAX_LENGTH, validators=[text_max_length])
    decided_by = models.ForeignKey("cases.Staff", verbose_name="beslutsfattare", on_delete=models.PROTECT, related_name="+")
    decided_by_role = models.CharField(max_length=32)
    delegation_point = models.ForeignKey(DelegationPoint, verbose_name="delegationspunkt", on_delete=models.PROTECT, related_name="decisions")
    decided_on = models.DateField("beslutsdatum")
    signed_at = models.DateTimeField("signerat")
    appeal_information = models.TextField("överklagandehänvisning", blank=True)
    norm_is_official = models.BooleanField("officiell norm", default=True)
    # Why no kommunicering was needed before a decision against the applicant (FL 25 §: "uppenbart
    # obehövligt"); empty when one was recorded or the decision grants in full (DOMAIN.md 8). Empty
    # by the database's default too, for rows written by SQL (imports, the bench generator).
    communication_omitted_reason = models.TextField(
        "skäl till att kommunicering inte behövdes", blank=True, default="", db_default="", max_length=TEXT_MAX_LENGTH,
        validators=[text_max_length])
    replaces = models.OneToOneField("self", verbose_name="ersätter", on_delete=models.PROTECT, null=True, blank=True,
                                    related_name="replaced_by")

    class Meta:
        verbose_name = "beslut"
        verbose_name_plural = "beslut"
        ordering = ["-decided_on", "-pk"]
        indexes = [
            # Date ranges have the index that leads with the date. None leads with the outcome: nine
            # in ten decisions grant, and PostgreSQL ANDed one such index into rule 10's chunk of
            # ids, reading 2.9 million entries per chunk at 1 000 000 persons (bench/README.md).
            models.Index(fields=["decided_on", "delegation_point"], name="decision_period_point"),
        ]
        constraints = [
            models.CheckConstraint(
                name="decision_cost_item_has_cost",
                condition=(Q(item_kind="cost") & Q(cost__isnull=False)) | (~Q(item_kind="cost") & Q(cost__isnull=True)),
            ),
            models.CheckConstraint(
                name="decision_amount_matches_outcome",
                condition=(Q(outcome="refused") & Q(amount=0))
                | (Q(outcome="granted") & Q(amount=F("amount_applied")))
                | (Q(outcome="partly_granted") & Q(amount__gt=0) & Q(amount__lt=F("amount_applied"))),
            ),
            models.CheckConstraint(name="decision_reasoning_required", condition=~Q(reasoning="")),
        ]

    def __str__(self) -> str:
        return f"Beslut {self.pk} ({self.get_outcome_display()})"

    @property
    def cited_legal_basis(self) -> LegalBasis:
        """The provision as in force on the decision date. Decisions made before the legal bases
        were dated point at the new law's row; they are shown citing the law of their date."""
        return self.legal_basis.in_force_on(self.decided_on)

    @property
    def has_letter(self) -> bool:
        """Whether the decision letter was stored at signing (decisions imported or made before
        letters existed have none; select_related("letter") saves the query)."""
        try:
            return self.letter is not None
        except ObjectDoesNotExist:
            return False


class ExecutionEventKind(models.TextChoices):
    EXECUTED = "executed", "Verkställt"
    INTERRUPTED = "interrupted", "Verkställighet avbruten"
    RESUMED = "resumed", "Verkställighet återupptagen"
    # Not a change of state: the caseworker documents why a granted decision is not (yet)
    # carried out. The unexecuted-decision report to IVO must give the reason for the delay
    # (003:304-314, DOMAIN.md 5), and it is known before the execution, if it ever comes.
    DELAY_NOTED = "delay_noted", "Skäl till dröjsmål"


# The kinds that change a decision's execution state (DELAY_NOTED does not).
EXECUTION_STATE_KINDS = (ExecutionEventKind.EXECUTED, ExecutionEventKind.INTERRUPTED, ExecutionEventKind.RESUMED)


class DecisionExecutionEvent(TimeStampedModel):
    """Verkställighet of a granted decision, as dated events (append-only). A decision is
    executed when it has an `executed` event; interrupted while its latest event is
    `interrupted`. Reports of unexecuted decisions (DOMAIN.md 5) read these set-based."""

    decision = models.ForeignKey(Decision, on_delete=models.PROTECT, related_name="execution_events")
    kind = models.CharField("händelse", max_length=16, choices=ExecutionEventKind.choices)
    occurred_on = models.DateField("datum")
    note = models.CharField("kommentar / skäl till dröjsmål", max_length=500, blank=True)
    recorded_by = models.ForeignKey("cases.Staff", on_delete=models.PROTECT, related_name="+")

    class Meta:
        verbose_name = "verkställighetshändelse"
        verbose_name_plural = "verkställighetshändelser"
        ordering = ["decision", "occurred_on", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["decision"], condition=Q(kind="executed"), name="decision_executed_once"
            ),
        ]
        indexes = [
            # The interruptions (about 0.5 % of the events) by decision, for rule 10 and report 4
            # (cases.execution_selectors): without it each chunk of rule 10 read every event.
            models.Index(fields=["decision", "occurred_on"], condition=Q(kind="interrupted"),
                         name="execution_interrupted"),
        ]
