"""Sign-in through a real OpenID Connect provider (tests/oidc/conftest.py): the authorization
code flow with PKCE, from this service's login page through the provider's sign-in and consent
pages and back; the provider's identity is mapped to an existing member of staff by a claim."""

from __future__ import annotations

import re
from html import unescape

import pytest
import requests

from audit.models import AccessLogEntry
from cases.models import Role
from tests.factories.cases import StaffFactory

pytestmark = pytest.mark.django_db(transaction=True)


def _submit_provider_form(session: requests.Session, response: requests.Response, **fields) -> requests.Response:
    action = unescape(re.search(r'<form[^>]*action="([^"]+)"', response.text).group(1))
    url = requests.compat.urljoin(response.url, action)
    return session.post(url, data=fields, timeout=20)


def sign_in_at_provider(live_server, login: str) -> tuple[requests.Session, requests.Response]:
    """Start at this service, sign in as `login` at the provider, consent, land back here."""
    session = requests.Session()
    page = session.get(f"{live_server.url}/login/", timeout=20)
    start = re.search(r'href="(/oidc/authenticate/[^"]*)"', page.text).group(1)
    provider_login = session.get(f"{live_server.url}{start}", timeout=20)
    assert 'name="login"' in provider_login.text, provider_login.text[:500]
    consent = _submit_provider_form(session, provider_login, prompt="login", login=login, password="valfritt")
    landed = _submit_provider_form(session, consent, prompt="consent") if 'value="consent"' in consent.text else consent
    return session, landed


def test_a_member_of_staff_signs_in_with_the_identity_provider(oidc_provider, live_server):
    karin = StaffFactory(role=Role.CASEWORKER, username="karin.b", email="karin.berg@kommun.example")
    session, landed = sign_in_at_provider(live_server, "karin")
    assert landed.url.startswith(live_server.url) and "/login/" not in landed.url, landed.url
    assert landed.status_code == 200
    me = session.get(f"{live_server.url}/api/v1/cases/", timeout=20)
    assert me.status_code == 200
    assert session.cookies.get("sessionid")
    karin.refresh_from_db()
    assert karin.last_login is not None


def test_the_claim_and_field_are_configurable(oidc_provider, live_server, settings):
    settings.OIDC_STAFF_CLAIM, settings.OIDC_STAFF_FIELD = "hsa_id", "username"
    StaffFactory(role=Role.COORDINATOR, username="SE2321000016-K001", email="")
    session, landed = sign_in_at_provider(live_server, "karin")
    assert "/login/" not in landed.url
    assert session.get(f"{live_server.url}/api/v1/cases/", timeout=20).status_code == 200


@pytest.mark.parametrize("login", ["okand", "utan-epost"])
def test_an_identity_without_a_member_of_staff_is_refused_and_nobody_is_created(oidc_provider, live_server, login):
    StaffFactory(role=Role.CASEWORKER, username="karin.b", email="karin.berg@kommun.example")
    from cases.models import Staff

    before = Staff.objects.count()
    session, landed = sign_in_at_provider(live_server, login)
    assert "/login/?oidc=" in landed.url
    assert "misslyckades" in landed.text
    assert session.get(f"{live_server.url}/api/v1/cases/", timeout=20).status_code in (401, 403)
    assert Staff.objects.count() == before
    assert AccessLogEntry.objects.filter(action="login_failed", channel="ui").exists()


def test_an_inactive_member_of_staff_is_refused(oidc_provider, live_server):
    StaffFactory(role=Role.CASEWORKER, username="karin.b", email="karin.berg@kommun.example", is_active=False)
    session, landed = sign_in_at_provider(live_server, "karin")
    assert "/login/?oidc=" in landed.url


def test_with_password_login_off_only_the_identity_provider_signs_in(oidc_provider, live_server, settings):
    settings.PASSWORD_LOGIN_ENABLED = False
    settings.AUTHENTICATION_BACKENDS = ["axes.backends.AxesStandaloneBackend", "config.oidc.StaffOIDCBackend"]
    StaffFactory(role=Role.CASEWORKER, username="karin.b", email="karin.berg@kommun.example")
    page = requests.get(f"{live_server.url}/login/", timeout=20)
    assert 'type="password"' not in page.text and "/oidc/authenticate/" in page.text
    token = requests.post(f"{live_server.url}/api/v1/auth/token/",
                          json={"username": "karin.b", "password": "lösenord-för-test"}, timeout=20)
    assert token.status_code == 403 and "token" not in token.json()
    session, landed = sign_in_at_provider(live_server, "karin")
    assert "/login/" not in landed.url
    assert session.get(f"{live_server.url}/api/v1/cases/", timeout=20).status_code == 200


def _provider_asks_for_login(session: requests.Session, live_server) -> bool:
    """Start a sign-in again: does the provider ask who you are, or sign you straight back in?"""
    page = session.get(f"{live_server.url}/login/", timeout=20)
    start = re.search(r'href="(/oidc/authenticate/[^"]*)"', page.text).group(1)
    return 'name="login"' in session.get(f"{live_server.url}{start}", timeout=20).text


def test_signing_out_ends_the_session_at_the_identity_provider_too(oidc_provider, live_server):
    StaffFactory(role=Role.CASEWORKER, username="karin.b", email="karin.berg@kommun.example")
    session, _ = sign_in_at_provider(live_server, "karin")
    # Control: ending only this service's session leaves the provider's, which signs straight back in.
    service_cookie = session.cookies.get("sessionid")
    session.cookies.set("sessionid", None)
    assert not _provider_asks_for_login(session, live_server)
    assert session.get(f"{live_server.url}/api/v1/cases/", timeout=20).status_code == 200
    assert session.cookies.get("sessionid") != service_cookie

    home = session.get(f"{live_server.url}/", timeout=20)
    csrf = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', home.text).group(1)
    confirm = session.post(f"{live_server.url}/logout/", data={"csrfmiddlewaretoken": csrf}, timeout=20)
    # The provider's end_session_endpoint, with this session's ID token as the hint, asks to confirm.
    assert confirm.url.startswith(f"{oidc_provider}/session/end"), confirm.url
    assert "id_token_hint" in confirm.history[-1].headers["Location"]
    back = _submit_provider_form(session, confirm, xsrf=re.search(r'name="xsrf" value="([^"]+)"', confirm.text).group(1),
                                 logout="yes")
    assert back.url == f"{live_server.url}/login/", back.url
    assert session.get(f"{live_server.url}/api/v1/cases/", timeout=20).status_code in (401, 403)
    assert _provider_asks_for_login(session, live_server)


def test_signing_out_of_a_password_session_goes_to_the_login_page(oidc_provider, live_server):
    StaffFactory(role=Role.CASEWORKER, username="karin.b", email="karin.berg@kommun.example")
    session = requests.Session()
    page = session.get(f"{live_server.url}/login/", timeout=20)
    csrf = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.text).group(1)
    signed_in = session.post(f"{live_server.url}/login/", timeout=20, data={
        "csrfmiddlewaretoken": csrf, "username": "karin.b", "password": "lösenord-för-test"})
    assert "/login/" not in signed_in.url
    csrf = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', signed_in.text).group(1)
    out = session.post(f"{live_server.url}/logout/", data={"csrfmiddlewaretoken": csrf}, timeout=20)
    assert out.url == f"{live_server.url}/login/" and not out.history[0].headers["Location"].startswith(oidc_provider)
    assert session.get(f"{live_server.url}/api/v1/cases/", timeout=20).status_code in (401, 403)
