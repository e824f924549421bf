"""Request bodies are bounded in size and nesting (config/limits.py); what is refused answers in
the API's error shape, and nothing is parsed into Python recursion."""

import json

import pytest

from config.api.parsers import json_depth
from config.limits import JSON_MAX_DEPTH, REQUEST_BODY_MAX_BYTES

pytestmark = pytest.mark.django_db

URL = "/api/v1/applicants/search/"


def nested(depth: int) -> str:
    return "[" * depth + "]" * depth


def post_raw(client, body: str | bytes):
    return client.generic("POST", URL, body, content_type="application/json")


@pytest.mark.parametrize("depth", [JSON_MAX_DEPTH + 1, 5000, 200_000])
def test_deeply_nested_json_is_a_400_not_a_recursion_error(api_as, caseworker, depth):
    response = post_raw(api_as(caseworker), '{"personal_identity_number": ' + nested(depth) + "}")
    assert response.status_code == 400, response.content
    error = response.json()["error"]
    assert error["code"] == "too_deep" and str(JSON_MAX_DEPTH) in error["message"]


def test_nesting_up_to_the_bound_is_parsed_and_validated(api_as, caseworker):
    response = post_raw(api_as(caseworker), '{"personal_identity_number": ' + nested(JSON_MAX_DEPTH - 1) + "}")
    assert response.status_code == 400
    assert "personal_identity_number" in response.json()["error"]["fields"]


def test_brackets_inside_strings_do_not_count_as_nesting():
    text = json.dumps({"note": "[" * 1000 + '\\"{' * 500, "list": [[1]]})
    assert json_depth(text) == 3  # the object and the two lists, not the 1 500 brackets in the string
    assert json_depth(nested(40)) == 40


def test_a_body_over_the_size_bound_is_a_413(api_as, caseworker):
    body = json.dumps({"personal_identity_number": "x" * REQUEST_BODY_MAX_BYTES})
    response = post_raw(api_as(caseworker), body)
    assert response.status_code == 413
    assert response.json()["error"]["code"] == "request_too_large"


@pytest.mark.parametrize("body", [b"\xff\xfe{", b'{"a": NaN}', b"{", b'{"a": 1e999999}'])
def test_malformed_bodies_are_a_400(api_as, caseworker, body):
    response = post_raw(api_as(caseworker), body)
    assert response.status_code == 400, response.content
    assert response.json()["error"]["code"] in {"parse_error", "validation_error"}


def test_an_api_url_no_route_matches_is_a_404_in_the_error_shape(api_as, caseworker, client):
    response = api_as(caseworker).get("/api/v1/cases/0.5/")
    assert response.status_code == 404 and response["Content-Type"] == "application/json"
    assert response.json() == {"error": {"code": "not_found", "message": "Hittades inte."}}
    assert client.get("/ingen-sida/").status_code == 404  # pages keep the site's 404 page
    assert "text/html" in client.get("/ingen-sida/")["Content-Type"]
