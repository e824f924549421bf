"""Every ekonomiskt bistånd endpoint is in the OpenAPI schema."""

import pytest

pytestmark = pytest.mark.django_db

PATHS = [
    "/api/v1/applications/", "/api/v1/applications/{id}/", "/api/v1/applications/dry-run/",
    "/api/v1/applications/{id}/calculate/", "/api/v1/applications/{id}/approve-costs/",
    "/api/v1/applications/{id}/withdraw/", "/api/v1/calculations/", "/api/v1/calculations/{id}/",
    "/api/v1/decisions/", "/api/v1/decisions/{id}/", "/api/v1/decisions/{id}/correct/",
    "/api/v1/decisions/{id}/execution/", "/api/v1/delegated-decisions/", "/api/v1/riksnorm-tables/",
    "/api/v1/cost-types/", "/api/v1/income-types/", "/api/v1/legal-bases/", "/api/v1/delegation-points/",
]


def test_finance_endpoints_are_in_the_schema(api_as, caseworker):
    response = api_as(caseworker).get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json")
    assert response.status_code == 200
    paths = response.json()["paths"]
    missing = [p for p in PATHS if p not in paths]
    assert missing == []
    assert "post" in paths["/api/v1/applications/dry-run/"]


def test_reference_data_is_readable_by_all_staff_and_lists_the_legal_bases(api_as, board_member):
    client = api_as(board_member)
    bases = {b["code"]: b for b in client.get("/api/v1/legal-bases/").json()}
    assert bases["sol-12-1"]["reference"] == "12 kap. 1 §"
    assert bases["sol-12-1"]["appeal_kind"] == "forvaltningsbesvar" and bases["sol-12-1"]["appeal_period_days"] == 21
    points = {p["code"]: p for p in client.get("/api/v1/delegation-points/").json()}
    assert points["EB-1"]["role"] == "caseworker" and points["EB-1"]["max_amount"] == 30000
    incomes = {t["code"]: t for t in client.get("/api/v1/income-types/").json()}
    assert incomes["wages"]["is_employment"] and not incomes["not_counted"]["counts"]
    costs = {t["code"]: t for t in client.get("/api/v1/cost-types/").json()}
    assert costs["housing"]["counts"] and not costs["medical"]["counts"]
    tables = client.get("/api/v1/riksnorm-tables/").json()
    assert [t["name"] for t in tables] == ["Riksnorm 2023", "Riksnorm 2019"]
