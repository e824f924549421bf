"""Every route of the project, from the resolver itself, with a concrete URL per route.

The authorization matrix walks these, so a route added later is swept (and must be classified)
without anyone remembering to add it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from django.urls import URLPattern, URLResolver, get_resolver

DUMMY_ID = "999999"
# Route params that are not ids: a value the route accepts.
PARAM_VALUES = {"fmt": "csv"}


@dataclass(frozen=True)
class Route:
    name: str
    url: str


def _concrete(pattern: str) -> str:
    """A URL for a path() or regex route: each parameter replaced by a dummy value."""
    def param(name: str) -> str:
        return PARAM_VALUES.get(name, DUMMY_ID)

    # Regex routes (DRF routers) first: their named groups would otherwise look like path params.
    url = re.sub(r"\(\?P<(\w+)>[^)]*\)", lambda m: param(m.group(1)), pattern)
    url = re.sub(r"<(?:\w+:)?(\w+)>", lambda m: param(m.group(1)), url)
    return "/" + url.replace("^", "").replace("$", "").replace("\\", "")


def walk(patterns=None, prefix: str = "", namespace: str = ""):
    for p in get_resolver().url_patterns if patterns is None else patterns:
        if isinstance(p, URLResolver):
            ns = f"{namespace}:{p.namespace}" if namespace and p.namespace else (p.namespace or namespace)
            yield from walk(p.url_patterns, prefix + str(p.pattern), ns)
        elif isinstance(p, URLPattern):
            name = f"{namespace}:{p.name}" if namespace and p.name else (p.name or "")
            yield Route(name or f"<unnamed {prefix}{p.pattern}>", _concrete(prefix + str(p.pattern)))


def project_routes() -> list[Route]:
    """Every route except the admin site's own (checked by what it registers, not by URL)."""
    return [r for r in walk() if not r.url.startswith("/admin/")]
