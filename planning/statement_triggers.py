"""Facts kept in step by statement triggers on PostgreSQL (planning/plan_facts.py,
planning/follow_up_due.py): for each source table, an AFTER INSERT, UPDATE and DELETE trigger per
statement that hands the keys its rows stand for (plans, persons) to one refresh function, which
counts those keys' facts again in the same transaction.

`sources` maps a table to (key queries, columns): each key query selects keys from `{rows}` (the
statement's old or new rows, alias `{r}`) with `{where}` appended (on UPDATE: only the rows where
one of the columns changed)."""

from __future__ import annotations

EVENTS = ("INSERT", "UPDATE", "DELETE")
_REFERENCING = {"INSERT": "NEW TABLE AS new_rows", "UPDATE": "OLD TABLE AS old_rows NEW TABLE AS new_rows",
                "DELETE": "OLD TABLE AS old_rows"}


def _keys(queries: list[str], rows: str, where: str = "") -> str:
    return " UNION ".join(q.format(rows=rows, r=rows.split()[-1], where=where) for q in queries)


def function(prefix: str, refresh: str, table: str, source: tuple[list[str], list[str]]) -> str:
    queries, columns = source
    changed = " OR ".join(f"o.{c} IS DISTINCT FROM n.{c}" for c in columns)
    # Each side's rows matched to the other's by id, kept where a column that counts changed.
    updated = " UNION ".join((
        _keys(queries, "old_rows o", f" WHERE EXISTS (SELECT 1 FROM new_rows n WHERE n.id = o.id AND ({changed}))"),
        _keys(queries, "new_rows n", f" WHERE EXISTS (SELECT 1 FROM old_rows o WHERE o.id = n.id AND ({changed}))"),
    ))

    def call(keys: str) -> str:
        return f"PERFORM {refresh}(ARRAY(SELECT x FROM ({keys}) t(x) WHERE x IS NOT NULL));"

    return f"""
CREATE OR REPLACE FUNCTION {prefix}_{table}() RETURNS trigger AS $$
BEGIN
    IF TG_OP = 'INSERT' THEN
        {call(_keys(queries, "new_rows n"))}
    ELSIF TG_OP = 'UPDATE' THEN
        {call(updated)}
    ELSE
        {call(_keys(queries, "old_rows o"))}
    END IF;
    RETURN NULL;
END;
$$ LANGUAGE plpgsql
"""


def create(schema_editor, prefix: str, refresh: str, sources: dict, rebuild: list[str]) -> None:
    """The triggers, and one per table on TRUNCATE that builds the facts again (`rebuild`: the
    statements): a test database's flush truncates the tables without the facts, which Django
    does not manage; the application's role may not truncate at all."""
    body = "\n".join(f"    {statement};" for statement in rebuild)
    schema_editor.execute(f"""
CREATE OR REPLACE FUNCTION {prefix}_truncated() RETURNS trigger AS $$
BEGIN
{body}
    RETURN NULL;
END;
$$ LANGUAGE plpgsql
""", params=None)
    for table, source in sources.items():
        schema_editor.execute(f"CREATE TRIGGER {prefix}_truncate AFTER TRUNCATE ON {table} "
                              f"FOR EACH STATEMENT EXECUTE FUNCTION {prefix}_truncated()", params=None)
        schema_editor.execute(function(prefix, refresh, table, source), params=None)
        for event in EVENTS:
            schema_editor.execute(
                f"CREATE TRIGGER {prefix}_{event.lower()} AFTER {event} ON {table} "
                f"REFERENCING {_REFERENCING[event]} FOR EACH STATEMENT EXECUTE FUNCTION {prefix}_{table}()",
                params=None,
            )


def drop(schema_editor, prefix: str, sources: dict) -> None:
    for table in sources:
        for event in (*EVENTS, "TRUNCATE"):
            schema_editor.execute(f"DROP TRIGGER IF EXISTS {prefix}_{event.lower()} ON {table}", params=None)
        schema_editor.execute(f"DROP FUNCTION IF EXISTS {prefix}_{table}()", params=None)
    schema_editor.execute(f"DROP FUNCTION IF EXISTS {prefix}_truncated()", params=None)
