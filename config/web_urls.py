"""Browser routes: login, logout and the start page. The coordinator UI is added per app."""

from django.contrib.auth import views as auth_views
from django.urls import path

from . import web

urlpatterns = [
    path("login/", auth_views.LoginView.as_view(template_name="registration/login.html"), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("", web.home, name="home"),
]
