"""Deny by default in the UI too: a page names the roles that may open it."""

from __future__ import annotations

from functools import wraps

from django.core.exceptions import PermissionDenied


def role_required(*roles: str):
    def decorate(view):
        @wraps(view)
        def wrapper(request, *args, **kwargs):
            user = request.user
            if not (user.is_authenticated and user.is_active and user.role in roles):
                raise PermissionDenied("Din roll har inte tillgång till sidan.")
            return view(request, *args, **kwargs)

        return wrapper

    return decorate


def person_in_scope(user, pk: int):
    """The person, if `user` may see them (cases.selectors scoping), else 404."""
    from django.http import Http404

    from cases.selectors import applicants_for

    person = applicants_for(user).filter(pk=pk).first()
    if person is None:
        raise Http404
    return person
