"""Demo data for cases: units, staff in every role, households and cases.

Personnummer come from Skatteverket's test series style (valid Luhn, serials in the 9xx range
used for test numbers) and are generated from a seeded random source, so every run gives the
same municipality.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field

from cases.models import Role, Staff, Unit

DEMO_PASSWORD = "demo-losenord-2026"

UNITS = [
    ("ekonomiskt-bistand", "Ekonomiskt bistånd"),
    ("koordinator", "Koordinator"),
    ("insats-matchning", "Insats & Matchning"),
    ("intern-service", "Intern Service"),
    ("parketten", "Parketten"),
    ("vuxenutbildning", "Vuxenutbildning"),
]

# (username, first, last, role, unit code or None)
STAFF = [
    ("handlaggare", "Hanna", "Lindqvist", Role.CASEWORKER, "ekonomiskt-bistand"),
    ("handlaggare2", "Omar", "Haddad", Role.CASEWORKER, "ekonomiskt-bistand"),
    ("koordinator", "Karin", "Berg", Role.COORDINATOR, "koordinator"),
    ("koordinator2", "Ali", "Yilmaz", Role.COORDINATOR, "koordinator"),
    ("insatspersonal", "Ingrid", "Sjöberg", Role.INSATS_STAFF, "insats-matchning"),
    ("instruktor", "Peter", "Nyström", Role.INSATS_STAFF, "parketten"),
    ("chef-eb", "Eva", "Holm", Role.UNIT_MANAGER, "ekonomiskt-bistand"),
    ("chef-koordinator", "Mats", "Ek", Role.UNIT_MANAGER, "koordinator"),
    ("chef-insats", "Sara", "Wikström", Role.UNIT_MANAGER, "insats-matchning"),
    ("namnd", "Lars", "Ordförande", Role.BOARD, None),
    ("admin", "Anna", "Systemförvaltare", Role.ADMINISTRATOR, None),
]


@dataclass
class DemoContext:
    """What builders share: the seeded random source and what earlier builders made."""

    seed: int
    rng: random.Random = field(init=False)
    units: dict[str, Unit] = field(default_factory=dict)
    staff: dict[str, Staff] = field(default_factory=dict)
    extra: dict = field(default_factory=dict)

    def __post_init__(self):
        self.rng = random.Random(self.seed)


def demo_present() -> bool:
    return Staff.objects.filter(username="handlaggare").exists()


def demo_logins() -> list[tuple[str, str, str]]:
    units = dict(UNITS)
    return [(u, Role(r).label, units.get(unit, "–") if unit else "–") for u, _, _, r, unit in STAFF]


def build(ctx: DemoContext) -> None:
    for code, name in UNITS:
        ctx.units[code], _ = Unit.objects.get_or_create(code=code, defaults={"name": name})
    for username, first, last, role, unit in STAFF:
        user = Staff(
            username=username,
            first_name=first,
            last_name=last,
            role=role,
            unit=ctx.units[unit] if unit else None,
            is_staff=role == Role.ADMINISTRATOR,
            is_superuser=role == Role.ADMINISTRATOR,
        )
        user.set_password(DEMO_PASSWORD)
        user.save()
        ctx.staff[username] = user
