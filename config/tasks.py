"""Platform housekeeping tasks."""

from celery import shared_task
from django.utils import timezone


@shared_task(
    name="platform.clear_expired_sessions", soft_time_limit=240, time_limit=300, acks_late=True,
    reject_on_worker_lost=True,
)
def clear_expired_sessions() -> int:
    """Delete expired sessions, so idle logins do not linger in the database. Idempotent."""
    from django.contrib.sessions.models import Session

    deleted, _ = Session.objects.filter(expire_date__lt=timezone.now()).delete()
    return deleted


@shared_task(
    name="platform.purge_idempotency_keys", soft_time_limit=240, time_limit=300, acks_late=True,
    reject_on_worker_lost=True,
)
def purge_idempotency_keys() -> int:
    """Delete idempotency keys older than API_IDEMPOTENCY_KEY_HOURS with their stored answers
    (which hold personal data). Idempotent."""
    from config.api.idempotency import purge_expired

    return purge_expired()
