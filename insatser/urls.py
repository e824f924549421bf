"""UI routes for insatser (coordinator pages here; the insats staff's pages are added below)."""

from django.urls import path

from . import views

urlpatterns = [
    path("personer/<int:pk>/anvisning/ny/", views.referral_new, name="referral_new"),
    path("personer/<int:pk>/avsteg/nytt/", views.exemption_new, name="exemption_new"),
    path("deltaganden/<int:pk>/avslut/", views.closing_new, name="closing_new"),
]
