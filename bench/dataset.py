"""The benchmark population, loaded set-based inside PostgreSQL (issue 12, "Data at scale").

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/eb_hgen \
        nice -n 10 .venv/bin/python bench/dataset.py --persons 1000000 --seed 2026

Every table is filled by one INSERT ... SELECT over generate_series or over the rows of its parent
table written just before; nothing goes through Python objects except the reference data
(units, staff, insatser: a few hundred rows, through the ORM). Random choices are
hashint8extended(row key, seed * 1000 + salt), so the same seed gives the same data, whatever the
machine. The densities, distributions and measured figures are in bench/README.md.

On PostgreSQL as superuser the load runs with session_replication_role = replica: foreign-key
checks and the append-only triggers are per-row triggers, and the rows here are made consistent
by construction (check_keys verifies it after every load; tests/bench/test_dataset.py too).
Empty tables get their secondary indexes rebuilt after the load, and the finance tables load
on a second connection. No change event or access-log row is written per loaded row: no rule
reads them for these tables, and their hash chain is a per-row trigger; the access-log review
rules get a bounded sample, written with the triggers on. (Signed decisions are inserted in
their final state: nothing here UPDATEs them.)

Importable: `generate(persons, seed)` returns {table: rows}; `summary()` gives the row counts.
Running the module prints the figures and one JSON object on the last line.
"""

from __future__ import annotations

import argparse
import datetime
import json
import os
import sys
import threading
import time
from pathlib import Path

if __name__ == "__main__":
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.local")
    import django

    django.setup()

from django.db import connection, transaction  # noqa: E402
from django.utils import timezone  # noqa: E402

# Tables written, in load order (their row counts are the summary).
TABLES = (
    "cases_applicant", "cases_household", "cases_case", "cases_householdmember", "cases_casesupportbarrier",
    "cases_coordinatorassignment", "insatser_insatsdecision", "planning_implementationplan", "planning_subgoal",
    "planning_planactivity", "planning_followup", "insatser_referral", "insatser_participation",
    "insatser_participationclosing", "insatser_weeklyattendance", "insatser_exemption", "cases_application",
    "cases_decision", "cases_decisionexecutionevent", "audit_accesslogentry",
)
# Births are spread over 17 519 days (1958-2005); the serial's tens take 90 values, so at most
# 17 519 * 90 distinct personnummer from this generator.
BIRTH_DAYS = 17_519
MAX_PERSONS = BIRTH_DAYS * 90
EB_UNITS = (("bench-eb-norr", "Ekonomiskt bistånd Norr"), ("bench-eb-soder", "Ekonomiskt bistånd Söder"),
            ("bench-eb-oster", "Ekonomiskt bistånd Öster"), ("bench-eb-vaster", "Ekonomiskt bistånd Väster"))
# Insats types with their share of the insatser (weights of the referrals).
INSATS_MIX = (("praktik", 26), ("language_praktik", 6), ("work_training", 14), ("labour_market_employment", 8),
              ("basic_activity", 14), ("language", 12), ("digital", 7), ("temporary", 6), ("studies", 4),
              ("af_programme", 3))
LABOUR_BARRIERS = ("arbetslos-ingen-ersattning", "arbetslos-otillracklig-ersattning", "arbetslos-vantar-ersattning")
OTHER_BARRIERS = ("sjukskriven-ingen-sjukpenning", "arbetshinder-ohalsa", "arbetshinder-sociala-skal",
                  "foraldraledig-otillracklig", "arbetar-otillracklig-inkomst")
FIRST_NAMES = ("Anna", "Bo", "Cem", "Dalia", "Erik", "Fatima", "Goran", "Hiba", "Ivan", "Jenny", "Karim", "Lina")
LAST_NAMES = ("Berg", "Ay", "Nilsson", "Hassan", "Lind", "Mohammed", "Johansson", "Ali", "Karlsson", "Omar")


def R(key: str, salt: int) -> str:  # noqa: N802 (reads like the formula it is)
    """SQL: a uniform number in [0, 1) from the row key and the salt (seeded: %(seed)s)."""
    return f"((hashint8extended(({key})::bigint, %(seed)s * 1000 + {salt}) & 4503599627370495)::float8 / 4503599627370496.0)"


def pick(array: str, key: str, salt: int) -> str:
    """SQL: one element of the array parameter `array`, uniformly."""
    return f"(%({array})s::text[])[1 + floor({R(key, salt)} * cardinality(%({array})s::text[]))::int]"


def pick_id(array: str, key: str, salt: int) -> str:
    return f"(%({array})s::bigint[])[1 + floor({R(key, salt)} * cardinality(%({array})s::bigint[]))::int]"


def _luhn_check(base: str) -> str:
    """SQL: the Luhn check digit of the 9-digit text `base` (YYMMDDNNN), as the app validates it."""
    terms = []
    for i in range(1, 10):
        weight = 2 if i % 2 else 1
        d = f"(substr({base}, {i}, 1)::int * {weight})"
        terms.append(f"({d} / 10 + {d} %% 10)")
    return f"((10 - ({' + '.join(terms)}) %% 10) %% 10)"


# --- the load, step by step. %(t)s is today, %(n)s the number of persons, %(a0)s ... the id bases.

PERSONS = f"""
CREATE TEMP TABLE gen_person ON COMMIT DROP AS
SELECT k, k - co::int AS p, co, lm,
       lm AND {R('k', 11)} < 0.85 AS assigned,
       {pick_id('coordinators', 'k', 12)} AS coordinator
FROM (SELECT k, (k %% 2 = 0 AND {R('k', 1)} < 0.35) AS co, {R('k', 10)} < 0.72 AS lm
      FROM generate_series(1, %(n)s::bigint) k OFFSET 0) s;
CREATE TEMP TABLE gen_case ON COMMIT DROP AS
SELECT p, opened, u, unit_id, caseworker,
       CASE WHEN {R('p', 3)} < 0.4 AND opened + close_after < %(t)s THEN opened + close_after END AS closed_on,
       (%(case_reasons)s::text[])[1 + floor({R('p', 4)} * 7)::int] AS closing_reason,
       floor({R('p', 5)} * {R('p', 5)} * 3)::int AS children
FROM (SELECT p, %(t)s::date - 1 - floor({R('p', 2)} * 820)::int AS opened, u,
             60 + floor({R('p', 6)} * 440)::int AS close_after,
             (%(eb_units)s::bigint[])[1 + u] AS unit_id,
             (%(caseworkers)s::bigint[])[1 + u + {len(EB_UNITS)} * floor({R('p', 8)} * (cardinality(%(caseworkers)s::bigint[]) / {len(EB_UNITS)}))::int] AS caseworker
      FROM (SELECT p, floor({R('p', 7)} * {len(EB_UNITS)})::int AS u FROM gen_person WHERE NOT co OFFSET 0) s OFFSET 0) s;
ALTER TABLE gen_case ADD PRIMARY KEY (p);
ALTER TABLE gen_person ADD COLUMN start_on date, ADD COLUMN end_on date;
UPDATE gen_person g SET start_on = c.opened + 5 + floor({R('g.k', 13)} * 35)::int, end_on = c.closed_on
FROM gen_case c WHERE c.p = g.p;
UPDATE gen_person SET assigned = false WHERE assigned AND (start_on >= %(t)s OR start_on > end_on);
ALTER TABLE gen_person ADD PRIMARY KEY (k);
ANALYZE gen_person; ANALYZE gen_case;
"""

APPLICANTS = f"""
INSERT INTO cases_applicant (id, created_at, updated_at, personal_identity_number, is_coordination_number,
    birth_date, legal_gender, first_name, last_name, street_address, postal_code, city, phone, email,
    protected_identity, registered_unit_id)
SELECT %(a0)s + k, now(), now(), substr(to_char(birth, 'YYYY'), 1, 2) || base9 || {_luhn_check('base9')}::text, false,
       birth, CASE WHEN male THEN 'man' ELSE 'kvinna' END,
       {pick('first_names', 'k', 20)}, {pick('last_names', 'k', 21)}, '', '', '', '', '',
       {R('k', 22)} < 0.003 OR k %% 997 = 1, c.unit_id
FROM (SELECT k, p, birth, male,
             substr(to_char(birth, 'YYYYMMDD'), 3) || lpad((100 + q * 10 + CASE WHEN male THEN 1 + 2 * g5 ELSE 2 * g5 END)::text, 3, '0') AS base9
      FROM (SELECT k, p, DATE '1958-01-01' + ((%(a0)s + k) %% {BIRTH_DAYS})::int AS birth,
                   (%(a0)s + k) / {BIRTH_DAYS} AS q, {R('k', 23)} < 0.52 AS male, floor({R('k', 24)} * 5)::int AS g5
            FROM gen_person OFFSET 0) s OFFSET 0) s
JOIN gen_case c USING (p);
"""

HOUSEHOLDS = "INSERT INTO cases_household (id, created_at, updated_at) SELECT %(h0)s + p, now(), now() FROM gen_case;"

CASES = """
INSERT INTO cases_case (id, created_at, updated_at, opened_on, opening_way, status, closed_on, closing_reason,
    responsible_caseworker_id, household_id, unit_id)
SELECT %(c0)s + p, now(), now(), opened, 'application', CASE WHEN closed_on IS NULL THEN 'active' ELSE 'closed' END,
       closed_on, CASE WHEN closed_on IS NULL THEN '' ELSE closing_reason END, caseworker, %(h0)s + p, unit_id
FROM gen_case;
"""

MEMBERS = f"""
INSERT INTO cases_householdmember (created_at, updated_at, role, first_name, last_name, birth_date, valid_from,
    valid_to, applicant_id, household_id)
SELECT now(), now(), CASE WHEN g.co THEN 'co_applicant' ELSE 'applicant' END, a.first_name, a.last_name,
       a.birth_date, c.opened, c.closed_on, a.id, %(h0)s + g.p
FROM gen_person g JOIN gen_case c USING (p) JOIN cases_applicant a ON a.id = %(a0)s + g.k
UNION ALL
SELECT now(), now(), 'child', 'Barn', '', c.opened - 365 - floor({R('c.p * 4 + i', 25)} * 6000)::int, c.opened,
       c.closed_on, NULL, %(h0)s + c.p
FROM gen_case c JOIN LATERAL generate_series(1, c.children) i ON true;
"""

BARRIERS = f"""
INSERT INTO cases_casesupportbarrier (created_at, updated_at, valid_from, valid_to, applicant_id, case_id, barrier_id)
SELECT now(), now(), c.opened, c.closed_on, %(a0)s + g.k, %(c0)s + g.p,
       CASE WHEN g.lm THEN {pick_id('labour_barriers', 'g.k', 26)} ELSE {pick_id('other_barriers', 'g.k', 26)} END
FROM gen_person g JOIN gen_case c USING (p);
"""

ASSIGNMENTS = """
INSERT INTO cases_coordinatorassignment (created_at, updated_at, start_date, end_date, applicant_id, case_id,
    coordinator_id)
SELECT now(), now(), start_on, end_on, %(a0)s + k, %(c0)s + p, coordinator FROM gen_person WHERE assigned;
"""

INSATS_DECISIONS = f"""
INSERT INTO insatser_insatsdecision (created_at, updated_at, kind, legal_basis, reasoning, decided_on, valid_from,
    valid_to, ended_on, end_decided_on, end_reasoning, applicant_id, case_id, decided_by_id, end_decided_by_id)
SELECT now(), now(), CASE WHEN {R('g.k', 27)} < 0.7 THEN 'praktik' ELSE 'skills' END, 'SoL (2025:400) 12 kap. 4 §',
       'Deltagande krävs för att bistånd ska lämnas.', g.start_on, g.start_on, NULL,
       g.end_on, CASE WHEN g.end_on IS NULL THEN NULL ELSE g.end_on END,
       CASE WHEN g.end_on IS NULL THEN '' ELSE 'Ärendet avslutat.' END,
       %(a0)s + g.k, %(c0)s + g.p, c.caseworker, CASE WHEN g.end_on IS NULL THEN NULL ELSE c.caseworker END
FROM gen_person g JOIN gen_case c USING (p) WHERE g.assigned;
"""

# Plan versions every 182 days from the assignment's start + 10 days, while the assignment runs;
# 15 % miss their latest renewal (the plan has run out: rule 3). A third of the plans are as the
# auditors found them: no sub-goals, no named responsible, no follow-up date (DOMAIN.md 4).
PLANS = f"""
INSERT INTO planning_implementationplan (id, created_at, updated_at, version, status, areas_to_maintain,
    areas_to_change, long_term_goal, participants, participation_recorded, person_views, made_on,
    latest_follow_up_on, follow_up_method, valid_until, signed_at, applicant_id, assessment_id, case_id,
    created_by_id, signed_by_id, supersedes_id, draft_input)
SELECT %(pl0)s + row_number() OVER (ORDER BY k, v), now(), now(), v + 1, 'signed', '', '',
       CASE WHEN {R('k * 8 + v', 30)} < 0.03 THEN '' ELSE 'Egen försörjning genom arbete eller studier.' END,
       'Personen och koordinatorn', CASE WHEN pr < 0.85 THEN true WHEN pr < 0.95 THEN false END, '',
       made, CASE WHEN audited THEN NULL ELSE made + 30 END, CASE WHEN audited THEN '' ELSE 'meeting' END,
       (made + interval '6 months')::date, made + time '14:00', %(a0)s + k, NULL, %(c0)s + p,
       coordinator, coordinator, CASE WHEN v > 0 THEN %(pl0)s + row_number() OVER (ORDER BY k, v) - 1 END,
       '{{}}'::jsonb
FROM (SELECT g.k, g.p, g.coordinator, v, g.start_on + 10 + 182 * v AS made,
             {R('g.k * 8 + v', 31)} < 1.0 / 3 AS audited, {R('g.k * 8 + v', 32)} AS pr
      FROM (SELECT *, least(5, (least(coalesce(end_on, %(t)s::date), %(t)s::date - 1) - start_on - 10) / 182) AS last_v
            FROM gen_person WHERE assigned AND start_on + 10 < least(coalesce(end_on, %(t)s::date), %(t)s::date)) g
      JOIN LATERAL generate_series(0, g.last_v - CASE WHEN g.last_v > 0 AND {R('g.k', 33)} < 0.15 THEN 1 ELSE 0 END) v
      ON true OFFSET 0) s;
"""

SUBGOALS = f"""
INSERT INTO planning_subgoal (created_at, updated_at, position, description, measure, target, target_date, plan_id)
SELECT now(), now(), i - 1, CASE i WHEN 1 THEN 'Söka arbete' ELSE 'Förbättra svenskan' END,
       CASE i WHEN 1 THEN 'ansökningar per månad' ELSE 'kursnivå' END, CASE i WHEN 1 THEN '4' ELSE 'C' END,
       p.made_on + 90 * i, p.id
FROM planning_implementationplan p JOIN generate_series(1, 2) i ON i = 1 OR {R('(p.id - %(pl0)s)', 34)} < 0.5
WHERE p.id > %(pl0)s AND p.latest_follow_up_on IS NOT NULL;
"""

ACTIVITIES = f"""
INSERT INTO planning_planactivity (created_at, updated_at, position, description, how, responsible, partners,
    starts_on, ends_on, plan_id, subgoal_id)
SELECT now(), now(), i - 1, CASE i WHEN 1 THEN 'Praktik' ELSE 'Språkstöd' END,
       CASE WHEN {R('(p.id - %(pl0)s) * 2 + i', 35)} < 0.05 THEN '' ELSE 'Tre dagar i veckan' END,
       CASE WHEN p.latest_follow_up_on IS NULL THEN '' ELSE 'Koordinatorn' END,
       CASE i WHEN 1 THEN '["arbetsformedlingen"]' ELSE '[]' END::jsonb, p.made_on, p.valid_until, p.id, NULL
FROM planning_implementationplan p JOIN generate_series(1, 2) i ON i = 1 OR {R('(p.id - %(pl0)s)', 36)} < 0.3
WHERE p.id > %(pl0)s;
"""

# Monthly follow-ups while the plan runs; %(skip)s of the months are missed (rules 1 and 2 find
# the persons whose latest month was missed).
FOLLOW_UPS = f"""
INSERT INTO planning_followup (created_at, updated_at, followed_up_on, method, participants, follows_plan,
    plan_deviation, notes, next_follow_up_on, recorded_by_id, plan_id)
SELECT now(), now(), day, (ARRAY['meeting', 'meeting', 'phone', 'digital'])[1 + floor({R('key', 41)} * 4)::int],
       'Personen och koordinatorn', fp, CASE WHEN fp THEN '' ELSE 'Har inte deltagit enligt planen.' END, '',
       (day + interval '1 month')::date, created_by_id, plan_id
FROM (SELECT (p.id - %(pl0)s) * 8 + j AS key, p.made_on + 30 * j - floor({R('(p.id - %(pl0)s) * 8 + j', 42)} * 5)::int AS day,
             {R('(p.id - %(pl0)s) * 8 + j', 43)} >= 0.1 AS fp, p.created_by_id, p.id AS plan_id, p.valid_until,
             g.end_on
      FROM planning_implementationplan p JOIN gen_person g ON g.k = p.applicant_id - %(a0)s
      JOIN generate_series(1, 6) j ON {R('(p.id - %(pl0)s) * 8 + j', 40)} >= %(skip)s
      WHERE p.id > %(pl0)s OFFSET 0) s
WHERE day < least(valid_until, coalesce(end_on, %(t)s::date), %(t)s::date);
"""

# Referrals: up to three per plan version (the first in 95 % of plans, the second in 75 %, the
# third in 35 %), 45 days apart; most started, recent ones may still be referred or queued.
REFERRALS = f"""
INSERT INTO insatser_referral (created_at, updated_at, referred_on, valid_until, status, queue_position,
    queued_on, started_on, note, applicant_id, decision_id, insats_id, plan_id, referred_by_id)
SELECT now(), now(), referred_on, (referred_on + interval '3 months')::date, status,
       CASE WHEN status = 'queued' THEN 1 + floor({R('key', 51)} * 30)::int END,
       CASE WHEN status = 'queued' THEN referred_on END,
       CASE WHEN status = 'started' THEN started_on END, '', applicant_id, NULL, insats, plan_id, created_by_id
FROM (SELECT key, referred_on, started_on, applicant_id, plan_id, created_by_id, insats,
             CASE WHEN s < 0.80 AND started_on < %(t)s THEN 'started'
                  WHEN s < 0.93 AND referred_on >= %(t)s::date - 60 THEN (CASE WHEN s < 0.88 THEN 'referred' ELSE 'queued' END)
                  WHEN s < 0.93 THEN 'started'
                  ELSE 'withdrawn' END AS status
      FROM (SELECT (p.id - %(pl0)s) * 4 + i AS key, p.made_on + 2 + 45 * (i - 1) + floor({R('(p.id - %(pl0)s) * 4 + i', 52)} * 10)::int AS referred_on,
                   p.made_on + 2 + 45 * (i - 1) + floor({R('(p.id - %(pl0)s) * 4 + i', 52)} * 10)::int
                       + floor({R('(p.id - %(pl0)s) * 4 + i', 53)} * 15)::int AS started_on,
                   {R('(p.id - %(pl0)s) * 4 + i', 54)} AS s, p.applicant_id, p.id AS plan_id, p.created_by_id,
                   {pick_id('insatser', '(p.id - %(pl0)s) * 4 + i', 55)} AS insats
            FROM planning_implementationplan p
            JOIN generate_series(1, 3) i ON {R('(p.id - %(pl0)s) * 4 + i', 50)} < (ARRAY[0.95, 0.75, 0.35])[i]
            WHERE p.id > %(pl0)s OFFSET 0) s
      WHERE referred_on < %(t)s OFFSET 0) s;
"""

# A participation per started referral: a decision period of 6 months (DOMAIN.md 3); most end
# within it or at its end, 8 % of those whose period has run out are still open (rule 7).
PARTICIPATIONS = f"""
INSERT INTO insatser_participation (created_at, updated_at, start_date, decision_period_end, status, end_date,
    closing_reason, hours_monday, hours_tuesday, hours_wednesday, hours_thursday, hours_friday, hours_saturday,
    hours_sunday, applicant_id, insats_id, referral_id)
SELECT now(), now(), start_date, dpe, CASE WHEN closed THEN 'closed' ELSE 'active' END,
       CASE WHEN closed THEN last_day END,
       CASE WHEN NOT closed THEN '' WHEN last_day = dpe THEN 'decision_period_over'
            ELSE (%(closing_reasons)s::text[])[1 + floor({R('(id - %(rf0)s)', 60)} * cardinality(%(closing_reasons)s::text[]))::int] END,
       CASE WHEN part_time THEN 4 ELSE 8 END, CASE WHEN part_time AND {R('(id - %(rf0)s)', 61)} < 0.5 THEN 6 ELSE 8 END, 8,
       CASE WHEN part_time THEN 6 ELSE 8 END, 8, 0, 0, applicant_id, insats_id, id
FROM (SELECT r.id, r.started_on AS start_date, dpe, least(dpe, r.started_on + 20 + floor({R('(r.id - %(rf0)s)', 62)} * 220)::int) AS last_day,
             least(dpe, r.started_on + 20 + floor({R('(r.id - %(rf0)s)', 62)} * 220)::int) < %(t)s
                 AND NOT (dpe < %(t)s AND {R('(r.id - %(rf0)s)', 63)} < 0.08) AS closed,
             {R('(r.id - %(rf0)s)', 64)} < 0.35 AS part_time, r.applicant_id, r.insats_id
      FROM insatser_referral r
      CROSS JOIN LATERAL (SELECT ((r.started_on + interval '6 months')::date - 1) AS dpe) d
      WHERE r.id > %(rf0)s AND r.status = 'started' OFFSET 0) s;
"""

# Every closed participation has its closing, confirmed by a caseworker; 4 % of the open ones have
# a closing proposed 1-40 days ago and not confirmed (rule 11 after 14 days).
CLOSINGS = f"""
INSERT INTO insatser_participationclosing (created_at, updated_at, reason, reason_text, end_date, proposed_at,
    confirmed_at, confirmed_by_id, participation_id, proposed_by_id)
SELECT now(), now(), x.closing_reason, '', x.end_date, x.end_date + time '10:00',
       x.end_date + floor({R('(x.id - %(x0)s)', 70)} * 4)::int + time '15:00', {pick_id('caseworkers', '(x.id - %(x0)s)', 71)}, x.id, r.referred_by_id
FROM insatser_participation x JOIN insatser_referral r ON r.id = x.referral_id
WHERE x.id > %(x0)s AND x.status = 'closed'
UNION ALL
SELECT now(), now(), 'work', '', %(t)s::date + 7, %(t)s::date - 1 - floor({R('(x.id - %(x0)s)', 72)} * 40)::int + time '10:00',
       NULL, NULL, x.id, r.referred_by_id
FROM insatser_participation x JOIN insatser_referral r ON r.id = x.referral_id
WHERE x.id > %(x0)s AND x.status = 'active' AND {R('(x.id - %(x0)s)', 73)} < 0.04;
"""

# Attendance of the last %(weeks)s full weeks, for the participations running then: mostly the
# scheduled hours, sometimes less (heltidsaktivering, rule 8).
ATTENDANCE = f"""
INSERT INTO insatser_weeklyattendance (created_at, updated_at, week_start, attended_hours, note, participation_id,
    reported_by_id)
SELECT now(), now(), w.monday,
       CASE WHEN {R('(x.id - %(x0)s) * 64 + w.n', 80)} < 0.75 THEN x.hours_monday + x.hours_tuesday + x.hours_wednesday
                 + x.hours_thursday + x.hours_friday
            ELSE floor({R('(x.id - %(x0)s) * 64 + w.n', 81)} * 40) END, '', x.id, {pick_id('insats_staff', '(x.id - %(x0)s)', 82)}
FROM insatser_participation x
JOIN (SELECT n, %(last_monday)s::date - 7 * n AS monday FROM generate_series(0, %(weeks)s - 1) n) w
  ON x.start_date <= w.monday AND coalesce(x.end_date, x.decision_period_end) >= w.monday + 6
WHERE x.id > %(x0)s;
"""

# Avsteg for 4 % of the persons with a labour-market barrier; some past their review date (rule 9).
EXEMPTIONS = f"""
INSERT INTO insatser_exemption (created_at, updated_at, reason, reason_text, valid_from, valid_to,
    required_hours_per_week, decided_on, review_on, applicant_id, decided_by_id)
SELECT now(), now(), {pick('exemption_reasons', 'k', 90)}, 'Enligt läkarintyg eller överenskommelse.', vf,
       vf + length, (ARRAY[0, 10, 20])[1 + floor({R('k', 91)} * 3)::int], vf, vf + floor(length * {R('k', 92)})::int,
       %(a0)s + k, coordinator
FROM (SELECT k, coordinator, %(t)s::date - floor({R('k', 93)} * 150)::int AS vf, 90 + floor({R('k', 94)} * 150)::int AS length
      FROM gen_person WHERE lm AND {R('k', 95)} < 0.04 OFFSET 0) s;
"""

# Monthly applications for a run of months ending with the case (or this month), about 3.5 per
# case: 1 + 9 * u^2 months (u uniform), never before the case opened.
# The days from an application to its decision, 1-30 (the board's figure is 16 days on average:
# 000:2270), keyed by case and month so both steps below compute the same.
DECISION_DELAY = f"(1 + floor({R('(%(key)s)', 103)} * 30)::int)"


def _decision_delay(case_index: str, month: str) -> str:
    return DECISION_DELAY.replace("%(key)s", f"({case_index}) * 100000 + extract(year FROM {month})::int * 12 + extract(month FROM {month})::int")


APPLICATIONS = f"""
INSERT INTO cases_application (created_at, updated_at, month, received_on, status, notes, case_id, created_by_id)
SELECT now(), now(), month, received_on,
       CASE WHEN received_on + {_decision_delay('p', 'month')} > %(t)s THEN 'received' ELSE 'decided' END,
       '', %(c0)s + p, caseworker
FROM (SELECT c.p, c.caseworker, month,
             least(greatest(month + floor({R('c.p * 16 + j', 101)} * 12)::int, c.opened), %(t)s::date) AS received_on
      FROM gen_case c
      JOIN LATERAL (SELECT j, (date_trunc('month', coalesce(c.closed_on, %(t)s::date)) - make_interval(months => j))::date AS month
                    FROM generate_series(0, floor(%(months)s * {R('c.p', 100)} * {R('c.p', 100)})::int) j) m
        ON m.month >= date_trunc('month', c.opened)::date
      OFFSET 0) s;
"""

# One decision on försörjningsstöd per decided application: bifall 85 %, delvis bifall 8 %,
# avslag 7 % (signed, in its final state).
DECISIONS = f"""
INSERT INTO cases_decision (created_at, updated_at, item_kind, outcome, amount_applied, amount, reasoning,
    decided_by_role, decided_on, signed_at, appeal_information, norm_is_official, application_id, calculation_id,
    cost_id, decided_by_id, replaces_id, delegation_point_id, legal_basis_id)
SELECT now(), now(), 'income_support', outcome, applied,
       CASE outcome WHEN 'granted' THEN applied WHEN 'partly_granted' THEN applied * 6 / 10 ELSE 0 END,
       'Behov enligt riksnormen och skäliga kostnader.', 'caseworker', decided_on, decided_on + time '16:00',
       %(appeal)s, true, id, NULL, NULL, created_by_id, NULL, %(delegation_point)s, %(legal_basis)s
FROM (SELECT a.id, a.created_by_id, 3000 + floor({R('(a.id - %(ap0)s)', 110)} * 12000)::int AS applied,
             CASE WHEN {R('(a.id - %(ap0)s)', 111)} < 0.85 THEN 'granted' WHEN {R('(a.id - %(ap0)s)', 111)} < 0.93 THEN 'partly_granted'
                  ELSE 'refused' END AS outcome,
             a.received_on + {_decision_delay('a.case_id - %(c0)s', 'a.month')} AS decided_on
      FROM cases_application a WHERE a.id > %(ap0)s AND a.status = 'decided' OFFSET 0) s;
"""

# 1 % of the decisions made before the last 40 days are corrected 10-40 days later by a new decision
# that replaces them (a late correction, after the month closed).
CORRECTIONS = f"""
INSERT INTO cases_decision (created_at, updated_at, item_kind, outcome, amount_applied, amount, reasoning,
    decided_by_role, decided_on, signed_at, appeal_information, norm_is_official, application_id, calculation_id,
    cost_id, decided_by_id, replaces_id, delegation_point_id, legal_basis_id)
SELECT now(), now(), item_kind, 'partly_granted', greatest(amount_applied, 2), greatest(amount_applied, 2) / 2,
       'Rättelse: inkomst som inte var känd vid beslutet.', decided_by_role,
       decided_on + 10 + floor({R('(id - %(d0)s)', 120)} * 30)::int, decided_on + 10 + floor({R('(id - %(d0)s)', 120)} * 30)::int + time '11:00',
       appeal_information, norm_is_official, application_id, NULL, NULL, decided_by_id, id, delegation_point_id,
       legal_basis_id
FROM cases_decision WHERE id > %(d0)s AND decided_on < %(t)s::date - 40 AND {R('(id - %(d0)s)', 121)} < 0.01;
"""

# Verkställighet: 96.5 % of the granted decisions executed 1-10 days after (rule 10 finds the rest
# once 3 months have passed), 0.5 % interrupted 20-60 days later, half of those resumed.
EXECUTIONS = f"""
INSERT INTO cases_decisionexecutionevent (created_at, updated_at, kind, occurred_on, note, decision_id,
    recorded_by_id)
WITH d AS MATERIALIZED (
    SELECT id, decided_by_id, decided_on, {R('(id - %(d0)s)', 130)} AS u_after, {R('(id - %(d0)s)', 131)} AS u_done,
           {R('(id - %(d0)s)', 132)} AS u_note, {R('(id - %(d0)s)', 133)} AS u_gap, {R('(id - %(d0)s)', 134)} AS u_break
    FROM cases_decision WHERE id > %(d0)s AND outcome IN ('granted', 'partly_granted'))
SELECT now(), now(), kind, occurred_on, '', id, decided_by_id
FROM (SELECT id, decided_by_id, 'executed' AS kind, decided_on + 1 + floor(u_after * 10)::int AS occurred_on
      FROM d WHERE u_done < 0.965
      UNION ALL
      SELECT id, decided_by_id, 'delay_noted', decided_on + 5 + floor(u_after * 20)::int FROM d
      WHERE u_done >= 0.965 AND u_note < 0.5
      UNION ALL
      SELECT id, decided_by_id, 'interrupted', decided_on + 20 + floor(u_gap * 40)::int FROM d
      WHERE u_done < 0.965 AND u_break < 0.005
      UNION ALL
      SELECT id, decided_by_id, 'resumed', decided_on + 70 + floor(u_gap * 30)::int FROM d
      WHERE u_done < 0.965 AND u_break < 0.0025) e
WHERE occurred_on <= %(t)s;
"""

# The access log of the last 7 days (the review's window, audit.control.norms LOOKBACK_DAYS), a
# bounded sample (%(log_reads)s reads, not a year's log: the hash chain is a per-row trigger, so
# these rows are written with the triggers on, after the load). Caseworkers read persons of
# their unit's cases on weekdays in working hours; 1 % of the reads are at 21-22 in the evening,
# 0.5 % by a caseworker of another unit; every person with protected identity is read once;
# one caseworker reads 80 persons in a day and one is refused 15 times (the review rules l02-l06).
ACCESS_LOG = f"""
INSERT INTO audit_accesslogentry (occurred_at, actor_id, actor_username, actor_role, action, person_id, object_type,
    object_id, channel, ip_address, endpoint, prev_hash, row_hash)
SELECT at, s.id, s.username, s.role, action, person_id, 'applicant', object_id, 'ui',
       ('10.0.' || (s.id %% 250) || '.' || (1 + s.id %% 200))::inet, endpoint, '', ''
FROM (
    SELECT i, (%(t)s::date - 1 - floor({R('i', 140)} * 7)::int
               - greatest(0, extract(isodow FROM %(t)s::date - 1 - floor({R('i', 140)} * 7)::int)::int - 5))
               + make_interval(hours => CASE WHEN {R('i', 141)} < 0.01 THEN 21 ELSE 8 + floor({R('i', 142)} * 9)::int END,
                               mins => floor({R('i', 143)} * 60)::int) AS at,
           CASE WHEN {R('i', 144)} < 0.005
                THEN (%(caseworkers)s::bigint[])[1 + array_position(%(eb_units)s::bigint[], c.unit_id) %% {len(EB_UNITS)}
                     + {len(EB_UNITS)} * floor({R('i', 145)} * (cardinality(%(caseworkers)s::bigint[]) / {len(EB_UNITS)}))::int]
                ELSE c.responsible_caseworker_id END AS actor, 'read' AS action, m.applicant_id AS person_id,
           m.applicant_id::text AS object_id, 'cases:applicant-detail' AS endpoint
    FROM generate_series(1, %(log_reads)s) i
    JOIN cases_householdmember m ON m.applicant_id = %(a0)s + 1 + floor({R('i', 146)} * %(n)s)::bigint
    JOIN cases_case c ON c.household_id = m.household_id
    UNION ALL
    SELECT 0, %(t)s::date - 1 + time '10:30', c.responsible_caseworker_id, 'read', a.id, a.id::text, 'cases:applicant-detail'
    FROM cases_applicant a JOIN cases_householdmember m ON m.applicant_id = a.id
    JOIN cases_case c ON c.household_id = m.household_id
    WHERE a.id > %(a0)s AND a.protected_identity
    UNION ALL
    SELECT i, %(t)s::date - 2 + time '09:00' + make_interval(mins => i::int), (%(caseworkers)s::bigint[])[1], 'read',
           %(a0)s + i, (%(a0)s + i)::text, 'cases:applicant-detail'
    FROM generate_series(1, least(80, %(n)s)) i
    UNION ALL
    SELECT i, %(t)s::date - 3 + time '13:00' + make_interval(mins => i::int), (%(caseworkers)s::bigint[])[2], 'refused',
           NULL, '403', 'cases:applicant-detail'
    FROM generate_series(1, 15) i
) r JOIN cases_staff s ON s.id = r.actor
ORDER BY at;
"""

# One verification of the chain that found a break (rule l01), marked as the benchmark's own.
CHAIN_CHECK = """
INSERT INTO audit_chainverification (checked_at, intact, rows_checked, last_seq, last_hash, broken_table, broken_id,
    broken_seq, reason)
VALUES (%(t)s::date - 1 + time '03:00', false, 0, NULL, '', 'audit_accesslogentry', NULL, 1,
        'Benchmarkdata: simulerat brott i kedjan');
"""

STEPS = (
    ("persons (work tables)", PERSONS), ("cases_applicant", APPLICANTS), ("cases_household", HOUSEHOLDS),
    ("cases_case", CASES), ("cases_householdmember", MEMBERS), ("cases_casesupportbarrier", BARRIERS),
    ("cases_coordinatorassignment", ASSIGNMENTS), ("insatser_insatsdecision", INSATS_DECISIONS),
    ("planning_implementationplan", PLANS), ("planning_subgoal", SUBGOALS), ("planning_planactivity", ACTIVITIES),
    ("planning_followup", FOLLOW_UPS), ("insatser_referral", REFERRALS), ("insatser_participation", PARTICIPATIONS),
    ("insatser_participationclosing", CLOSINGS), ("insatser_weeklyattendance", ATTENDANCE),
    ("insatser_exemption", EXEMPTIONS), ("cases_application", APPLICATIONS), ("cases_decision", DECISIONS),
    ("cases_decision (corrections)", CORRECTIONS), ("cases_decisionexecutionevent", EXECUTIONS),
)


def reference_data(persons: int, seed: int) -> dict:
    """Units, staff and insatser (through the ORM: a few hundred rows), and the ids the SQL picks
    from. Legal bases, delegation points, support barriers and tracks come from the migrations."""
    from cases.finance_models import DelegationPoint, LegalBasis
    from cases.models import Role, Staff, SupportBarrier, Unit
    from insatser.models import Insats, Track

    units = [Unit.objects.get_or_create(code=code, defaults={"name": name})[0] for code, name in EB_UNITS]
    koord, _ = Unit.objects.get_or_create(code="bench-koordinator", defaults={"name": "Koordinator"})
    im, _ = Unit.objects.get_or_create(code="bench-insats", defaults={"name": "Insats & Matchning"})

    def staff(prefix: str, role: str, unit_list: list, count: int) -> list[int]:
        wanted = [f"{prefix}-{i}" for i in range(count)]
        have = set(Staff.objects.filter(username__in=wanted).values_list("username", flat=True))
        Staff.objects.bulk_create([
            Staff(username=name, role=role, unit=unit_list[i % len(unit_list)], first_name=prefix.split("-")[-1].title(),
                  last_name=str(i), password="!")
            for i, name in enumerate(wanted) if name not in have
        ])
        return list(Staff.objects.filter(username__in=wanted).order_by("pk").values_list("pk", flat=True))

    # Caseloads as in the seeds' units: about 100 households per caseworker, 60 persons per coordinator.
    caseworkers = staff("bench-hl", Role.CASEWORKER, units, max(4, persons // 100))
    coordinators = staff("bench-koord", Role.COORDINATOR, [koord], max(2, persons // 60))
    insats_staff = staff("bench-ip", Role.INSATS_STAFF, [im], max(2, persons // 400))
    staff("bench-chef", Role.UNIT_MANAGER, [*units, koord, im], len(units) + 2)
    staff("bench-admin", Role.ADMINISTRATOR, [None], 1)

    tracks = {t.code: t for t in Track.objects.all()}
    track_of = {"basic_activity": "grundaktivitet", "language": "sprak", "language_praktik": "sprak",
                "digital": "digital"}
    insats_ids: list[int] = []
    for kind, weight in INSATS_MIX:
        mine = []
        for n in range(max(1, weight // 4)):
            name = f"Bench {kind} {n + 1}"
            insats, _ = Insats.objects.get_or_create(name=name, defaults={
                "insats_type": kind, "track": tracks[track_of.get(kind, "arbetsmarknad")], "provider_unit": im,
                "capacity": max(10, persons // 200), "normal_hours_per_week": 40})
            mine.append(insats.pk)
        # Each type weighted by its share of the referrals (INSATS_MIX), spread over its insatser.
        insats_ids += [mine[i % len(mine)] for i in range(weight)]
    barrier = dict(SupportBarrier.objects.values_list("code", "pk"))
    legal_basis = LegalBasis.objects.get(code="sol-12-1")
    return {
        "seed": seed, "eb_units": [u.pk for u in units], "caseworkers": caseworkers, "coordinators": coordinators,
        "insats_staff": insats_staff, "insatser": insats_ids,
        "labour_barriers": [barrier[c] for c in LABOUR_BARRIERS], "other_barriers": [barrier[c] for c in OTHER_BARRIERS],
        "legal_basis": legal_basis.pk, "appeal": legal_basis.appeal_information,
        "delegation_point": DelegationPoint.objects.get(code="EB-1").pk,
    }


# Tables whose ids the SQL sets itself (children find their parents by arithmetic or row number).
EXPLICIT_IDS = {"a0": "cases_applicant", "h0": "cases_household", "c0": "cases_case",
                "pl0": "planning_implementationplan"}


def control_sample(seed: int, today: datetime.date) -> int:
    """The coordinator unit's own control (DOMAIN.md 4; 004:583-605) for the last ended quarter:
    10 persons drawn by the app's own service (audit.control.services.sample_draw, prefilled
    from the data), and a corrective action for each "no", due three weeks ago and still
    planned (rule r12 finds them). Returns the number of actions."""
    from audit.control import services
    from audit.control.models import CorrectiveAction, SamplePopulation
    from cases.models import Role, Staff, Unit

    unit = Unit.objects.get(code="bench-koordinator")
    manager = Staff.objects.filter(role=Role.UNIT_MANAGER, unit=unit).order_by("pk").first()
    quarter_start = datetime.date(today.year, 3 * ((today.month - 1) // 3) + 1, 1)
    period_end = quarter_start - datetime.timedelta(days=1)
    period_start = datetime.date(period_end.year, period_end.month - 2, 1)
    population = services.sample_population(unit=unit, period_start=period_start, period_end=period_end,
                                            population=SamplePopulation.PERSONS)
    if not population:
        return 0
    sample = services.sample_draw(actor=manager, unit=unit, period_start=period_start, period_end=period_end,
                                  size=min(10, len(population)), seed=seed, population=SamplePopulation.PERSONS)
    answers = [a for item in sample.items.order_by("position") for a in item.answers.order_by("pk") if a.prefilled == "no"]
    CorrectiveAction.objects.bulk_create(
        CorrectiveAction(sample_answer=a, description="Komplettera planen med det som saknas.", owner=manager,
                         due_date=today - datetime.timedelta(days=21), created_by=manager)
        for a in answers[:5]
    )
    return len(answers[:5])


def _drop_secondary_indexes(cursor, tables) -> list[str]:
    """For the target tables that are empty: drop their indexes other than the primary key and
    those behind a constraint, returning the statements that rebuild them. Building an index
    once over the loaded rows is several times faster than growing it row by row; a unique
    index rebuilt over rows that break it fails the load (nothing is kept)."""
    cursor.execute(
        """
        SELECT i.indexrelid::regclass::text, pg_get_indexdef(i.indexrelid)
        FROM pg_index i JOIN pg_class t ON t.oid = i.indrelid
        WHERE t.relname = ANY(%s) AND NOT i.indisprimary
          AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = i.indexrelid)
        """,
        [list(tables)],
    )
    found = cursor.fetchall()
    empty = set()
    for table in tables:
        cursor.execute(f"SELECT NOT EXISTS (SELECT 1 FROM {table})")
        if cursor.fetchone()[0]:
            empty.add(table)
    rebuild = []
    for name, definition in found:
        table = definition.split(" ON ", 1)[1].split()[0].removeprefix("public.").removeprefix("ONLY ")
        if table.removeprefix("public.") in empty:
            cursor.execute(f"DROP INDEX {name}")
            rebuild.append(definition)
    return rebuild


def _bases(cursor) -> dict:
    """The id after which this load writes, per table: past both the rows there and the sequence
    (an id the sequence gave out is never reused). Random choices are keyed by the id relative to
    it, so a seed gives the same data in an empty or a used database (one writer at a time)."""
    bases = {}
    for key, table in (*EXPLICIT_IDS.items(), ("rf0", "insatser_referral"), ("x0", "insatser_participation"),
                       ("ap0", "cases_application"), ("d0", "cases_decision")):
        cursor.execute(f"SELECT greatest(nextval(pg_get_serial_sequence('{table}', 'id')), "
                       f"(SELECT coalesce(max(id), 0) FROM {table}))")
        bases[key] = cursor.fetchone()[0]
    return bases


def _advance_sequence(cursor, table: str) -> None:
    """Move the id sequence past the ids set here, with nextval (the app's role may use a sequence
    but not setval it)."""
    sequence = f"pg_get_serial_sequence('{table}', 'id')"
    cursor.execute(f"SELECT nextval({sequence}), (SELECT coalesce(max(id), 0) FROM {table})")
    at, top = cursor.fetchone()
    if at < top:
        cursor.execute(f"SELECT max(nextval({sequence})) FROM generate_series(1, %s)", [top - at])


# The finance branch needs only the work tables: with the per-row triggers off it loads on a
# second connection while the main one loads the rest (two cores).
FINANCE = ("cases_application", "cases_decision", "cases_decision (corrections)", "cases_decisionexecutionevent")


def _session(cursor, superuser: bool) -> None:
    if superuser:
        # Per-row foreign-key and append-only triggers off for this transaction only.
        cursor.execute("SET LOCAL session_replication_role = replica")
    cursor.execute("SET LOCAL synchronous_commit = off")
    cursor.execute("SET LOCAL work_mem = '256MB'")
    cursor.execute("SET LOCAL maintenance_work_mem = '512MB'")
    cursor.execute("SET LOCAL jit = off")


def _work_tables(sql: str, shared: bool) -> str:
    """The work tables: temporary in one transaction; unlogged tables when two connections share them."""
    if not shared:
        return sql
    sql = sql.replace("gen_person", "bench_gen_person").replace("gen_case", "bench_gen_case")
    return sql.replace("CREATE TEMP TABLE bench_gen_person ON COMMIT DROP", "CREATE UNLOGGED TABLE bench_gen_person").replace(
        "CREATE TEMP TABLE bench_gen_case ON COMMIT DROP", "CREATE UNLOGGED TABLE bench_gen_case")


def _load(steps, params, *, superuser: bool, shared: bool, tables, rows: dict, verbose: bool) -> None:
    """Run the steps in one transaction on this thread's connection."""
    cpu_before = backend_cpu_s()
    with transaction.atomic(), connection.cursor() as cursor:
        _session(cursor, superuser)
        rebuild = _drop_secondary_indexes(cursor, tables) if superuser else []
        for name, sql in steps:
            started = time.perf_counter()
            cursor.execute(_work_tables(sql, shared), params)
            rows[name] = cursor.rowcount
            if verbose:
                print(f"  {name:<36}{cursor.rowcount:>11} rows {time.perf_counter() - started:>8.1f} s", flush=True)
        started = time.perf_counter()
        for definition in rebuild:
            cursor.execute(definition)
        if verbose and rebuild:
            print(f"  {len(rebuild):>3} indexes rebuilt ({', '.join(sorted({d.split(' ON ', 1)[1].split()[0].removeprefix('public.') for d in rebuild}))[:40]}...)"
                  f" {time.perf_counter() - started:>6.1f} s", flush=True)
    cpu_after = backend_cpu_s()
    if cpu_before is not None and cpu_after is not None:
        STATS["backend_cpu_s"] = STATS.get("backend_cpu_s", 0.0) + cpu_after - cpu_before


# Figures of the last generate(): backend CPU seconds summed over its connections.
STATS: dict[str, float] = {}


def _in_thread(target, **kwargs):
    """Run `target` on a second database connection (Django's connections are per thread)."""
    outcome = {}

    def run():
        try:
            target(**kwargs)
        except Exception as error:  # noqa: BLE001 (re-raised in the caller's thread)
            outcome["error"] = error
        finally:
            connection.close()

    thread = threading.Thread(target=run, name="dataset-finance")
    thread.start()
    return thread, outcome


def generate(persons: int, seed: int = 2026, *, today: datetime.date | None = None, skip: float = 0.1,
             months: int = 15, weeks: int = 8, log_reads: int | None = None, parallel: bool | None = None,
             verbose: bool = False) -> dict[str, int]:
    """Load `persons` persons and everything around them; returns rows written per step.
    PostgreSQL only. `log_reads`: reads written to the access log (default: one per person, at most
    20 000; 0 writes no audit rows).

    As superuser (the benchmarks) the per-row triggers are off, empty tables get their indexes
    rebuilt after the load, and `parallel` (default: on) loads the applications and decisions on a
    second connection: three transactions (work tables, the two branches), so a failure can leave
    part of the load; point it at a scratch database. Otherwise (the app's role, the tests) all
    runs in one transaction, the caller's if any, with every trigger and check on."""
    from insatser.models import ClosingReason, ExemptionReason

    if connection.vendor != "postgresql":
        raise RuntimeError("bench/dataset.py loads with PostgreSQL's own functions: point DATABASE_URL at PostgreSQL.")
    today = today or timezone.localdate()
    params = reference_data(persons, seed)
    rows: dict[str, int] = {}
    STATS.clear()
    with connection.cursor() as cursor:
        cursor.execute("SELECT rolsuper FROM pg_roles WHERE rolname = current_user")
        superuser = cursor.fetchone()[0]
        shared = superuser and (parallel is None or parallel) and not connection.in_atomic_block
        base = _bases(cursor)
    if base["a0"] + persons >= MAX_PERSONS:
        raise ValueError(f"persons: at most {MAX_PERSONS - base['a0'] - 1} more persons fit the personnummer range")
    params |= base | {
        "n": persons, "log_reads": min(persons, 20_000) if log_reads is None else log_reads, "t": today,
        "skip": skip, "months": months, "weeks": weeks,
        "last_monday": today - datetime.timedelta(days=today.weekday() + 7),
        "case_reasons": ["work", "studies", "other_benefit", "moved", "no_application", "no_application", "other"],
        "closing_reasons": [c for c in ClosingReason.values if c != "decision_period_over"],
        "exemption_reasons": list(ExemptionReason.values),
        "first_names": list(FIRST_NAMES), "last_names": list(LAST_NAMES),
    }
    work, *main_steps = STEPS
    finance = [step for step in main_steps if step[0] in FINANCE]
    main_steps = [step for step in main_steps if step[0] not in FINANCE]
    finance_tables = ("cases_application", "cases_decision", "cases_decisionexecutionevent")
    main_tables = tuple(t for t in TABLES if t not in finance_tables)
    options = {"params": params, "superuser": superuser, "shared": shared, "rows": rows, "verbose": verbose}
    if shared:
        _load([work], **options, tables=())  # committed: both connections read the work tables
        try:
            thread, outcome = _in_thread(_load, steps=finance, tables=finance_tables, **options)
            _load(main_steps, **options, tables=main_tables)
            thread.join()
            if "error" in outcome:
                raise outcome["error"]
        finally:
            with connection.cursor() as cursor:
                cursor.execute("DROP TABLE IF EXISTS bench_gen_person, bench_gen_case")
        _finish(params, seed, today, rows=rows, verbose=verbose)
    else:
        with transaction.atomic():
            _load([work, *main_steps, *finance], **options, tables=TABLES)
            _finish(params, seed, today, rows=rows, verbose=verbose)
    if superuser:  # the triggers of report 1's and report 2's facts were off for the load
        from audit.reports import key_figure_facts
        from planning import follow_up_due, plan_facts

        key_figure_facts.mark_all_stale()
        for table, rebuild in (("planning_planfacts", plan_facts.rebuild), ("planning_followupdue", follow_up_due.rebuild)):
            started = time.perf_counter()
            with transaction.atomic(), connection.cursor() as cursor:
                rebuild(cursor)
                rows[table] = cursor.rowcount
            if verbose:
                print(f"  {table:<36}{rows[table]:>11} rows {time.perf_counter() - started:>8.1f} s", flush=True)
    return rows


def _finish(params, seed, today, *, rows, verbose) -> None:
    """Sequences past the ids set here; the audit rows (with every trigger on)."""
    with transaction.atomic(), connection.cursor() as cursor:
        for table in EXPLICIT_IDS.values():
            _advance_sequence(cursor, table)
    if params["log_reads"]:
        _audit_rows(params, seed, today, rows=rows, verbose=verbose)


def _audit_rows(params, seed, today, *, rows, verbose) -> None:
    """The access log sample and the control sample, written with every trigger on."""
    with transaction.atomic(), connection.cursor() as cursor:
        for name, sql in (("audit_accesslogentry", ACCESS_LOG), ("audit_chainverification", CHAIN_CHECK)):
            started = time.perf_counter()
            cursor.execute(sql, params)
            rows[name] = cursor.rowcount
            if verbose:
                print(f"  {name:<36}{cursor.rowcount:>11} rows {time.perf_counter() - started:>8.1f} s", flush=True)
        rows["audit_correctiveaction"] = control_sample(seed, today)


def summary() -> dict[str, int]:
    with connection.cursor() as cursor:
        counts = {}
        for table in TABLES:
            cursor.execute(f"SELECT count(*) FROM {table}")
            counts[table] = cursor.fetchone()[0]
    return counts


# References the load must keep by construction (the benchmarks load without the per-row
# foreign-key triggers): each query counts the rows that break one.
KEY_CHECKS = {
    "member household": "SELECT count(*) FROM cases_householdmember m LEFT JOIN cases_household h ON h.id = m.household_id WHERE h.id IS NULL",
    "member person": "SELECT count(*) FROM cases_householdmember m LEFT JOIN cases_applicant a ON a.id = m.applicant_id WHERE m.applicant_id IS NOT NULL AND a.id IS NULL",
    "case household": "SELECT count(*) FROM cases_case c LEFT JOIN cases_household h ON h.id = c.household_id WHERE h.id IS NULL",
    "plan person": "SELECT count(*) FROM planning_implementationplan p LEFT JOIN cases_applicant a ON a.id = p.applicant_id WHERE a.id IS NULL",
    "plan case": "SELECT count(*) FROM planning_implementationplan p LEFT JOIN cases_case c ON c.id = p.case_id WHERE c.id IS NULL",
    "plan supersedes same person": "SELECT count(*) FROM planning_implementationplan p JOIN planning_implementationplan o ON o.id = p.supersedes_id WHERE o.applicant_id <> p.applicant_id OR o.version <> p.version - 1",
    "follow-up plan": "SELECT count(*) FROM planning_followup f LEFT JOIN planning_implementationplan p ON p.id = f.plan_id WHERE p.id IS NULL",
    "referral plan person": "SELECT count(*) FROM insatser_referral r LEFT JOIN planning_implementationplan p ON p.id = r.plan_id WHERE p.id IS NULL OR p.applicant_id <> r.applicant_id",
    "participation referral": "SELECT count(*) FROM insatser_participation x LEFT JOIN insatser_referral r ON r.id = x.referral_id WHERE r.id IS NULL OR r.applicant_id <> x.applicant_id OR r.status <> 'started'",
    "closing participation": "SELECT count(*) FROM insatser_participationclosing c LEFT JOIN insatser_participation x ON x.id = c.participation_id WHERE x.id IS NULL",
    "attendance participation": "SELECT count(*) FROM insatser_weeklyattendance w LEFT JOIN insatser_participation x ON x.id = w.participation_id WHERE x.id IS NULL",
    "barrier in the case's household": "SELECT count(*) FROM cases_casesupportbarrier b JOIN cases_case c ON c.id = b.case_id WHERE NOT EXISTS (SELECT 1 FROM cases_householdmember m WHERE m.household_id = c.household_id AND m.applicant_id = b.applicant_id)",
    "assignment case": "SELECT count(*) FROM cases_coordinatorassignment a LEFT JOIN cases_case c ON c.id = a.case_id WHERE c.id IS NULL",
    "application case": "SELECT count(*) FROM cases_application a LEFT JOIN cases_case c ON c.id = a.case_id WHERE c.id IS NULL",
    "decision application": "SELECT count(*) FROM cases_decision d LEFT JOIN cases_application a ON a.id = d.application_id WHERE a.id IS NULL OR a.status <> 'decided'",
    "event decision": "SELECT count(*) FROM cases_decisionexecutionevent e LEFT JOIN cases_decision d ON d.id = e.decision_id WHERE d.id IS NULL OR e.occurred_on < d.decided_on",
    "coordinator is one": "SELECT count(*) FROM cases_coordinatorassignment c LEFT JOIN cases_staff s ON s.id = c.coordinator_id WHERE s.id IS NULL OR s.role <> 'coordinator'",
    "caseworker of the case's unit": "SELECT count(*) FROM cases_case c LEFT JOIN cases_staff s ON s.id = c.responsible_caseworker_id WHERE s.id IS NULL OR s.unit_id <> c.unit_id",
}


def check_keys() -> dict[str, int]:
    """Rows breaking each of KEY_CHECKS (all zero when the load is consistent)."""
    with connection.cursor() as cursor:
        broken = {}
        for name, sql in KEY_CHECKS.items():
            cursor.execute(sql)
            broken[name] = cursor.fetchone()[0]
    return broken


def backend_cpu_s() -> float | None:
    """CPU seconds used so far by this connection's PostgreSQL backend (user + system), read from
    /proc when the server runs on this machine; None otherwise. On a shared machine it says how
    much work the load was, whatever the other processes took of the wall time."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        pid = cursor.fetchone()[0]
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return None
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def main() -> None:
    from django.core.management import call_command

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--persons", type=int, default=100_000)
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--fresh", action="store_true", help="empty the database (DROP SCHEMA public) and migrate it")
    args = parser.parse_args()
    if args.fresh:
        with connection.cursor() as cursor:
            cursor.execute("DROP SCHEMA public CASCADE; CREATE SCHEMA public;")
    call_command("migrate", verbosity=0)
    started = time.perf_counter()
    rows = generate(args.persons, args.seed, verbose=True)
    load_s = time.perf_counter() - started
    backend_cpu = round(STATS["backend_cpu_s"], 1) if "backend_cpu_s" in STATS else None
    load_average = os.getloadavg()[0] if hasattr(os, "getloadavg") else None
    with connection.cursor() as cursor:
        started = time.perf_counter()
        cursor.execute("ANALYZE")
        analyze_s = time.perf_counter() - started
        cursor.execute("SELECT pg_database_size(current_database())")
        size = cursor.fetchone()[0]
    started = time.perf_counter()
    broken = {name: n for name, n in check_keys().items() if n}
    print(f"keys checked in {time.perf_counter() - started:.1f} s: {broken or 'all consistent'}")
    written = sum(v for k, v in rows.items() if not k.startswith("persons"))
    print(f"{args.persons} persons: {written} rows in {load_s:.1f} s (+ ANALYZE {analyze_s:.1f} s), "
          f"database {size / 2**30:.2f} GiB; backend CPU {backend_cpu} s; load average {load_average}")
    print(json.dumps({
        "persons": args.persons, "seed": args.seed, "seconds": round(load_s, 1), "analyze_s": round(analyze_s, 1),
        "backend_cpu_s": backend_cpu, "load_average": load_average, "rows": written,
        "rows_per_s": round(written / load_s), "database_mb": round(size / 2**20), "broken_keys": sum(broken.values()),
        "tables": summary(),
    }))


if __name__ == "__main__":
    main()
