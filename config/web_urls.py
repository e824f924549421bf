"""Browser routes: login, logout, the start page and each app's coordinator UI."""

from django.contrib.auth import views as auth_views
from django.urls import include, path

from . import web

urlpatterns = [
    path("login/", auth_views.LoginView.as_view(template_name="registration/login.html"), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("", web.home, name="home"),
    path("mina-personer/", web.caseload, name="caseload"),
    path("personer/<int:pk>/", web.person_detail, name="person"),
    path("", include("planning.urls")),
    path("", include("insatser.urls")),
    path("", include("insatser.urls_attendance")),
    path("", include("audit.urls")),
]
