"""Object-level checks on real rows (the demo municipality, built once for this module).

1. Out of scope means not found: for every personal route with an id, a member of staff whose
   role may use the route but who has no one in scope gets 404 for a real row, exactly as for
   an id that exists nowhere (a 403 would tell them the row exists; a 200 would be a leak).
2. Every page that shows personal data writes an access-log row on the "ui" channel.
"""

from __future__ import annotations

import pytest
from django.db.models import Min
from django.test import Client
from django.urls import resolve, reverse

from audit.control.models import ControlSample, ControlSampleItem, Flag
from audit.control.selectors import flags_for
from audit.models import AccessLogEntry
from cases.attachment_selectors import attachments_for
from cases.finance_models import Application, Calculation, Decision
from cases.letter_models import Communication
from cases.models import Applicant, Attachment, Case, Role, Staff
from cases.payment_models import PaymentBatch, PaymentOrder
from cases.selectors import applicants_for, cases_for
from insatser.models import Participation, ParticipationStatus
from planning.models import Assessment, FollowUp, ImplementationPlan, PlanStatus
from planning.selectors import assessment_list, follow_up_list, plans_for
from tests.factories.cases import StaffFactory, UnitFactory
from tests.once import built_once, demo_municipality

from .test_authorization_matrix import FINANCIAL, PERSONAL, ROUTES
from .urlwalk import DUMMY_ID, project_routes

# Pages take ids of these; the API's detail routes name their model through the serializer.
PAGE_MODELS = {
    "person": Applicant, "assessment_new": Applicant, "plan_new": Applicant, "referral_new": Applicant,
    "exemption_new": Applicant, "plan_detail": ImplementationPlan, "plan_edit": ImplementationPlan,
    "plan_checklist": ImplementationPlan, "plan_new_version": ImplementationPlan,
    "follow_up_new": ImplementationPlan, "closing_new": Participation, "flag-detail": Flag,
    "assessment_detail": Assessment, "plan_pdf": ImplementationPlan, "follow_up_detail": FollowUp,
    "follow_up_pdf": FollowUp,
    "sample-detail": ControlSample, "sample-item-review": ControlSampleItem, "person-journal": Applicant,
    "case-journal-pdf": Case, "person-attachment-new": Applicant, "attachment-download": Attachment,
}


demo = built_once(demo_municipality, name="demo")


# Routes whose id names reference data (an insats is in the catalogue for everyone who may use
# the route); what they list about persons is scoped, so out of scope they answer an empty list.
SCOPED_LISTS_OF_REFERENCE_ROWS = {"insats-queue"}


def _model(route):
    if route.name in PAGE_MODELS:
        return PAGE_MODELS[route.name]
    view = getattr(resolve(route.url).func, "cls", None)
    serializer = getattr(view, "serializer_class", None)
    return getattr(getattr(serializer, "Meta", None), "model", None)


def _status(client, url):
    status = client.get(url).status_code
    return client.post(url).status_code if status == 405 else status


@pytest.mark.parametrize("role", [Role.CASEWORKER, Role.COORDINATOR, Role.INSATS_STAFF, Role.UNIT_MANAGER])
def test_a_real_row_out_of_scope_answers_as_if_it_did_not_exist(demo, db, role):
    client = Client()
    client.force_login(StaffFactory(role=role, unit=UnitFactory()))  # a unit of their own: nobody in scope
    wrong, checked = [], 0
    for route in project_routes():
        model = _model(route)
        if ROUTES.get(route.name) != PERSONAL or DUMMY_ID not in route.url or model is None:
            continue
        row = model.objects.order_by("pk").first()
        assert row is not None, f"the demo has no {model.__name__} for {route.name}"
        missing = _status(client, route.url)
        real_url = route.url.replace(DUMMY_ID, str(row.pk))
        checked += 1
        if route.name in SCOPED_LISTS_OF_REFERENCE_ROWS:
            response = client.get(real_url)
            if response.status_code == 200 and response.json() != []:
                wrong.append((route.name, "lists persons out of scope"))
            continue
        real = _status(client, real_url)
        if real != missing or real == 200:
            wrong.append((route.name, f"{missing} for a missing id, {real} for a real one"))
    assert checked > 40  # the routes with an id, pages and API
    assert not wrong


def _person(user):
    return applicants_for(user).order_by("pk").first().pk


def _plan(status):
    def pick(user):
        return plans_for(user).filter(status=status).order_by("pk").first().pk
    return pick


def _participation(user):
    return Participation.objects.filter(status=ParticipationStatus.ACTIVE, applicant__in=applicants_for(user)) \
        .order_by("pk").first().pk


# (page, demo login, how to find an id in that login's scope, or None for pages without an id)
PERSON_PAGES = [
    ("caseload", "koordinator", None),
    ("person", "koordinator", _person),
    ("person", "chef-koordinator", _person),
    ("assessment_new", "koordinator", _person),
    ("referral_new", "koordinator", _person),
    ("exemption_new", "koordinator", _person),
    ("plan_detail", "koordinator", _plan(PlanStatus.SIGNED)),
    ("plan_edit", "koordinator", _plan(PlanStatus.DRAFT)),
    ("follow_up_new", "koordinator", _plan(PlanStatus.SIGNED)),
    ("assessment_detail", "koordinator", lambda user: assessment_list(user=user).order_by("pk").first().pk),
    ("plan_pdf", "koordinator", _plan(PlanStatus.SIGNED)),
    ("follow_up_detail", "koordinator", lambda user: follow_up_list(user=user).order_by("pk").first().pk),
    ("follow_up_pdf", "chef-koordinator", lambda user: follow_up_list(user=user).order_by("pk").first().pk),
    ("closing_new", "koordinator", _participation),
    ("attendance-participants", "insatspersonal", None),
    ("attendance-week", "insatspersonal", None),
    ("flag-list", "koordinator", None),
    ("flag-detail", "koordinator", lambda user: flags_for(user).order_by("pk").first().pk),
    ("unit-overview", "chef-koordinator", None),
    ("sample-detail", "chef-eb", lambda user: ControlSample.objects.get(unit=user.unit).pk),
    ("sample-item-review", "chef-eb", lambda user: ControlSampleItem.objects.filter(sample__unit=user.unit).first().pk),
    ("person-journal", "koordinator", _person),
    ("person-journal", "handlaggare", _person),
    ("case-journal-pdf", "handlaggare", lambda user: cases_for(user).order_by("pk").first().pk),
    ("person-attachment-new", "koordinator", _person),
    ("attachment-download", "koordinator", lambda user: attachments_for(user).order_by("pk").first().pk),
    ("attachment-download", "handlaggare", lambda user: attachments_for(user).filter(application__isnull=False)
     .order_by("pk").first().pk),
]


# Personal pages that show no person: forms that only take a POST (each redirects to a page
# that logs), and the list of samples (periods and sizes; the persons are on sample-detail).
POST_ONLY_PAGES = {"plan_new", "plan_checklist", "plan_new_version"}
NO_PERSON_SHOWN = {"sample-list"}


def test_the_person_page_list_covers_every_personal_page():
    page_names = {r.name for r in project_routes() if not r.url.startswith("/api/")}
    personal_pages = {name for name in page_names if ROUTES.get(name) == PERSONAL}
    assert {p for p, _, _ in PERSON_PAGES} == personal_pages - POST_ONLY_PAGES - NO_PERSON_SHOWN


@pytest.mark.parametrize("page", sorted(POST_ONLY_PAGES))
def test_the_post_only_pages_show_nothing_on_get(demo, db, page):
    client = Client()
    user = Staff.objects.get(username="koordinator")
    client.force_login(user)
    assert client.get(reverse(page, args=[_person(user)])).status_code == 405


@pytest.mark.parametrize(("page", "username", "pick"), PERSON_PAGES, ids=[f"{p}-{u}" for p, u, _ in PERSON_PAGES])
def test_every_person_page_writes_a_ui_access_log_row(demo, db, page, username, pick):
    user = Staff.objects.get(username=username)
    client = Client()
    client.force_login(user)
    url = reverse(page, args=[pick(user)] if pick else [])
    before = set(AccessLogEntry.objects.values_list("pk", flat=True))
    response = client.get(url)
    assert response.status_code == 200
    new = AccessLogEntry.objects.exclude(pk__in=before)
    assert new.filter(channel="ui", actor_id=user.pk).exists(), f"{page} shows personal data without logging it"


@pytest.mark.parametrize("username", ["namnd", "admin"])
def test_a_report_about_persons_is_not_found_by_the_board_or_the_administrator(
    demo, db, username, django_capture_on_commit_callbacks
):
    from audit import report_services

    with django_capture_on_commit_callbacks(execute=False):
        snap = report_services.report_request(
            actor=Staff.objects.get(username="chef-eb"), code="unexecuted_decisions_ivo",
            period_kind="quarter", year=2026, number=1, unit=Staff.objects.get(username="chef-eb").unit_id)
    report_services.snapshot_build(snapshot_id=snap.pk)
    client = Client()
    client.force_login(Staff.objects.get(username=username))
    api = f"/api/v1/reports/snapshots/{snap.pk}/"
    for url in (api, f"{api}data/", f"{api}download/csv/", reverse("report-snapshot", args=[snap.pk]),
                reverse("report-download", args=[snap.pk, "csv"])):
        assert client.get(url).status_code == 404, url
    listed = client.get("/api/v1/reports/snapshots/").json()
    rows = listed["results"] if isinstance(listed, dict) else listed
    assert snap.pk not in {r["id"] for r in rows}


# Need to know: the money of a case is for the unit that handles it. The coordinator unit's
# manager sees the coordinated persons and their cases, never their applications, calculations,
# decisions or payments; the handling unit's manager does. A financial row of every case in the
# coordinator unit's sight is tried on every financial route that takes its id.
FINANCIAL_ROWS = {
    "application-detail": ("get", Application), "application-calculate": ("post", Application),
    "application-approve-costs": ("post", Application), "application-withdraw": ("post", Application),
    "calculation-detail": ("get", Calculation), "decision-detail": ("get", Decision),
    "decision-correct": ("post", Decision), "decision-execution": ("post", Decision),
    "decision-letter": ("get", Decision), "decision-letter-pdf": ("get", Decision),
    "decision-delivery": ("post", Decision), "communication-detail": ("get", Communication),
    "payment-order-detail": ("get", PaymentOrder), "payment-order-attest": ("post", PaymentOrder),
    "payment-order-record-return": ("post", PaymentOrder), "payment-batch-detail": ("get", PaymentBatch),
    "payment-batch-pain001": ("get", PaymentBatch),
}
FINANCIAL_LISTS = {"application-list": Application, "calculation-list": Calculation, "decision-list": Decision,
                   "communication-list": Communication, "payment-order-list": PaymentOrder,
                   "payment-batch-list": PaymentBatch}
DRY_RUN = "application-dry-run"  # takes the case in its body


def _financial_rows(model, cases):
    """One row of the model per case in sight (its first): who may read a financial row is decided
    by its case, so every case is tried on every route without trying each of its months (the demo's
    two years of history made that thousands of requests per role)."""
    case = {Application: "case", Calculation: "application__case", Decision: "application__case",
            Communication: "application__case", PaymentOrder: "decision__application__case",
            PaymentBatch: "orders__decision__application__case"}[model]
    firsts = model.objects.filter(**{f"{case}__in": cases}).values(case).annotate(first=Min("pk"))
    return sorted(set(firsts.values_list("first", flat=True)))


def test_the_financial_sweep_covers_every_financial_route():
    assert set(FINANCIAL_ROWS) | set(FINANCIAL_LISTS) | {DRY_RUN} == FINANCIAL


@pytest.mark.parametrize("username", ["chef-koordinator", "koordinator"])
def test_the_coordinator_unit_never_reads_the_money_of_the_persons_it_coordinates(demo, db, username):
    """Reads answer 404 to the coordinator unit's manager (403 by role to a coordinator); actions
    403 by role or 404; lists are empty; a dry run on the case is refused naming the case."""
    user = Staff.objects.get(username=username)
    coordinated = cases_for(user)
    assert coordinated.exists() and not coordinated.filter(unit_id=user.unit_id).exists()
    client = Client()
    client.force_login(user)
    manager = user.role == Role.UNIT_MANAGER
    urls = {r.name: r.url for r in project_routes()}
    wrong, tried = [], 0
    for name, (method, model) in FINANCIAL_ROWS.items():
        for pk in _financial_rows(model, coordinated):
            url = urls[name].replace(DUMMY_ID, str(pk))
            status = getattr(client, method)(url, content_type="application/json").status_code
            tried += 1
            if status not in ((404,) if manager and method == "get" else (403, 404)):
                wrong.append((name, pk, status))
    for name in FINANCIAL_LISTS:
        response = client.get(urls[name])
        tried += 1
        if response.status_code != (200 if manager else 403) or (manager and response.json()["count"] != 0):
            wrong.append((name, "lists", response.status_code))
    for case in coordinated.order_by("pk"):
        response = client.post(urls[DRY_RUN], {"case": case.pk, "month": "2026-01-01", "members": []},
                               content_type="application/json")
        tried += 1
        if response.status_code != (400 if manager else 403) or (
                manager and "case" not in response.json()["error"]["fields"]):
            wrong.append((DRY_RUN, case.pk, response.status_code))
    assert tried > 100, tried
    assert not wrong
    # Not a blind spot: the same user sees the coordinated cases themselves.
    case_url = urls["case-detail"].replace(DUMMY_ID, str(coordinated.order_by("pk").first().pk))
    assert client.get(case_url).status_code == 200


def test_the_handling_unit_reads_the_money_of_the_same_persons(demo, db):
    handling = Staff.objects.get(username="chef-eb")
    coordinated = cases_for(Staff.objects.get(username="chef-koordinator"))
    client = Client()
    client.force_login(handling)
    urls = {r.name: r.url for r in project_routes()}
    for name, (method, model) in FINANCIAL_ROWS.items():
        if method != "get":
            continue
        pks = _financial_rows(model, coordinated.filter(unit_id=handling.unit_id))
        assert pks, name
        assert client.get(urls[name].replace(DUMMY_ID, str(pks[0]))).status_code == 200, name
    assert client.get(urls["decision-list"]).json()["count"] > 0
