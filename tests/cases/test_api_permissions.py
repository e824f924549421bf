"""A permission test per endpoint and role: every route of the cases API, every role.

Allowed roles get a real success (valid input, object in their scope); the others 403;
anonymous callers 401. Objects outside the caller's scope answer 404, never 403.
"""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import resolve

from cases.models import Applicant, CaseClosingReason, MemberRole, Role
from tests.cases.conftest import make_world
from tests.cases.finance.permission_table import FINANCE_ROUTE_NAMES
from tests.cases.finance.test_payment_permissions import PAYMENT_VIEWSETS
from tests.cases.support import ROLES, new_pnr
from tests.factories.attachments import TINY_PDF
from tests.factories.cases import ApplicantFactory, StaffFactory
from tests.once import built_once

pytestmark = pytest.mark.django_db

# One world for the whole table (hundreds of requests); every test runs in a savepoint, so the
# writes a success makes are rolled back before the next request.
world = built_once(make_world, name="world")

CW, CO, IS, UM, BO, AD, AN = ROLES
ALL_STAFF = {CW, CO, IS, UM, BO, AD}
READERS = {CW, CO, UM}


def _expect(allowed: set[str], ok: int) -> dict[str, int]:
    return {role: (ok if role in allowed else 401 if role == AN else 403) for role in ROLES}


# name: (method, url(world), body(world), allowed roles, success status)
ROUTES = {
    "unit-list": ("get", lambda w: "/api/v1/units/", None, ALL_STAFF, 200),
    "unit-detail": ("get", lambda w: f"/api/v1/units/{w.case.unit_id}/", None, ALL_STAFF, 200),
    "staff-list": ("get", lambda w: "/api/v1/staff/", None, ALL_STAFF - {BO}, 200),
    "staff-detail": ("get", lambda w: f"/api/v1/staff/{w.users[CW].pk}/", None, ALL_STAFF - {BO}, 200),
    "support-barrier-list": ("get", lambda w: "/api/v1/support-barriers/", None, ALL_STAFF, 200),
    "applicant-list": ("get", lambda w: "/api/v1/applicants/", None, READERS, 200),
    "applicant-detail": ("get", lambda w: f"/api/v1/applicants/{w.applicant.pk}/", None, READERS, 200),
    "applicant-search": (
        "post", lambda w: "/api/v1/applicants/search/",
        lambda w: {"personal_identity_number": w.applicant.personal_identity_number}, READERS, 200,
    ),
    "applicant-create": (
        "post", lambda w: "/api/v1/applicants/",
        lambda w: {"personal_identity_number": new_pnr(11), "first_name": "Ny", "last_name": "Person"}, {CW}, 201,
    ),
    "applicant-partial-update": (
        "patch", lambda w: f"/api/v1/applicants/{w.applicant.pk}/", lambda w: {"city": "Ekby"}, {CW}, 200,
    ),
    "household-list": ("get", lambda w: "/api/v1/households/", None, READERS, 200),
    "household-detail": ("get", lambda w: f"/api/v1/households/{w.household.pk}/", None, READERS, 200),
    "household-create": (
        "post", lambda w: "/api/v1/households/",
        lambda w: {"members": [{"role": "applicant", "applicant": w.applicant.pk, "valid_from": "2025-01-01"}]},
        {CW}, 201,
    ),
    "household-members": (
        "post", lambda w: f"/api/v1/households/{w.household.pk}/members/",
        lambda w: {"role": MemberRole.CHILD, "first_name": "Alva", "birth_date": "2019-04-02",
                   "valid_from": "2024-01-01"},
        {CW}, 201,
    ),
    "household-end-member": (
        "post", lambda w: f"/api/v1/households/{w.household.pk}/end-member/",
        lambda w: {"member": w.household.members.get(applicant=w.co_applicant).pk, "valid_to": "2025-06-30"},
        {CW}, 200,
    ),
    "case-list": ("get", lambda w: "/api/v1/cases/", None, READERS, 200),
    "case-detail": ("get", lambda w: f"/api/v1/cases/{w.case.pk}/", None, READERS, 200),
    "case-create": (
        "post", lambda w: "/api/v1/cases/",
        lambda w: {"household": w.household.pk, "opened_on": "2025-03-01", "opening_way": "application",
                   "support_barriers": [{"applicant": w.applicant.pk, "barrier": "arbetslos-ingen-ersattning"}]},
        {CW}, 201,
    ),
    "case-activate": ("post", lambda w: f"/api/v1/cases/{w.opened_case.pk}/activate/", lambda w: {}, {CW}, 200),
    "case-close": (
        "post", lambda w: f"/api/v1/cases/{w.case.pk}/close/",
        lambda w: {"closed_on": "2025-05-31", "closing_reason": CaseClosingReason.WORK}, {CW}, 200,
    ),
    "case-support-barriers": (
        "post", lambda w: f"/api/v1/cases/{w.case.pk}/support-barriers/",
        lambda w: {"applicant": w.co_applicant.pk, "barrier": "arbetshinder-ohalsa", "valid_from": "2025-02-01"},
        {CW}, 201,
    ),
    "case-coordinator-assignments": (
        "post", lambda w: f"/api/v1/cases/{w.case.pk}/coordinator-assignments/",
        lambda w: {"applicant": w.co_applicant.pk, "coordinator": w.users[CO].pk, "valid_from": "2025-02-01"},
        {CW, UM}, 201,
    ),
    "case-end-coordinator-assignment": (
        "post", lambda w: f"/api/v1/cases/{w.case.pk}/end-coordinator-assignment/",
        lambda w: {"assignment": w.assignment.pk, "valid_to": "2025-02-01"}, {CW, UM}, 200,
    ),
    # The journal (issue 14): read by the case's staff, written by caseworkers and coordinators.
    "journal-entry-kind-list": ("get", lambda w: "/api/v1/journal-entry-kinds/", None, ALL_STAFF, 200),
    "journal-entry-list": ("get", lambda w: "/api/v1/journal-entries/", None, READERS, 200),
    "journal-entry-detail": ("get", lambda w: f"/api/v1/journal-entries/{w.journal_entry.pk}/", None, READERS, 200),
    "journal-entry-create": (
        "post", lambda w: "/api/v1/journal-entries/",
        lambda w: {"case": w.case.pk, "applicant": w.applicant.pk, "kind": "visit", "event_date": "2025-03-03",
                   "text": "Besök."},
        {CW, CO}, 201,
    ),
    "journal-entry-corrections": (
        "post", lambda w: f"/api/v1/journal-entries/{w.journal_entry.pk}/corrections/",
        lambda w: {"text": "Rättelse."}, {CW, CO}, 201,
    ),
    # Transfers and reserve numbers (issue 14): the holding unit's caseworker or manager moves a case;
    # whoever sees the case reads its history; a caseworker registers a person with a reserve number
    # and replaces it by the real personnummer.
    "case-transfer": (
        "post", lambda w: f"/api/v1/cases/{w.case.pk}/transfer/",
        lambda w: {"transferred_on": "2025-06-01", "reason": "Personen har flyttat.", "to_unit": w.other_case.unit.code,
                   "to_caseworker": StaffFactory(role=Role.CASEWORKER, unit=w.other_case.unit).pk},
        {CW, UM}, 201,
    ),
    "case-transfers": ("get", lambda w: f"/api/v1/cases/{w.case.pk}/transfers/", None, READERS, 200),
    "applicant-create-with-reserve-number": (
        "post", lambda w: "/api/v1/applicants/",
        lambda w: {"assign_reserve_number": True, "birth_date": "1988-02-03", "legal_gender": "kvinna",
                   "first_name": "Utan", "last_name": "Personnummer"}, {CW}, 201,
    ),
    "applicant-replace-reserve-number": (
        "post", lambda w: f"/api/v1/applicants/{_reserve_person(w).pk}/replace-reserve-number/",
        lambda w: {"personal_identity_number": new_pnr(13)}, {CW}, 200,
    ),
    "applicant-correct-identity-number": (
        "post", lambda w: f"/api/v1/applicants/{w.applicant.pk}/correct-identity-number/",
        lambda w: {"personal_identity_number": new_pnr(15), "reason": "Fel inmatat vid registreringen."}, {CW}, 200,
    ),
    # Bilagor (issue 14): read by the case's staff, added and withdrawn by caseworkers and coordinators.
    "attachment-list": ("get", lambda w: "/api/v1/attachments/", None, READERS, 200),
    "attachment-detail": ("get", lambda w: f"/api/v1/attachments/{w.attachment.pk}/", None, READERS, 200),
    "attachment-file": ("get", lambda w: f"/api/v1/attachments/{w.attachment.pk}/file/", None, READERS, 200),
    "attachment-create": (
        "post", lambda w: "/api/v1/attachments/",
        lambda w: {"case": w.case.pk, "description": "Hyreskontrakt",
                   "file": SimpleUploadedFile("hyreskontrakt.pdf", TINY_PDF)},
        {CW, CO}, 201,
    ),
    "attachment-withdrawal": (
        "post", lambda w: f"/api/v1/attachments/{w.attachment.pk}/withdrawal/",
        lambda w: {"reason": "Fel person."}, {CW, CO}, 200,
    ),
}


def _reserve_person(w):
    """A person of the caseworker's unit registered with a reserve number (made in the test's savepoint)."""
    return Applicant.objects.filter(reserve_number="R2025000001").first() or ApplicantFactory(
        personal_identity_number=None, reserve_number="R2025000001", legal_gender="man", registered_unit=w.case.unit)


CASES = [
    pytest.param(route, role, _expect(allowed, ok)[role], id=f"{route}-{role}")
    for route, (_m, _u, _b, allowed, ok) in ROUTES.items()
    for role in ROLES
]


@pytest.mark.parametrize(("route", "role", "expected"), CASES)
def test_endpoint_answers_each_role_as_expected(world, client_for, route, role, expected):
    method, url, body, _allowed, _ok = ROUTES[route]
    client = client_for(world.users[role])
    data = body(world) if body else None
    multipart = data is not None and any(hasattr(value, "read") for value in data.values())  # an upload
    kwargs = {"format": "multipart" if multipart else "json", "data": data} if body else {}
    response = getattr(client, method)(url(world), **kwargs)
    assert response.status_code == expected, response.content
    if expected >= 400:
        assert response.json()["error"]["code"] in {"not_authenticated", "permission_denied"}


def test_the_table_covers_every_route_and_method_of_the_cases_api(world):
    """A new route or method without a row here fails this test, so none skips its permission test."""
    from cases.api.urls import router

    served = {
        (pattern.name, method)
        for pattern in router.urls
        if pattern.name not in FINANCE_ROUTE_NAMES  # tests/cases/finance/test_permissions.py
        and pattern.callback.cls.__name__ not in PAYMENT_VIEWSETS  # tests/cases/finance/test_payment_permissions.py
        for method in pattern.callback.actions
        if method != "head"  # DRF adds HEAD as GET once a view has served a request
    }
    tested = {(resolve(url(world)).url_name, method) for method, url, *_ in ROUTES.values()}
    assert served == tested


OUT_OF_SCOPE = [
    ("get", lambda w: f"/api/v1/applicants/{w.other_applicant.pk}/", None),
    ("get", lambda w: f"/api/v1/households/{w.other_household.pk}/", None),
    ("get", lambda w: f"/api/v1/cases/{w.other_case.pk}/", None),
]
OUT_OF_SCOPE_WRITES = [
    ("patch", lambda w: f"/api/v1/applicants/{w.other_applicant.pk}/", {"city": "X"}),
    ("post", lambda w: f"/api/v1/cases/{w.other_case.pk}/close/", {"closed_on": "2025-01-31", "closing_reason": "work"}),
    ("post", lambda w: f"/api/v1/cases/{w.other_case.pk}/activate/", {}),
    ("post", lambda w: f"/api/v1/households/{w.other_household.pk}/members/",
     {"role": "child", "first_name": "A", "birth_date": "2020-01-01", "valid_from": "2024-01-01"}),
]


@pytest.mark.parametrize("role", sorted(READERS))
@pytest.mark.parametrize("index", range(len(OUT_OF_SCOPE)))
def test_objects_outside_scope_answer_404_not_403(world, client_for, role, index):
    method, url, body = OUT_OF_SCOPE[index]
    response = getattr(client_for(world.users[role]), method)(url(world), data=body, format="json")
    assert response.status_code == 404
    assert response.json()["error"]["code"] == "not_found"


@pytest.mark.parametrize("index", range(len(OUT_OF_SCOPE_WRITES)))
def test_writes_on_objects_outside_scope_answer_404(world, client_for, index):
    method, url, body = OUT_OF_SCOPE_WRITES[index]
    response = getattr(client_for(world.users[CW]), method)(url(world), data=body, format="json")
    assert response.status_code == 404


def test_coordinator_does_not_see_the_unassigned_co_applicant(world, client_for):
    client = client_for(world.users[CO])
    assert client.get(f"/api/v1/applicants/{world.co_applicant.pk}/").status_code == 404
    assert client.get(f"/api/v1/applicants/{world.applicant.pk}/").status_code == 200
    assert client.get(f"/api/v1/cases/{world.opened_case.pk}/").status_code == 404
