"""Records the channel and client address of each request for the access log, and logs the
requests refused on personal routes (401, 403, 404 from a view), so they can be counted."""

from audit.recording.client import client_address
from audit.recording.context import AccessContext, reset, set_current

REFUSED_STATUSES = frozenset({401, 403, 404})
# Routes about no person: signing in and out (failed logins are logged by the login itself).
NOT_PERSONAL = frozenset({"login", "logout", "api-token", "home", "schema", "api-docs"})


class AccessContextMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        path = request.path_info
        if path.startswith("/api/"):
            channel = "api"
        elif path.startswith("/admin/"):
            channel = "admin"
        else:
            channel = "ui"
        token = set_current(AccessContext(channel=channel, ip_address=client_address(request)))
        try:
            response = self.get_response(request)
            if response.status_code in REFUSED_STATUSES:
                _record_refused(request, response.status_code)
            return response
        finally:
            reset(token)

    def process_view(self, request, view_func, view_args, view_kwargs):
        # The route pattern, e.g. "api/v1/applicants/<pk>/", never the concrete URL.
        match = getattr(request, "resolver_match", None)
        if match is not None:
            from audit.recording.context import current

            set_current(
                AccessContext(channel=current().channel, ip_address=current().ip_address, endpoint=match.route[:200])
            )
        return None


def _record_refused(request, status: int) -> None:
    match = getattr(request, "resolver_match", None)
    if match is None or match.url_name in NOT_PERSONAL or request.path_info.startswith("/static/"):
        return  # an unknown URL, or a route about no person
    from audit.recording.log import record_access
    from audit.recording.models import AccessAction

    record_access(
        actor=getattr(request, "user", None), action=AccessAction.REFUSED, object_type="route",
        subjects=[(status, None)],
    )
