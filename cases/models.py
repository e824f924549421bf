"""Who and why: staff and units, applicants, households, cases (ärenden).

Names follow shared/design/GLOSSARY.md; labels shown to staff are Swedish.
"""

from __future__ import annotations

from django.contrib.auth.models import AbstractUser
from django.db import models
from django.db.models import F, Q

from config.models import TimeStampedModel

from .case_file_rules import RESERVE_NUMBER_MAX_LENGTH
from .identity import validate_identity_number


class Unit(TimeStampedModel):
    """An enhet: Ekonomiskt bistånd, Koordinator, Insats & Matchning, ... (data, not code)."""

    code = models.SlugField(max_length=50, unique=True)
    name = models.CharField("namn", max_length=200)
    is_active = models.BooleanField("aktiv", default=True)

    class Meta:
        verbose_name = "enhet"
        verbose_name_plural = "enheter"
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Role(models.TextChoices):
    CASEWORKER = "caseworker", "Handläggare"
    COORDINATOR = "coordinator", "Koordinator"
    INSATS_STAFF = "insats_staff", "Insatspersonal"
    UNIT_MANAGER = "unit_manager", "Enhetschef"
    BOARD = "board", "Nämnd"
    ADMINISTRATOR = "administrator", "Administratör"


# Roles that may see personal data at all (within their scope). The board never does; the
# administrator manages reference data and staff, not cases.
ROLES_WITH_PERSONAL_DATA = frozenset({Role.CASEWORKER, Role.COORDINATOR, Role.INSATS_STAFF, Role.UNIT_MANAGER})


class Staff(AbstractUser):
    """A member of staff. One role and one unit each; scope follows from both."""

    role = models.CharField("roll", max_length=32, choices=Role.choices)
    unit = models.ForeignKey(Unit, verbose_name="enhet", on_delete=models.PROTECT, null=True, blank=True, related_name="staff")
    title = models.CharField("titel", max_length=100, blank=True)
    # The row's version for the API (config/api/concurrency.py), as TimeStampedModel gives the others.
    updated_at = models.DateTimeField(auto_now=True, editable=False)

    class Meta:
        verbose_name = "medarbetare"
        verbose_name_plural = "medarbetare"
        constraints = [
            models.CheckConstraint(
                name="staff_unit_required_for_unit_roles",
                condition=Q(role__in=["board", "administrator"]) | Q(unit__isnull=False),
            ),
        ]

    def __str__(self) -> str:
        return self.get_full_name() or self.username


class StaffAssignmentPeriod(models.Model):
    """A staff member's role and unit over a span of time: one row per spell, the open one current.

    Scope follows from role and unit (cases.selectors), and a read is judged by the scope the reader
    had when they read (the loggkontroll, DOMAIN.md 7; who was responsible when stays visible,
    DOMAIN.md 8), not by where they work now. Written by cases.staff_history whenever a Staff is
    saved with another role or unit; never edited.
    """

    staff = models.ForeignKey(Staff, on_delete=models.PROTECT, related_name="assignment_periods")
    role = models.CharField("roll", max_length=32, choices=Role.choices)
    unit = models.ForeignKey(Unit, verbose_name="enhet", on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    # None on the first spell: from the staff member's first day in the register (reads imported
    # from before the account was made are judged by it too).
    started_at = models.DateTimeField("från", null=True, blank=True)
    ended_at = models.DateTimeField("till", null=True, blank=True)

    class Meta:
        verbose_name = "medarbetarens roll och enhet under en period"
        verbose_name_plural = "medarbetares roller och enheter över tid"
        indexes = [models.Index(fields=["staff", "started_at"], name="staff_period_start")]
        constraints = [
            models.UniqueConstraint(fields=["staff"], condition=Q(ended_at__isnull=True), name="one_open_staff_period"),
            models.CheckConstraint(
                name="staff_period_ends_after_start",
                condition=Q(ended_at__isnull=True) | Q(started_at__isnull=True) | Q(ended_at__gte=F("started_at")),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.staff_id} {self.role} {self.unit_id} {self.started_at}–{self.ended_at}"


class LegalGender(models.TextChoices):
    FEMALE = "kvinna", "Kvinna"
    MALE = "man", "Man"


class Applicant(TimeStampedModel):
    """A person registered with the service: sökande or medsökande.

    Birth date and legal gender are derived from the personnummer by the service, never
    entered separately, so they cannot disagree.
    """

    # Empty only for a person registered with a reservnummer instead (exactly one of the two is set).
    personal_identity_number = models.CharField(
        "personnummer", max_length=12, unique=True, null=True, blank=True, validators=[validate_identity_number]
    )
    reserve_number = models.CharField(
        "reservnummer", max_length=RESERVE_NUMBER_MAX_LENGTH, unique=True, null=True, blank=True,
        help_text="Lokalt nummer för en person utan personnummer och samordningsnummer.",
    )
    is_coordination_number = models.BooleanField("samordningsnummer", default=False)
    birth_date = models.DateField("födelsedatum")
    legal_gender = models.CharField("juridiskt kön", max_length=8, choices=LegalGender.choices)
    first_name = models.CharField("förnamn", max_length=100)
    last_name = models.CharField("efternamn", max_length=100)
    street_address = models.CharField("adress", max_length=200, blank=True)
    postal_code = models.CharField("postnummer", max_length=6, blank=True)
    city = models.CharField("ort", max_length=100, blank=True)
    phone = models.CharField("telefon", max_length=30, blank=True)
    email = models.EmailField("e-post", blank=True)
    # Skyddad identitet: address and contact details are shown to caseworkers only.
    protected_identity = models.BooleanField("skyddad identitet", default=False)
    registered_unit = models.ForeignKey(
        Unit, verbose_name="registrerad av enhet", on_delete=models.PROTECT, related_name="registered_applicants"
    )

    class Meta:
        verbose_name = "sökande"
        verbose_name_plural = "sökande"
        indexes = [models.Index(fields=["last_name", "first_name"], name="applicant_name")]
        constraints = [
            models.CheckConstraint(
                name="applicant_one_identity_number",
                condition=Q(personal_identity_number__isnull=False, reserve_number__isnull=True)
                | Q(personal_identity_number__isnull=True, reserve_number__isnull=False),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.first_name} {self.last_name}"

    @property
    def identity_label(self) -> str:
        """What the number shown for the person is called on pages and documents."""
        if self.reserve_number:
            return "Reservnummer"
        return "Samordningsnummer" if self.is_coordination_number else "Personnummer"

    @property
    def identity_display(self) -> str:
        """The person's number as shown: ÅÅÅÅMMDD-NNNN, or the reserve number as issued."""
        if self.reserve_number:
            return self.reserve_number
        pnr = self.personal_identity_number or ""
        return f"{pnr[:8]}-{pnr[8:]}" if pnr else ""

    @property
    def full_name(self) -> str:
        return f"{self.first_name} {self.last_name}"


class Household(TimeStampedModel):
    """The applicants and the children living with them; membership has periods."""

    class Meta:
        verbose_name = "hushåll"
        verbose_name_plural = "hushåll"

    def __str__(self) -> str:
        return f"Hushåll {self.pk}"


class MemberRole(models.TextChoices):
    APPLICANT = "applicant", "Sökande"
    CO_APPLICANT = "co_applicant", "Medsökande (sambo/make/maka)"
    OTHER_ADULT = "other_adult", "Annan vuxen i hushållet"
    CHILD = "child", "Barn"


ADULT_MEMBER_ROLES = (MemberRole.APPLICANT, MemberRole.CO_APPLICANT, MemberRole.OTHER_ADULT)


class HouseholdMember(TimeStampedModel):
    """A person's membership of a household for a period (valid_to open = still a member).

    Adults are Applicants; a child is recorded by name and birth date (and personnummer if known).
    """

    household = models.ForeignKey(Household, on_delete=models.CASCADE, related_name="members")
    role = models.CharField("roll i hushållet", max_length=16, choices=MemberRole.choices)
    applicant = models.ForeignKey(
        Applicant, on_delete=models.PROTECT, null=True, blank=True, related_name="memberships"
    )
    first_name = models.CharField("förnamn", max_length=100, blank=True)
    last_name = models.CharField("efternamn", max_length=100, blank=True)
    birth_date = models.DateField("födelsedatum")
    valid_from = models.DateField("från")
    valid_to = models.DateField("till", null=True, blank=True)

    class Meta:
        verbose_name = "hushållsmedlem"
        verbose_name_plural = "hushållsmedlemmar"
        ordering = ["household_id", "valid_from", "id"]
        constraints = [
            models.CheckConstraint(
                name="member_period_not_backwards", condition=Q(valid_to__isnull=True) | Q(valid_to__gte=F("valid_from"))
            ),
            models.CheckConstraint(
                name="member_adult_is_applicant", condition=Q(role="child") | Q(applicant__isnull=False)
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_role_display()} {self.display_name}"

    @property
    def display_name(self) -> str:
        if self.applicant_id:
            return self.applicant.full_name
        return f"{self.first_name} {self.last_name}".strip()


class SupportBarrier(TimeStampedModel):
    """Försörjningshinder: Socialstyrelsen's categories, as reference data.

    `is_labour_market` marks the barriers that bring a person under heltidsaktivering
    (DOMAIN.md sections 2.1 and 3).
    """

    code = models.SlugField(max_length=50, unique=True)
    name = models.CharField("benämning", max_length=200)
    group = models.CharField("huvudgrupp", max_length=100)
    is_labour_market = models.BooleanField("arbetsmarknadsskäl", default=False)
    is_active = models.BooleanField("aktiv", default=True)

    class Meta:
        verbose_name = "försörjningshinder"
        verbose_name_plural = "försörjningshinder"
        ordering = ["group", "name"]

    def __str__(self) -> str:
        return self.name


class OpeningWay(models.TextChoices):
    APPLICATION = "application", "Ansökan"
    REPORT = "report", "Anmälan"
    TRANSFER = "transfer", "Överflyttning från annan kommun"
    OTHER = "other", "Annan väg"


class CaseStatus(models.TextChoices):
    OPENED = "opened", "Aktualiserat"
    ACTIVE = "active", "Pågående"
    CLOSED = "closed", "Avslutat"


class CaseClosingReason(models.TextChoices):
    WORK = "work", "Egen försörjning genom arbete"
    STUDIES = "studies", "Studier med studiemedel"
    OTHER_BENEFIT = "other_benefit", "Annan ersättning"
    MOVED = "moved", "Flyttat från kommunen"
    NO_APPLICATION = "no_application", "Ingen ny ansökan"
    DECEASED = "deceased", "Avliden"
    OTHER = "other", "Annat"


class Case(TimeStampedModel):
    """An ärende: one household's ekonomiskt bistånd matter at one unit."""

    household = models.ForeignKey(Household, on_delete=models.PROTECT, related_name="cases")
    unit = models.ForeignKey(Unit, verbose_name="enhet", on_delete=models.PROTECT, related_name="cases")
    responsible_caseworker = models.ForeignKey(
        Staff, verbose_name="ansvarig handläggare", on_delete=models.PROTECT, null=True, blank=True, related_name="cases"
    )
    opened_on = models.DateField("aktualiseringsdatum")
    opening_way = models.CharField("aktualiseringsväg", max_length=16, choices=OpeningWay.choices)
    status = models.CharField("status", max_length=16, choices=CaseStatus.choices, default=CaseStatus.OPENED)
    closed_on = models.DateField("avslutsdatum", null=True, blank=True)
    closing_reason = models.CharField("avslutsorsak", max_length=32, choices=CaseClosingReason.choices, blank=True)

    class Meta:
        verbose_name = "ärende"
        verbose_name_plural = "ärenden"
        indexes = [models.Index(fields=["unit", "status"], name="case_unit_status")]
        constraints = [
            models.CheckConstraint(
                name="case_closed_has_date_and_reason",
                condition=(
                    Q(status="closed", closed_on__isnull=False) & ~Q(closing_reason="")
                )
                | (~Q(status="closed") & Q(closed_on__isnull=True, closing_reason="")),
            ),
            models.CheckConstraint(
                name="case_closed_not_before_opened",
                condition=Q(closed_on__isnull=True) | Q(closed_on__gte=F("opened_on")),
            ),
        ]

    def __str__(self) -> str:
        return f"Ärende {self.pk}"


class CaseSupportBarrier(TimeStampedModel):
    """The support barrier of one adult in a case, for a period."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="support_barriers")
    applicant = models.ForeignKey(Applicant, on_delete=models.PROTECT, related_name="support_barriers")
    barrier = models.ForeignKey(SupportBarrier, verbose_name="försörjningshinder", on_delete=models.PROTECT)
    valid_from = models.DateField("från")
    valid_to = models.DateField("till", null=True, blank=True)

    class Meta:
        verbose_name = "försörjningshinder i ärende"
        verbose_name_plural = "försörjningshinder i ärenden"
        constraints = [
            models.CheckConstraint(
                name="barrier_period_not_backwards",
                condition=Q(valid_to__isnull=True) | Q(valid_to__gte=F("valid_from")),
            ),
        ]


class CoordinatorAssignment(TimeStampedModel):
    """A person referred to a coordinator (DOMAIN.md 2.3: cases expected to last > 3 months)."""

    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="coordinator_assignments")
    applicant = models.ForeignKey(Applicant, on_delete=models.PROTECT, related_name="coordinator_assignments")
    coordinator = models.ForeignKey(
        Staff, verbose_name="koordinator", on_delete=models.PROTECT, related_name="coordinator_assignments"
    )
    start_date = models.DateField("från")
    end_date = models.DateField("till", null=True, blank=True)

    class Meta:
        verbose_name = "koordinatortilldelning"
        verbose_name_plural = "koordinatortilldelningar"
        indexes = [models.Index(fields=["coordinator", "end_date"], name="assignment_coordinator")]
        constraints = [
            models.CheckConstraint(
                name="assignment_period_not_backwards",
                condition=Q(end_date__isnull=True) | Q(end_date__gte=F("start_date")),
            ),
            models.UniqueConstraint(
                fields=["applicant", "case"], condition=Q(end_date__isnull=True), name="one_open_assignment_per_person_case"
            ),
        ]


# Kept in modules of their own, imported here so they are models of this app: ekonomiskt bistånd's
# norms, applications, calculations and decisions (issue 3); bilagor, documents with a case, journal
# entry or application, stored outside the database (issue 14).
from .attachment_models import *  # noqa: E402, F401, F403
from .finance_models import *  # noqa: E402, F401, F403

# Reserve numbers (issue 14): local numbers for persons without personnummer, and those replaced.
from .identity_models import *  # noqa: E402, F401, F403

# The journal (dokumentation, issue 14): entries in a case's file, corrected only by new entries.
from .journal_models import *  # noqa: E402, F401, F403

# Decisions are communicated (issue 14): kommunicering, decision letters, when a decision was sent.
from .letter_models import *  # noqa: E402, F401, F403

# Payments (utbetalningar, issue 14): orders, attestation, batches for the bank, returns.
from .payment_models import *  # noqa: E402, F401, F403

# Transfers (issue 14): who held a case when.
from .transfer_models import *  # noqa: E402, F401, F403
