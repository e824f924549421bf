"""Bulk import of genomförandeplaner from a previous system, with sub-goals, activities and follow-ups.

An imported plan keeps its real content and dates even where it fails today's signing checks (no
sub-goals, no named responsible, no follow-up date): the auditors' sample held such plans, and the
control must count them as they are (DOMAIN.md 4). A plan fixed in the previous system is imported
as signed on its date, without the checkpoint check of plan_sign; it is then measured like any
other plan. Structure is still checked: a sub-goal has what is measured and its target, dates are
not backwards, partners and follow-up methods are known codes, the case is the person's.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence

from django.db import transaction
from django.db.models import Max

from audit.recording.log import snapshot
from cases.decision_import_services import signed_at
from cases.import_services import (
    BATCH_SIZE,
    ImportOutcome,
    Refused,
    adults_of_households,
    check_each,
    clean_row,
    code_in,
    not_backwards,
    record_imports,
    required,
    staff_by_username,
    staff_member,
)
from cases.models import Case, Staff

from . import norms
from .models import FollowUp, FollowUpMethod, ImplementationPlan, Partner, PlanActivity, PlanStatus, Subgoal
from .services import FOLLOW_UP_FIELDS, PLAN_FIELDS

PLAN_CONTENT = ("areas_to_maintain", "areas_to_change", "long_term_goal", "participants", "person_views")


def _subgoals(plan: ImplementationPlan, specs) -> list[Subgoal]:
    built = []
    for i, spec in enumerate(specs or []):
        prefix = f"subgoals[{i}]."
        for name, label in (("description", "delmålet"), ("measure", "vad som mäts"), ("target", "målvärde")):
            required(spec, name, f"Ange {label}: ett delmål ska vara mätbart.", prefix)
        target_date = required(spec, "target_date", "Ange när delmålet ska vara uppnått.", prefix)
        not_backwards(plan.made_on, target_date, f"{prefix}target_date", "Måldatumet ligger före planens datum.")
        subgoal = Subgoal(position=i, description=spec["description"].strip(), measure=spec["measure"].strip(),
                          target=spec["target"].strip(), target_date=target_date)
        clean_row(subgoal, prefix)
        built.append(subgoal)
    return built


def _activities(specs, subgoals: list[Subgoal]) -> list[PlanActivity]:
    built = []
    for i, spec in enumerate(specs or []):
        prefix = f"activities[{i}]."
        required(spec, "description", "Beskriv aktiviteten.", prefix)
        partners = list(spec.get("partners") or [])
        for partner in partners:
            code_in(partner, Partner.values, f"{prefix}partners", "samarbetspartner")
        index = spec.get("subgoal_index")
        if index is not None and not (isinstance(index, int) and 0 <= index < len(subgoals)):
            raise Refused(f"{prefix}subgoal_index", "Delmålet finns inte i planen.", "not_found")
        not_backwards(spec.get("starts_on"), spec.get("ends_on"), f"{prefix}ends_on")
        activity = PlanActivity(
            position=i, description=spec["description"].strip(), how=(spec.get("how") or "").strip(),
            responsible=(spec.get("responsible") or "").strip(), partners=partners, starts_on=spec.get("starts_on"),
            ends_on=spec.get("ends_on"), subgoal=subgoals[index] if index is not None else None,
        )
        clean_row(activity, prefix)
        built.append(activity)
    return built


def _follow_ups(plan: ImplementationPlan, specs, staff: dict, actor: Staff) -> list[FollowUp]:
    built = []
    for i, spec in enumerate(specs or []):
        prefix = f"follow_ups[{i}]."
        on = required(spec, "followed_up_on", "Ange datum för uppföljningen.", prefix)
        not_backwards(plan.made_on, on, f"{prefix}followed_up_on", "Uppföljningen ligger före planens datum.")
        method = code_in(spec.get("method") or FollowUpMethod.MEETING, FollowUpMethod.values, f"{prefix}method",
                         "uppföljningsform")
        follows = spec.get("follows_plan")
        if not isinstance(follows, bool):
            raise Refused(f"{prefix}follows_plan", "Ange om den enskilde följer planeringen (true/false).", "required")
        deviation = (spec.get("plan_deviation") or "").strip()
        if not follows and not deviation:
            raise Refused(f"{prefix}plan_deviation", "Beskriv avvikelsen från planeringen.", "required")
        next_on = spec.get("next_follow_up_on") or norms.default_next_follow_up(on)
        if next_on <= on:
            raise Refused(f"{prefix}next_follow_up_on", "Nästa uppföljning ska ligga efter denna.", "period_backwards")
        try:
            recorded_by = staff_member(spec, "recorded_by", staff, actor)
        except Refused as exc:
            raise Refused(f"{prefix}{exc.field}", exc.message, exc.code) from exc
        row = FollowUp(followed_up_on=on, method=method, participants=(spec.get("participants") or "").strip(),
                       follows_plan=follows, plan_deviation=deviation, notes=(spec.get("notes") or "").strip(),
                       next_follow_up_on=next_on, recorded_by=recorded_by)
        clean_row(row, prefix)
        built.append(row)
    return built


@transaction.atomic
def plans_import(*, actor: Staff, specs: Sequence[dict], provenance: Sequence[dict]) -> ImportOutcome:
    """Plans (`person_id`, optional `case_id`). Versions follow the person's existing plans, in file order."""
    outcome = ImportOutcome()
    person_ids = {s.get("person_id") for s in specs}
    top = dict(ImplementationPlan.objects.filter(applicant_id__in=person_ids).values("applicant_id")
               .annotate(v=Max("version")).values_list("applicant_id", "v"))
    latest_signed = {}
    for plan in (ImplementationPlan.objects.filter(applicant_id__in=person_ids, status=PlanStatus.SIGNED)
                 .only("pk", "applicant_id", "version", "made_on").order_by("applicant_id", "version")):
        latest_signed[plan.applicant_id] = plan
    drafts = set(ImplementationPlan.objects.filter(applicant_id__in=person_ids, status=PlanStatus.DRAFT)
                 .values_list("applicant_id", flat=True))
    cases = dict(Case.objects.filter(pk__in={s.get("case_id") for s in specs if s.get("case_id")})
                 .values_list("pk", "household_id"))
    adults = adults_of_households(cases.values())
    staff = staff_by_username([s.get("made_by") for s in specs]
                              + [f.get("recorded_by") for s in specs for f in s.get("follow_ups") or []])

    def check(index: int, spec: dict) -> dict:
        person_id = spec["person_id"]
        case_id = spec.get("case_id")
        if case_id is not None and person_id not in adults[cases[case_id]]:
            raise Refused("case", "Ärendet gäller inte personen.", "other_person")
        made_on = required(spec, "made_on", "Ange när planen upprättades.")
        status = code_in(spec.get("status") or PlanStatus.SIGNED, PlanStatus.values, "status", "planens status")
        not_backwards(made_on, spec.get("latest_follow_up_on"), "latest_follow_up_on",
                      "Uppföljningsdatumet ligger före planens datum.")
        previous = latest_signed.get(person_id)
        if previous is not None and made_on < previous.made_on:
            raise Refused("made_on", "En ny version kan inte vara daterad före den plan den ersätter.",
                          "before_previous")
        if person_id in drafts:
            raise Refused("status", "Personen har ett utkast till genomförandeplan; en ny version görs när det är "
                          "fastställt.", "draft_exists")
        participation = spec.get("participation_recorded")
        if participation is not None and not isinstance(participation, bool):
            raise Refused("participation_recorded", "Ange true, false eller null.", "invalid")
        made_by = staff_member(spec, "made_by", staff, actor)
        plan = ImplementationPlan(
            applicant_id=person_id, case_id=case_id, status=status, made_on=made_on, created_by=made_by,
            participation_recorded=participation, latest_follow_up_on=spec.get("latest_follow_up_on"),
            follow_up_method=code_in(spec.get("follow_up_method") or "", ["", *FollowUpMethod.values],
                                     "follow_up_method", "uppföljningsform"),
            **{name: (spec.get(name) or "").strip() for name in PLAN_CONTENT},
        )
        if status == PlanStatus.SIGNED:
            plan.valid_until = spec.get("valid_until") or norms.plan_valid_until(made_on)
            if plan.valid_until <= made_on:
                raise Refused("valid_until", "Giltighetstiden slutar före planens datum.", "period_backwards")
            plan.signed_at, plan.signed_by = signed_at(made_on), made_by
        clean_row(plan)
        subgoals = _subgoals(plan, spec.get("subgoals"))
        item = {"plan": plan, "subgoals": subgoals, "activities": _activities(spec.get("activities"), subgoals),
                "follow_ups": _follow_ups(plan, spec.get("follow_ups"), staff, actor)}
        # Accepted: this plan is now the person's latest version.
        top[person_id] = plan.version = top.get(person_id, 0) + 1
        plan.supersedes = previous
        if status == PlanStatus.SIGNED:
            latest_signed[person_id] = plan
        else:
            drafts.add(person_id)
        return item

    built = check_each(specs, outcome, check)
    _save(built)
    outcome.objects.update({i: item["plan"] for i, item in built.items()})
    record_imports(actor=actor, action="plan.import", rows=[
        (item["plan"], [item["plan"].applicant_id],
         {**snapshot(item["plan"], PLAN_FIELDS),
          "subgoals": [[s.description, s.measure, s.target, s.target_date.isoformat()] for s in item["subgoals"]],
          "activities": [[a.description, a.how, a.responsible, a.partners] for a in item["activities"]]})
        for item in built.values()
    ], provenance=[provenance[i] for i in built])
    follow_ups = [(f, i) for i, item in built.items() for f in item["follow_ups"]]
    record_imports(actor=actor, action="follow_up.import", rows=[
        (f, [f.plan.applicant_id], snapshot(f, FOLLOW_UP_FIELDS)) for f, _ in follow_ups
    ], provenance=[provenance[i] for _, i in follow_ups])
    return outcome


def _save(built: dict[int, dict]) -> None:
    """Plans in version order per person (a later version supersedes one saved before it), then children."""
    by_level: dict[int, list[ImplementationPlan]] = defaultdict(list)
    depth: dict[int, int] = {}
    for item in built.values():
        plan = item["plan"]
        parent = plan.supersedes
        level = depth.get(id(parent), -1) + 1 if parent is not None and parent.pk is None else 0
        depth[id(plan)] = level
        by_level[level].append(plan)
    for level in sorted(by_level):
        ImplementationPlan.objects.bulk_create(by_level[level], batch_size=BATCH_SIZE)
    subgoals, activities, follow_ups = [], [], []
    for item in built.values():
        for row in item["subgoals"] + item["activities"] + item["follow_ups"]:
            row.plan = item["plan"]
        subgoals += item["subgoals"]
        activities += item["activities"]
        follow_ups += item["follow_ups"]
    Subgoal.objects.bulk_create(subgoals, batch_size=BATCH_SIZE)
    PlanActivity.objects.bulk_create(activities, batch_size=BATCH_SIZE)
    FollowUp.objects.bulk_create(follow_ups, batch_size=BATCH_SIZE)
