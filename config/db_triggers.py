"""PostgreSQL triggers that make tables append-only (refuse UPDATE and DELETE), for migrations.

TRUNCATE is not covered (the test runner empties tables with it); in production the
application's role must not own these tables nor hold TRUNCATE on them. On other databases
these helpers do nothing: the services are the guard there.
"""

from __future__ import annotations


def install_append_only(schema_editor, *, function: str, tables: tuple[str, ...], what: str) -> None:
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(
        f"""
        CREATE OR REPLACE FUNCTION {function}() RETURNS trigger AS $$
        BEGIN
            RAISE EXCEPTION '% {what}: % refused', TG_TABLE_NAME, TG_OP USING ERRCODE = 'insufficient_privilege';
        END;
        $$ LANGUAGE plpgsql;
        """,
        params=None,
    )
    for table in tables:
        schema_editor.execute(
            f"CREATE TRIGGER {table}_append_only BEFORE UPDATE OR DELETE ON {table} "
            f"FOR EACH ROW EXECUTE FUNCTION {function}();"
        )


def remove_append_only(schema_editor, *, function: str, tables: tuple[str, ...]) -> None:
    if schema_editor.connection.vendor != "postgresql":
        return
    for table in tables:
        schema_editor.execute(f"DROP TRIGGER IF EXISTS {table}_append_only ON {table};")
    schema_editor.execute(f"DROP FUNCTION IF EXISTS {function}();")
