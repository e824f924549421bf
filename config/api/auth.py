"""Token issuing for integrations: POST username and password, get a token."""

from drf_spectacular.utils import extend_schema
from rest_framework.authtoken.serializers import AuthTokenSerializer
from rest_framework.authtoken.views import ObtainAuthToken
from rest_framework.permissions import AllowAny


class TokenView(ObtainAuthToken):
    permission_classes = [AllowAny]
    serializer_class = AuthTokenSerializer

    @extend_schema(request=AuthTokenSerializer, responses={200: {"type": "object", "properties": {"token": {"type": "string"}}}})
    def post(self, request, *args, **kwargs):
        return super().post(request, *args, **kwargs)
