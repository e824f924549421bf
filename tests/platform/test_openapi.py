"""The OpenAPI schema generates without warnings and lists the endpoints."""

from __future__ import annotations

import pytest
import yaml
from django.core.management import call_command


def test_schema_validates_without_warnings(tmp_path):
    out = tmp_path / "schema.yaml"
    # --fail-on-warn turns any drf-spectacular warning (unresolvable type, missing serializer) into an error.
    call_command("spectacular", "--validate", "--fail-on-warn", "--file", str(out))
    schema = yaml.safe_load(out.read_text())
    paths = set(schema["paths"])
    for path in [
        "/api/v1/units/", "/api/v1/staff/", "/api/v1/support-barriers/", "/api/v1/applicants/",
        "/api/v1/applicants/{id}/", "/api/v1/applicants/search/", "/api/v1/households/",
        "/api/v1/households/{id}/members/", "/api/v1/cases/", "/api/v1/cases/{id}/close/",
        "/api/v1/cases/{id}/coordinator-assignments/", "/api/v1/auth/token/",
    ]:
        assert path in paths, path
    assert "post" in schema["paths"]["/api/v1/applicants/search/"]
    assert "get" not in schema["paths"]["/api/v1/applicants/search/"]
    # Tokens: issued with credentials (token and expiry), revoked with the token itself.
    token = schema["paths"]["/api/v1/auth/token/"]["post"]
    assert set(token["responses"]) >= {"200", "400", "429"}
    assert "/api/v1/auth/token/revoke/" in paths and "/api/v1/auth/token/revoke-all/" in paths
    assert {"knoxApiToken"} <= set(schema["components"]["securitySchemes"]) or any(
        "token" in name.lower() for name in schema["components"]["securitySchemes"])
    # Filtering, ordering and pagination are described on the lists.
    params = {p["name"] for p in schema["paths"]["/api/v1/cases/"]["get"]["parameters"]}
    assert {"status", "ordering", "page"} <= params
    # Bounded counts: every paged list says whether its count is exact (config/api/pagination.py).
    paged = schema["components"]["schemas"]["PaginatedCaseList"]
    assert {"count", "count_is_exact", "count_bound"} <= set(paged["required"])
    # The caseload API: the page's filters and sorts, every field described.
    caseload = schema["paths"]["/api/v1/caseload/"]["get"]
    assert {"show", "sort", "page"} <= {p["name"] for p in caseload["parameters"]}
    row = schema["components"]["schemas"]["CaseloadRow"]["properties"]
    assert {"next_follow_up_on", "plan_valid_until", "open_flags", "week_hours", "queue_position"} <= set(row)
    assert all(field.get("description") for field in row.values())


@pytest.mark.django_db
def test_schema_and_docs_are_served_to_staff_only(client, caseworker):
    assert client.get("/api/schema/").status_code in (401, 403)
    client.force_login(caseworker)
    response = client.get("/api/schema/")
    assert response.status_code == 200
    assert b"/api/v1/cases/" in response.content
    assert client.get("/api/docs/").status_code == 200
