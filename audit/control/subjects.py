"""What caused a flag, as links a user can follow: the plan, the participation, the person.

A flag names its subject by type and id (the rule's subject model). The flag page shows the
object with a link to where it is handled; one query for the object at most (a page about one flag).
"""

from __future__ import annotations

from dataclasses import dataclass

from django.urls import reverse


@dataclass(frozen=True)
class Cause:
    label: str
    url: str = ""


def _person_url(flag, anchor: str = "") -> str:
    return reverse("person", args=[flag.person_id]) + anchor if flag.person_id else ""


def _plan(flag):
    from planning.models import ImplementationPlan

    plan = ImplementationPlan.objects.filter(pk=flag.subject_id).first()
    if plan is None:
        return []
    return [Cause(f"Genomförandeplanen, version {plan.version}", reverse("plan_detail", args=[plan.pk]))]


def _follow_up(flag):
    from planning.selectors import current_plans

    plan = current_plans().filter(applicant_id=flag.subject_id).order_by("-version").first()
    if plan is None:
        return [Cause("Personens deltagande (ingen gällande plan)", _person_url(flag, "#deltagande-rubrik"))]
    return [Cause(f"Genomförandeplanen, version {plan.version}: registrera en uppföljning",
                  reverse("follow_up_new", args=[plan.pk]))]


def _participation(flag, pk_field="pk"):
    from insatser.models import Participation

    p = Participation.objects.filter(**{pk_field: flag.subject_id}).select_related("insats").first()
    if p is None:
        return []
    return [Cause(f"Deltagandet i {p.insats.name}, beslutsperioden slutar {p.decision_period_end:%Y-%m-%d}",
                  _person_url(flag, "#deltagande-rubrik"))]


def _referral(flag):
    from insatser.models import Referral

    r = Referral.objects.filter(pk=flag.subject_id).select_related("insats").first()
    return [Cause(f"Anvisningen till {r.insats.name}", _person_url(flag, "#deltagande-rubrik"))] if r else []


def _exemption(flag):
    from insatser.models import Exemption

    e = Exemption.objects.filter(pk=flag.subject_id).first()
    if e is None:
        return []
    return [Cause(f"Avsteget från heltidsaktivering, omprövas senast {e.review_on:%Y-%m-%d}",
                  reverse("exemption_new", args=[flag.person_id]) if flag.person_id else "")]


def _action(flag):
    flag_id = (flag.facts or {}).get("flag_id")
    return [Cause("Åtgärden på den ursprungliga flaggan", reverse("flag-detail", args=[flag_id]) if flag_id else "")]


CAUSES = {
    "planning.implementationplan": _plan,
    "cases.applicant": lambda f: _follow_up(f) if f.rule.code.startswith("r01") else [
        Cause("Personens deltagande och närvaro", _person_url(f, "#deltagande-rubrik"))],
    "insatser.participation": _participation,
    "insatser.participationclosing": lambda f: _participation(f, "closing__pk"),
    "insatser.referral": _referral,
    "insatser.exemption": _exemption,
    "cases.case": lambda f: [Cause("Personens ärende", _person_url(f))],
    "cases.decision": lambda f: [Cause("Beslutet om ekonomiskt bistånd (hanteras i verksamhetssystemet)")],
    "audit.correctiveaction": _action,
    "audit.accesslogentry": lambda f: [Cause("Åtkomstloggen (läsningar av personuppgifter)")],
    "audit.chainverification": lambda f: [Cause("Åtkomstloggens kontroll")],
}


def causes(flag) -> list[Cause]:
    """The objects behind the flag, with a link where one exists."""
    find = CAUSES.get(flag.subject_type)
    return find(flag) if find else []
