from rest_framework.routers import SimpleRouter

from . import views

router = SimpleRouter()
router.register("units", views.UnitViewSet, basename="unit")
router.register("staff", views.StaffViewSet, basename="staff")
router.register("support-barriers", views.SupportBarrierViewSet, basename="support-barrier")
router.register("applicants", views.ApplicantViewSet, basename="applicant")
router.register("households", views.HouseholdViewSet, basename="household")
router.register("cases", views.CaseViewSet, basename="case")

urlpatterns = router.urls
