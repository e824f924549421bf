"""Rule family: plans and follow-ups (DOMAIN.md 2.4, 2.7, 3, 4).

Rules 1, 2, 3 and 5. Rule 5 uses the planning app's plan-quality annotation, so egenkontroll
and the plan screen judge a plan the same way.
"""

from __future__ import annotations

from django.db.models import Exists, F, OuterRef, Q, Subquery
from django.db.models.functions import Coalesce, Greatest

from audit import sources
from audit.control.models import Severity
from audit.control.rules.base import FunctionRule, Param, register
from audit.control.rules.common import grace_days, has_open_assignment, months_before, past_limit
from audit.control.rules.ownership import owned
from cases.models import Applicant
from insatser.models import Participation, ParticipationStatus
from planning import norms as planning_norms
from planning.models import FollowUp, ImplementationPlan, PlanStatus
from planning.quality import CHECKPOINT_CODES, annotate_quality
from planning.selectors import current_plans


def _active_participations(as_of):
    return Participation.objects.filter(status=ParticipationStatus.ACTIVE, start_date__lte=as_of)


def _active_participants(*, as_of, params):
    return Applicant.objects.filter(Exists(_active_participations(as_of).filter(applicant_id=OuterRef("pk"))))


def _follow_up_overdue(*, as_of, params):
    # Ordered LIMIT 1 subqueries (not GROUP BY): the database walks the (plan, date) index.
    last_follow_up = FollowUp.objects.filter(
        plan__applicant_id=OuterRef("pk"), followed_up_on__lte=as_of
    ).order_by("-followed_up_on")
    started = _active_participations(as_of).filter(applicant_id=OuterRef("pk")).order_by("start_date")
    limit = months_before(as_of, params["interval_months"])
    qs = (
        _active_participants(as_of=as_of, params=params)
        .annotate(
            last_follow_up=Subquery(last_follow_up.values("followed_up_on")[:1]),
            active_since=Subquery(started.values("start_date")[:1]),
        )
        # Counted from the later of the last follow-up and the start of the current participation.
        .annotate(counted_from=Greatest(Coalesce("last_follow_up", "active_since"), "active_since"))
        .filter(counted_from__lt=limit)
    )
    return owned(qs, as_of=as_of, person="pk")


# DOMAIN.md 2.7 and 3 (004:347-349, 478: participants are followed up once a month).
FOLLOW_UP_INTERVAL = register(
    FunctionRule(
        code="r01_follow_up_interval",
        title="Aktiv deltagare har inte följts upp inom uppföljningsintervallet",
        source=sources.audit("3.2.3", "3.4"),
        description=(
            "En person med pågående deltagande vars senaste uppföljning (eller, om ingen finns, "
            "deltagandets start) ligger längre tillbaka än uppföljningsintervallet."
        ),
        what_to_do="Följ upp personens deltagande tillsammans med personen och registrera uppföljningen i planen.",
        closes_when="När en uppföljning registreras eller deltagandet avslutas.",
        severity=Severity.HIGH,
        subject_model="cases.Applicant",
        reads=("planning.followup", "insatser.participation"),
        subject_person="pk",
        params=(
            Param(
                "interval_months", "Uppföljningsintervall", lambda: planning_norms.norm("follow_up_interval_months"),
                1, 12, "månader", sources.audit("3.2.3", "3.4"),
            ),
        ),
        facts=("last_follow_up", "active_since"),
        find=_follow_up_overdue,
        examine=_active_participants,
    )
)


def _current(as_of):
    return current_plans(on=as_of)


def _plan_people(qs, as_of):
    return owned(qs, as_of=as_of, person="applicant_id")


def _plan_follow_up_date_passed(*, as_of, params):
    # The date the plan is next to be followed up: set by the last follow-up made by the run date,
    # else by the plan (DOMAIN.md 2.4, 2.7: a follow-up recorded after the run date had not happened
    # on it; rule 1 and the plan in force are limited the same way).
    next_date = FollowUp.objects.filter(plan_id=OuterRef("pk"), followed_up_on__lte=as_of).order_by(
        "-followed_up_on", "-pk"
    )
    qs = (
        _current(as_of)
        .annotate(due_on=Coalesce(Subquery(next_date.values("next_follow_up_on")[:1]), F("latest_follow_up_on")))
        .filter(due_on__lt=past_limit(as_of, params))
    )
    return _plan_people(qs, as_of)


PLAN_FOLLOW_UP_DATE = register(
    FunctionRule(
        code="r02_plan_follow_up_date_passed",
        # DOMAIN.md 2.4 and 3 (004:531-537: the plan says when it is to be followed up at the latest).
        title="Planens datum för uppföljning har passerat utan uppföljning",
        source=sources.audit("3.4.2"),
        description=(
            "En gällande genomförandeplan vars uppföljningsdatum (planens eget, eller det som "
            "senaste uppföljningen satte) har passerat utan att planen följts upp."
        ),
        what_to_do="Följ upp planen med personen och registrera uppföljningen med datum för nästa uppföljning.",
        closes_when="När planen följs upp med ett nytt datum för nästa uppföljning, eller en ny plan ersätter den.",
        severity=Severity.HIGH,
        subject_model="planning.ImplementationPlan",
        reads=("planning.implementationplan", "planning.followup"),
        params=(grace_days(sources.audit("3.4.2")),),
        facts=("due_on", "latest_follow_up_on"),
        find=_plan_follow_up_date_passed,
        examine=lambda *, as_of, params: _current(as_of),
    )
)


def _still_active(as_of):
    """The person still has a coordinator or an active participation."""
    return has_open_assignment("applicant_id", as_of) | Exists(
        _active_participations(as_of).filter(applicant_id=OuterRef("applicant_id"))
    )


def _latest_signed_plans(as_of):
    # A newer version counts once it is made (DOMAIN.md 2.4), as in planning.selectors.current_plans:
    # one signed but made after the run date leaves the person without a plan in force on it.
    newer = ImplementationPlan.objects.filter(supersedes_id=OuterRef("pk"), status=PlanStatus.SIGNED, made_on__lte=as_of)
    return ImplementationPlan.objects.filter(status=PlanStatus.SIGNED, made_on__lte=as_of).exclude(Exists(newer))


def _plan_expired(*, as_of, params):
    qs = _latest_signed_plans(as_of).filter(valid_until__lt=past_limit(as_of, params)).filter(_still_active(as_of))
    return _plan_people(qs, as_of)


PLAN_EXPIRED = register(
    FunctionRule(
        code="r03_plan_expired",
        # DOMAIN.md 2.4 and 3 (004:524-527: a plan holds for 6 months, then a new plan).
        title="Genomförandeplanen har passerat sin giltighetstid och ingen ny plan finns",
        source=sources.audit("3.4.2"),
        description=(
            "Personens senaste fastställda plan gällde till ett datum som passerat, ingen ny version "
            "är fastställd, och personen har fortfarande koordinator eller pågående deltagande."
        ),
        what_to_do="Gör en ny genomförandeplan tillsammans med personen och fastställ den.",
        closes_when="När en ny plan fastställs, eller personen inte längre har koordinator eller pågående deltagande.",
        severity=Severity.HIGH,
        subject_model="planning.ImplementationPlan",
        reads=("planning.implementationplan", "cases.coordinatorassignment", "insatser.participation"),
        params=(grace_days(sources.audit("3.4.2")),),
        facts=("valid_until", "made_on"),
        find=_plan_expired,
        examine=lambda *, as_of, params: _latest_signed_plans(as_of),
    )
)

QUALITY_FACTS = tuple(f"qc_{code}" for code in CHECKPOINT_CODES)


def _plan_quality_failing(*, as_of, params):
    required = planning_norms.required_checkpoints()
    failing = Q()
    for code in sorted(required):
        failing |= Q(**{f"qc_{code}": False})
    qs = annotate_quality(_current(as_of), on=as_of).filter(failing)
    return _plan_people(qs, as_of)


PLAN_QUALITY = register(
    FunctionRule(
        code="r05_plan_quality",
        # DOMAIN.md 4 (004:864-933: the auditors' checkpoints) and 2.4 (004:527-537). The
        # checkpoints are planning.quality's; which are required is planning.norms.
        title="Fastställd plan uppfyller inte en obligatorisk kvalitetspunkt",
        source=sources.audit("3.4.2", "3.4.4.1", appendix="B"),
        description=(
            "En gällande plan som inte klarar en av de kontrollpunkter för planer som kommunen har gjort "
            "obligatoriska (samma punkter som planens checklista visar)."
        ),
        what_to_do="Öppna planens checklista, komplettera planen med det som saknas och fastställ en ny version.",
        closes_when="När den gällande planen klarar alla obligatoriska kontrollpunkter.",
        severity=Severity.MEDIUM,
        subject_model="planning.ImplementationPlan",
        reads=("planning.implementationplan", "planning.followup"),
        facts=QUALITY_FACTS,
        find=_plan_quality_failing,
        examine=lambda *, as_of, params: _current(as_of),
    )
)
