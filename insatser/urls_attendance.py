"""Browser routes for the insats staff (included from config/web_urls.py)."""

from django.urls import path

from . import views_attendance

urlpatterns = [
    path("insatser/deltagare/", views_attendance.participant_list, name="attendance-participants"),
    path("insatser/narvaro/", views_attendance.attendance_week, name="attendance-week"),
]
