"""Every write to planning data. Keyword-only, validated, atomic, audited in the same transaction.

Only a coordinator writes here, and only for persons assigned to them (cases.selectors scoping).
"""

from __future__ import annotations

import datetime
from collections.abc import Sequence

from django.db import transaction
from django.db.models import Exists, Max, OuterRef
from django.utils import timezone

from audit.recording.log import record_change, snapshot
from audit.recording.webhook_models import EventType
from audit.recording.webhooks import event_emit
from cases.models import Applicant, Case, CaseStatus, HouseholdMember, Role, Staff
from cases.permissions import require_role
from cases.selectors import applicants_for, cases_for, open_assignments
from config.errors import Conflict, FieldErrors
from config.errors import field_error as _error

from . import norms, plan_input, quality
from .models import (
    Assessment,
    BipAnswer,
    BipAssessment,
    BipInstrument,
    CheckpointPolicy,
    FollowUp,
    ImplementationPlan,
    PlanActivity,
    PlanStatus,
    SigningRule,
    Subgoal,
    SubgoalProgress,
)

COORDINATORS = {Role.COORDINATOR}
ASSESSMENT_FIELDS = (
    "applicant", "assessed_on", "work_experience", "education", "language", "health", "housing", "family", "other",
)
ASSESSMENT_AREAS = ASSESSMENT_FIELDS[2:]
PLAN_EDITABLE = (
    "areas_to_maintain",
    "areas_to_change",
    "long_term_goal",
    "participants",
    "participation_recorded",
    "person_views",
    "made_on",
    "latest_follow_up_on",
    "follow_up_method",
    "assessment",
)
PLAN_FIELDS = ("applicant", "case", "version", "supersedes", "status", "valid_until", "signed_by", *PLAN_EDITABLE)
FOLLOW_UP_FIELDS = (
    "plan", "followed_up_on", "method", "participants", "follows_plan", "plan_deviation", "notes", "next_follow_up_on",
)


def _today() -> datetime.date:
    return timezone.localdate()


def _my_person(actor: Staff, applicant: Applicant | int, field: str = "applicant") -> Applicant:
    applicant_id = getattr(applicant, "pk", applicant)
    person = applicants_for(actor).filter(pk=applicant_id).first()
    if person is None:
        raise _error(field, "Personen finns inte eller ligger utanför din behörighet.", "not_found")
    return person


def _not_future(value: datetime.date | None, field: str) -> None:
    if value is None:
        raise _error(field, "Ange datum.", "required")
    if value > _today():
        raise _error(field, "Datumet får inte ligga i framtiden.", "in_future")


def _date_not_future(value: datetime.date | None, field: str, errors: FieldErrors) -> None:
    if value is None:
        errors.add(field, "Ange datum.", "required")
    elif value > _today():
        errors.add(field, "Datumet får inte ligga i framtiden.", "in_future")


# --- kartläggning


@transaction.atomic
def assessment_create(*, actor: Staff, applicant: Applicant | int, assessed_on: datetime.date | None,
                      check_only: bool = False, **areas) -> Assessment | None:
    """Record a kartläggning. `check_only`: report every problem, write nothing (the form asks so
    when one of its fields could not be read, to show all errors at once)."""
    require_role(actor, COORDINATORS, doing="göra kartläggningar")
    person = _my_person(actor, applicant)
    unknown = set(areas) - set(ASSESSMENT_AREAS)
    if unknown:
        raise _error(sorted(unknown)[0], "Okänt område.", "unknown_field")
    errors = FieldErrors()
    _date_not_future(assessed_on, "assessed_on", errors)
    if not any((v or "").strip() for v in areas.values()):
        errors.add("work_experience", "Kartläggningen måste beskriva minst ett område.", "required")
    assessment = Assessment(applicant=person, assessed_on=assessed_on, made_by=actor,
                            **{k: (v or "").strip() for k, v in areas.items()})
    errors.clean(assessment)
    errors.raise_if_any()
    if check_only:
        return None
    assessment.save()
    record_change(actor=actor, action="assessment.create", instance=assessment, person_ids=[person.pk],
                  after=snapshot(assessment, ASSESSMENT_FIELDS))
    return assessment


# --- genomförandeplan


def person_open_cases(actor: Staff, person: Applicant):
    """The person's open cases (not closed, the person a member of the household) that `actor`
    sees, the ones where `actor` holds an open coordinator assignment for the person first, then
    the most recently opened. The first is the case a new plan is made in."""
    mine = open_assignments().filter(case_id=OuterRef("pk"), applicant_id=person.pk, coordinator=actor)
    member = HouseholdMember.objects.filter(household_id=OuterRef("household_id"), applicant_id=person.pk)
    return (
        cases_for(actor).exclude(status=CaseStatus.CLOSED).filter(Exists(member))
        .annotate(is_mine=Exists(mine)).order_by("-is_mine", "-opened_on", "-pk")
    )


def _plan_case(actor: Staff, person: Applicant, case: Case | int | None) -> Case:
    """The case a new plan belongs to: the one given (it must be one of the person's open cases
    in the actor's scope), else the person's open case (person_open_cases)."""
    cases = person_open_cases(actor, person)
    if case is not None:
        found = cases.filter(pk=getattr(case, "pk", case)).first()
        if found is None:
            raise _error("case", "Ärendet finns inte, är avslutat eller gäller inte personen.", "not_found")
        return found
    found = cases.first()
    if found is None:
        raise _error("case", "Personen har inget öppet ärende att upprätta planen i.", "no_open_case")
    return found


def _case_open(plan: ImplementationPlan) -> None:
    """A plan whose case is closed is kept as it was: readable, never changed."""
    if plan.case_id and Case.objects.filter(pk=plan.case_id, status=CaseStatus.CLOSED).exists():
        raise Conflict("Ärendet som planen hör till är avslutat; planen kan bara läsas.", code="case_closed",
                       field="case")


def _write_rows(plan: ImplementationPlan, judged: plan_input.Judgement) -> None:
    """Replace the plan's sub-goals and activities with the judged (valid) rows."""
    plan.subgoals.all().delete()
    plan.activities.all().delete()
    Subgoal.objects.bulk_create(judged.subgoals)
    PlanActivity.objects.bulk_create(judged.activities)


def _children_snapshot(plan: ImplementationPlan) -> dict:
    return {
        "subgoals": [[s.description, s.measure, s.target, s.target_date.isoformat()] for s in plan.subgoals.all()],
        "activities": [[a.description, a.how, a.responsible, a.partners] for a in plan.activities.all()],
    }


@transaction.atomic
def plan_create(
    *,
    actor: Staff,
    applicant: Applicant | int,
    made_on: datetime.date,
    subgoals: Sequence[dict] = (),
    activities: Sequence[dict] = (),
    case: Case | int | None = None,
    **fields,
) -> ImplementationPlan:
    """Draft a plan in `case` (default: the person's open case, person_open_cases). When the person
    has a signed plan, the draft is its next version."""
    require_role(actor, COORDINATORS, doing="upprätta genomförandeplaner")
    person = _my_person(actor, applicant)
    unknown = set(fields) - set(PLAN_EDITABLE)
    if unknown:
        raise _error(sorted(unknown)[0], "Fältet kan inte anges.", "unknown_field")
    plan_case = _plan_case(actor, person, case)
    Applicant.objects.select_for_update().filter(pk=person.pk).first()  # serialise versions per person
    if ImplementationPlan.objects.filter(applicant=person, status=PlanStatus.DRAFT).exists():
        raise Conflict("Det finns redan ett utkast till genomförandeplan för personen.", code="draft_exists",
                       field="applicant")
    previous = ImplementationPlan.objects.filter(applicant=person, status=PlanStatus.SIGNED).order_by("-version").first()
    top = ImplementationPlan.objects.filter(applicant=person).aggregate(v=Max("version"))["v"] or 0
    plan = ImplementationPlan(applicant=person, case=plan_case, made_on=made_on, version=top + 1,
                              supersedes=previous, status=PlanStatus.DRAFT, created_by=actor, **fields)
    judged = plan_input.judge(plan, fields={}, subgoals=plan_input.rows_of(subgoals),
                              activities=plan_input.rows_of(activities))
    judged.errors.raise_if_any()
    plan.save()
    _write_rows(plan, judged)
    record_change(actor=actor, action="plan.create", instance=plan, person_ids=[person.pk],
                  after={**snapshot(plan, PLAN_FIELDS), **_children_snapshot(plan)})
    return plan


def _locked_draft(actor: Staff, plan: ImplementationPlan) -> ImplementationPlan:
    _my_person(actor, plan.applicant_id)
    plan = ImplementationPlan.objects.select_for_update().get(pk=plan.pk)
    if plan.status != PlanStatus.DRAFT:
        raise Conflict("Planen är fastställd och kan inte ändras. Upprätta en ny version i stället.",
                       code="plan_signed", field="status")
    _case_open(plan)
    return plan


@transaction.atomic
def plan_update(
    *,
    actor: Staff,
    plan: ImplementationPlan,
    subgoals: Sequence[dict] | None = None,
    activities: Sequence[dict] | None = None,
    **changes,
) -> ImplementationPlan:
    """Change a draft. Lists given replace the plan's sub-goals / activities; a signed plan is refused."""
    require_role(actor, COORDINATORS, doing="ändra genomförandeplaner")
    plan = _locked_draft(actor, plan)
    unknown = set(changes) - set(PLAN_EDITABLE)
    if unknown:
        raise _error(sorted(unknown)[0], "Fältet kan inte ändras.", "read_only")
    before = {**snapshot(plan, PLAN_EDITABLE), **_children_snapshot(plan)}
    rows = {"subgoals": subgoals, "activities": activities}
    if subgoals is not None or activities is not None:
        rows["subgoals"] = _stored_subgoals(plan) if subgoals is None else subgoals
        rows["activities"] = _stored_activities(plan) if activities is None else activities
    judged = plan_input.judge(plan, fields=changes, subgoals=_rows(rows["subgoals"]),
                              activities=_rows(rows["activities"]))
    judged.errors.raise_if_any()
    # What the editor kept as typed for the fields and rows now replaced is no longer what stands.
    given = {k for k, v in (("subgoals", subgoals), ("activities", activities)) if v is not None}
    draft = {k: v for k, v in plan.draft_input.items() if k not in given}
    if "plan" in draft:
        draft["plan"] = {k: v for k, v in draft["plan"].items() if k not in changes}
    plan.draft_input = {k: v for k, v in draft.items() if v}
    plan.save(update_fields=[*changes, "draft_input", "updated_at"])
    if rows["subgoals"] is not None:
        _write_rows(plan, judged)
    record_change(actor=actor, action="plan.update", instance=plan, person_ids=[plan.applicant_id],
                  before=before, after={**snapshot(plan, PLAN_EDITABLE), **_children_snapshot(plan)})
    return plan


def _rows(specs):
    return None if specs is None else plan_input.rows_of(specs)


def _stored_subgoals(plan: ImplementationPlan) -> list[dict]:
    return [{"description": s.description, "measure": s.measure, "target": s.target, "target_date": s.target_date}
            for s in plan.subgoals.all()]


def _stored_activities(plan: ImplementationPlan) -> list[dict]:
    return [{"description": a.description, "how": a.how, "responsible": a.responsible, "partners": a.partners,
             "starts_on": a.starts_on, "ends_on": a.ends_on} for a in plan.activities.all()]


@transaction.atomic
def plan_draft_save(
    *,
    actor: Staff,
    plan: ImplementationPlan,
    fields: dict,
    typed: dict,
    subgoals: Sequence[plan_input.Row],
    activities: Sequence[plan_input.Row],
) -> tuple[ImplementationPlan, dict]:
    """Save the plan editor as typed, valid or not (issue 13): what is valid goes to the plan's
    columns and rows; a field or row with a problem is kept as typed in `draft_input`, to be
    shown marked and corrected. Only signing needs everything valid (plan_sign). Returns the plan
    and the problems, keyed as plan_input.judge says. A signed plan or a closed case is refused."""
    require_role(actor, COORDINATORS, doing="ändra genomförandeplaner")
    plan = _locked_draft(actor, plan)
    unknown = set(fields) - set(plan_input.PLAN_TYPED_FIELDS)
    if unknown:
        raise _error(sorted(unknown)[0], "Fältet kan inte ändras.", "read_only")
    before = {**snapshot(plan, (*PLAN_EDITABLE, "draft_input")), **_children_snapshot(plan)}
    judged = plan_input.judge(plan, fields=fields, typed=typed, subgoals=list(subgoals), activities=list(activities))
    plan.draft_input = judged.draft_input
    plan.save(update_fields=[*plan_input.PLAN_TYPED_FIELDS, "draft_input", "updated_at"])
    _write_rows(plan, judged)
    record_change(actor=actor, action="plan.update", instance=plan, person_ids=[plan.applicant_id], before=before,
                  after={**snapshot(plan, (*PLAN_EDITABLE, "draft_input")), **_children_snapshot(plan)})
    return plan, judged.errors.errors


def plan_draft_problems(*, plan: ImplementationPlan, fields: dict, typed: dict,
                        subgoals: Sequence[plan_input.Row], activities: Sequence[plan_input.Row]) -> dict:
    """The problems plan_draft_save would report for this input, without writing (the editor
    shows them again when a draft with kept input is opened). Judges a copy: `plan` is unchanged."""
    copy = ImplementationPlan.objects.get(pk=plan.pk)
    return plan_input.judge(copy, fields=fields, typed=typed, subgoals=list(subgoals),
                            activities=list(activities)).errors.errors


@transaction.atomic
def plan_sign(*, actor: Staff, plan: ImplementationPlan) -> ImplementationPlan:
    """Fix the plan. Refused, listing each missing item, if a required checkpoint fails."""
    require_role(actor, COORDINATORS, doing="fastställa genomförandeplaner")
    plan = _locked_draft(actor, plan)
    blocking = quality.blocking_checkpoints()
    judged = quality.evaluate(plan)
    errors = FieldErrors()
    if plan.draft_input:
        # A signed plan is valid throughout (plan_signed_has_no_invalid_input): what waits as typed
        # with an error in the draft must be corrected first.
        errors.add("draft_input", "Planen har uppgifter med fel. Rätta dem innan planen fastställs.", "draft_invalid")
    for a in judged.missing(blocking):
        errors.add(a.field, f"{a.question} Nej: {a.reason}", f"checkpoint_{a.code}")
    errors.raise_if_any()
    warnings = judged.warnings(blocking)
    before = snapshot(plan, ("status", "valid_until", "signed_by"))
    plan.status = PlanStatus.SIGNED
    plan.signed_at = timezone.now()
    plan.signed_by = actor
    plan.valid_until = norms.plan_valid_until(plan.made_on)
    plan.full_clean(exclude=["supersedes", "created_by", "signed_by", "assessment", "case"])
    plan.save(update_fields=["status", "signed_at", "signed_by", "valid_until", "updated_at"])
    record_change(actor=actor, action="plan.sign", instance=plan, person_ids=[plan.applicant_id],
                  before=before, after={**snapshot(plan, ("status", "valid_until", "signed_by")),
                                        "warnings": [a.code for a in warnings]})
    event_emit(event_type=EventType.PLAN_SIGNED, unit_id=Case.objects.filter(pk=plan.case_id).values_list("unit_id", flat=True).first(),
               subject_type="plan", subject_id=plan.pk)
    # What the plan lacks that the municipality lets through (CheckpointPolicy "warn"): said on sign.
    plan.signing_warnings = warnings
    return plan


@transaction.atomic
def checkpoint_policy_set(*, actor: Staff, policy: CheckpointPolicy, rule: str) -> CheckpointPolicy:
    """The municipality's choice for one checkpoint: block signing, warn, or "" (the norm's default)."""
    require_role(actor, {Role.ADMINISTRATOR}, doing="ändra kontrollpunkter vid fastställande")
    if rule not in ("", *SigningRule.values):
        raise _error("rule", "Välj spärrar, varnar eller standard.", "invalid_choice")
    policy = CheckpointPolicy.objects.select_for_update().get(pk=policy.pk)
    if policy.code not in quality.CHECKPOINT_CODES:
        raise _error("code", "Okänd kontrollpunkt.", "unknown_code")
    before = snapshot(policy, ("code", "rule"))
    policy.rule = rule
    policy.save(update_fields=["rule", "updated_at"])
    record_change(actor=actor, action="checkpoint_policy.update", instance=policy, before=before,
                  after=snapshot(policy, ("code", "rule")))
    return policy


@transaction.atomic
def plan_new_version(*, actor: Staff, plan: ImplementationPlan, made_on: datetime.date | None = None) -> ImplementationPlan:
    """Start the next version as a draft copy of a signed plan; the signed plan stays as it was."""
    require_role(actor, COORDINATORS, doing="upprätta genomförandeplaner")
    if plan.status != PlanStatus.SIGNED:
        raise Conflict("Endast en fastställd plan kan få en ny version.", code="plan_not_signed", field="status")
    if ImplementationPlan.objects.filter(applicant_id=plan.applicant_id, version__gt=plan.version).exists():
        raise Conflict("Planen har redan en nyare version.", code="not_latest_version", field="version")
    return plan_create(
        actor=actor,
        applicant=plan.applicant_id,
        made_on=made_on or _today(),
        subgoals=_stored_subgoals(plan),
        activities=_stored_activities(plan),
        # The new version belongs to the person's open case now (plan_create), not the old plan's.
        **{name: getattr(plan, name) for name in PLAN_EDITABLE if name not in ("made_on", "latest_follow_up_on")},
    )


# --- uppföljning


@transaction.atomic
def follow_up_record(
    *,
    actor: Staff,
    plan: ImplementationPlan,
    followed_up_on: datetime.date | None,
    method: str,
    follows_plan: bool | None,
    participants: str = "",
    plan_deviation: str = "",
    notes: str = "",
    next_follow_up_on: datetime.date | None = None,
    progress: Sequence[dict] = (),
    check_only: bool = False,
) -> FollowUp | None:
    """Document a follow-up of a signed plan (004:558-566). Next date defaults to the interval norm.
    Every problem is reported at once; `check_only` reports them and writes nothing."""
    require_role(actor, COORDINATORS, doing="dokumentera uppföljningar")
    _my_person(actor, plan.applicant_id, field="plan")
    if plan.status != PlanStatus.SIGNED:
        raise _error("plan", "Endast en fastställd plan kan följas upp.", "plan_not_signed")
    _case_open(plan)
    errors = FieldErrors()
    _date_not_future(followed_up_on, "followed_up_on", errors)
    if "followed_up_on" not in errors and followed_up_on < plan.made_on:
        errors.add("followed_up_on", "Uppföljningen kan inte ligga före planens datum.", "before_plan")
    if follows_plan is None:
        errors.add("follows_plan", "Ange om den enskilde följer planeringen.", "required")
    plan_deviation = (plan_deviation or "").strip()
    if follows_plan is False and not plan_deviation:
        errors.add("plan_deviation", "Beskriv avvikelsen från planeringen.", "required")
    if followed_up_on is not None:
        next_follow_up_on = next_follow_up_on or norms.default_next_follow_up(followed_up_on)
        if next_follow_up_on <= followed_up_on:
            errors.add("next_follow_up_on", "Nästa uppföljning ska ligga efter denna.", "not_after")
    follow_up = FollowUp(plan=plan, followed_up_on=followed_up_on, method=method or "",
                         participants=(participants or "").strip(), follows_plan=follows_plan,
                         plan_deviation=plan_deviation, notes=(notes or "").strip(),
                         next_follow_up_on=next_follow_up_on, recorded_by=actor)
    errors.clean(follow_up)
    subgoal_ids = set(plan.subgoals.values_list("pk", flat=True))
    rows, seen = [], set()
    for i, spec in enumerate(progress):
        subgoal_id = getattr(spec.get("subgoal"), "pk", spec.get("subgoal"))
        if subgoal_id not in subgoal_ids or subgoal_id in seen:
            errors.add(f"progress[{i}].subgoal", "Delmålet finns inte i planen (eller anges två gånger).", "not_found")
            continue
        seen.add(subgoal_id)
        row = SubgoalProgress(follow_up=follow_up, subgoal_id=subgoal_id, status=spec.get("status") or "",
                              comment=(spec.get("comment") or "").strip())
        errors.clean(row, f"progress[{i}].", exclude=["follow_up", "subgoal"])
        rows.append(row)
    errors.raise_if_any()
    if check_only:
        return None
    follow_up.save()
    SubgoalProgress.objects.bulk_create(rows)
    record_change(actor=actor, action="follow_up.create", instance=follow_up, person_ids=[plan.applicant_id],
                  after={**snapshot(follow_up, FOLLOW_UP_FIELDS),
                         "progress": [[r.subgoal_id, r.status] for r in rows]})
    return follow_up


# --- BIP


@transaction.atomic
def bip_assessment_record(
    *,
    actor: Staff,
    applicant: Applicant | int,
    instrument: BipInstrument,
    assessed_on: datetime.date,
    answers: dict[str, int],
) -> BipAssessment:
    """One BIP measurement: answers by indicator code, each a value on the instrument's scale."""
    require_role(actor, COORDINATORS, doing="registrera BIP-skattningar")
    person = _my_person(actor, applicant)
    _not_future(assessed_on, "assessed_on")
    if not answers:
        raise _error("answers", "Ange minst ett svar.", "required")
    indicators = {i.code: i for i in instrument.indicators.all()}
    scale = set(instrument.scale.values_list("value", flat=True))
    for code, value in answers.items():
        if code not in indicators:
            raise _error(f"answers.{code}", "Okänd indikator i instrumentet.", "unknown_code")
        if value not in scale:
            raise _error(f"answers.{code}", f"Värdet ska vara ett av {sorted(scale)}.", "not_on_scale")
    if BipAssessment.objects.filter(applicant=person, instrument=instrument, assessed_on=assessed_on).exists():
        raise _error("assessed_on", "Det finns redan en skattning för personen detta datum.", "duplicate")
    assessment = BipAssessment.objects.create(applicant=person, instrument=instrument, assessed_on=assessed_on,
                                              recorded_by=actor)
    BipAnswer.objects.bulk_create(
        [BipAnswer(assessment=assessment, indicator=indicators[c], value=v) for c, v in answers.items()]
    )
    record_change(actor=actor, action="bip_assessment.create", instance=assessment, person_ids=[person.pk],
                  after={"instrument": instrument.code, "assessed_on": assessed_on.isoformat(),
                         "answers": dict(sorted(answers.items()))})
    return assessment
