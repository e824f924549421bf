"""Two sessions at once, for the stored facts' triggers (tests/planning/test_plan_facts.py,
test_follow_up_due.py): the first makes its change in a transaction it keeps open; the second
makes its own on another connection, which must wait for the first; then the first commits."""

import threading

from django.db import connections, transaction


def second_waits_for_first(first, second) -> list[Exception]:
    """Run `first` (in a transaction held open) and `second` on two threads, each with its own
    connection; assert that the second was still waiting a second later; return their errors."""
    first_done, release, errors = threading.Event(), threading.Event(), []

    def run_first():
        try:
            with transaction.atomic():
                first()
                first_done.set()
                release.wait(10)
        except Exception as error:  # noqa: BLE001 - reported to the test
            errors.append(error)
        finally:
            connections.close_all()

    def run_second():
        try:
            second()
        except Exception as error:  # noqa: BLE001
            errors.append(error)
        finally:
            connections.close_all()

    one = threading.Thread(target=run_first)
    one.start()
    assert first_done.wait(10)
    two = threading.Thread(target=run_second)
    two.start()
    two.join(1)
    waited = two.is_alive()
    release.set()
    one.join(10)
    two.join(10)
    assert waited, "the second session waits for the first"
    return errors
