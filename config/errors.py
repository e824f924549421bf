"""Domain errors that services raise and the API and UI translate.

Validation of input uses django.core.exceptions.ValidationError with a dict of fields.
These cover what is not a field error: a missing delegation, a state that forbids an action.
"""


class DomainError(Exception):
    status = 400
    code = "domain_error"

    def __init__(self, message: str, *, code: str | None = None, field: str | None = None):
        super().__init__(message)
        self.message = message
        if code:
            self.code = code
        self.field = field


class NotAllowed(DomainError):
    """The caller's role or delegation does not allow this action (HTTP 403)."""

    status = 403
    code = "not_allowed"


class Conflict(DomainError):
    """The object's state does not allow this change, e.g. editing a signed plan (HTTP 409)."""

    status = 409
    code = "conflict"
