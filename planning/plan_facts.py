"""A plan's facts kept as a table on PostgreSQL (planning.models.PlanFacts).

What a plan's quality answers count in other tables (its sub-goals, its activities and those
without a responsible or a how, its first follow-up, the first signed version that replaced it)
is one row per plan. Report 2 judges every plan of a year (1.27 million at 1 000 000 persons):
as a view, each of its reads grouped the child tables whole, 12.7 s of the report's 36 s per
period (bench/README.md). On PostgreSQL the row is therefore stored, and statement triggers on
the plans, sub-goals, activities and follow-ups count it again for the plans a statement touched,
in the same transaction: the row is never stale, and a report reads it like any table. On SQLite
(the demo's default) it stays the view of migration 0007, `DEFINITION` here.

A bulk load with the triggers off (bench/dataset.py, session_replication_role = replica) calls
`rebuild`. tests/planning/test_plan_facts.py checks the stored rows against the definition after
each kind of change.
"""

from __future__ import annotations

from importlib import import_module

from planning import statement_triggers

COLUMNS = ("subgoals", "activities", "activities_without_responsible", "activities_without_how",
           "first_follow_up_on", "first_signed_successor_on", "assignments_last_start", "assignments_last_end")

# The facts of every plan, each child table grouped once (the view's query, migration 0007).
DEFINITION = """
SELECT p.id AS plan_id,
       COALESCE(s.n, 0) AS subgoals,
       COALESCE(a.n, 0) AS activities,
       COALESCE(a.without_responsible, 0) AS activities_without_responsible,
       COALESCE(a.without_how, 0) AS activities_without_how,
       f.first_on AS first_follow_up_on,
       r.first_on AS first_signed_successor_on,
       c.last_start AS assignments_last_start,
       c.last_end AS assignments_last_end
FROM planning_implementationplan p
LEFT JOIN (SELECT plan_id, COUNT(*) AS n FROM planning_subgoal GROUP BY plan_id) s ON s.plan_id = p.id
LEFT JOIN (SELECT plan_id, COUNT(*) AS n,
                  SUM(CASE WHEN responsible = '' THEN 1 ELSE 0 END) AS without_responsible,
                  SUM(CASE WHEN how = '' THEN 1 ELSE 0 END) AS without_how
           FROM planning_planactivity GROUP BY plan_id) a ON a.plan_id = p.id
LEFT JOIN (SELECT plan_id, MIN(followed_up_on) AS first_on FROM planning_followup GROUP BY plan_id) f
       ON f.plan_id = p.id
LEFT JOIN (SELECT supersedes_id, MIN(made_on) AS first_on FROM planning_implementationplan
           WHERE status = 'signed' AND supersedes_id IS NOT NULL GROUP BY supersedes_id) r
       ON r.supersedes_id = p.id
LEFT JOIN (SELECT applicant_id, MAX(start_date) AS last_start,
                  CASE WHEN COUNT(*) > COUNT(end_date) THEN NULL ELSE MAX(end_date) END AS last_end
           FROM cases_coordinatorassignment GROUP BY applicant_id) c
       ON c.applicant_id = p.applicant_id
"""

TABLE = """
CREATE TABLE planning_planfacts (
    plan_id bigint PRIMARY KEY,
    subgoals integer NOT NULL,
    activities integer NOT NULL,
    activities_without_responsible integer NOT NULL,
    activities_without_how integer NOT NULL,
    first_follow_up_on date NULL,
    first_signed_successor_on date NULL,
    assignments_last_start date NULL,
    assignments_last_end date NULL
)
"""
# No foreign key to the plan: the test database's flush truncates the plans without this
# unmanaged table, which a key would forbid (a TRUNCATE of a source table builds the facts again,
# planning/statement_triggers.py). A deleted plan's row goes with the plan (REFRESH).

# The facts of the plans given, each read through the child tables' plan indexes, written over
# the stored rows; a plan that no longer exists loses its row. The rows are locked first, so a
# session that changed the same plan is waited for, and (READ COMMITTED: a new snapshot per
# statement) its committed rows are counted too: two follow-ups added to one plan at once both count.
REFRESH = """
CREATE OR REPLACE FUNCTION planning_plan_facts_refresh(plans bigint[]) RETURNS void AS $$
BEGIN
    PERFORM 1 FROM planning_planfacts WHERE plan_id = ANY(plans) ORDER BY plan_id FOR UPDATE;
    INSERT INTO planning_planfacts (plan_id, subgoals, activities, activities_without_responsible,
                                    activities_without_how, first_follow_up_on, first_signed_successor_on,
                                    assignments_last_start, assignments_last_end)
    SELECT p.id,
           (SELECT COUNT(*) FROM planning_subgoal s WHERE s.plan_id = p.id),
           a.n, a.without_responsible, a.without_how,
           (SELECT MIN(f.followed_up_on) FROM planning_followup f WHERE f.plan_id = p.id),
           (SELECT MIN(r.made_on) FROM planning_implementationplan r
             WHERE r.supersedes_id = p.id AND r.status = 'signed'),
           c.last_start, c.last_end
    FROM planning_implementationplan p
    CROSS JOIN LATERAL (
        SELECT COUNT(*) AS n, COUNT(*) FILTER (WHERE responsible = '') AS without_responsible,
               COUNT(*) FILTER (WHERE how = '') AS without_how
        FROM planning_planactivity a WHERE a.plan_id = p.id
    ) a
    CROSS JOIN LATERAL (
        SELECT MAX(start_date) AS last_start,
               CASE WHEN COUNT(*) > COUNT(end_date) THEN NULL ELSE MAX(end_date) END AS last_end
        FROM cases_coordinatorassignment c WHERE c.applicant_id = p.applicant_id
    ) c
    WHERE p.id = ANY(plans)
    ON CONFLICT (plan_id) DO UPDATE SET
        subgoals = EXCLUDED.subgoals, activities = EXCLUDED.activities,
        activities_without_responsible = EXCLUDED.activities_without_responsible,
        activities_without_how = EXCLUDED.activities_without_how,
        first_follow_up_on = EXCLUDED.first_follow_up_on,
        first_signed_successor_on = EXCLUDED.first_signed_successor_on,
        assignments_last_start = EXCLUDED.assignments_last_start,
        assignments_last_end = EXCLUDED.assignments_last_end;
    DELETE FROM planning_planfacts x WHERE x.plan_id = ANY(plans)
        AND NOT EXISTS (SELECT 1 FROM planning_implementationplan p WHERE p.id = x.plan_id);
END;
$$ LANGUAGE plpgsql
"""

# Per table: the plans whose facts a row stands for, and the columns whose change matters on UPDATE
# (planning/statement_triggers.py). A plan's own columns count only for the plan it replaces
# (first_signed_successor_on) and its person's assignments; its own row comes and goes with it.
SOURCES = {
    "planning_subgoal": (["SELECT {r}.plan_id FROM {rows}{where}"], ["plan_id"]),
    "planning_planactivity": (["SELECT {r}.plan_id FROM {rows}{where}"], ["plan_id", "responsible", "how"]),
    "planning_followup": (["SELECT {r}.plan_id FROM {rows}{where}"], ["plan_id", "followed_up_on"]),
    "planning_implementationplan": (["SELECT {r}.id FROM {rows}{where}", "SELECT {r}.supersedes_id FROM {rows}{where}"],
                                    ["supersedes_id", "status", "made_on", "applicant_id"]),
    # A person's coordinator assignments stand for every plan of theirs.
    "cases_coordinatorassignment": (
        ["SELECT p.id FROM {rows} JOIN planning_implementationplan p ON p.applicant_id = {r}.applicant_id{where}"],
        ["applicant_id", "start_date", "end_date"],
    ),
}


REBUILD = ["TRUNCATE planning_planfacts", f"INSERT INTO planning_planfacts {DEFINITION}"]


def rebuild(cursor) -> None:
    """Every plan's facts from the definition (after a load with the triggers off)."""
    for statement in REBUILD:
        cursor.execute(statement)


def _view(schema_editor, definition: str) -> None:
    schema_editor.execute("DROP VIEW IF EXISTS planning_planfacts", params=None)
    schema_editor.execute(f"CREATE VIEW planning_planfacts AS {definition}", params=None)


def _definition_0007() -> str:
    return import_module("planning.migrations.0007_plan_facts_view").VIEW.split(" AS", 1)[1]


def install(schema_editor) -> None:
    """On PostgreSQL the view becomes the table, filled, with its triggers; on SQLite the view
    gets the new columns (migration planning 0008)."""
    if schema_editor.connection.vendor != "postgresql":
        _view(schema_editor, DEFINITION)
        return
    schema_editor.execute("DROP VIEW IF EXISTS planning_planfacts", params=None)
    schema_editor.execute(TABLE, params=None)
    schema_editor.execute(REFRESH, params=None)
    statement_triggers.create(schema_editor, "planning_pf", "planning_plan_facts_refresh", SOURCES, REBUILD)
    with schema_editor.connection.cursor() as cursor:
        rebuild(cursor)


def uninstall(schema_editor) -> None:
    if schema_editor.connection.vendor != "postgresql":
        _view(schema_editor, _definition_0007())
        return
    statement_triggers.drop(schema_editor, "planning_pf", SOURCES)
    schema_editor.execute("DROP FUNCTION IF EXISTS planning_plan_facts_refresh(bigint[])", params=None)
    schema_editor.execute("DROP TABLE IF EXISTS planning_planfacts", params=None)
    _view(schema_editor, _definition_0007())
