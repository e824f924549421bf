# This app's API routes; included under /api/v1/ by config/urls.py.
from django.urls import path
from rest_framework.routers import SimpleRouter

from audit.api import import_views, report_views, views

router = SimpleRouter()
router.register("control/rules", views.RuleViewSet, basename="control-rule")
router.register("control/rule-parameters", views.RuleParameterViewSet, basename="control-rule-parameter")
router.register("control/runs", views.RuleRunViewSet, basename="control-run")
router.register("control/flags", views.FlagViewSet, basename="control-flag")
router.register("control/corrective-actions", views.CorrectiveActionViewSet, basename="control-action")
router.register("control/samples", views.ControlSampleViewSet, basename="control-sample")
router.register("control/checklist-answers", views.ChecklistAnswerViewSet, basename="control-checklist-answer")
router.register("reports/snapshots", report_views.ReportSnapshotViewSet, basename="report-snapshot")

urlpatterns = [
    path("control/flag-counts/", views.FlagCountView.as_view(), name="control-flag-counts"),
    path("imports/", import_views.ImportView.as_view(), name="import-records"),
    # A list only (the mixin's retrieve has no route here).
    path("control/access-log/", views.AccessLogViewSet.as_view({"get": "list"}), name="control-access-log-list"),
    path("reports/definitions/", report_views.ReportDefinitionList.as_view(), name="report-definitions"),
    *router.urls,
]
