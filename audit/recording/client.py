"""The client's address behind the configured proxies, for the access log and the login lockout.

Production runs behind a TLS proxy, so REMOTE_ADDR is the proxy's. Each trusted proxy appends
the address it received the request from to X-Forwarded-For; with TRUSTED_PROXY_COUNT = n the
client is the n-th address from the right. Addresses further left were written by the client
and are never believed. With 0 (no proxy), or a header shorter than the proxies configured or
not an address, REMOTE_ADDR is the client.
"""

from __future__ import annotations

import ipaddress

from django.conf import settings


def client_address(request) -> str | None:
    remote = request.META.get("REMOTE_ADDR") or None
    count = getattr(settings, "TRUSTED_PROXY_COUNT", 0)
    if count <= 0:
        return remote
    forwarded = [part.strip() for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if part.strip()]
    if len(forwarded) < count:
        return remote
    candidate = forwarded[-count]
    try:
        return str(ipaddress.ip_address(candidate))
    except ValueError:
        return remote
