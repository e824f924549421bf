"""A plain-SQL twin of every egenkontroll rule (PostgreSQL), written by hand from the rule's definition.

Each twin is written from DOMAIN.md (sections 2-4 and 7) and the rule's own definition text (its
description and docstring), not from the SQL the ORM prints, so that a test comparing the twin with
`rule.findings()` can catch a rule that says one thing and queries another
(tests/audit/test_rule_twins.py). bench/egenkontroll.py times them against the engine.

TWINS maps a rule code to one SQL text. Every twin returns rows (subject_id, person_id) and takes
named parameters:
  %(as_of)s        the run date,
  %(lo)s, %(hi)s   the chunk: subject ids in [lo, hi), as the engine slices a run,
  %(tz)s           the municipality's time zone (settings.TIME_ZONE), for log days and hours,
and the rule's own parameters under their keys (grace_days, interval_months, ...).

Shared fragments are Python strings spliced in once, so each rule's text stays readable on its own.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable, Mapping

# Whole range of ids: a twin run over every subject at once.
ALL = (0, 2**62)

# A limit date passed by more than the grace days (DOMAIN.md 3: flag from the day after the limit).
PAST_LIMIT = "(%(as_of)s::date - %(grace_days)s::int)"

# The person's open coordinator assignment on the run date (DOMAIN.md 2.3).
OPEN_ASSIGNMENT = """
    SELECT 1 FROM cases_coordinatorassignment ca
    WHERE ca.applicant_id = {person} AND ca.start_date <= %(as_of)s
      AND (ca.end_date IS NULL OR ca.end_date >= %(as_of)s)"""

# An active participation started by the run date (DOMAIN.md 2.6).
ACTIVE_PARTICIPATION = """
    SELECT 1 FROM insatser_participation ap
    WHERE ap.applicant_id = {person} AND ap.status = 'active' AND ap.start_date <= %(as_of)s"""

# A plan in force (DOMAIN.md 2.4): signed, made by the run date, valid through it, and no later
# signed version made by then.
PLAN_IN_FORCE = """
    {alias}.status = 'signed' AND {alias}.made_on <= %(as_of)s AND {alias}.valid_until >= %(as_of)s
    AND NOT EXISTS (SELECT 1 FROM planning_implementationplan nv WHERE nv.supersedes_id = {alias}.id
                    AND nv.status = 'signed' AND nv.made_on <= %(as_of)s)"""

# A labour-market support barrier (DOMAIN.md 2.1).
LABOUR_MARKET = "JOIN cases_supportbarrier sb ON sb.id = {alias}.barrier_id AND sb.is_labour_market"

# --- rules 1-3, 5: plans and follow-ups -----------------------------------------------------------

# Rule 1 (DOMAIN.md 2.7, 3): every participant is followed up once a month, counted from the last
# follow-up or, when the current participation began later (or there is none), from its start.
R01 = """
    WITH active AS (
        SELECT applicant_id, MIN(start_date) AS since FROM insatser_participation
        WHERE status = 'active' AND start_date <= %(as_of)s AND applicant_id >= %(lo)s AND applicant_id < %(hi)s
        GROUP BY applicant_id),
    last_follow_up AS (
        SELECT p.applicant_id, MAX(f.followed_up_on) AS day FROM planning_followup f
        JOIN planning_implementationplan p ON p.id = f.plan_id
        WHERE f.followed_up_on <= %(as_of)s AND p.applicant_id >= %(lo)s AND p.applicant_id < %(hi)s
        GROUP BY p.applicant_id)
    SELECT a.applicant_id, a.applicant_id FROM active a LEFT JOIN last_follow_up l USING (applicant_id)
    WHERE GREATEST(l.day, a.since) < (%(as_of)s::date - make_interval(months => %(interval_months)s))::date"""

# Rule 2 (DOMAIN.md 2.4, 2.7, 3): a plan in force whose date to be followed up at the latest has
# passed: the date the latest follow-up made by the run date set, else the plan's own.
R02 = f"""
    SELECT p.id, p.applicant_id FROM planning_implementationplan p
    LEFT JOIN LATERAL (
        SELECT f.next_follow_up_on FROM planning_followup f WHERE f.plan_id = p.id AND f.followed_up_on <= %(as_of)s
        ORDER BY f.followed_up_on DESC, f.id DESC LIMIT 1) last ON true
    WHERE p.id >= %(lo)s AND p.id < %(hi)s AND {PLAN_IN_FORCE.format(alias="p")}
      AND COALESCE(last.next_follow_up_on, p.latest_follow_up_on) < {PAST_LIMIT}"""

# Rule 3 (DOMAIN.md 2.4, 3): the person's latest signed plan has expired, no newer version is signed,
# and they are still in the work (a coordinator, or an active participation).
R03 = f"""
    SELECT p.id, p.applicant_id FROM planning_implementationplan p
    WHERE p.id >= %(lo)s AND p.id < %(hi)s
      AND p.status = 'signed' AND p.made_on <= %(as_of)s AND p.valid_until < {PAST_LIMIT}
      AND NOT EXISTS (SELECT 1 FROM planning_implementationplan nv WHERE nv.supersedes_id = p.id
                      AND nv.status = 'signed' AND nv.made_on <= %(as_of)s)
      AND (EXISTS ({OPEN_ASSIGNMENT.format(person="p.applicant_id")})
           OR EXISTS ({ACTIVE_PARTICIPATION.format(person="p.applicant_id")}))"""

# Rule 5 (DOMAIN.md 4): a plan in force failing one of the checkpoints the municipality requires.
# One condition per checkpoint, "the plan fails it" (planning.quality names the checkpoints).
CHECKPOINT_FAILS = {
    "time_bound": "p.made_on IS NULL",
    "follow_up_date": "p.latest_follow_up_on IS NULL",
    "responsible_named": (
        "NOT EXISTS (SELECT 1 FROM planning_planactivity a WHERE a.plan_id = p.id)"
        " OR EXISTS (SELECT 1 FROM planning_planactivity a WHERE a.plan_id = p.id AND a.responsible = '')"
    ),
    "participation_recorded": "p.participation_recorded IS NULL",
    "long_term_goal": "p.long_term_goal = ''",
    "sub_goals": "NOT EXISTS (SELECT 1 FROM planning_subgoal g WHERE g.plan_id = p.id)",
    "activities": "NOT EXISTS (SELECT 1 FROM planning_planactivity a WHERE a.plan_id = p.id)",
    # Followed up within the plan's validity (six months), by the run date.
    "followed_up_within_6_months": (
        "NOT EXISTS (SELECT 1 FROM planning_followup f WHERE f.plan_id = p.id AND f.followed_up_on <= %(as_of)s"
        " AND f.followed_up_on <= COALESCE(p.valid_until, (p.made_on + make_interval(months => 6))::date))"
    ),
}


def r05(required: Iterable[str]) -> str:
    failing = " OR ".join(f"({CHECKPOINT_FAILS[code]})" for code in sorted(required)) or "false"
    return f"""
    SELECT p.id, p.applicant_id FROM planning_implementationplan p
    WHERE p.id >= %(lo)s AND p.id < %(hi)s AND {PLAN_IN_FORCE.format(alias="p")} AND ({failing})"""


# --- rule 4 and 10: cases and decisions ------------------------------------------------------------

# Rule 4 (DOMAIN.md 2.3, 3): an open case older than the limit where an adult has a labour-market
# barrier in force, and that adult has no coordinator assigned on the case or no plan in force.
# The flag is about the first such adult (earliest barrier).
R04 = f"""
    WITH barrier AS (
        SELECT b.id, b.case_id, b.applicant_id, b.valid_from FROM cases_casesupportbarrier b
        {LABOUR_MARKET.format(alias="b")}
        WHERE b.valid_from <= %(as_of)s AND (b.valid_to IS NULL OR b.valid_to >= %(as_of)s)
          AND b.case_id >= %(lo)s AND b.case_id < %(hi)s),
    uncoordinated AS (
        SELECT b.* FROM barrier b
        WHERE NOT EXISTS (SELECT 1 FROM cases_coordinatorassignment ca WHERE ca.case_id = b.case_id
                          AND ca.applicant_id = b.applicant_id AND ca.start_date <= %(as_of)s
                          AND (ca.end_date IS NULL OR ca.end_date >= %(as_of)s))
           OR NOT EXISTS (SELECT 1 FROM planning_implementationplan p WHERE p.applicant_id = b.applicant_id
                          AND {PLAN_IN_FORCE.format(alias="p")}))
    SELECT DISTINCT ON (c.id) c.id, u.applicant_id FROM cases_case c JOIN uncoordinated u ON u.case_id = c.id
    WHERE c.status <> 'closed' AND c.opened_on < (%(as_of)s::date - make_interval(months => %(case_months)s))::date
    ORDER BY c.id, u.valid_from, u.id"""

# Rule 10 (DOMAIN.md 3, 5; SoL 34:1-3): a granted decision (an amount to pay) not executed within the
# limit from its date, or interrupted and not resumed within the limit from the interruption; a
# decision replaced by a correction made by the run date no longer counts. The flag is about the
# household's applicant (else a co-applicant).
R10 = """
    WITH granted AS (
        SELECT d.id, d.decided_on, d.application_id FROM cases_decision d
        WHERE d.id >= %(lo)s AND d.id < %(hi)s AND d.outcome IN ('granted', 'partly_granted') AND d.amount > 0
          AND d.decided_on <= %(as_of)s
          AND NOT EXISTS (SELECT 1 FROM cases_decision c WHERE c.replaces_id = d.id AND c.decided_on <= %(as_of)s)),
    overdue AS (
        SELECT g.id, g.application_id FROM granted g
        WHERE (g.decided_on + make_interval(months => %(months)s))::date < %(as_of)s
          AND NOT EXISTS (SELECT 1 FROM cases_decisionexecutionevent e WHERE e.decision_id = g.id
                          AND e.kind = 'executed' AND e.occurred_on <= %(as_of)s)
        UNION
        SELECT g.id, g.application_id FROM granted g
        JOIN cases_decisionexecutionevent i ON i.decision_id = g.id AND i.kind = 'interrupted'
             AND i.occurred_on <= %(as_of)s
        WHERE (i.occurred_on + make_interval(months => %(months)s))::date < %(as_of)s
          AND NOT EXISTS (SELECT 1 FROM cases_decisionexecutionevent r WHERE r.decision_id = g.id
                          AND r.kind = 'resumed' AND r.occurred_on <= %(as_of)s
                          AND (r.occurred_on > i.occurred_on OR (r.occurred_on = i.occurred_on AND r.id > i.id))))
    SELECT o.id, (
        SELECT m.applicant_id FROM cases_application a JOIN cases_case c ON c.id = a.case_id
        JOIN cases_householdmember m ON m.household_id = c.household_id AND m.applicant_id IS NOT NULL
        WHERE a.id = o.application_id ORDER BY (m.role <> 'applicant'), m.id LIMIT 1)
    FROM overdue o"""

# --- rules 6-9, 11: referrals, participations, heltidsaktivering, exemptions, closings ------------

# Rule 6a (DOMAIN.md 2.5, 3): queued longer than the limit while the person has no active temporary
# activity.
R06A = """
    SELECT r.id, r.applicant_id FROM insatser_referral r
    WHERE r.id >= %(lo)s AND r.id < %(hi)s AND r.status = 'queued'
      AND r.queued_on < (%(as_of)s::date - %(max_queue_days)s::int)
      AND NOT EXISTS (SELECT 1 FROM insatser_participation x JOIN insatser_insats i ON i.id = x.insats_id
                      WHERE x.applicant_id = r.applicant_id AND i.insats_type = 'temporary'
                        AND x.status = 'active' AND x.start_date <= %(as_of)s)"""

# Rule 6b (DOMAIN.md 2.5, 3): a referral still in play (not withdrawn, its participation not ended)
# past its time limit.
R06B = f"""
    SELECT r.id, r.applicant_id FROM insatser_referral r
    WHERE r.id >= %(lo)s AND r.id < %(hi)s AND r.status <> 'withdrawn' AND r.referred_on <= %(as_of)s
      AND r.valid_until < {PAST_LIMIT}
      AND NOT EXISTS (SELECT 1 FROM insatser_participation x WHERE x.referral_id = r.id AND x.status = 'closed')"""

# Rule 7 (DOMAIN.md 2.6, 3): an active participation past its decision period (an extension moves the
# end) with no closing proposed.
R07 = f"""
    SELECT x.id, x.applicant_id FROM insatser_participation x
    WHERE x.id >= %(lo)s AND x.id < %(hi)s AND x.status = 'active' AND x.start_date <= %(as_of)s
      AND x.decision_period_end < {PAST_LIMIT}
      AND NOT EXISTS (SELECT 1 FROM insatser_participationclosing c WHERE c.participation_id = x.id)"""

# Rule 8 (DOMAIN.md 3, heltidsaktivering): a person with a labour-market barrier some day of the last
# full week (Monday-Sunday) on a case not closed before it, with no exemption that week, whose
# scheduled hours (each day a participation runs, to its end or decision period end) or attended
# hours that week are under the norm.
R08 = f"""
    WITH week AS (SELECT (%(as_of)s::date - EXTRACT(ISODOW FROM %(as_of)s::date)::int - 6) AS monday),
    days AS (SELECT w.monday + n AS day, n FROM week w, generate_series(0, 6) n),
    persons AS (
        SELECT DISTINCT b.applicant_id FROM cases_casesupportbarrier b {LABOUR_MARKET.format(alias="b")}
        JOIN cases_case c ON c.id = b.case_id CROSS JOIN week w
        WHERE b.applicant_id >= %(lo)s AND b.applicant_id < %(hi)s AND b.valid_from <= w.monday + 6
          AND (b.valid_to IS NULL OR b.valid_to >= w.monday) AND (c.closed_on IS NULL OR c.closed_on >= w.monday)),
    scheduled AS (
        SELECT x.applicant_id, SUM(CASE d.n WHEN 0 THEN x.hours_monday WHEN 1 THEN x.hours_tuesday
                                   WHEN 2 THEN x.hours_wednesday WHEN 3 THEN x.hours_thursday
                                   WHEN 4 THEN x.hours_friday WHEN 5 THEN x.hours_saturday
                                   ELSE x.hours_sunday END) AS hours
        FROM insatser_participation x
        JOIN days d ON d.day >= x.start_date AND d.day <= COALESCE(x.end_date, x.decision_period_end)
        WHERE x.applicant_id >= %(lo)s AND x.applicant_id < %(hi)s GROUP BY x.applicant_id),
    attended AS (
        SELECT x.applicant_id, SUM(a.attended_hours) AS hours FROM insatser_weeklyattendance a
        JOIN insatser_participation x ON x.id = a.participation_id CROSS JOIN week w
        WHERE a.week_start = w.monday AND x.applicant_id >= %(lo)s AND x.applicant_id < %(hi)s
        GROUP BY x.applicant_id)
    SELECT p.applicant_id, p.applicant_id FROM persons p CROSS JOIN week w
    LEFT JOIN scheduled s ON s.applicant_id = p.applicant_id LEFT JOIN attended a ON a.applicant_id = p.applicant_id
    WHERE NOT EXISTS (SELECT 1 FROM insatser_exemption e WHERE e.applicant_id = p.applicant_id
                      AND e.valid_from <= w.monday + 6 AND e.valid_to >= w.monday)
      AND (COALESCE(s.hours, 0) < %(norm_hours)s OR COALESCE(a.hours, 0) < %(norm_hours)s)"""

# Rule 9 (DOMAIN.md 3: an avsteg is limited in time and followed up): an exemption in force whose
# review date has passed.
R09 = f"""
    SELECT e.id, e.applicant_id FROM insatser_exemption e
    WHERE e.id >= %(lo)s AND e.id < %(hi)s AND e.valid_from <= %(as_of)s AND e.valid_to >= %(as_of)s
      AND e.review_on < {PAST_LIMIT}"""

# Rule 11 (DOMAIN.md 2.8: both close it): a closing proposed more than the limit of days ago (before
# the start of that day, local time) and not confirmed.
R11 = """
    SELECT c.id, x.applicant_id FROM insatser_participationclosing c
    JOIN insatser_participation x ON x.id = c.participation_id
    WHERE c.id >= %(lo)s AND c.id < %(hi)s AND c.confirmed_at IS NULL
      AND c.proposed_at < ((%(as_of)s::date - %(max_days)s::int)::timestamp AT TIME ZONE %(tz)s)"""

# Rule 12 (DOMAIN.md 4: findings become actions that are followed up): a planned action past its
# date. The person is the flag's, or the sampled item's.
R12 = """
    SELECT a.id, COALESCE(f.person_id, i.person_id) FROM audit_correctiveaction a
    LEFT JOIN audit_flag f ON f.id = a.flag_id
    LEFT JOIN audit_checklistanswer s ON s.id = a.sample_answer_id
    LEFT JOIN audit_controlsampleitem i ON i.id = s.item_id
    WHERE a.id >= %(lo)s AND a.id < %(hi)s AND a.status = 'planned' AND a.due_date < %(as_of)s"""

# --- the access log (DOMAIN.md 7: every read logged, logs reviewed systematically) ----------------

# Rule l01: one finding per break of the hash chain (its table, place and reason), found by a
# verification made by the run date (local day).
L01 = """
    SELECT v.id, NULL::bigint FROM audit_chainverification v
    WHERE v.id >= %(lo)s AND v.id < %(hi)s AND NOT v.intact AND (v.checked_at AT TIME ZONE %(tz)s)::date <= %(as_of)s
      AND NOT EXISTS (SELECT 1 FROM audit_chainverification e WHERE NOT e.intact AND e.id < v.id
                      AND e.broken_table = v.broken_table AND e.broken_seq IS NOT DISTINCT FROM v.broken_seq
                      AND e.reason = v.reason)"""

# The reads reviewed: people's reads (not jobs') over the last days, with the reader's local day.
WINDOW = """
    SELECT e.*, (e.occurred_at AT TIME ZONE %(tz)s)::date AS day FROM audit_accesslogentry e
    WHERE (e.occurred_at AT TIME ZONE %(tz)s)::date BETWEEN %(as_of)s::date - %(lookback_days)s::int AND %(as_of)s
      AND e.action IN ({actions}) AND e.channel IN ('api', 'ui', 'admin') AND e.actor_id IS NOT NULL"""
READS = "'read', 'list', 'search', 'export'"

# The reader's unit at the moment of a read: the spell (role and unit over time) covering it, else
# their current unit; the same for the coordinator whose assignment a unit manager's scope follows.
UNIT_AT = """COALESCE(
        (SELECT sp.unit_id FROM cases_staffassignmentperiod sp WHERE sp.staff_id = {staff}
         AND (sp.started_at IS NULL OR sp.started_at <= {at}) AND (sp.ended_at IS NULL OR sp.ended_at > {at})
         ORDER BY sp.id DESC LIMIT 1),
        (SELECT st.unit_id FROM cases_staff st WHERE st.id = {staff}))"""

# Rule l02: a read of a person outside the reader's scope then: caseworkers and unit managers see the
# persons registered at, or with a case at, their unit; a coordinator the persons assigned to them
# that day; a unit manager also the persons assigned that day to a coordinator at their unit.
# One finding per reader, person and day: the first such read.
L02 = f"""
    WITH w AS ({WINDOW.format(actions=READS)}),
    scoped AS (
        SELECT w.id, w.actor_id, w.actor_role, w.person_id, w.day, w.occurred_at,
               {UNIT_AT.format(staff="w.actor_id", at="w.occurred_at")} AS unit_id
        FROM w WHERE w.person_id IS NOT NULL AND w.actor_role IN ('caseworker', 'unit_manager', 'coordinator')),
    outside AS (
        SELECT s.* FROM scoped s
        WHERE NOT (
            (s.actor_role IN ('caseworker', 'unit_manager') AND (
                EXISTS (SELECT 1 FROM cases_applicant a WHERE a.id = s.person_id AND a.registered_unit_id = s.unit_id)
                OR EXISTS (SELECT 1 FROM cases_householdmember m JOIN cases_case c ON c.household_id = m.household_id
                           WHERE m.applicant_id = s.person_id AND c.unit_id = s.unit_id)))
            OR EXISTS (SELECT 1 FROM cases_coordinatorassignment ca
                       WHERE ca.applicant_id = s.person_id AND ca.start_date <= s.day
                         AND (ca.end_date IS NULL OR ca.end_date >= s.day)
                         AND ((s.actor_role = 'coordinator' AND ca.coordinator_id = s.actor_id)
                              OR (s.actor_role = 'unit_manager'
                                  AND {UNIT_AT.format(staff="ca.coordinator_id", at="s.occurred_at")} = s.unit_id)))))
    SELECT first.id, first.person_id FROM (
        SELECT MIN(id) AS id, person_id FROM outside GROUP BY actor_id, day, person_id) first
    WHERE first.id >= %(lo)s AND first.id < %(hi)s"""

# Rule l03: a read of a person with skyddad identitet; the first per reader, person and day.
L03 = f"""
    WITH w AS ({WINDOW.format(actions=READS)})
    SELECT first.id, first.person_id FROM (
        SELECT MIN(w.id) AS id, w.person_id FROM w JOIN cases_applicant a ON a.id = w.person_id AND a.protected_identity
        GROUP BY w.actor_id, w.day, w.person_id) first
    WHERE first.id >= %(lo)s AND first.id < %(hi)s"""

# Rule l04: more distinct persons read in a day than the limit; the reader's first read that day.
L04 = f"""
    WITH w AS ({WINDOW.format(actions=READS)})
    SELECT first.id, NULL::bigint FROM (
        SELECT MIN(w.id) AS id FROM w GROUP BY w.actor_id, w.day
        HAVING COUNT(DISTINCT w.person_id) > %(max_persons)s) first
    WHERE first.id >= %(lo)s AND first.id < %(hi)s"""

# Rule l05: reads before or after working hours or at the weekend (local time); the reader's first
# such read that day.
L05 = f"""
    WITH w AS ({WINDOW.format(actions=READS)})
    SELECT first.id, NULL::bigint FROM (
        SELECT MIN(w.id) AS id FROM w
        WHERE EXTRACT(HOUR FROM w.occurred_at AT TIME ZONE %(tz)s) < %(work_start_hour)s
           OR EXTRACT(HOUR FROM w.occurred_at AT TIME ZONE %(tz)s) >= %(work_end_hour)s
           OR EXTRACT(ISODOW FROM w.occurred_at AT TIME ZONE %(tz)s) >= 6
        GROUP BY w.actor_id, w.day) first
    WHERE first.id >= %(lo)s AND first.id < %(hi)s"""

# Rule l06: more refused requests in a day than the limit; the reader's first refused request that day.
L06 = f"""
    WITH w AS ({WINDOW.format(actions="'refused'")})
    SELECT first.id, NULL::bigint FROM (
        SELECT MIN(w.id) AS id FROM w GROUP BY w.actor_id, w.day HAVING COUNT(*) > %(max_refused)s) first
    WHERE first.id >= %(lo)s AND first.id < %(hi)s"""


def _required_checkpoints() -> frozenset[str]:
    from planning import norms

    return norms.required_checkpoints()


TWINS: dict[str, str] = {
    "r01_follow_up_interval": R01,
    "r02_plan_follow_up_date_passed": R02,
    "r03_plan_expired": R03,
    "r04_case_without_coordinator_or_plan": R04,
    "r06a_queue_without_temporary_activity": R06A,
    "r06b_referral_past_time_limit": R06B,
    "r07_participation_past_decision_period": R07,
    "r08_full_time_activation": R08,
    "r09_exemption_review_passed": R09,
    "r10_decision_not_executed": R10,
    "r11_closing_one_sided": R11,
    "r12_action_overdue": R12,
    "l01_audit_chain_broken": L01,
    "l02_read_outside_scope": L02,
    "l03_read_protected_identity": L03,
    "l04_many_persons_in_a_day": L04,
    "l05_read_outside_working_hours": L05,
    "l06_many_refused_requests": L06,
}


def twin_sql(code: str) -> str:
    """The twin's text; rule 5's depends on the checkpoints the municipality requires (planning.norms)."""
    if code == "r05_plan_quality":
        return r05(_required_checkpoints())
    return TWINS[code]


CODES = sorted([*TWINS, "r05_plan_quality"])


def arguments(as_of: datetime.date, params: Mapping[str, int], lo: int, hi: int) -> dict:
    from django.conf import settings

    return {"as_of": as_of, "lo": lo, "hi": hi, "tz": settings.TIME_ZONE, **params}


def found(cursor, code: str, *, as_of: datetime.date, params: Mapping[str, int], lo: int = ALL[0],
          hi: int = ALL[1]) -> set[tuple[int, int | None]]:
    """The twin's findings in [lo, hi): {(subject id, person id)}."""
    cursor.execute(twin_sql(code), arguments(as_of, params, lo, hi))
    return {(row[0], row[1]) for row in cursor.fetchall()}
