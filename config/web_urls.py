"""Browser routes: login, logout, the start page and each app's coordinator UI."""

from django.contrib.auth import views as auth_views
from django.urls import include, path

from . import web
from .web_auth import LoginView

urlpatterns = [
    path("login/", LoginView.as_view(), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("oidc/", include("config.oidc")),
    path("", web.home, name="home"),
    path("mina-personer/", web.caseload, name="caseload"),
    path("personer/<int:pk>/", web.person_detail, name="person"),
    path("", include("planning.urls")),
    path("", include("insatser.urls")),
    path("", include("insatser.urls_attendance")),
    path("", include("audit.urls")),
]
