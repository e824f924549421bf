"""Each follow-up's due date kept as a table on PostgreSQL (planning.models.FollowUpDue).

A follow-up is due on the next follow-up that the person's previous one set (the latest on an
earlier day, the highest id among that day's, of any of the person's plans), or for the first, its
plan's "följs upp senast" (audit/reports/plan_quality.follow_ups_made). Report 2 counted this with
two windows over all 5.2 million follow-ups on every read: 19 s of a year's report at 1 000 000
persons on the machine of stop 30 (bench/README.md). A due date depends only on the person's
earlier follow-ups and their plans, so it is stored, and statement triggers on the follow-ups and
the plans count a person's due dates again when a statement touches them, in the same
transaction. On SQLite (the demo) the table is a view of `DEFINITION`.

tests/planning/test_follow_up_due.py checks the stored rows against the definition after each kind
of change; tests/audit/reports/test_follow_ups_made.py the report's counts against a subquery per
follow-up.
"""

from __future__ import annotations

from planning import statement_triggers

COLUMNS = ("applicant_id", "followed_up_on", "follows_plan", "due_on")

# Over each person's follow-ups in date and id order, LAG gives the row before; the first row of a
# day has the previous day's last row before it, so FIRST_VALUE over the day carries that to the
# day's other rows (follow-ups made the same day are not each other's previous).
_ROWS = """
SELECT f.id AS follow_up_id, f.applicant_id, f.followed_up_on, f.follows_plan,
       COALESCE(FIRST_VALUE(f.previous_next) OVER (PARTITION BY f.applicant_id, f.followed_up_on ORDER BY f.id),
                f.plan_due) AS due_on
FROM (
    SELECT u.id, p.applicant_id, u.followed_up_on, u.follows_plan, p.latest_follow_up_on AS plan_due,
           LAG(u.next_follow_up_on) OVER (PARTITION BY p.applicant_id ORDER BY u.followed_up_on, u.id)
               AS previous_next
    FROM planning_followup u JOIN planning_implementationplan p ON p.id = u.plan_id{where}
) f
"""
DEFINITION = _ROWS.format(where="")

TABLE = """
CREATE TABLE planning_followupdue (
    follow_up_id bigint PRIMARY KEY,
    applicant_id bigint NOT NULL,
    followed_up_on date NOT NULL,
    follows_plan boolean NOT NULL,
    due_on date NULL
)
"""
# No foreign key, as for the plans' facts (planning/plan_facts.py): a TRUNCATE of the follow-ups builds it again.
INDEXES = ("CREATE INDEX planning_followupdue_applicant ON planning_followupdue (applicant_id)",
           "CREATE INDEX planning_followupdue_on ON planning_followupdue (followed_up_on)")

# Above this many persons in one statement, the refresh locks the whole table instead of each
# person: every advisory lock takes a slot of PostgreSQL's shared lock table (about
# max_locks_per_transaction x max_connections, 6 400 by default), and a statement over some
# 17 000 persons ran out of them ("out of shared memory").
MAX_PERSON_LOCKS = 1000

# The given persons' due dates counted again: written only where one changed (a follow-up added
# to a person's five changes one or two rows, not five), and removed where the follow-up is gone
# or now another person's. They are locked first, in a statement of its own, so
# a session that changed the same persons' follow-ups is waited for and (READ COMMITTED: a new
# snapshot per statement) its rows are counted too: a few persons by a transaction-level advisory
# lock each, in id order, under a ROW EXCLUSIVE lock on the table (which does not stop other
# writers); many by a SHARE ROW EXCLUSIVE lock on the table, which waits for every other writer
# and keeps them out until this transaction ends.
REFRESH = f"""
CREATE OR REPLACE FUNCTION planning_follow_up_due_refresh(persons bigint[]) RETURNS void AS $$
BEGIN
    IF cardinality(persons) > {MAX_PERSON_LOCKS} THEN
        LOCK TABLE planning_followupdue IN SHARE ROW EXCLUSIVE MODE;
    ELSE
        LOCK TABLE planning_followupdue IN ROW EXCLUSIVE MODE;
        PERFORM pg_advisory_xact_lock(hashtext('planning_followupdue'), (x.person % 2147483647)::integer)
        FROM (SELECT DISTINCT person FROM unnest(persons) AS person ORDER BY person) x;
    END IF;
    INSERT INTO planning_followupdue AS d (follow_up_id, {", ".join(COLUMNS)})
    {_ROWS.format(where=" WHERE p.applicant_id = ANY(persons)")}
    ON CONFLICT (follow_up_id) DO UPDATE SET {", ".join(f"{c} = EXCLUDED.{c}" for c in COLUMNS)}
    WHERE ({", ".join(f"d.{c}" for c in COLUMNS)}) IS DISTINCT FROM ({", ".join(f"EXCLUDED.{c}" for c in COLUMNS)});
    DELETE FROM planning_followupdue d WHERE d.applicant_id = ANY(persons) AND NOT EXISTS (
        SELECT 1 FROM planning_followup u JOIN planning_implementationplan p ON p.id = u.plan_id
        WHERE u.id = d.follow_up_id AND p.applicant_id = d.applicant_id);
END;
$$ LANGUAGE plpgsql
"""

# Per table: the persons whose due dates a row stands for, and the columns whose change matters on
# UPDATE (planning/statement_triggers.py). A follow-up's old person is read from its stored row
# too: its plan may be gone by the time the follow-up is.
SOURCES = {
    "planning_followup": (
        ["SELECT p.applicant_id FROM {rows} JOIN planning_implementationplan p ON p.id = {r}.plan_id{where}",
         "SELECT d.applicant_id FROM {rows} JOIN planning_followupdue d ON d.follow_up_id = {r}.id{where}"],
        ["plan_id", "followed_up_on", "next_follow_up_on", "follows_plan"],
    ),
    "planning_implementationplan": (["SELECT {r}.applicant_id FROM {rows}{where}"],
                                    ["applicant_id", "latest_follow_up_on"]),
}


REBUILD = ["TRUNCATE planning_followupdue",
           f"INSERT INTO planning_followupdue (follow_up_id, {', '.join(COLUMNS)}) {DEFINITION}"]


def rebuild(cursor) -> None:
    """Every follow-up's due date from the definition (after a load with the triggers off)."""
    for statement in REBUILD:
        cursor.execute(statement)


def install(schema_editor) -> None:
    """The table, filled, with its triggers on PostgreSQL; the view on SQLite (migration planning 0009)."""
    if schema_editor.connection.vendor != "postgresql":
        schema_editor.execute(f"CREATE VIEW planning_followupdue AS {DEFINITION}", params=None)
        return
    schema_editor.execute(TABLE, params=None)
    schema_editor.execute(REFRESH, params=None)
    statement_triggers.create(schema_editor, "planning_fd", "planning_follow_up_due_refresh", SOURCES, REBUILD)
    with schema_editor.connection.cursor() as cursor:
        rebuild(cursor)
    for index in INDEXES:
        schema_editor.execute(index, params=None)


def uninstall(schema_editor) -> None:
    if schema_editor.connection.vendor != "postgresql":
        schema_editor.execute("DROP VIEW IF EXISTS planning_followupdue", params=None)
        return
    statement_triggers.drop(schema_editor, "planning_fd", SOURCES)
    schema_editor.execute("DROP FUNCTION IF EXISTS planning_follow_up_due_refresh(bigint[])", params=None)
    schema_editor.execute("DROP TABLE IF EXISTS planning_followupdue", params=None)
