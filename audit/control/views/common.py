"""What the egenkontroll pages share: who may open them, access logging, htmx-aware replies."""

from __future__ import annotations

from audit.control.services import FLAG_HANDLERS
from audit.models import AccessAction
from audit.recording.log import record_access
from cases.models import Role, Staff

# The flags worklist is for everyone who handles flags (the service's own role set); the unit
# manager's pages only for unit managers. The board never sees a person, so it is in neither.
WORKLIST_ROLES = tuple(FLAG_HANDLERS)
MANAGER_ROLES = (Role.UNIT_MANAGER,)


def log_persons(user, object_type: str, rows, person_of) -> None:
    """One access-log row per object shown that concerns a person (one INSERT per page)."""
    record_access(
        actor=user, action=AccessAction.LIST, object_type=object_type,
        subjects=[(row.pk, person_of(row)) for row in rows if person_of(row) is not None],
    )


def error_status(request) -> int:
    """400 for a refused form, except that htmx only swaps 2xx answers into the page."""
    return 200 if getattr(request, "htmx", False) else 400


def owners_for(user):
    """Who may own a corrective action the user plans: active flag handlers at the user's unit."""
    return list(
        Staff.objects.filter(unit_id=user.unit_id, is_active=True, role__in=WORKLIST_ROLES).order_by(
            "first_name", "last_name", "pk"
        )
    )
