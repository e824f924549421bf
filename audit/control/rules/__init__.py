"""Egenkontroll rules, one module per rule family. Importing this package registers them all."""

from audit.control.rules import access_log, actions, cases, insatser, planning  # noqa: F401
from audit.control.rules.base import REGISTRY, RuleDefinition

__all__ = ["REGISTRY", "RuleDefinition", "get"]


def get(code: str) -> RuleDefinition:
    return REGISTRY[code]
