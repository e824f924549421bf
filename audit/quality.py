"""Bridge to the planning app's plan-quality function (filled in when planning provides it)."""

from __future__ import annotations

import datetime


def checklist_prefill(*, person_ids: list[int], as_of: datetime.date) -> dict[int, dict[str, bool | None]]:
    return {}
