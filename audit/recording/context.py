"""Where the current request or job comes from, for the access log.

Set by AccessContextMiddleware for web and API requests, and by `channel_context` for tasks
and management commands. A contextvar, so it is safe under threads and async.
"""

from __future__ import annotations

import contextlib
from contextvars import ContextVar
from dataclasses import dataclass


@dataclass(frozen=True)
class AccessContext:
    channel: str
    ip_address: str | None = None
    endpoint: str = ""


_current: ContextVar[AccessContext | None] = ContextVar("access_context", default=None)


def current() -> AccessContext:
    return _current.get() or AccessContext(channel="command")


def set_current(ctx: AccessContext):
    return _current.set(ctx)


def reset(token) -> None:
    _current.reset(token)


@contextlib.contextmanager
def channel_context(channel: str, endpoint: str = ""):
    token = _current.set(AccessContext(channel=channel, endpoint=endpoint))
    try:
        yield
    finally:
        _current.reset(token)
