"""The personakt for gallring: which rows of every app make up the files of some households and
persons, when their last entry was made, and in which order they can be removed.

The file of a person is everything recorded about them directly (plans, kartläggning, referrals,
participations, exemptions ...) and everything about the households they have been a member of
(cases, monthly applications, calculations, decisions and their execution, support barriers ...),
DOMAIN.md 7 and 8. The egenkontroll's own rows about them (flags, sample items, their answers and
corrective actions) and the import provenance of their rows go with the file, but are not entries
in it: a nightly rule run touching a flag must not keep a file alive.

`rows(households, persons)` gives one queryset per kind; `deletion_order()` sorts the kinds so
that a row goes before every row it points to (a topological sort of the foreign keys, plus the
generic references, which must be resolved while their subjects still exist).
`test_every_model_that_points_into_the_file_is_in_it` (tests/audit) fails when a new model
points at a person, household or case and is not listed here.
"""

from __future__ import annotations

from collections.abc import Iterable
from functools import reduce
from graphlib import TopologicalSorter
from operator import or_

from django.apps import apps
from django.contrib.contenttypes.models import ContentType
from django.db.models import Q, QuerySet

# kind -> (lookup to the household's pk, lookup to the person's pk); None where there is no path.
# A row is in the file when either path leads into it.
PATHS: dict[str, tuple[str | None, str | None]] = {
    "cases.applicant": (None, "pk"),
    "cases.household": ("pk", None),
    "cases.householdmember": ("household", "applicant"),
    "cases.case": ("household", None),
    "cases.casesupportbarrier": ("case__household", "applicant"),
    "cases.coordinatorassignment": ("case__household", "applicant"),
    "cases.application": ("case__household", None),
    "cases.applicationmember": ("application__case__household", None),
    "cases.applicationincome": ("application__case__household", None),
    "cases.applicationcost": ("application__case__household", None),
    "cases.calculation": ("application__case__household", None),
    "cases.calculationline": ("calculation__application__case__household", None),
    "cases.decision": ("application__case__household", None),
    "cases.decisionexecutionevent": ("decision__application__case__household", None),
    "cases.journalentry": ("case__household", "applicant"),
    "cases.communication": ("application__case__household", None),
    "cases.decisionletter": ("decision__application__case__household", None),
    "cases.decisiondelivery": ("decision__application__case__household", None),
    "cases.casetransfer": ("case__household", None),
    "cases.replacedreservenumber": (None, "applicant"),
    "cases.correctedidentitynumber": (None, "applicant"),
    "cases.attachment": ("case__household", None),
    # Payments (issue 14): the orders and returns are the file's; a batch holds only its day, count
    # and total, so it stays when the orders it sent are removed.
    "cases.paymentorder": ("decision__application__case__household", None),
    "cases.paymentreturn": ("order__decision__application__case__household", None),
    "planning.assessment": (None, "applicant"),
    "planning.implementationplan": ("case__household", "applicant"),
    "planning.subgoal": (None, "plan__applicant"),
    "planning.planactivity": (None, "plan__applicant"),
    "planning.followup": (None, "plan__applicant"),
    "planning.subgoalprogress": (None, "follow_up__plan__applicant"),
    "planning.bipassessment": (None, "applicant"),
    "planning.bipanswer": (None, "assessment__applicant"),
    "insatser.insatsdecision": ("case__household", "applicant"),
    "insatser.referral": (None, "applicant"),
    "insatser.participation": (None, "applicant"),
    "insatser.participationextension": (None, "participation__applicant"),
    "insatser.weeklyattendance": (None, "participation__applicant"),
    "insatser.participationclosing": (None, "participation__applicant"),
    "insatser.exemption": (None, "applicant"),
    "audit.retentionhold": (None, "person"),
    "audit.controlsampleitem": ("case__household", "person"),
}

# Rows about the file that are not entries in it (see the module docstring).
NOT_ENTRIES = frozenset({"audit.retentionhold", "audit.controlsampleitem", "audit.checklistanswer",
                         "audit.flag", "audit.flagtransition", "audit.correctiveaction", "audit.importedrecord"})
# The egenkontroll's and the import's rows that follow the file's rows (built in `rows`).
FOLLOWERS = ("audit.checklistanswer", "audit.flag", "audit.flagtransition", "audit.correctiveaction",
             "audit.importedrecord")
# Rows that link a person to a household other than by membership: both belong to one purge unit.
LINKS = tuple(label for label, (household, person) in PATHS.items() if household and person and household != "pk")


def model(label: str):
    return apps.get_model(label)


def kinds() -> tuple[str, ...]:
    return (*PATHS, *FOLLOWERS)


def _in(path: str | None, ids: list[int]) -> Q | None:
    return None if path is None or not ids else Q(**{f"{path}__in": ids})


def file_rows(label: str, households: list[int], persons: list[int]) -> QuerySet:
    household, person = PATHS[label]
    conditions = [q for q in (_in(household, households), _in(person, persons)) if q is not None]
    if not conditions:
        return model(label).objects.none()
    return model(label).objects.filter(reduce(or_, conditions))


def _generic(labels_in_use: Iterable[str], type_field: str, id_field: str, households, persons, key) -> Q:
    """Rows naming a file row by (type, id): one subquery per type in use, in one query."""
    conditions = [
        Q(**{type_field: key(label), f"{id_field}__in": file_rows(label, households, persons).values("pk")})
        for label in labels_in_use if label in PATHS
    ]
    return reduce(or_, conditions, Q(pk__in=[]))


def rows(households: Iterable[int], persons: Iterable[int]) -> dict[str, QuerySet]:
    """Every kind's rows in the files of these households and persons (each a lazy queryset)."""
    households, persons = sorted(set(households)), sorted(set(persons))
    found = {label: file_rows(label, households, persons) for label in PATHS}
    Flag, ImportedRecord = model("audit.flag"), model("audit.importedrecord")
    flag_types = Flag.objects.values_list("subject_type", flat=True).distinct().order_by()
    flags = Flag.objects.filter(
        Q(person__in=persons) | _generic(flag_types, "subject_type", "subject_id", households, persons, str)
    )
    found["audit.flag"] = flags
    found["audit.flagtransition"] = model("audit.flagtransition").objects.filter(flag__in=flags.values("pk"))
    answers = model("audit.checklistanswer").objects.filter(item__in=found["audit.controlsampleitem"].values("pk"))
    found["audit.checklistanswer"] = answers
    found["audit.correctiveaction"] = model("audit.correctiveaction").objects.filter(
        Q(flag__in=flags.values("pk")) | Q(sample_answer__in=answers.values("pk"))
    )
    types = ContentType.objects.filter(
        pk__in=ImportedRecord.objects.values("content_type").distinct().order_by()
    )
    labels = {f"{ct.app_label}.{ct.model}": ct.pk for ct in types}
    found["audit.importedrecord"] = ImportedRecord.objects.filter(
        _generic(labels, "content_type", "object_id", households, persons, labels.get)
    )
    return found


def deletion_order() -> list[str]:
    """The kinds, each before the kinds it points to; the generic followers before everything."""
    graph: dict[str, set[str]] = {label: set() for label in kinds()}
    for label in kinds():
        for field in model(label)._meta.concrete_fields:
            target = field.related_model._meta.label_lower if field.is_relation and field.related_model else None
            if target in graph and target != label:
                graph[target].add(label)  # the pointing row goes first
    for follower in ("audit.flag", "audit.importedrecord"):
        for label in PATHS:
            graph[label].add(follower)
    return list(TopologicalSorter(graph).static_order())
