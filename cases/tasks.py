"""Scheduled work of the cases app."""

from celery import shared_task


@shared_task(name="cases.transfers_take_effect", soft_time_limit=240, time_limit=300, acks_late=True,
             reject_on_worker_lost=True)
def transfers_take_effect() -> int:
    """Planned transfers whose date has come: the new holder gets the case (cases.transfer_services).
    Idempotent: a transfer that has taken effect is not selected again."""
    from .transfer_services import transfers_take_effect as run

    return run()
