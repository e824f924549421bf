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
    assert {"next_follow_up_on", "plan_valid_to", "open_flags", "week_hours", "queue_position"} <= set(row)
    assert all(field.get("description") for field in row.values())


@pytest.mark.django_db
def test_schema_and_docs_are_served_to_staff_only(client, caseworker):
    assert client.get("/api/schema/").status_code in (401, 403)
    client.force_login(caseworker)
    response = client.get("/api/schema/")
    assert response.status_code == 200
    assert b"/api/v1/cases/" in response.content
    assert client.get("/api/docs/").status_code == 200


# The schema documents itself (config/api/schema.py): areas, summaries, descriptions and errors.
OPERATIONS = ("get", "post", "put", "patch", "delete")


@pytest.fixture(scope="module")
def schema():
    from drf_spectacular.generators import SchemaGenerator

    return SchemaGenerator().get_schema(request=None, public=True)


def _operations(schema):
    return [(path, method, op) for path, item in schema["paths"].items()
            for method, op in item.items() if method in OPERATIONS]


def test_every_operation_has_one_area_from_the_list(schema, settings):
    from config.api.schema import AREA_BY_PREFIX

    areas = {tag["name"] for tag in settings.SPECTACULAR_SETTINGS["TAGS"]}
    assert all(tag.get("description") for tag in settings.SPECTACULAR_SETTINGS["TAGS"])
    assert set(AREA_BY_PREFIX.values()) <= areas
    untagged = [(m, p, op.get("tags")) for p, m, op in _operations(schema)
                if len(op.get("tags", [])) != 1 or op["tags"][0] not in areas]
    assert not untagged
    # Longest prefix wins: the planning timeline under /applicants/ is planning, not persons.
    assert schema["paths"]["/api/v1/applicants/{applicant_id}/planning-timeline/"]["get"]["tags"] == ["planering"]
    assert schema["paths"]["/api/v1/applicants/"]["get"]["tags"] == ["personer och ärenden"]


def test_every_operation_has_a_summary_and_its_own_description(schema):
    ops = _operations(schema)
    assert not [(m, p) for p, m, op in ops if not op.get("summary") or not op.get("description")]
    # Within one resource (same path prefix), no two operations share a description: a
    # viewset's docstring is not copied onto every action.
    seen: dict = {}
    for path, method, op in ops:
        resource = path.removeprefix("/api/v1/").split("/{")[0]
        seen.setdefault((resource, op["description"]), []).append(f"{method} {path}")
    assert not {key: where for key, where in seen.items() if len(where) > 1}


def _error_ref(op, code, schema=None):
    content = op["responses"].get(code, {}).get("content", {})
    ref = content.get("application/json", {}).get("schema", {}).get("$ref")
    if schema and ref and ref != "#/components/schemas/Error":  # the error shape with more beside it
        error = schema["components"]["schemas"][ref.rsplit("/", 1)[1]].get("properties", {}).get("error", {})
        return "#/components/schemas/Error" if error.get("$ref") == "#/components/schemas/ErrorBody" else ref
    return ref


def test_every_operation_documents_its_errors_in_the_one_error_shape(schema):
    error = "#/components/schemas/Error"
    assert {"code", "message", "fields"} <= set(schema["components"]["schemas"]["ErrorBody"]["properties"])
    missing = []
    for path, method, op in _operations(schema):
        expected = {"403"} if path == "/api/v1/auth/token/" else {"401", "403"}
        if method != "get":
            expected |= {"400", "409"}
        if "{" in path:
            expected.add("404")
        if method in ("post", "put", "patch"):
            expected |= {"413", "415"}
        if any(p["in"] == "query" for p in op.get("parameters", [])):
            expected.add("400")  # a filter, page or other query parameter that is not valid
        if any(p["name"] == "page" for p in op.get("parameters", [])):
            expected.add("404")
        missing += [(method, path, code) for code in sorted(expected) if _error_ref(op, code, schema) != error]
        # Every 4xx documented is in the one shape, whoever declared it.
        missing += [(method, path, code) for code in op["responses"]
                    if code.startswith("4") and _error_ref(op, code, schema) != error]
    assert not missing
    token = schema["paths"]["/api/v1/auth/token/"]["post"]["responses"]
    assert "401" not in token and _error_ref({"responses": token}, "429") == error


def test_the_error_component_is_what_the_handler_answers(client, db):
    """The documented shape against a real answer of config/api/exceptions.py."""
    response = client.post("/api/v1/auth/token/", {}, content_type="application/json")
    assert response.status_code == 400
    body = response.json()
    assert set(body) == {"error"} and {"code", "message", "fields"} == set(body["error"])
    assert all({"code", "message"} == set(e) for errors in body["error"]["fields"].values() for e in errors)


def test_refused_operations_are_unpublished_and_downloads_name_their_types(schema):
    assert set(schema["paths"]["/api/v1/decisions/{id}/"]) == {"get"}
    content = lambda path: set(schema["paths"][path]["get"]["responses"]["200"]["content"])  # noqa: E731
    assert content("/api/v1/decisions/{id}/letter/pdf/") == {"application/pdf"}
    assert content("/api/v1/payment-batches/{id}/pain001/") == {"application/xml"}
    assert content("/api/v1/reports/snapshots/{id}/download/{fmt}/") == {
        "application/pdf", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "application/zip"}
    report = schema["paths"]["/api/v1/reports/snapshots/{id}/data/"]["get"]["responses"]
    assert _error_ref({"responses": report}, "409") == "#/components/schemas/Error"
