"""Permission building blocks shared by every app's API. Deny by default."""

from rest_framework.permissions import BasePermission


class DenyAll(BasePermission):
    """The default: a view that forgets to name its permissions serves nobody."""

    def has_permission(self, request, view) -> bool:
        return False


class HasRole(BasePermission):
    """Allows an authenticated, active staff member whose role is in `view.allowed_roles`.

    A view may also give `view.allowed_roles_by_action = {"create": {...}, ...}` to narrow
    the roles per action. Object visibility is the selectors' job (objects outside the
    caller's scope are simply not in the queryset, so they answer 404).
    """

    def has_permission(self, request, view) -> bool:
        user = request.user
        if not (user and user.is_authenticated and user.is_active):
            return False
        roles = getattr(view, "allowed_roles", frozenset())
        by_action = getattr(view, "allowed_roles_by_action", None) or {}
        action = getattr(view, "action", None)
        if action in by_action:
            roles = by_action[action]
        return user.role in roles
