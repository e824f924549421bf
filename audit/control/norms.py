"""The egenkontroll norms that a municipality may set, in one place. Override in settings:

    AUDIT_CONTROL_NORMS = {"CONTROL_OWNER_UNIT": "kvalitet"}

Read at call time (never copied into module constants elsewhere), so a changed setting applies at once.
"""

from __future__ import annotations

from django.conf import settings

DEFAULTS: dict[str, object] = {
    # Every finding has someone who must act on it (DOMAIN.md 4; 004:89-90, 652-657). The
    # ownership chain (audit/control/rules/ownership.py) ends with the manager of the unit that
    # registered the person; a finding the chain still cannot place goes to the manager of this
    # unit (its code), the municipality's owner of the egenkontroll. None: no such unit, and
    # such a finding stays with its unit and is shown as having no responsible person.
    "CONTROL_OWNER_UNIT": None,
}


def norm(name: str):
    overrides = getattr(settings, "AUDIT_CONTROL_NORMS", None) or {}
    if name not in DEFAULTS:
        raise KeyError(f"Okänd norm: {name}")
    return overrides.get(name, DEFAULTS[name])
