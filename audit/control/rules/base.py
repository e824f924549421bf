"""What a rule is: a named, documented, set-based query over one kind of subject.

A rule never loops over persons in Python. `findings()` returns a QuerySet of the subject model
(plans, participations, decisions ...) with the flag's person, the ownership candidates
(audit.control.rules.ownership.owned) and facts annotated; the engine slices it by primary-key range
and, inside the database, picks each finding's owner (ownership.owner_sql) and writes the flags.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

from django.apps import apps
from django.db.models import Q, QuerySet

from audit.control.models import Schedule, Severity

# Annotation every rule's findings() must provide (besides its facts and the ownership
# candidates, both added by audit.control.rules.ownership.owned).
PERSON = "flag_person"


@dataclass(frozen=True)
class Param:
    """A configurable limit with its default from DOMAIN.md and the range an administrator may set.

    `source` is what users read: the audit or the law cited (audit.sources), never DOMAIN.md.

    `default` is a number, or a function reading it from the app's norms module (planning.norms,
    insatser.norms), so a norm has one default and a settings override of it applies here too.
    """

    key: str
    label: str
    default: int | Callable[[], int]
    min_value: int
    max_value: int
    unit: str
    source: str

    def default_value(self) -> int:
        return int(self.default()) if callable(self.default) else self.default


@dataclass(frozen=True)
class RuleDefinition:
    """A rule and everything users read about it, in one place.

    `title`, `description`, `what_to_do`, `closes_when` and `source` are shown on the worklist,
    the flag page, the person page and report 6, in plain Swedish. `source` cites the audit or
    the law as they are cited (audit.sources); DOMAIN.md and line references belong in a comment
    beside the rule. `code` is for the program and is never shown.
    """

    code: str
    title: str
    source: str
    description: str
    severity: int
    subject_model: str  # "app_label.ModelName"
    params: tuple[Param, ...] = ()
    facts: tuple[str, ...] = ()
    schedule: str = Schedule.NIGHTLY
    # The rule's own links of the ownership chain, tried before the standard chain
    # (audit/control/rules/ownership.py): OwnerBasis values whose staff id findings() annotates.
    owners: tuple[str, ...] = ()
    # What the responsible person does about a flag, and what closes it (the flag page says both).
    what_to_do: str = ""
    closes_when: str = ""

    # The facts the rule reads, as the models whose saved changes can change its result
    # ("app_label.model", as change events name them). A change to one re-checks the rule for the
    # persons and objects it concerns, right after the commit (audit/control/reevaluation.py).
    reads: tuple[str, ...] = ()
    # The path from the subject to the person it concerns (to find a person's subjects).
    subject_person: str = "applicant"

    @property
    def subject_type(self) -> str:
        return self.subject_model.lower()

    def model(self):
        return apps.get_model(self.subject_model)

    def population(self, *, as_of: datetime.date, params: Mapping[str, int]) -> QuerySet:
        """The subjects the rule examines (counted in the run); by default every subject row."""
        return self.model().objects.all()

    def findings(self, *, as_of: datetime.date, params: Mapping[str, int]) -> QuerySet:
        raise NotImplementedError

    def chunk_findings(self, *, as_of: datetime.date, params: Mapping[str, int], scope: Callable[[str], Q]) -> QuerySet:
        """The findings of one chunk: `scope(path)` is the chunk as a condition on a field path
        that holds the subject's id. By default the findings filtered on their own id; a rule whose
        query reads its subjects in a subquery the planner cannot narrow passes the chunk in."""
        return self.findings(as_of=as_of, params=params).filter(scope("pk"))


@dataclass(frozen=True)
class FunctionRule(RuleDefinition):
    """A rule whose queries are plain functions (keeps each rule module declarative)."""

    find: object = field(default=None, repr=False)
    examine: object = field(default=None, repr=False)
    # find(as_of=, params=, scope=) for one chunk, when the chunk must reach inside the query.
    find_chunk: object = field(default=None, repr=False)

    def population(self, *, as_of, params):
        if self.examine is None:
            return super().population(as_of=as_of, params=params)
        return self.examine(as_of=as_of, params=params)

    def findings(self, *, as_of, params):
        return self.find(as_of=as_of, params=params)

    def chunk_findings(self, *, as_of, params, scope):
        if self.find_chunk is None:
            return super().chunk_findings(as_of=as_of, params=params, scope=scope)
        return self.find_chunk(as_of=as_of, params=params, scope=scope).filter(scope("pk"))


REGISTRY: dict[str, RuleDefinition] = {}


def register(rule: RuleDefinition) -> RuleDefinition:
    if rule.code in REGISTRY:
        raise ValueError(f"Rule {rule.code} registered twice")
    REGISTRY[rule.code] = rule
    return rule


def rules_reading(object_types) -> list[str]:
    """Codes of the rules that read any of these facts (model labels)."""
    wanted = set(object_types)
    return sorted(code for code, rule in REGISTRY.items() if wanted & set(rule.reads))


__all__ = ["PERSON", "Param", "FunctionRule", "RuleDefinition", "REGISTRY", "register", "rules_reading", "Severity"]
