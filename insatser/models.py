"""What they do: the catalogue of insatser, insats decisions, referrals, participation, exemptions.

Names follow shared/design/GLOSSARY.md; labels shown to staff are Swedish. Time limits and
norms are in insatser/norms.py, not here.
"""

from __future__ import annotations

from decimal import Decimal

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Q

from cases.models import Applicant, Case, Staff, Unit
from config.limits import TEXT_MAX_LENGTH, text_max_length
from config.models import TimeStampedModel
from planning.models import ImplementationPlan

WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
WEEKDAY_FIELDS = tuple(f"hours_{day}" for day in WEEKDAYS)
HOURS_IN_A_DAY = Decimal(24)


class Track(TimeStampedModel):
    """An ingång: Grundaktivitet, Språk, Digital, Arbetsmarknad (004:539-547). Reference data."""

    code = models.SlugField(max_length=50, unique=True)
    name = models.CharField("namn", max_length=100)
    is_active = models.BooleanField("aktiv", default=True)

    class Meta:
        verbose_name = "ingång"
        verbose_name_plural = "ingångar"
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class InsatsType(models.TextChoices):
    PRAKTIK = "praktik", "Praktik"
    LANGUAGE_PRAKTIK = "language_praktik", "Språkpraktik"
    WORK_TRAINING = "work_training", "Arbetsträning"
    LABOUR_MARKET_EMPLOYMENT = "labour_market_employment", "Arbetsmarknadsanställning"
    BASIC_ACTIVITY = "basic_activity", "Grundaktivitet"
    LANGUAGE = "language", "Språkinsats"
    DIGITAL = "digital", "Digital aktivitet"
    DAILY_OCCUPATION = "daily_occupation", "Daglig sysselsättning"
    STUDIES = "studies", "Studier"
    AF_PROGRAMME = "af_programme", "Arbetsförmedlingens program"
    TEMPORARY = "temporary", "Tillfällig aktivitet"


class Insats(TimeStampedModel):
    """An insats in the catalogue, run by one of our units or by an external provider."""

    name = models.CharField("namn", max_length=200)
    insats_type = models.CharField("typ", max_length=32, choices=InsatsType.choices)
    track = models.ForeignKey(Track, verbose_name="ingång", on_delete=models.PROTECT, related_name="insatser")
    provider_unit = models.ForeignKey(
        Unit, verbose_name="utförande enhet", on_delete=models.PROTECT, null=True, blank=True, related_name="insatser"
    )
    external_provider = models.CharField("extern anordnare", max_length=200, blank=True)
    capacity = models.PositiveIntegerField("antal platser", validators=[MinValueValidator(1)])
    normal_hours_per_week = models.DecimalField(
        "normal tid per vecka (timmar)",
        max_digits=4,
        decimal_places=1,
        validators=[MinValueValidator(Decimal(0)), MaxValueValidator(Decimal(60))],
    )
    description = models.TextField("beskrivning", blank=True, max_length=TEXT_MAX_LENGTH, validators=[text_max_length])
    is_active = models.BooleanField("aktiv", default=True)

    class Meta:
        verbose_name = "insats"
        verbose_name_plural = "insatser"
        ordering = ["track__name", "name"]
        constraints = [
            models.CheckConstraint(
                name="insats_one_provider",
                condition=(Q(provider_unit__isnull=False) & Q(external_provider=""))
                | (Q(provider_unit__isnull=True) & ~Q(external_provider="")),
            ),
            models.CheckConstraint(name="insats_capacity_positive", condition=Q(capacity__gte=1)),
        ]

    def __str__(self) -> str:
        return self.name


class DecisionKind(models.TextChoices):
    """SoL 12 kap. 4 § (old 4 kap. 4 §): praktik or kompetenshöjande verksamhet."""

    PRAKTIK = "praktik", "Praktik"
    SKILLS = "skills", "Annan kompetenshöjande verksamhet"


class InsatsDecision(TimeStampedModel):
    """A caseworker's decision that the person shall take part (SoL 12 kap. 4 §), and its end."""

    LEGAL_BASIS = "SoL (2025:400) 12 kap. 4 §"
    # The provision in cases' dated legal bases; the text cited is the one in force on decided_on.
    LEGAL_BASIS_CODE = "sol-12-4"

    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="insats_decisions")
    applicant = models.ForeignKey(Applicant, on_delete=models.PROTECT, related_name="insats_decisions")
    kind = models.CharField("avser", max_length=16, choices=DecisionKind.choices)
    legal_basis = models.CharField("lagrum", max_length=100, default=LEGAL_BASIS)
    reasoning = models.TextField("motivering", max_length=TEXT_MAX_LENGTH, validators=[text_max_length])
    decided_on = models.DateField("beslutsdatum")
    decided_by = models.ForeignKey(Staff, verbose_name="beslutsfattare", on_delete=models.PROTECT, related_name="+")
    valid_from = models.DateField("gäller från")
    # Empty: until further notice (tills vidare).
    valid_to = models.DateField("gäller till", null=True, blank=True)
    ended_on = models.DateField("upphör", null=True, blank=True)
    end_decided_on = models.DateField("beslut om upphörande", null=True, blank=True)
    end_decided_by = models.ForeignKey(
        Staff, verbose_name="beslutsfattare (upphörande)", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    end_reasoning = models.TextField("motivering (upphörande)", blank=True)

    class Meta:
        verbose_name = "beslut om insats"
        verbose_name_plural = "beslut om insats"
        constraints = [
            models.CheckConstraint(
                name="insatsdecision_period_not_backwards",
                condition=Q(valid_to__isnull=True) | Q(valid_to__gte=F("valid_from")),
            ),
            models.CheckConstraint(
                name="insatsdecision_end_complete",
                condition=Q(ended_on__isnull=True, end_decided_on__isnull=True, end_decided_by__isnull=True)
                | Q(ended_on__gte=F("valid_from"), end_decided_on__isnull=False, end_decided_by__isnull=False),
            ),
        ]

    def __str__(self) -> str:
        return f"Beslut om insats {self.pk}"


class ReferralStatus(models.TextChoices):
    REFERRED = "referred", "Anvisad"
    QUEUED = "queued", "I kö"
    STARTED = "started", "Påbörjad"
    WITHDRAWN = "withdrawn", "Återkallad"


class Referral(TimeStampedModel):
    """An anvisning: the coordinator sends the person to an insats, based on the current plan.

    Queued when the insats is full (queue_position 1 is next); started when a place is given.
    """

    applicant = models.ForeignKey(Applicant, on_delete=models.PROTECT, related_name="referrals")
    insats = models.ForeignKey(Insats, on_delete=models.PROTECT, related_name="referrals")
    # The plan in force when the referral was made: a referral is made from the plan (004:539-541).
    plan = models.ForeignKey(
        ImplementationPlan, verbose_name="genomförandeplan", on_delete=models.PROTECT, related_name="referrals"
    )
    decision = models.ForeignKey(
        InsatsDecision, verbose_name="beslut om insats", on_delete=models.PROTECT, null=True, blank=True, related_name="referrals"
    )
    referred_by = models.ForeignKey(Staff, verbose_name="anvisad av", on_delete=models.PROTECT, related_name="+")
    referred_on = models.DateField("anvisningsdatum")
    valid_until = models.DateField("anvisning gäller till")
    status = models.CharField("status", max_length=16, choices=ReferralStatus.choices)
    queue_position = models.PositiveIntegerField("plats i kön", null=True, blank=True)
    queued_on = models.DateField("köad", null=True, blank=True)
    started_on = models.DateField("påbörjad", null=True, blank=True)
    note = models.TextField("information till insatsen", blank=True, max_length=TEXT_MAX_LENGTH, validators=[text_max_length])

    class Meta:
        verbose_name = "anvisning"
        verbose_name_plural = "anvisningar"
        indexes = [models.Index(fields=["insats", "status", "queue_position"], name="referral_queue")]
        constraints = [
            models.CheckConstraint(
                name="referral_queue_fields",
                condition=Q(status="queued", queue_position__isnull=False, queued_on__isnull=False)
                | (~Q(status="queued") & Q(queue_position__isnull=True)),
            ),
            models.CheckConstraint(
                name="referral_started_has_date",
                condition=~Q(status="started") | Q(started_on__isnull=False),
            ),
            models.CheckConstraint(
                name="referral_valid_until_after_referred", condition=Q(valid_until__gte=F("referred_on"))
            ),
        ]

    def __str__(self) -> str:
        return f"Anvisning {self.pk}"


class ParticipationStatus(models.TextChoices):
    ACTIVE = "active", "Pågående"
    CLOSED = "closed", "Avslutad"


class ClosingReason(models.TextChoices):
    """Coded so the board's key figures (share closed to work or studies) can count them."""

    WORK = "work", "Arbete"
    STUDIES = "studies", "Studier"
    MOVED = "moved", "Flyttat"
    OTHER_BENEFIT = "other_benefit", "Annan ersättning"
    SICKNESS = "sickness", "Sjukdom"
    ENDED_BY_PERSON = "ended_by_person", "Avbrutet av deltagaren"
    DECISION_PERIOD_OVER = "decision_period_over", "Beslutsperioden slut"
    OTHER = "other", "Annat"


def _hours_field(label: str) -> models.DecimalField:
    return models.DecimalField(
        label,
        max_digits=4,
        decimal_places=2,
        default=Decimal(0),
        validators=[MinValueValidator(Decimal(0)), MaxValueValidator(HOURS_IN_A_DAY)],
    )


class Participation(TimeStampedModel):
    """A person in an insats: period, scheduled hours per weekday, decision period, closing."""

    applicant = models.ForeignKey(Applicant, on_delete=models.PROTECT, related_name="participations")
    insats = models.ForeignKey(Insats, on_delete=models.PROTECT, related_name="participations")
    referral = models.OneToOneField(Referral, on_delete=models.PROTECT, related_name="participation")
    start_date = models.DateField("startdatum")
    # The decision period runs start_date .. decision_period_end (6 months by norm); an
    # extension moves it, with a recorded reason (ParticipationExtension).
    decision_period_end = models.DateField("beslutsperioden slutar")
    status = models.CharField(
        "status", max_length=16, choices=ParticipationStatus.choices, default=ParticipationStatus.ACTIVE
    )
    end_date = models.DateField("slutdatum", null=True, blank=True)
    closing_reason = models.CharField("avslutsorsak", max_length=32, choices=ClosingReason.choices, blank=True)
    hours_monday = _hours_field("timmar måndag")
    hours_tuesday = _hours_field("timmar tisdag")
    hours_wednesday = _hours_field("timmar onsdag")
    hours_thursday = _hours_field("timmar torsdag")
    hours_friday = _hours_field("timmar fredag")
    hours_saturday = _hours_field("timmar lördag")
    hours_sunday = _hours_field("timmar söndag")

    class Meta:
        verbose_name = "deltagande"
        verbose_name_plural = "deltaganden"
        indexes = [
            models.Index(fields=["applicant", "status"], name="participation_person"),
            models.Index(fields=["insats", "status"], name="participation_insats"),
        ]
        constraints = [
            models.CheckConstraint(
                name="participation_decision_period_not_backwards",
                condition=Q(decision_period_end__gte=F("start_date")),
            ),
            models.CheckConstraint(
                name="participation_closed_complete",
                condition=Q(status="closed", end_date__isnull=False) & ~Q(closing_reason="")
                | Q(status="active", end_date__isnull=True, closing_reason=""),
            ),
            models.CheckConstraint(
                name="participation_end_not_before_start",
                condition=Q(end_date__isnull=True) | Q(end_date__gte=F("start_date")),
            ),
        ]

    def __str__(self) -> str:
        return f"Deltagande {self.pk}"

    @property
    def weekly_hours(self) -> Decimal:
        return sum((getattr(self, name) for name in WEEKDAY_FIELDS), Decimal(0))

    @property
    def last_day(self):
        """The last day the participation runs: its end, else the end of its decision period."""
        return self.end_date or self.decision_period_end


class ParticipationExtension(TimeStampedModel):
    """An extension of the decision period on the same activity: only for a stated special reason."""

    participation = models.ForeignKey(Participation, on_delete=models.PROTECT, related_name="extensions")
    previous_end = models.DateField("tidigare slut")
    new_end = models.DateField("nytt slut")
    special_reason = models.TextField("särskilda skäl", max_length=TEXT_MAX_LENGTH, validators=[text_max_length])
    decided_by = models.ForeignKey(Staff, verbose_name="beslutad av", on_delete=models.PROTECT, related_name="+")
    decided_on = models.DateField("beslutsdatum")

    class Meta:
        verbose_name = "förlängning"
        verbose_name_plural = "förlängningar"
        constraints = [
            models.CheckConstraint(name="extension_moves_forward", condition=Q(new_end__gt=F("previous_end"))),
            models.CheckConstraint(name="extension_has_reason", condition=~Q(special_reason="")),
        ]


class WeeklyAttendance(TimeStampedModel):
    """Hours attended in one week (Monday to Sunday), reported by the insats staff."""

    participation = models.ForeignKey(Participation, on_delete=models.PROTECT, related_name="attendance")
    week_start = models.DateField("vecka (måndag)")
    attended_hours = models.DecimalField(
        "närvaro (timmar)",
        max_digits=5,
        decimal_places=2,
        validators=[MinValueValidator(Decimal(0)), MaxValueValidator(HOURS_IN_A_DAY * 7)],
    )
    note = models.TextField("kommentar", blank=True, max_length=TEXT_MAX_LENGTH, validators=[text_max_length])
    reported_by = models.ForeignKey(Staff, verbose_name="rapporterad av", on_delete=models.PROTECT, related_name="+")

    class Meta:
        verbose_name = "närvaro per vecka"
        verbose_name_plural = "närvaro per vecka"
        constraints = [
            models.UniqueConstraint(fields=["participation", "week_start"], name="one_attendance_per_week"),
            models.CheckConstraint(name="attendance_not_negative", condition=Q(attended_hours__gte=0)),
        ]


class ParticipationClosing(TimeStampedModel):
    """The closing of a participation: proposed by the coordinator, confirmed by the caseworker.

    The participation is closed only when both have (004:573-576).
    """

    participation = models.OneToOneField(Participation, on_delete=models.PROTECT, related_name="closing")
    reason = models.CharField("avslutsorsak", max_length=32, choices=ClosingReason.choices)
    reason_text = models.TextField("kommentar", blank=True, max_length=TEXT_MAX_LENGTH, validators=[text_max_length])
    end_date = models.DateField("slutdatum")
    proposed_by = models.ForeignKey(Staff, verbose_name="föreslaget av", on_delete=models.PROTECT, related_name="+")
    proposed_at = models.DateTimeField("föreslaget")
    confirmed_by = models.ForeignKey(
        Staff, verbose_name="bekräftat av", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    confirmed_at = models.DateTimeField("bekräftat", null=True, blank=True)

    class Meta:
        verbose_name = "avslut av deltagande"
        verbose_name_plural = "avslut av deltaganden"
        constraints = [
            models.CheckConstraint(
                name="closing_confirmed_complete",
                condition=Q(confirmed_by__isnull=True, confirmed_at__isnull=True)
                | Q(confirmed_by__isnull=False, confirmed_at__isnull=False),
            ),
        ]


class ExemptionReason(models.TextChoices):
    """Coded reasons for an avsteg from heltidsaktivering (reported to the board by reason)."""

    SICKNESS = "sickness", "Sjukdom eller ohälsa"
    PARENTAL = "parental", "Föräldraledighet"
    CARE_OF_RELATIVE = "care_of_relative", "Vård av närstående"
    PART_TIME_WORK = "part_time_work", "Deltidsarbete"
    PART_TIME_STUDIES = "part_time_studies", "Studier på deltid"
    NO_SUITABLE_INSATS = "no_suitable_insats", "Ingen lämplig insats finns"
    OTHER = "other", "Annat"


class Exemption(TimeStampedModel):
    """An avsteg from heltidsaktivering: documented, time-limited, with reason and review date."""

    applicant = models.ForeignKey(Applicant, on_delete=models.PROTECT, related_name="exemptions")
    reason = models.CharField("skäl", max_length=32, choices=ExemptionReason.choices)
    reason_text = models.TextField("motivering", max_length=TEXT_MAX_LENGTH, validators=[text_max_length])
    valid_from = models.DateField("från")
    valid_to = models.DateField("till")
    # Hours a week still required during the exemption; 0 = no activity required.
    required_hours_per_week = models.DecimalField(
        "krav timmar per vecka under avsteget",
        max_digits=4,
        decimal_places=1,
        default=Decimal(0),
        validators=[MinValueValidator(Decimal(0)), MaxValueValidator(Decimal(60))],
    )
    decided_by = models.ForeignKey(Staff, verbose_name="beslutat av", on_delete=models.PROTECT, related_name="+")
    decided_on = models.DateField("beslutsdatum")
    review_on = models.DateField("omprövas senast")

    class Meta:
        verbose_name = "avsteg från heltidsaktivering"
        verbose_name_plural = "avsteg från heltidsaktivering"
        indexes = [models.Index(fields=["applicant", "valid_from", "valid_to"], name="exemption_person_period")]
        constraints = [
            models.CheckConstraint(name="exemption_period_not_backwards", condition=Q(valid_to__gte=F("valid_from"))),
            models.CheckConstraint(name="exemption_review_in_period", condition=Q(review_on__gte=F("valid_from"))),
        ]

    def __str__(self) -> str:
        return f"Avsteg {self.pk}"
