"""The insatser norms and time limits, in one place (DOMAIN.md section 3).

Each default cites its source; a municipality overrides any of them in settings:

    INSATSER_NORMS = {"FULL_TIME_HOURS_PER_WEEK": 35}

Read them through the functions below at call time (never copy them into module constants
elsewhere), so an override in settings applies everywhere at once.
"""

from __future__ import annotations

import datetime
from decimal import Decimal

from django.conf import settings

from planning.norms import add_months

DEFAULTS: dict[str, int] = {
    # A coordinator's referral is usually limited to 3 months even when the caseworker's
    # decision runs until further notice. DOMAIN.md 3 "referral time limit"; 004:553-555.
    "REFERRAL_TIME_LIMIT_MONTHS": 3,
    # At most two weeks' wait for a place; beyond that a temporary activity.
    # DOMAIN.md 3 "max wait in a queue before a temporary activity"; 004:550-552.
    "MAX_QUEUE_WAIT_DAYS": 14,
    # A participant in an activity has a decision period of six months, then it ends; extension
    # on the same activity only in special cases. DOMAIN.md 3 "decision period"; 004:567-572.
    "DECISION_PERIOD_MONTHS": 6,
    # Arbetsmarknadsanställning: one year, matching group after two months, extension only for
    # special reasons. DOMAIN.md 3 "arbetsmarknadsanställning"; 004:289-293.
    "EMPLOYMENT_LENGTH_MONTHS": 12,
    "EMPLOYMENT_MATCHING_AFTER_MONTHS": 2,
    # Heltidsaktivering: a labour-market barrier means full-time activity, all ages.
    # DOMAIN.md 3 "heltidsaktivering"; 004:114-116, 652-657; board reply 003:546.
    "FULL_TIME_HOURS_PER_WEEK": 40,
    # Upper bound on a person's scheduled hours in one week, across all participations: a guard
    # against data-entry errors (issue 4 "Bad input"), not a legal norm. 60 = 40 h full time
    # plus a margin for evening sfi/language courses.
    "MAX_SCHEDULED_HOURS_PER_WEEK": 60,
    # Closing: coordinator and caseworker both close a participation (DOMAIN.md 2 step 8;
    # 004:573-576). The seed sets no limit on how long one side may wait for the other; the
    # internal-control default (rule r11) is two weeks, the same span as the queue norm above
    # (004:550-552), so an unconfirmed closing surfaces within one follow-up cycle.
    "CLOSING_CONFIRMATION_MAX_DAYS": 14,
}


def norm(name: str) -> int:
    """A norm's value: settings.INSATSER_NORMS[name] if set, else the default above."""
    overrides = getattr(settings, "INSATSER_NORMS", {}) or {}
    if name not in DEFAULTS:
        raise KeyError(f"Okänd norm: {name}")
    return overrides.get(name, DEFAULTS[name])


def referral_valid_until(referred_on: datetime.date) -> datetime.date:
    """The last day of a referral made on `referred_on`."""
    return add_months(referred_on, norm("REFERRAL_TIME_LIMIT_MONTHS")) - datetime.timedelta(days=1)


def max_queue_wait() -> datetime.timedelta:
    return datetime.timedelta(days=norm("MAX_QUEUE_WAIT_DAYS"))


def decision_period_end(start: datetime.date, *, months: int | None = None) -> datetime.date:
    """The last day of a decision period starting on `start`."""
    months = norm("DECISION_PERIOD_MONTHS") if months is None else months
    return add_months(start, months) - datetime.timedelta(days=1)


def participation_period_end(start: datetime.date, *, insats_type: str) -> datetime.date:
    """The end of a new participation's period: 12 months for an arbetsmarknadsanställning
    (004:289-293), otherwise the decision period (6 months, 004:567-572)."""
    if insats_type == "labour_market_employment":
        return decision_period_end(start, months=norm("EMPLOYMENT_LENGTH_MONTHS"))
    return decision_period_end(start)


def matching_from(start: datetime.date) -> datetime.date:
    """When an arbetsmarknadsanställd starts with the matching group (004:289-293)."""
    return add_months(start, norm("EMPLOYMENT_MATCHING_AFTER_MONTHS"))


def matching_from_for(start: datetime.date, *, insats_type: str) -> datetime.date | None:
    """matching_from for an arbetsmarknadsanställning; None for any other insats (004:289-293)."""
    return matching_from(start) if insats_type == "labour_market_employment" else None


def full_time_hours() -> Decimal:
    return Decimal(norm("FULL_TIME_HOURS_PER_WEEK"))


def max_scheduled_hours() -> Decimal:
    return Decimal(norm("MAX_SCHEDULED_HOURS_PER_WEEK"))
