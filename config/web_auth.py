"""Deny by default in the UI too: a page names the roles that may open it. And the login page."""

from __future__ import annotations

from functools import wraps

from django.conf import settings
from django.contrib.auth import views as auth_views
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


class LoginView(auth_views.LoginView):
    """The login page: the password form while PASSWORD_LOGIN_ENABLED, the identity provider's
    button while OIDC_ENABLED. With password login off a posted password is refused (403)."""

    template_name = "registration/login.html"

    def get_context_data(self, **kwargs):
        return {**super().get_context_data(**kwargs), "password_login": settings.PASSWORD_LOGIN_ENABLED,
                "oidc_login": settings.OIDC_ENABLED}

    def post(self, request, *args, **kwargs):
        if not settings.PASSWORD_LOGIN_ENABLED:
            raise PermissionDenied("Inloggning med lösenord är avstängd.")
        return super().post(request, *args, **kwargs)
