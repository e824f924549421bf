"""Response headers every page and API answer carries.

Cache-Control: no-store (with Django's other never-cache headers) on every response Django
produces: pages, API answers, downloads and error pages show personal data or may, and must
stay neither in the browser's cache nor in a proxy's. Static files (the same for everyone) are
served outside Django and keep their own caching.
"""

from __future__ import annotations

from django.conf import settings
from django.utils.cache import add_never_cache_headers


class NoStoreMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if not request.path.startswith(settings.STATIC_URL):
            add_never_cache_headers(response)
        return response
