"""Rules with legal meaning for ekonomiskt bistånd, in one place (DOMAIN.md section 6).

The amounts of the riksnorm are data (cases.finance_models.RiksnormTable), loaded per year from
the ordinance. What is here is the shape of the rules; a municipality that reads the law
differently changes it here, once.
"""

from __future__ import annotations

import datetime
from decimal import Decimal

# Jobbstimulans, SoL 12 kap. 8 § (DOMAIN.md 6: "after 6 consecutive months of försörjningsstöd,
# 25 % of employment income is disregarded for 2 years").
JOBBSTIMULANS_RATE = Decimal("0.25")
JOBBSTIMULANS_QUALIFYING_MONTHS = 6
JOBBSTIMULANS_DURATION_MONTHS = 24

# Children's own earnings are not counted, SoL 12 kap. 9 § (DOMAIN.md 6). A "child" for this
# rule is a member recorded with the child role in the household who is younger than this age
# on the first of the month (barn och ungdomar up to the 19–20 band of the riksnorm).
CHILD_EARNINGS_EXEMPT_BELOW_AGE = 21

# The riksnorm's household-shared amount is published for 1..7 persons; each person beyond 7
# adds the table's `shared_per_member_beyond_7` (DOMAIN.md 6: "+ the 6→7 difference").
SHARED_AMOUNT_PUBLISHED_SIZES = 7

# Members younger than this get the personal amount of their age band; from this age a member
# who is not a cohabiting applicant gets the single adult amount (DOMAIN.md 6 table: bands end
# at 19–20).
ADULT_NORM_FROM_AGE = 21

# A case expected to last longer than this with a labour-market barrier gets a coordinator
# (DOMAIN.md 3 "coordinator referral when case expected longer than", 004:519). Egenkontroll's
# rule 4 takes it as its default.
COORDINATOR_AFTER_MONTHS = 3

# Unexecuted granted decisions are reported after this many months (DOMAIN.md 3, 003:304-314;
# SoL 34 kap.). Used by the reports that read Decision/DecisionExecutionEvent.
UNEXECUTED_REPORT_AFTER_MONTHS = 3

# Överklagande (förvaltningslagen 2017:900 44 §, DOMAIN.md 8 "Reasons and appeal"): an appeal must
# reach the social services within three weeks of the day the person received the decision. A
# legal basis may name another period (LegalBasis.appeal_period_days); this is the law's default.
APPEAL_PERIOD_DAYS = 21


def appeal_deadline(received_on: datetime.date, period_days: int | None = None) -> datetime.date:
    """The last day to appeal, counted from the day the decision was sent or handed over. A period
    that ends on a Saturday or Sunday runs to the next Monday (lagen 1930:173 om beräkning av
    lagstadgad tid, 2 §); public holidays are not counted here, so the date shown is never later
    than the real one."""
    last = received_on + datetime.timedelta(days=period_days or APPEAL_PERIOD_DAYS)
    while last.weekday() >= 5:
        last += datetime.timedelta(days=1)
    return last
