"""Sign-in through the municipality's identity provider with OpenID Connect (mozilla-django-oidc).

The provider's identity is mapped to an existing member of staff: the claim OIDC_STAFF_CLAIM
(e.g. "email", or "hsa_id" for an HSA-id) equals the Staff field OIDC_STAFF_FIELD ("email",
compared without case, or "username"). Nobody is created (OIDC_CREATE_USER is off unless a
municipality turns it on): a provider identity without an active member of staff is refused
and logged like a failed password. The routes answer 404 while OIDC_ENABLED is off.

Signing out (the "logout" route, mozilla-django-oidc's OIDCLogoutView) ends this service's session
and, when the user signed in at the provider, sends the browser on to the provider's
end_session_endpoint (OIDC_OP_LOGOUT_ENDPOINT) to end that session too.
"""

from __future__ import annotations

from urllib.parse import urlencode

from django.conf import settings
from django.http import Http404
from django.shortcuts import resolve_url
from django.urls import path
from mozilla_django_oidc.auth import OIDCAuthenticationBackend
from mozilla_django_oidc.views import OIDCAuthenticationCallbackView, OIDCAuthenticationRequestView

STAFF_FIELD_LOOKUPS = {"email": "email__iexact", "username": "username"}


class StaffOIDCBackend(OIDCAuthenticationBackend):
    def _identity(self, claims) -> str:
        value = claims.get(settings.OIDC_STAFF_CLAIM)
        return value.strip() if isinstance(value, str) else ""

    def verify_claims(self, claims) -> bool:
        return bool(self._identity(claims))

    def filter_users_by_claims(self, claims):
        identity = self._identity(claims)
        if not identity:
            return self.UserModel.objects.none()
        lookup = STAFF_FIELD_LOOKUPS[settings.OIDC_STAFF_FIELD]
        return self.UserModel.objects.filter(is_active=True, **{lookup: identity})

    def describe_user_by_claims(self, claims) -> str:
        return f"{settings.OIDC_STAFF_CLAIM} {self._identity(claims)}"

    def update_user(self, user, claims):
        return user  # the staff register is kept in the admin, not by the provider


def provider_logout_url(request) -> str:
    """Where the browser goes after signing out (OIDC_OP_LOGOUT_URL_METHOD; called before the
    session ends): the provider's end_session_endpoint with id_token_hint when this session began
    at the provider, else the login page."""
    after = resolve_url(settings.LOGOUT_REDIRECT_URL)
    id_token = request.session.get("oidc_id_token")
    if not (settings.OIDC_ENABLED and settings.OIDC_OP_LOGOUT_ENDPOINT and id_token):
        return after
    query = urlencode({
        "id_token_hint": id_token, "client_id": settings.OIDC_RP_CLIENT_ID,
        "post_logout_redirect_uri": request.build_absolute_uri(after),
    })
    return f"{settings.OIDC_OP_LOGOUT_ENDPOINT}?{query}"


def _when_enabled(view):
    def wrapper(request, *args, **kwargs):
        if not settings.OIDC_ENABLED:
            raise Http404
        return view(request, *args, **kwargs)

    return wrapper


urlpatterns = [
    path("authenticate/", _when_enabled(OIDCAuthenticationRequestView.as_view()), name="oidc_authentication_init"),
    path("callback/", _when_enabled(OIDCAuthenticationCallbackView.as_view()), name="oidc_authentication_callback"),
]
