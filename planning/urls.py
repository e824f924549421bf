"""Coordinator UI routes for planning. Ids only in URLs, never personal data."""

from django.urls import path

from . import document_views, views

urlpatterns = [
    path("personer/<int:pk>/kartlaggning/ny/", views.assessment_new, name="assessment_new"),
    path("kartlaggningar/<int:pk>/", document_views.assessment_detail, name="assessment_detail"),
    path("personer/<int:pk>/plan/ny/", views.plan_new, name="plan_new"),
    path("planer/<int:pk>/", views.plan_detail, name="plan_detail"),
    path("planer/<int:pk>/redigera/", views.plan_edit, name="plan_edit"),
    path("planer/<int:pk>/checklista/", views.plan_checklist, name="plan_checklist"),
    path("planer/<int:pk>/ny-version/", views.plan_new_version, name="plan_new_version"),
    path("planer/<int:pk>/pdf/", document_views.plan_pdf, name="plan_pdf"),
    path("planer/<int:pk>/uppfoljning/ny/", views.follow_up_new, name="follow_up_new"),
    path("uppfoljningar/<int:pk>/", document_views.follow_up_detail, name="follow_up_detail"),
    path("uppfoljningar/<int:pk>/pdf/", document_views.follow_up_pdf, name="follow_up_pdf"),
]
