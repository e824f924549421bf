"""Failed and locked-out sign-ins, written to the access log so the log review can count them.

django-axes keeps its own records (AccessAttempt, AccessFailureLog) and decides the lockout;
these receivers add one access-log row per refused sign-in (action login_failed) and one when
axes locks an account or address (action locked_out), on the channel and from the client
address of the request. object_type is "login" and object_id the user name that was tried
(there is no actor: nobody signed in).
"""

from __future__ import annotations

from audit.recording.log import record_access
from audit.recording.models import AccessAction

LOGIN_OBJECT = "login"
_OBJECT_ID_MAX = 64  # AccessLogEntry.object_id


def _record(action: str, username) -> None:
    record_access(actor=None, action=action, object_type=LOGIN_OBJECT,
                  subjects=[(str(username or "")[:_OBJECT_ID_MAX], None)])


def on_login_failed(sender, credentials=None, request=None, **kwargs) -> None:
    _record(AccessAction.LOGIN_FAILED, (credentials or {}).get("username"))


def on_locked_out(sender, request=None, username=None, ip_address=None, **kwargs) -> None:
    _record(AccessAction.LOCKED_OUT, username)


def connect() -> None:
    from axes.signals import user_locked_out
    from django.contrib.auth.signals import user_login_failed

    user_login_failed.connect(on_login_failed, dispatch_uid="audit.login_failed")
    user_locked_out.connect(on_locked_out, dispatch_uid="audit.locked_out")
