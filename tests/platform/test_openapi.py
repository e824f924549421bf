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
        error = error.get("allOf", [error])[0]  # a $ref with a description beside it is wrapped in allOf
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


# Every property says what it holds and every enum its Swedish labels (config/api/schema_properties.py).
def _properties(schema):
    for name, component in schema["components"]["schemas"].items():
        for prop, spec in (component.get("properties") or {}).items():
            yield name, prop, spec


def test_every_property_has_a_description(schema):
    from config.api.schema_properties import SELF_EXPLANATORY

    properties = list(_properties(schema))
    undescribed = [(name, prop) for name, prop, spec in properties
                   if prop not in SELF_EXPLANATORY and not spec.get("description")]
    print(f"properties: {len(properties)}, described: {sum(bool(s.get('description')) for *_, s in properties)}, "
          f"exempt by name: {sum(prop in SELF_EXPLANATORY for _, prop, _ in properties)}")
    assert not undescribed
    props = schema["components"]["schemas"]
    # In this order: the model field's Swedish verbose_name; a reference says what it points at
    # (an id, or a code for a slug); the shared table for names with one meaning.
    assert props["Applicant"]["properties"]["personal_identity_number"]["description"] == "Personnummer."
    assert props["Case"]["properties"]["responsible_caseworker"]["description"] == (
        "Ansvarig handläggare (id för medarbetare).")
    assert props["Case"]["properties"]["unit"]["description"] == "Kod för enhet."
    assert props["Case"]["properties"]["status"]["description"].startswith("Läge")
    # An enum's list of values is the enum's; the property keeps only its own text.
    assert "* `" not in props["Case"]["properties"]["closing_reason"]["description"]
    # Path ids and pages are described in Swedish too (DRF's own texts are English, untranslated).
    assert "identifying this" not in str(schema["paths"]) and "paginated result set" not in str(schema["paths"])
    # Only a serializer's own docstring describes its component, not one it inherits.
    assert not any(c.get("description", "").startswith("Fills in the bounds") for c in props.values())


def test_every_enum_has_its_swedish_labels(schema):
    enums = {name: c for name, c in schema["components"]["schemas"].items()
             if "enum" in c and name not in ("BlankEnum", "NullEnum")}
    assert len(enums) > 30
    unlabelled = [name for name, c in enums.items()
                  if len(c.get("x-enum-descriptions", ())) != len(c["enum"])
                  or any(str(code) == label for code, label in zip(c["enum"], c["x-enum-descriptions"], strict=True))]
    assert not unlabelled
    assert enums["CaseStatusEnum"]["x-enum-descriptions"] == ["Aktualiserat", "Pågående", "Avslutat"]
    # Query parameters' own enums too, label by value (django-filter sorts the values, not the list).
    status = next(p for p in schema["paths"]["/api/v1/applications/"]["get"]["parameters"] if p["name"] == "status")
    assert dict(zip(status["schema"]["enum"], status["schema"]["x-enum-descriptions"], strict=True)) == {
        "received": "Inkommen", "decided": "Beslutad", "withdrawn": "Återtagen"}
    unlabelled = []
    for path, method, op in _operations(schema):
        for p in op.get("parameters", []):
            spec = p.get("schema", {}).get("items", p.get("schema", {}))
            if "enum" in spec and "x-enum-descriptions" not in spec and not all(
                    str(v) in p.get("description", "") for v in spec["enum"]):
                unlabelled.append((method, path, p["name"]))
    assert not unlabelled


# The main requests have examples, each one the operation's request serializer accepts.
EXAMPLED = {
    ("post", "/api/v1/applicants/"): "cases.api.serializers.ApplicantCreateSerializer",
    ("post", "/api/v1/cases/"): "cases.api.serializers.CaseCreateSerializer",
    ("post", "/api/v1/applications/"): "cases.api.finance_serializers.ApplicationCreateSerializer",
    ("post", "/api/v1/decisions/"): "cases.api.finance_serializers.DecisionCreateSerializer",
    ("post", "/api/v1/plans/"): "planning.api.serializers.PlanCreateSerializer",
    ("post", "/api/v1/follow-ups/"): "planning.api.serializers.FollowUpCreateSerializer",
    ("post", "/api/v1/referrals/"): "insatser.api.serializers.ReferralCreateSerializer",
    ("post", "/api/v1/participations/{id}/closing/"): "insatser.api.serializers.ClosingProposeSerializer",
    ("post", "/api/v1/participations/{id}/attendance/"): "insatser.api.serializers.AttendanceInputSerializer",
    ("post", "/api/v1/control/corrective-actions/"): "audit.api.serializers.CorrectiveActionCreateSerializer",
}


def _examples(schema, method, path):
    body = schema["paths"][path][method]["requestBody"]["content"]["application/json"]
    return body.get("examples", {})


@pytest.mark.parametrize(("method", "path"), list(EXAMPLED))
def test_the_main_requests_have_examples_their_serializer_accepts(schema, method, path):
    from django.utils.module_loading import import_string

    examples = _examples(schema, method, path)
    assert examples and all(e.get("summary") for e in examples.values())
    serializer_class = import_string(EXAMPLED[(method, path)])
    for name, example in examples.items():
        serializer = serializer_class(data=example["value"])
        assert serializer.is_valid(), (name, serializer.errors)
        # Every field the example sends is one the serializer reads (none silently ignored).
        assert set(example["value"]) <= set(serializer.fields), name


def test_the_applicant_example_creates_an_applicant(schema, api_as, caseworker):
    """A real POST: the example's test personnummer passes the identity check, and nothing real is in it."""
    from cases.identity import parse

    value = next(iter(_examples(schema, "post", "/api/v1/applicants/").values()))["value"]
    assert 980 <= int(value["personal_identity_number"][8:11]) <= 999  # Skatteverket's test series
    assert parse(value["personal_identity_number"]).birth_date.isoformat() == "1988-04-12"
    assert value["email"].endswith("@example.com")
    response = api_as(caseworker).post("/api/v1/applicants/", value, format="json")
    assert response.status_code == 201, response.json()
    assert response.json()["personal_identity_number"] == value["personal_identity_number"]

def test_writes_on_one_object_document_if_match_and_412_and_reads_their_etag(schema):
    """config/api/concurrency.py: every write on a detail path takes If-Match and can answer 412;
    every read of one object has the ETag header, If-None-Match and 304."""
    missing = []
    for path, method, op in _operations(schema):
        headers = {p["name"] for p in op.get("parameters", []) if p["in"] == "header"}
        if method != "get" and "{" in path:
            if "If-Match" not in headers or _error_ref(op, "412", schema) != "#/components/schemas/Error":
                missing.append((method, path))
        elif "412" in op["responses"]:
            missing.append((method, path, "412 where If-Match is not honoured"))
    assert not missing
    patch = schema["paths"]["/api/v1/applicants/{id}/"]["patch"]
    assert "ETag" in patch["responses"]["200"]["headers"]
    retrieve = schema["paths"]["/api/v1/applicants/{id}/"]["get"]
    assert "If-None-Match" in {p["name"] for p in retrieve["parameters"]}
    assert "ETag" in retrieve["responses"]["200"]["headers"] and "304" in retrieve["responses"]


# Lists of figures computed per request (no rows of their own to synchronise).
COMPUTED_LISTS = {
    "/api/v1/caseload/", "/api/v1/control/flag-counts/", "/api/v1/full-time/", "/api/v1/reports/definitions/",
    "/api/v1/delegated-decisions/", "/api/v1/applicants/{applicant_id}/planning-timeline/",
    "/api/v1/applicants/{id}/timeline/",
    # One object's own complete, short lists, answered whole and in their order.
    "/api/v1/cases/{id}/transfers/", "/api/v1/insatser/{id}/queue/", "/api/v1/control/samples/{id}/checklists/",
}


def test_every_list_documents_updated_since_and_every_row_its_updated_at(schema):
    components = schema["components"]["schemas"]

    def rows_of(op):
        body = op["responses"].get("200", {}).get("content", {}).get("application/json", {}).get("schema", {})
        if body.get("type") == "array":
            return body["items"].get("$ref")
        ref = body.get("$ref", "")
        if ref.rsplit("/", 1)[-1].startswith("Paginated"):
            return components[ref.rsplit("/", 1)[1]]["properties"]["results"]["items"]["$ref"]
        return None

    lists = [(path, op) for path, method, op in _operations(schema)
             if method == "get" and rows_of(op) and path not in COMPUTED_LISTS]
    assert len(lists) > 30
    without = [path for path, op in lists if "updated_since" not in {p["name"] for p in op.get("parameters", [])}]
    assert not without
    # The rows carry the time compared with (the access log: its time of writing, occurred_at).
    no_time = [path for path, op in lists
               if not {"updated_at", "occurred_at"} & set(components[rows_of(op).rsplit("/", 1)[1]]["properties"])]
    assert not no_time
