"""The ekonomiskt bistånd routes' permission table (used by test_permissions and by the cases
API's route-coverage test, so no finance route goes without a permission test)."""

from __future__ import annotations

from tests.cases.support import ROLES

CW, CO, IS, UM, BO, AD, AN = ROLES
ALL_STAFF = {CW, CO, IS, UM, BO, AD}
FINANCE = {CW, UM}


def _point(user, kind="income_support"):
    # The delegation point each deciding role holds for the item (cases/migrations/0004).
    if kind == "cost":
        return "EB-4" if user is not None and user.role == UM else "EB-3"
    return "EB-2" if user is not None and user.role == UM else "EB-1"


def _decision_body(w, user):
    return {"application": w.undecided.pk, "item_kind": "income_support", "outcome": "granted",
            "legal_basis": "sol-12-1", "delegation_point": _point(user), "reasoning": "Styrkt behov."}


def _correct_body(w, user):
    return {"outcome": "partly_granted", "amount": 100, "legal_basis": "sol-12-1", "delegation_point": _point(user),
            "reasoning": "Rättelse.", "communication_omitted_reason": "Uppgifterna kommer från sökanden själv."}


# name: (method, url(w), body(w, user) or None, allowed roles, success status)
FINANCE_ROUTES = {
    "riksnorm-table-list": ("get", lambda w: "/api/v1/riksnorm-tables/", None, ALL_STAFF, 200),
    "riksnorm-table-detail": ("get", lambda w: f"/api/v1/riksnorm-tables/{w.norm.pk}/", None, ALL_STAFF, 200),
    "cost-type-list": ("get", lambda w: "/api/v1/cost-types/", None, ALL_STAFF, 200),
    "income-type-list": ("get", lambda w: "/api/v1/income-types/", None, ALL_STAFF, 200),
    "legal-basis-list": ("get", lambda w: "/api/v1/legal-bases/", None, ALL_STAFF, 200),
    "delegation-point-list": ("get", lambda w: "/api/v1/delegation-points/", None, ALL_STAFF, 200),
    "application-list": ("get", lambda w: "/api/v1/applications/", None, FINANCE, 200),
    "application-detail": ("get", lambda w: f"/api/v1/applications/{w.decided.pk}/", None, FINANCE, 200),
    "application-create": (
        "post", lambda w: "/api/v1/applications/",
        lambda w, u: {"case": w.case.pk, "month": "2019-06-01", "members": [{"household_member": w.members[0].pk}]},
        {CW}, 201,
    ),
    "application-dry-run": (
        "post", lambda w: "/api/v1/applications/dry-run/",
        lambda w, u: {"case": w.case.pk, "month": "2019-06-01", "members": [{"household_member": w.members[0].pk}]},
        FINANCE, 200,
    ),
    "application-calculate": ("post", lambda w: f"/api/v1/applications/{w.undecided.pk}/calculate/",
                              lambda w, u: {}, FINANCE, 201),
    "application-approve-costs": (
        "post", lambda w: f"/api/v1/applications/{w.undecided.pk}/approve-costs/",
        lambda w, u: {"approvals": [{"cost": w.undecided.costs.get().pk, "amount_approved": 5000}]}, {CW}, 200,
    ),
    "application-withdraw": ("post", lambda w: f"/api/v1/applications/{w.undecided.pk}/withdraw/",
                             lambda w, u: {}, {CW}, 200),
    "calculation-list": ("get", lambda w: "/api/v1/calculations/", None, FINANCE, 200),
    "calculation-detail": ("get", lambda w: f"/api/v1/calculations/{w.decision.calculation_id}/", None, FINANCE, 200),
    "decision-list": ("get", lambda w: "/api/v1/decisions/", None, FINANCE, 200),
    "decision-detail": ("get", lambda w: f"/api/v1/decisions/{w.decision.pk}/", None, FINANCE, 200),
    "decision-create": ("post", lambda w: "/api/v1/decisions/", _decision_body, FINANCE, 201),
    # A signed decision never changes: for the roles that may decide, "success" is the 409.
    "decision-partial-update": ("patch", lambda w: f"/api/v1/decisions/{w.decision.pk}/",
                                lambda w, u: {"amount": 1}, FINANCE, 409),
    "decision-update": ("put", lambda w: f"/api/v1/decisions/{w.decision.pk}/",
                        lambda w, u: {"amount": 1}, FINANCE, 409),
    "decision-correct": ("post", lambda w: f"/api/v1/decisions/{w.decision.pk}/correct/", _correct_body, FINANCE, 201),
    "decision-execution": ("post", lambda w: f"/api/v1/decisions/{w.decision.pk}/execution/",
                           lambda w, u: {"kind": "executed", "occurred_on": "2019-03-20"}, FINANCE, 201),
    # Decisions are communicated: the letter (text, PDF), when it was sent, kommunicering.
    "decision-letter": ("get", lambda w: f"/api/v1/decisions/{w.decision.pk}/letter/", None, FINANCE, 200),
    "decision-letter-pdf": ("get", lambda w: f"/api/v1/decisions/{w.decision.pk}/letter/pdf/", None, FINANCE, 200),
    "decision-delivery": ("post", lambda w: f"/api/v1/decisions/{w.decision.pk}/delivery/",
                          lambda w, u: {"delivered_on": "2019-03-10", "way": "post"}, FINANCE, 201),
    "communication-list": ("get", lambda w: "/api/v1/communications/", None, FINANCE, 200),
    "communication-detail": ("get", lambda w: f"/api/v1/communications/{w.communication.pk}/", None, FINANCE, 200),
    "communication-create": (
        "post", lambda w: "/api/v1/communications/",
        lambda w, u: {"application": w.undecided.pk, "communicated_on": "2019-04-03", "content": "Underlaget.",
                      "answer_by": "2019-04-10"}, FINANCE, 201,
    ),
    "delegated-decisions": ("get", lambda w: "/api/v1/delegated-decisions/?decided_from=2019-01-01&decided_to=2019-12-31",
                            None, {BO, UM, AD}, 200),
}
FINANCE_ROUTE_NAMES = frozenset(FINANCE_ROUTES)
