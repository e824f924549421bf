from django.urls import path
from rest_framework.routers import SimpleRouter

from . import applications, attachments, decisions, finance_reference, journal, payments, views

router = SimpleRouter()
router.register("units", views.UnitViewSet, basename="unit")
router.register("staff", views.StaffViewSet, basename="staff")
router.register("support-barriers", views.SupportBarrierViewSet, basename="support-barrier")
router.register("applicants", views.ApplicantViewSet, basename="applicant")
router.register("households", views.HouseholdViewSet, basename="household")
router.register("cases", views.CaseViewSet, basename="case")

# Ekonomiskt bistånd: applications, calculations, decisions and their reference data (issue 3).
router.register("riksnorm-tables", finance_reference.RiksnormTableViewSet, basename="riksnorm-table")
router.register("cost-types", finance_reference.CostTypeViewSet, basename="cost-type")
router.register("income-types", finance_reference.IncomeTypeViewSet, basename="income-type")
router.register("legal-bases", finance_reference.LegalBasisViewSet, basename="legal-basis")
router.register("delegation-points", finance_reference.DelegationPointViewSet, basename="delegation-point")
router.register("applications", applications.ApplicationViewSet, basename="application")
router.register("calculations", applications.CalculationViewSet, basename="calculation")
router.register("decisions", decisions.DecisionViewSet, basename="decision")
router.register("communications", decisions.CommunicationViewSet, basename="communication")

# The journal (issue 14).
router.register("journal-entries", journal.JournalEntryViewSet, basename="journal-entry")
router.register("journal-entry-kinds", journal.JournalEntryKindViewSet, basename="journal-entry-kind")
# Bilagor (issue 14).
router.register("attachments", attachments.AttachmentViewSet, basename="attachment")

# Payments: orders, attestation, the day's batches and their pain.001 file (issue 14).
router.register("payment-orders", payments.PaymentOrderViewSet, basename="payment-order")
router.register("payment-batches", payments.PaymentBatchViewSet, basename="payment-batch")

urlpatterns = [
    *router.urls,
    path("delegated-decisions/", decisions.DelegatedDecisionListView.as_view(), name="delegated-decisions"),
]
