"""Headers and transport: a Content-Security-Policy without inline script or style, no-store on
every answer Django gives, JSON in and JSON out on the API (no browsable API)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from django.conf import settings
from django.test import Client
from rest_framework.test import APIClient

from tests.factories.cases import ApplicantFactory

pytestmark = pytest.mark.django_db
BASE_DIR = Path(settings.BASE_DIR)
# Rendered by WeasyPrint into a PDF on the server, never served to a browser.
SERVER_SIDE_ONLY = {"audit/templates/audit/reports/pdf.html", "cases/templates/cases/journal_pdf.html",
                    "cases/templates/cases/decision_letter_pdf.html",
                    "planning/templates/planning/documents/_document.html"}
INLINE = [
    (r"<script(?![^>]*\bsrc=)[^>]*>", "inline script"),
    (r"<style\b", "style element"),
    (r"\sstyle=", "style attribute"),
    (r"\son[a-z]+=", "event handler attribute"),
    (r"javascript:", "javascript: URL"),
    (r"hx-on", "htmx inline handler"),
]


def _templates():
    for path in BASE_DIR.glob("**/templates/**/*.html"):
        rel = path.relative_to(BASE_DIR).as_posix()
        if rel.startswith((".venv/", "staticfiles/", "var/")) or rel in SERVER_SIDE_ONLY:
            continue
        yield rel, path.read_text()


def _inline(html: str) -> list[str]:
    return [what for pattern, what in INLINE if re.search(pattern, html, re.I)]


def test_no_template_has_inline_script_or_style():
    found = {rel: _inline(text) for rel, text in _templates()}
    assert len(found) > 20
    assert not {rel: what for rel, what in found.items() if what}


def test_pages_carry_a_policy_without_unsafe_inline(client, coordinator):
    response = client.get("/login/")
    policy = response["Content-Security-Policy"]
    directives = dict(d.strip().split(" ", 1) for d in policy.split(";") if d.strip())
    assert directives["script-src"] == "'self'" and directives["style-src"] == "'self'"
    assert directives["default-src"] == "'self'" and directives["object-src"] == "'none'"
    assert directives["frame-ancestors"] == "'none'"
    assert "unsafe" not in policy
    client.force_login(coordinator)
    for url in ("/mina-personer/", "/api/docs/"):
        page = client.get(url)
        assert page.status_code == 200, url
        assert page["Content-Security-Policy"] == policy
        assert not _inline(page.content.decode()), url


def test_swagger_ui_starts_from_a_script_file(client, caseworker):
    client.force_login(caseworker)
    script = client.get("/api/docs/?script=")
    assert script.status_code == 200
    assert script["Content-Type"].startswith("application/javascript")
    assert b"SwaggerUIBundle" in script.content


@pytest.mark.parametrize("url", ["/login/", "/", "/api/v1/cases/", "/api/v1/cases/999999/", "/api/schema/",
                                 "/mina-personer/"])
def test_every_answer_is_no_store(client, coordinator, url):
    client.force_login(coordinator)
    cache_control = {part.strip() for part in client.get(url)["Cache-Control"].split(",")}
    assert {"no-store", "private"} <= cache_control


def test_personal_api_answers_and_the_token_are_no_store(caseworker):
    person = ApplicantFactory(registered_unit=caseworker.unit)
    api = APIClient()
    api.force_authenticate(caseworker)
    assert "no-store" in api.get(f"/api/v1/applicants/{person.pk}/")["Cache-Control"]
    token = APIClient().post("/api/v1/auth/token/", {"username": caseworker.username,
                                                      "password": "lösenord-för-test"})
    assert token.status_code == 200 and "no-store" in token["Cache-Control"]
    assert "no-store" in Client().get("/inte-en-sida/")["Cache-Control"]


def test_the_api_answers_json_only(caseworker):
    api = APIClient()
    api.force_authenticate(caseworker)
    html = api.get("/api/v1/cases/", HTTP_ACCEPT="text/html")
    assert html.status_code == 406 and html["Content-Type"].startswith("application/json")
    assert api.get("/api/v1/cases/?format=api").status_code == 404
    assert api.get("/api/v1/cases/")["Content-Type"] == "application/json"
    assert settings.REST_FRAMEWORK["DEFAULT_RENDERER_CLASSES"] == ["rest_framework.renderers.JSONRenderer"]


@pytest.mark.parametrize("content_type", ["multipart", "form"])
def test_the_api_takes_json_bodies_only(caseworker, content_type):
    api = APIClient()
    api.force_authenticate(caseworker)
    body = {"personal_identity_number": "199001012385"}
    if content_type == "multipart":
        response = api.post("/api/v1/applicants/search/", body, format="multipart")
    else:
        response = api.post("/api/v1/applicants/search/", "personal_identity_number=199001012385",
                            content_type="application/x-www-form-urlencoded")
    assert response.status_code == 415
    assert response.json()["error"]["code"] == "unsupported_media_type"
    assert api.post("/api/v1/applicants/search/", body, format="json").status_code == 200
    form_token = APIClient().post("/api/v1/auth/token/", {"username": caseworker.username, "password": "x"},
                                  format="multipart")
    assert form_token.status_code == 415
