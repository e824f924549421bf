# This app's API routes; included under /api/v1/ by config/urls.py.
from django.urls import path
from rest_framework.routers import SimpleRouter

from . import views

router = SimpleRouter()
router.register("tracks", views.TrackViewSet, basename="track")
router.register("insatser", views.InsatsViewSet, basename="insats")
router.register("insats-decisions", views.InsatsDecisionViewSet, basename="insats-decision")
router.register("referrals", views.ReferralViewSet, basename="referral")
router.register("participations", views.ParticipationViewSet, basename="participation")
router.register("closings", views.ClosingViewSet, basename="closing")
router.register("exemptions", views.ExemptionViewSet, basename="exemption")

urlpatterns = [
    *router.urls,
    path("full-time/", views.FullTimeView.as_view(), name="full-time"),
    path("applicants/<int:pk>/timeline/", views.PersonTimelineView.as_view(), name="person-timeline"),
]
