"""Authorization sweep over EVERY route the resolver knows (API and pages).

Routes come from django.urls.get_resolver (tests/platform/urlwalk.py), so a route added later
is swept too, and fails `test_every_route_is_classified` until someone decides what it shows.
Path parameters get a dummy id: role checks run before any object lookup, so a role that must
not see a route is refused (403) whatever the id; a 404 there means the role got through.
"""

from __future__ import annotations

import pytest
from django.contrib import admin
from django.test import Client

from cases.models import Role
from tests.factories.cases import StaffFactory, UnitFactory

from .urlwalk import project_routes

PUBLIC, AUTHENTICATED, REFERENCE, STAFF, AGGREGATE, PERSONAL, IMPORT, ACCESS_LOG = (
    "public", "authenticated", "reference", "staff", "aggregate", "personal", "import", "access_log")

# What each route shows. "personal": data about applicants, households, cases, decisions,
# plans, insatser participation, flags or samples (never for the board or the administrator).
# "staff": staff and rule-run data (administrator, not board). "aggregate": counts and
# reports without persons (board). "reference": norms, catalogues and rules. "import": the import
# from a previous system (administrator only: it writes personal data, and answers with counts and
# refusals by line and field, never the data itself). "access_log": who
# read whom (loggkontroll): the administrator and unit managers, never the board.
ROUTES = {
    # Public: signing in and out.
    "login": PUBLIC, "logout": PUBLIC, "api-token": PUBLIC,
    # Signing in through the identity provider (404 while OIDC_ENABLED is off).
    "oidc_authentication_init": PUBLIC, "oidc_authentication_callback": PUBLIC,
    # Signed in with a token, no data: revoking it, or all of the member's.
    "api-token-revoke": AUTHENTICATED, "api-token-revoke-all": AUTHENTICATED,
    # Signed in, no data.
    "home": AUTHENTICATED, "schema": AUTHENTICATED, "api-docs": AUTHENTICATED,
    # Reference data.
    "unit-list": REFERENCE, "unit-detail": REFERENCE, "support-barrier-list": REFERENCE,
    "riksnorm-table-list": REFERENCE, "riksnorm-table-detail": REFERENCE, "cost-type-list": REFERENCE,
    "income-type-list": REFERENCE, "legal-basis-list": REFERENCE, "delegation-point-list": REFERENCE,
    "bip-instrument-list": REFERENCE, "track-list": REFERENCE, "insats-list": REFERENCE, "insats-detail": REFERENCE,
    "control-rule-list": REFERENCE, "control-rule-detail": REFERENCE, "control-rule-parameter-list": REFERENCE,
    "control-rule-parameter-detail": REFERENCE, "report-definitions": REFERENCE, "journal-entry-kind-list": REFERENCE,
    # Staff and the rule engine's runs.
    "staff-list": STAFF, "staff-detail": STAFF, "control-run-list": STAFF, "control-run-detail": STAFF,
    # The import from a previous system.
    "import-records": IMPORT,
    "rule-runs": STAFF,
    # The access-log review.
    "control-access-log-list": ACCESS_LOG, "access-log-review": ACCESS_LOG,
    # Aggregates and reports (what the board sees).
    "delegated-decisions": AGGREGATE, "control-flag-counts": AGGREGATE, "report-snapshot-list": AGGREGATE,
    "report-snapshot-detail": AGGREGATE, "report-snapshot-data": AGGREGATE, "report-snapshot-download": AGGREGATE,
    "report-list": AGGREGATE, "report-snapshot-rows": AGGREGATE, "report-snapshot": AGGREGATE,
    "report-download": AGGREGATE,
    # Personal data: API.
    **dict.fromkeys([
        "applicant-list", "applicant-search", "applicant-detail", "household-list", "household-detail",
        "household-end-member", "household-members", "case-list", "case-detail", "case-activate", "case-close",
        "case-coordinator-assignments", "case-end-coordinator-assignment", "case-support-barriers",
        "application-list", "application-dry-run", "application-detail", "application-approve-costs",
        "application-calculate", "application-withdraw", "calculation-list", "calculation-detail",
        "decision-list", "decision-detail", "decision-correct", "decision-execution", "planning-timeline",
        "assessment-list", "assessment-detail", "plan-list", "plan-detail", "plan-new-version", "plan-quality",
        "plan-sign", "follow-up-list", "follow-up-detail", "bip-assessment-list", "bip-assessment-detail",
        "insats-queue", "insats-decision-list", "insats-decision-detail", "insats-decision-end", "referral-list",
        "referral-detail", "referral-start", "referral-withdraw", "participation-list", "participation-detail",
        "participation-attendance", "participation-attendance-bulk", "participation-closing", "participation-extend", "closing-list",
        "closing-confirm", "exemption-list", "exemption-detail", "full-time", "person-timeline",
        "control-flag-list", "control-flag-detail", "control-flag-transition", "control-action-list",
        "control-action-detail", "control-action-complete", "control-action-follow-up", "control-sample-list",
        "control-sample-detail", "control-sample-checklists", "control-sample-results",
        "control-checklist-answer-detail", "control-checklist-answer-review", "control-checklist-answer-review-bulk", "caseload-list", "journal-entry-list", "journal-entry-detail",
        "journal-entry-corrections", "decision-letter", "decision-letter-pdf", "decision-delivery",
        "communication-list", "communication-detail",
        "case-transfer", "case-transfers", "applicant-replace-reserve-number", "applicant-correct-identity-number",
        "attachment-list", "attachment-detail", "attachment-withdrawal", "attachment-file",
        "payment-order-list", "payment-order-detail", "payment-order-attest",
        "payment-order-record-return", "payment-batch-list", "payment-batch-detail", "payment-batch-pain001",
    ], PERSONAL),
    # Personal data: pages.
    **dict.fromkeys([
        "caseload", "person", "assessment_new", "assessment_detail", "plan_new", "plan_detail", "plan_edit",
        "plan_checklist", "plan_new_version", "plan_pdf", "follow_up_new", "follow_up_detail", "follow_up_pdf", "referral_new", "exemption_new", "closing_new",
        "attendance-participants", "attendance-week", "flag-list", "flag-detail", "unit-overview", "sample-list",
        "sample-detail", "sample-item-review", "person-journal", "case-journal-pdf", "person-attachment-new",
        "attachment-download",
    ], PERSONAL),
}

# Need to know: the money (applications, calculations, decisions and their execution, i.e. the
# payments) is personal data for the unit that handles the case only, its caseworkers and its unit
# manager. Other roles are refused by role (403); a unit manager of another unit, the coordinator
# unit's included, finds none of it (404, empty lists): test_authorization_objects sweeps that.
FINANCIAL = frozenset({
    "application-list", "application-dry-run", "application-detail", "application-approve-costs",
    "application-calculate", "application-withdraw", "calculation-list", "calculation-detail",
    "decision-list", "decision-detail", "decision-correct", "decision-execution",
    "decision-letter", "decision-letter-pdf", "decision-delivery", "communication-list", "communication-detail",
    "payment-order-list", "payment-order-detail", "payment-order-attest", "payment-order-record-return",
    "payment-batch-list", "payment-batch-detail", "payment-batch-pain001",
})
FINANCE_ROLES = {Role.CASEWORKER, Role.UNIT_MANAGER}

# Roles and the classes they may be served; everything else must be refused by role (403).
MAY_SEE = {
    Role.BOARD: {PUBLIC, AUTHENTICATED, REFERENCE, AGGREGATE},
    Role.ADMINISTRATOR: {PUBLIC, AUTHENTICATED, REFERENCE, STAFF, AGGREGATE, IMPORT, ACCESS_LOG},
}

ROUTES_FOUND = project_routes()


def _is_api(url: str) -> bool:
    return url.startswith("/api/")


def _status(client: Client, url: str) -> int:
    """GET, or POST for routes that take no GET (actions): the role check must answer either."""
    status = client.get(url).status_code
    return client.post(url).status_code if status == 405 else status


def test_every_route_is_classified():
    names = {r.name for r in ROUTES_FOUND}
    unclassified = sorted(names - ROUTES.keys())
    assert not unclassified, f"Klassa de nya vägarna i ROUTES: {unclassified}"
    assert not sorted(ROUTES.keys() - names), "ROUTES nämner vägar som inte längre finns"


def test_the_walk_finds_api_and_pages_with_concrete_urls():
    urls = {r.name: r.url for r in ROUTES_FOUND}
    assert urls["applicant-detail"] == "/api/v1/applicants/999999/"
    assert urls["report-snapshot-download"] == "/api/v1/reports/snapshots/999999/download/csv/"
    assert urls["person"] == "/personer/999999/"
    assert not [u for u in urls.values() if any(c in u for c in "()<>^$?\\")]


@pytest.mark.django_db
def test_anonymous_is_refused_everywhere_but_the_public_routes():
    client = Client()
    wrong = []
    for route in ROUTES_FOUND:
        if ROUTES.get(route.name) == PUBLIC:
            continue
        response = client.get(route.url)
        if response.status_code == 405:
            response = client.post(route.url)
        if _is_api(route.url):
            ok = response.status_code in (401, 403)
        else:
            ok = response.status_code in (403, 404) or (
                response.status_code == 302 and response["Location"].startswith("/login/"))
        if not ok:
            wrong.append((route.name, response.status_code))
    assert not wrong


@pytest.mark.django_db
@pytest.mark.parametrize("role", [Role.BOARD, Role.ADMINISTRATOR])
def test_board_and_administrator_are_refused_every_personal_route(role):
    client = Client()
    client.force_login(StaffFactory(role=role, unit=None))
    wrong = []
    for route in ROUTES_FOUND:
        if route.name == "logout":
            continue  # would end the session the sweep runs in
        status = _status(client, route.url)
        allowed = ROUTES.get(route.name) in MAY_SEE[role]
        if status >= 500 or (not allowed and status != 403):
            wrong.append((route.name, status))
    assert not wrong


@pytest.mark.django_db
@pytest.mark.parametrize("role", [Role.CASEWORKER, Role.COORDINATOR, Role.INSATS_STAFF, Role.UNIT_MANAGER])
def test_staff_with_personal_roles_get_403_or_404_never_data_for_a_missing_object(role):
    """With an id that exists nowhere: refused by role (403) or not found (404); never 200 or 500."""
    client = Client()
    client.force_login(StaffFactory(role=role, unit=UnitFactory()))
    wrong = []
    for route in ROUTES_FOUND:
        if "999999" not in route.url or ROUTES.get(route.name) != PERSONAL:
            continue
        status = _status(client, route.url)
        if status not in (403, 404):
            wrong.append((route.name, status))
    assert not wrong


def test_every_financial_route_is_personal():
    assert FINANCIAL <= {name for name, kind in ROUTES.items() if kind == PERSONAL}


@pytest.mark.django_db
@pytest.mark.parametrize("role", sorted(set(Role) - FINANCE_ROLES))
def test_only_caseworkers_and_unit_managers_pass_the_role_check_of_financial_routes(role):
    client = Client()
    client.force_login(StaffFactory(role=role, unit=UnitFactory()))
    wrong = [(r.name, status) for r in ROUTES_FOUND if r.name in FINANCIAL
             if (status := _status(client, r.url)) != 403]
    assert not wrong


@pytest.mark.django_db
@pytest.mark.parametrize("role", [r for r in Role if r != Role.ADMINISTRATOR])
def test_only_the_administrator_may_import(role):
    client = Client()
    client.force_login(StaffFactory(role=role, unit=None if role == Role.BOARD else UnitFactory()))
    routes = [r for r in ROUTES_FOUND if ROUTES.get(r.name) == IMPORT]
    assert routes
    assert [(r.name, _status(client, r.url)) for r in routes] == [(r.name, 403) for r in routes]


# The admin site shows reference data, staff and rules only: nothing about applicants.
ADMIN_MODELS = {
    "auth.group", "cases.unit", "cases.supportbarrier", "cases.staff", "cases.riksnormtable", "cases.costtype",
    "cases.incometype", "cases.legalbasis", "cases.delegationpoint", "cases.attestright", "audit.rule", "audit.rulerun",
    "planning.checkpointpolicy",
    # Webhooks: integrations' subscriptions and the delivery log (ids and event types, no personal data).
    "audit.webhooksubscription", "audit.webhookdelivery",
}


def test_the_admin_site_registers_only_reference_data_staff_and_rules():
    registered = {m._meta.label_lower for m in admin.site._registry}
    assert registered == ADMIN_MODELS
