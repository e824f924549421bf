"""Browser routes: login, logout, the start page and each app's coordinator UI."""

from django.urls import include, path
from mozilla_django_oidc.views import OIDCLogoutView

from . import web
from .web_auth import LoginView

urlpatterns = [
    path("login/", LoginView.as_view(), name="login"),
    # Ends the session, and the provider's too when it began there (config/oidc.py). POST only.
    path("logout/", OIDCLogoutView.as_view(), name="logout"),
    path("oidc/", include("config.oidc")),
    path("", web.home, name="home"),
    path("mina-personer/", web.caseload, name="caseload"),
    path("personer/<int:pk>/", web.person_detail, name="person"),
    path("", include("cases.urls")),
    path("", include("planning.urls")),
    path("", include("insatser.urls")),
    path("", include("insatser.urls_attendance")),
    path("", include("audit.urls")),
]
