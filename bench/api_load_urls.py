"""The project's routes plus /bench/bare/: a DRF view with the same authentication and an
authenticated-user check but no data, the baseline bench/api_load.py compares the caseload API
with (what any API request costs here: routing, middleware, token lookup, JSON)."""

from django.urls import path
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from config.urls import urlpatterns as project_urlpatterns


class BareView(APIView):
    permission_classes = [IsAuthenticated]

    def get(self, request):
        return Response({"ok": True, "user": request.user.pk})


urlpatterns = [path("bench/bare/", BareView.as_view()), *project_urlpatterns]
