"""Token and session authentication, Argon2, and production settings that refuse unsafe starts."""

from __future__ import annotations

import importlib
import os
import subprocess
import sys
from pathlib import Path

import pytest
from rest_framework.test import APIClient

from tests.factories.cases import StaffFactory

BASE_DIR = Path(__file__).resolve().parents[2]
PASSWORD = "lösenord-för-test"  # StaffFactory's


@pytest.mark.django_db
def test_token_authentication(caseworker):
    client = APIClient()
    response = client.post("/api/v1/auth/token/", {"username": caseworker.username, "password": PASSWORD}, format="json")
    assert response.status_code == 200
    token = response.json()["token"]
    assert response.json()["expiry"]
    assert client.get("/api/v1/cases/").status_code == 401
    client.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    assert client.get("/api/v1/cases/").status_code == 200
    client.credentials(HTTP_AUTHORIZATION="Token " + "0" * 40)
    assert client.get("/api/v1/cases/").status_code == 401


@pytest.mark.django_db
def test_token_refused_for_wrong_password_and_inactive_staff(caseworker):
    client = APIClient()
    wrong = client.post("/api/v1/auth/token/", {"username": caseworker.username, "password": "fel"}, format="json")
    assert wrong.status_code == 400
    assert "token" not in wrong.json()
    inactive = StaffFactory(username="slutat", is_active=False)
    gone = client.post("/api/v1/auth/token/", {"username": inactive.username, "password": PASSWORD}, format="json")
    assert gone.status_code == 400


@pytest.mark.django_db
def test_session_authentication(client, caseworker):
    # Through the login form: django-axes needs the request that client.login() does not pass.
    assert client.post("/login/", {"username": caseworker.username, "password": PASSWORD}).status_code == 302
    assert client.get("/api/v1/cases/").status_code == 200
    assert client.get("/").status_code == 200


def test_argon2_is_the_first_hasher_in_base_settings():
    base = importlib.import_module("config.settings.base")
    assert base.PASSWORD_HASHERS[0] == "django.contrib.auth.hashers.Argon2PasswordHasher"
    production = _import_settings("config.settings.production", SECRET_KEY="x" * 50, DEBUG="0")
    assert production.returncode == 0, production.stderr


def test_base_settings_are_swedish_in_stockholm():
    base = importlib.import_module("config.settings.base")
    assert (base.TIME_ZONE, base.LANGUAGE_CODE, base.USE_TZ) == ("Europe/Stockholm", "sv", True)


def _import_settings(module: str, **env) -> subprocess.CompletedProcess:
    clean = {k: v for k, v in os.environ.items() if k not in ("SECRET_KEY", "DEBUG", "DJANGO_SETTINGS_MODULE")}
    code = f"import {module} as s; print(s.PASSWORD_HASHERS[0]); print(s.DEBUG)"
    return subprocess.run(
        [sys.executable, "-c", code], cwd=BASE_DIR, env={**clean, **env}, capture_output=True, text=True, timeout=60
    )


def test_production_refuses_to_start_without_secret_key():
    result = _import_settings("config.settings.production", DEBUG="0")
    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr and "SECRET_KEY" in result.stderr


@pytest.mark.parametrize("debug", ["1", "true", "on"])
def test_production_refuses_to_start_with_debug_on(debug):
    result = _import_settings("config.settings.production", SECRET_KEY="x" * 50, DEBUG=debug)
    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr and "DEBUG" in result.stderr


def test_production_starts_with_a_secret_key_and_debug_off():
    result = _import_settings("config.settings.production", SECRET_KEY="x" * 50)
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["django.contrib.auth.hashers.Argon2PasswordHasher", "False"]


def test_production_settings_pass_the_deploy_check():
    """`manage.py check --deploy` reports nothing for the production settings (HSTS, cookies, SSL).
    The browser tests set DJANGO_ALLOW_ASYNC_UNSAFE in this process; a deployment would not."""
    unset = ("SECRET_KEY", "DEBUG", "DJANGO_SETTINGS_MODULE", "DJANGO_ALLOW_ASYNC_UNSAFE")
    clean = {k: v for k, v in os.environ.items() if k not in unset}
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING",
         "--settings=config.settings.production"],
        cwd=BASE_DIR, env={**clean, "SECRET_KEY": "k" * 30 + "-x_Y9" * 10, "DEBUG": "0"},
        capture_output=True, text=True, timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_production_refuses_to_start_when_nobody_could_sign_in():
    result = _import_settings("config.settings.production", SECRET_KEY="x" * 50, PASSWORD_LOGIN_ENABLED="0")
    assert result.returncode != 0 and "OIDC_ENABLED" in result.stderr
    with_provider = _import_settings("config.settings.production", SECRET_KEY="x" * 50, PASSWORD_LOGIN_ENABLED="0",
                                     OIDC_ENABLED="1")
    assert with_provider.returncode == 0, with_provider.stderr


def test_production_serves_json_only_and_trusts_one_proxy():
    code = ("import config.settings.production as s; print(s.REST_FRAMEWORK['DEFAULT_RENDERER_CLASSES']); "
            "print(s.TRUSTED_PROXY_COUNT)")
    clean = {k: v for k, v in os.environ.items() if k not in ("SECRET_KEY", "DEBUG", "DJANGO_SETTINGS_MODULE",
                                                              "TRUSTED_PROXY_COUNT")}
    result = subprocess.run([sys.executable, "-c", code], cwd=BASE_DIR, env={**clean, "SECRET_KEY": "x" * 50},
                            capture_output=True, text=True, timeout=60)
    assert result.stdout.split("\n")[:2] == ["['rest_framework.renderers.JSONRenderer']", "1"], result.stderr
