# This app's API routes; included under /api/v1/ by config/urls.py.
from django.urls import path
from rest_framework.routers import SimpleRouter

from . import views

router = SimpleRouter()
router.register("assessments", views.AssessmentViewSet, basename="assessment")
router.register("plans", views.PlanViewSet, basename="plan")
router.register("follow-ups", views.FollowUpViewSet, basename="follow-up")
router.register("bip-instruments", views.BipInstrumentViewSet, basename="bip-instrument")
router.register("bip-assessments", views.BipAssessmentViewSet, basename="bip-assessment")

urlpatterns = [
    path("applicants/<int:applicant_id>/planning-timeline/", views.PlanningTimelineView.as_view(),
         name="planning-timeline"),
    *router.urls,
]
