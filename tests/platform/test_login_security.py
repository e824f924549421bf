"""Logins resist attack: django-axes locks an account and an address after LOGIN_FAILURE_LIMIT
failed attempts, on the web login and on the API token endpoint alike; every failure is in
axes' records and in the access log; API tokens (knox) are hashed, expire, can be revoked and
die with a password change; the client address comes from the trusted proxy."""

from __future__ import annotations

import datetime

import pytest
from axes.models import AccessAttempt, AccessFailureLog
from django.conf import settings
from django.test import Client, RequestFactory, override_settings
from django.utils import timezone
from knox.models import AuthToken
from rest_framework.test import APIClient

from audit.models import AccessLogEntry
from audit.recording.client import client_address
from tests.factories.cases import StaffFactory

PASSWORD = "lösenord-för-test"  # StaffFactory's
LIMIT = settings.AXES_FAILURE_LIMIT
pytestmark = pytest.mark.django_db


def _web_login(client, username, password, **extra):
    return client.post("/login/", {"username": username, "password": password}, **extra)


def _token(client, username, password, **extra):
    return client.post("/api/v1/auth/token/", {"username": username, "password": password}, format="json", **extra)


def _signed_in(client) -> bool:
    return "_auth_user_id" in client.session


def test_the_threshold_is_a_small_configured_number():
    assert 3 <= LIMIT <= 10
    assert settings.AXES_COOLOFF_TIME >= datetime.timedelta(minutes=5)


def test_thirty_wrong_passwords_then_the_right_one_do_not_sign_in_on_the_web(caseworker):
    client = Client()
    statuses = [_web_login(client, caseworker.username, f"fel-{i}").status_code for i in range(30)]
    assert statuses[:LIMIT - 1] == [200] * (LIMIT - 1)  # the form again, with its error
    assert set(statuses[LIMIT:]) == {429}
    right = _web_login(client, caseworker.username, PASSWORD)
    assert right.status_code == 429
    assert "För många misslyckade inloggningar" in right.content.decode()
    assert not _signed_in(client)


def test_thirty_wrong_passwords_then_the_right_one_get_no_token(caseworker):
    client = APIClient()
    statuses = [_token(client, caseworker.username, f"fel-{i}").status_code for i in range(30)]
    assert statuses[:LIMIT - 1] == [400] * (LIMIT - 1)
    assert set(statuses[LIMIT:]) == {429}
    right = _token(client, caseworker.username, PASSWORD)
    assert right.status_code == 429
    assert right.json()["error"]["code"] == "locked_out"
    assert "token" not in right.json()
    assert not AuthToken.objects.exists()


def test_the_web_and_the_api_share_one_count_per_account(caseworker):
    for i in range(LIMIT):
        (_web_login(Client(), caseworker.username, "fel") if i % 2 else _token(APIClient(), caseworker.username, "fel"))
    assert _token(APIClient(), caseworker.username, PASSWORD).status_code == 429
    assert _web_login(Client(), caseworker.username, PASSWORD).status_code == 429


def test_an_account_is_locked_whatever_address_the_attempts_come_from(caseworker):
    for i in range(LIMIT):
        _web_login(Client(), caseworker.username, "fel", REMOTE_ADDR=f"192.0.2.{i + 1}")
    assert _web_login(Client(), caseworker.username, PASSWORD, REMOTE_ADDR="198.51.100.9").status_code == 429


def test_an_address_is_locked_whatever_accounts_it_tries(caseworker):
    others = [StaffFactory() for _ in range(LIMIT)]
    for other in others:
        _web_login(Client(), other.username, "fel", REMOTE_ADDR="203.0.113.7")
    assert _web_login(Client(), caseworker.username, PASSWORD, REMOTE_ADDR="203.0.113.7").status_code == 429
    # The same account from another address still signs in.
    client = Client()
    assert _web_login(client, caseworker.username, PASSWORD, REMOTE_ADDR="203.0.113.8").status_code == 302
    assert _signed_in(client)


def test_signing_in_to_an_own_account_between_guesses_resets_nothing(caseworker):
    """An attacker with an account of their own cannot wipe the count of the one they guess at."""
    attacker = StaffFactory()
    for _ in range(LIMIT - 1):
        _token(APIClient(), caseworker.username, "fel", REMOTE_ADDR="192.0.2.66")
    assert _token(APIClient(), attacker.username, PASSWORD, REMOTE_ADDR="192.0.2.66").status_code == 200
    _token(APIClient(), caseworker.username, "fel", REMOTE_ADDR="192.0.2.66")
    assert _token(APIClient(), caseworker.username, PASSWORD, REMOTE_ADDR="198.51.100.66").status_code == 429


def test_the_lockout_ends_after_the_cool_off(caseworker):
    for _ in range(LIMIT):
        _web_login(Client(), caseworker.username, "fel")
    assert _web_login(Client(), caseworker.username, PASSWORD).status_code == 429
    AccessAttempt.objects.update(attempt_time=timezone.now() - settings.AXES_COOLOFF_TIME - datetime.timedelta(seconds=1))
    assert _web_login(Client(), caseworker.username, PASSWORD).status_code == 302


def test_every_failed_attempt_is_kept_by_axes_and_in_the_access_log(caseworker):
    for _ in range(LIMIT + 2):
        _web_login(Client(), caseworker.username, "fel", REMOTE_ADDR="192.0.2.44")
    _token(APIClient(), caseworker.username, "fel", REMOTE_ADDR="192.0.2.44")
    attempts = LIMIT + 3
    assert AccessFailureLog.objects.filter(username=caseworker.username).count() == attempts
    failed = AccessLogEntry.objects.filter(action="login_failed", object_type="login", object_id=caseworker.username)
    assert failed.count() == attempts
    assert set(failed.values_list("ip_address", flat=True)) == {"192.0.2.44"}
    assert set(failed.values_list("channel", flat=True)) == {"ui", "api"}
    assert failed.filter(actor_id__isnull=False).count() == 0
    assert AccessLogEntry.objects.filter(action="locked_out", object_id=caseworker.username).exists()


def test_a_right_password_writes_no_failure(caseworker):
    _web_login(Client(), caseworker.username, PASSWORD)
    assert not AccessLogEntry.objects.filter(action__in=["login_failed", "locked_out"]).exists()


# --- API tokens ---------------------------------------------------------------------------------

def _issue(user):
    response = _token(APIClient(), user.username, PASSWORD)
    assert response.status_code == 200, response.content
    return response.json()


def _with(token):
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    return client


def test_a_token_is_stored_as_a_digest_and_expires_after_its_lifetime(caseworker):
    issued = _issue(caseworker)
    stored = AuthToken.objects.get(user=caseworker)
    assert issued["token"] not in (stored.digest, stored.token_key) and stored.token_key == issued["token"][:15]
    lifetime = stored.expiry - stored.created
    assert abs(lifetime - settings.REST_KNOX["TOKEN_TTL"]) < datetime.timedelta(seconds=5)
    assert _with(issued["token"]).get("/api/v1/cases/").status_code == 200
    AuthToken.objects.filter(pk=stored.pk).update(expiry=timezone.now() - datetime.timedelta(seconds=1))
    assert _with(issued["token"]).get("/api/v1/cases/").status_code == 401


def test_revoke_ends_that_token_only(caseworker):
    first, second = _issue(caseworker)["token"], _issue(caseworker)["token"]
    assert _with(first).post("/api/v1/auth/token/revoke/").status_code == 204
    assert _with(first).get("/api/v1/cases/").status_code == 401
    assert _with(second).get("/api/v1/cases/").status_code == 200


def test_revoke_all_ends_every_token_of_the_member(caseworker):
    first, second = _issue(caseworker)["token"], _issue(caseworker)["token"]
    assert _with(first).post("/api/v1/auth/token/revoke-all/").status_code == 204
    assert _with(second).get("/api/v1/cases/").status_code == 401
    assert not AuthToken.objects.filter(user=caseworker).exists()


def test_a_password_change_revokes_every_token(caseworker, unit_manager):
    token = _issue(caseworker)["token"]
    kept = _issue(unit_manager)["token"]
    caseworker.set_password("ett-helt-nytt-lösenord-2026")
    caseworker.save()
    assert _with(token).get("/api/v1/cases/").status_code == 401
    assert _with(kept).get("/api/v1/cases/").status_code == 200


def test_revoking_needs_a_token(caseworker):
    assert APIClient().post("/api/v1/auth/token/revoke/").status_code == 401


def test_the_token_endpoint_names_missing_fields():
    response = APIClient().post("/api/v1/auth/token/", {"username": "x"}, format="json")
    assert response.status_code == 400
    assert "password" in response.json()["error"]["fields"]


# --- the client address -------------------------------------------------------------------------

@pytest.mark.parametrize(("count", "forwarded", "expected"), [
    (0, "198.51.100.1", "192.0.2.10"),                     # no proxy: the header is the client's own
    (1, "198.51.100.1", "198.51.100.1"),                   # what the one proxy saw
    (1, "203.0.113.5, 198.51.100.1", "198.51.100.1"),      # a forged entry to the left is ignored
    (2, "203.0.113.5, 198.51.100.1", "203.0.113.5"),
    (2, "198.51.100.1", "192.0.2.10"),                     # shorter than the proxies: not believed
    (1, "inte-en-adress", "192.0.2.10"),
    (1, "", "192.0.2.10"),
])
def test_the_client_address_is_the_one_the_trusted_proxy_saw(count, forwarded, expected):
    request = RequestFactory().get("/", REMOTE_ADDR="192.0.2.10", HTTP_X_FORWARDED_FOR=forwarded)
    with override_settings(TRUSTED_PROXY_COUNT=count):
        assert client_address(request) == expected


def test_the_access_log_and_the_lockout_use_the_proxied_address(caseworker):
    with override_settings(TRUSTED_PROXY_COUNT=1):
        for _ in range(LIMIT):
            _web_login(Client(), caseworker.username, "fel", REMOTE_ADDR="192.0.2.1",
                       HTTP_X_FORWARDED_FOR="203.0.113.99")
    assert set(AccessLogEntry.objects.filter(action="login_failed").values_list("ip_address", flat=True)) == {
        "203.0.113.99"}
    assert set(AccessAttempt.objects.values_list("ip_address", flat=True)) == {"203.0.113.99"}


# --- password login off, identity provider off -----------------------------------------------

def test_the_identity_provider_routes_are_not_found_while_it_is_off(client):
    assert not settings.OIDC_ENABLED
    assert client.get("/oidc/authenticate/").status_code == 404
    assert client.get("/oidc/callback/?code=x&state=y").status_code == 404
    assert "/oidc/" not in client.get("/login/").content.decode()


def test_with_password_login_off_no_password_signs_in(caseworker, settings):
    settings.PASSWORD_LOGIN_ENABLED = False
    settings.AUTHENTICATION_BACKENDS = ["axes.backends.AxesStandaloneBackend"]
    client = Client()
    assert 'type="password"' not in client.get("/login/").content.decode()
    assert _web_login(client, caseworker.username, PASSWORD).status_code == 403
    assert not _signed_in(client)
    token = _token(APIClient(), caseworker.username, PASSWORD)
    assert token.status_code == 403 and "token" not in token.json()


def test_no_table_of_cleartext_tokens_is_left():
    from django.db import connection

    assert "authtoken_token" not in connection.introspection.table_names()
    assert "knox_authtoken" in connection.introspection.table_names()


def test_sign_ins_without_a_user_name_are_counted_by_address_only(caseworker):
    """The identity provider's callback passes no user name: its failures must not add up to a
    lockout of everyone's (empty) user name."""
    from axes.handlers.proxy import AxesProxyHandler
    from django.contrib.auth import authenticate

    def request_from(address):
        request = RequestFactory().get("/oidc/callback/", REMOTE_ADDR=address)
        request.session = {}
        return request

    for i in range(LIMIT + 2):
        assert authenticate(request_from(f"192.0.2.{100 + i}"), nonce="n", code_verifier="v") is None
    assert AccessAttempt.objects.count() == LIMIT + 2
    assert AxesProxyHandler.is_allowed(request_from("198.51.100.200"), {})
    for _ in range(LIMIT):
        authenticate(request_from("198.51.100.201"), nonce="n", code_verifier="v")
    assert not AxesProxyHandler.is_allowed(request_from("198.51.100.201"), {})


def test_the_admin_login_shares_the_lockout(administrator):
    for _ in range(LIMIT):
        Client().post("/admin/login/", {"username": administrator.username, "password": "fel"})
    client = Client()
    response = client.post("/admin/login/", {"username": administrator.username, "password": PASSWORD})
    assert response.status_code == 429 and not _signed_in(client)
    assert AccessLogEntry.objects.filter(action="login_failed", channel="admin").count() >= LIMIT
