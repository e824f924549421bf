from django.contrib import admin
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView

from .api.auth import TokenView

api_v1 = [
    path("", include("cases.api.urls")),
    path("", include("planning.api.urls")),
    path("", include("insatser.api.urls")),
    path("", include("audit.api.urls")),
    path("auth/token/", TokenView.as_view(), name="api-token"),
]

urlpatterns = [
    path("api/v1/", include(api_v1)),
    path("api/schema/", SpectacularAPIView.as_view(), name="schema"),
    path("api/docs/", SpectacularSwaggerView.as_view(url_name="schema"), name="api-docs"),
    path("admin/", admin.site.urls),
    path("", include("config.web_urls")),
]

handler404 = "config.api.exceptions.not_found"
