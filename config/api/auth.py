"""API tokens for integrations (django-rest-knox): issue with user name and password, revoke one
or all. Tokens are stored as digests, expire (REST_KNOX["TOKEN_TTL"], API_TOKEN_HOURS), and a
member's tokens are all revoked when their password changes. Sign-ins go through
django.contrib.auth.authenticate with the request, so django-axes counts and locks them exactly
as on the web login."""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth import authenticate
from django.core.exceptions import PermissionDenied
from drf_spectacular.utils import extend_schema, inline_serializer
from knox.models import get_token_model
from knox.views import LoginView, LogoutAllView, LogoutView
from rest_framework import serializers
from rest_framework.permissions import AllowAny
from rest_framework.response import Response

from config.api.schema import ErrorSerializer
from config.login_lockout import LOCKED_OUT_STATUS, lockout_message


class CredentialsSerializer(serializers.Serializer):
    username = serializers.CharField(max_length=150)
    password = serializers.CharField(max_length=128, trim_whitespace=False, write_only=True)


TokenSerializer = inline_serializer(
    "IssuedToken", {"token": serializers.CharField(), "expiry": serializers.DateTimeField()})
INVALID = "Fel användarnamn eller lösenord."


class TokenView(LoginView):
    """POST user name and password, get a token and when it expires."""

    authentication_classes = []
    permission_classes = [AllowAny]

    @extend_schema(request=CredentialsSerializer,
                   responses={200: TokenSerializer, 400: ErrorSerializer, 403: ErrorSerializer, 429: ErrorSerializer})
    def post(self, request, format=None):
        if not settings.PASSWORD_LOGIN_ENABLED:
            raise PermissionDenied("Inloggning med lösenord är avstängd.")
        credentials = CredentialsSerializer(data=request.data)
        credentials.is_valid(raise_exception=True)
        # The Django request, so axes' lockout flag reaches its middleware.
        user = authenticate(request._request, **credentials.validated_data)
        if getattr(request._request, "axes_locked_out", False):
            body = {"error": {"code": "locked_out", "message": lockout_message(request._request), "fields": {}}}
            return Response(body, status=LOCKED_OUT_STATUS)
        if user is None:
            raise serializers.ValidationError({"__all__": [serializers.ErrorDetail(INVALID, code="invalid_credentials")]})
        request.user = user
        return super().post(request, format=format)


class RevokeTokenView(LogoutView):
    """Revoke the token this request is made with (log out)."""

    @extend_schema(request=None, responses={204: None})
    def post(self, request, format=None):
        return super().post(request, format=format)


class RevokeAllTokensView(LogoutAllView):
    """Revoke every token of the signed-in member."""

    @extend_schema(request=None, responses={204: None})
    def post(self, request, format=None):
        return super().post(request, format=format)


class RevokeTokensOnPasswordChange:
    """Not a rule for passwords: Django calls every configured validator's password_changed()
    when a member's new password is saved (admin, password forms, `changepassword`), which
    is where their API tokens are revoked."""

    def validate(self, password, user=None) -> None:
        return None

    def password_changed(self, password, user=None) -> None:
        if user is not None and user.pk:
            get_token_model().objects.filter(user=user).delete()

    def get_help_text(self) -> str:
        return "Ett byte av lösenord återkallar alla API-nycklar."
