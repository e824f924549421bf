from django.contrib import admin
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

from .api.auth import RevokeAllTokensView, RevokeTokenView, TokenView
from .api.caseload import CaseloadView

api_v1 = [
    path("", include("cases.api.urls")),
    path("", include("planning.api.urls")),
    path("", include("insatser.api.urls")),
    path("", include("audit.api.urls")),
    path("caseload/", CaseloadView.as_view(), name="caseload-list"),
    path("auth/token/", TokenView.as_view(), name="api-token"),
    path("auth/token/revoke/", RevokeTokenView.as_view(), name="api-token-revoke"),
    path("auth/token/revoke-all/", RevokeAllTokensView.as_view(), name="api-token-revoke-all"),
]

urlpatterns = [
    path("api/v1/", include(api_v1)),
    path("api/schema/", SpectacularAPIView.as_view(), name="schema"),
    # The split view serves Swagger UI's start script as a file: no inline script (CSP).
    path("api/docs/", SpectacularSwaggerSplitView.as_view(url_name="schema", template_name="api/swagger_ui.html"),
         name="api-docs"),
    path("admin/", admin.site.urls),
    path("", include("config.web_urls")),
]

handler404 = "config.api.exceptions.not_found"
