"""Browser routes of egenkontroll (included from config/web_urls.py). Ids only, never personal data."""

from django.urls import path

from audit.control.views import access_log, flags, reports, runs, samples, unit

urlpatterns = [
    path("egenkontroll/flaggor/", flags.flag_list, name="flag-list"),
    path("egenkontroll/flaggor/<int:pk>/", flags.flag_detail, name="flag-detail"),
    path("egenkontroll/enhet/", unit.unit_overview, name="unit-overview"),
    path("egenkontroll/regelkorningar/", runs.rule_runs, name="rule-runs"),
    path("egenkontroll/loggkontroll/", access_log.access_log_review_page, name="access-log-review"),
    path("egenkontroll/stickprov/", samples.sample_list, name="sample-list"),
    path("egenkontroll/stickprov/<int:pk>/", samples.sample_detail, name="sample-detail"),
    path("egenkontroll/stickprov/arende/<int:pk>/", samples.item_review, name="sample-item-review"),
    path("rapporter/", reports.report_list, name="report-list"),
    path("rapporter/lista/", reports.report_snapshot_rows, name="report-snapshot-rows"),
    path("rapporter/<int:pk>/", reports.report_snapshot, name="report-snapshot"),
    path("rapporter/<int:pk>/<str:fmt>/", reports.report_download, name="report-download"),
]
