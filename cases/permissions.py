"""Role checks that services make themselves, so the API and the UI cannot differ."""

from __future__ import annotations

from collections.abc import Iterable

from config.errors import NotAllowed

from .models import Role


def require_role(actor, roles: Iterable[str], *, doing: str) -> None:
    """Raise NotAllowed (403) unless `actor` is an active staff member with one of `roles`."""
    roles = set(roles)
    if not (actor is not None and getattr(actor, "is_authenticated", False) and actor.is_active and actor.role in roles):
        names = ", ".join(sorted(Role(r).label.lower() for r in roles))
        raise NotAllowed(f"Endast {names} får {doing}.", code="role_not_allowed")
