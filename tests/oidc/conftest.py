"""A real OpenID Connect provider (panva's oidc-provider, tests/oidc/provider.mjs) started with
node on a free loopback port, configured with this service's live_server as its client.

Locally the tests skip when node or the provider's packages (`npm ci --prefix tests/oidc`) are
missing; with REQUIRE_OIDC_PROVIDER=1 (CI, which installs both) that is a failure instead.
"""

from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import time
from pathlib import Path

import pytest

HERE = Path(__file__).resolve().parent
CLIENT_ID, CLIENT_SECRET = "ekonomiskt-bistand", "test-only-client-secret"


def _missing(reason: str):
    if os.environ.get("REQUIRE_OIDC_PROVIDER") == "1":
        pytest.fail(f"{reason} (REQUIRE_OIDC_PROVIDER=1)")
    pytest.skip(reason)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


# The provider's accounts: login name -> the claims it gives.
ACCOUNTS = {
    "karin": {"email": "Karin.Berg@kommun.example", "email_verified": True, "hsa_id": "SE2321000016-K001"},
    "okand": {"email": "okand@kommun.example", "email_verified": True},
    "utan-epost": {},
}


@pytest.fixture(scope="module")
def oidc_issuer(live_server):
    """The provider process, once per module (its client is the session's live_server)."""
    node = shutil.which("node")
    if not node:
        _missing("node finns inte installerat; OIDC-testerna hoppas över")
    if not (HERE / "node_modules" / "oidc-provider").exists():
        _missing("oidc-provider är inte installerat (npm ci --prefix tests/oidc); OIDC-testerna hoppas över")
    port = _free_port()
    env = {**os.environ, "OIDC_PORT": str(port), "OIDC_CLIENT_ID": CLIENT_ID, "OIDC_CLIENT_SECRET": CLIENT_SECRET,
           "OIDC_REDIRECT_URI": f"{live_server.url}/oidc/callback/", "OIDC_ACCOUNTS": json.dumps(ACCOUNTS),
           "OIDC_POST_LOGOUT_REDIRECT_URI": f"{live_server.url}/login/"}
    process = subprocess.Popen([node, str(HERE / "provider.mjs")], env=env, cwd=HERE,
                               stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    try:
        deadline = time.monotonic() + 30
        line = ""
        while time.monotonic() < deadline and process.poll() is None:
            line = process.stdout.readline()
            if line.startswith("READY"):
                break
        if not line.startswith("READY"):
            pytest.fail(f"the OIDC provider did not start (exit {process.poll()})")
        yield f"http://127.0.0.1:{port}"
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
        process.stdout.close()


@pytest.fixture
def oidc_provider(oidc_issuer, settings):
    """This service configured for the provider, as a municipality would in its environment."""
    settings.OIDC_ENABLED = True
    settings.OIDC_RP_CLIENT_ID, settings.OIDC_RP_CLIENT_SECRET = CLIENT_ID, CLIENT_SECRET
    settings.OIDC_OP_AUTHORIZATION_ENDPOINT = f"{oidc_issuer}/auth"
    settings.OIDC_OP_TOKEN_ENDPOINT = f"{oidc_issuer}/token"
    settings.OIDC_OP_USER_ENDPOINT = f"{oidc_issuer}/me"
    settings.OIDC_OP_JWKS_ENDPOINT = f"{oidc_issuer}/jwks"
    settings.OIDC_OP_LOGOUT_ENDPOINT = f"{oidc_issuer}/session/end"
    settings.AUTHENTICATION_BACKENDS = ["axes.backends.AxesStandaloneBackend", "config.oidc.StaffOIDCBackend",
                                        "django.contrib.auth.backends.ModelBackend"]
    return oidc_issuer
