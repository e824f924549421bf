"""Records the channel and client address of each request for the access log."""

from audit.recording.client import client_address
from audit.recording.context import AccessContext, reset, set_current


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
            return self.get_response(request)
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
