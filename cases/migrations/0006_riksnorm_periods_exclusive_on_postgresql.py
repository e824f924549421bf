"""On PostgreSQL, the database itself refuses overlapping validity periods of riksnorm tables of
the same kind (official / unofficial), like cases.norm_services.riksnorm_period_check does.

Two partial exclusion constraints over daterange(valid_from, valid_to, '[]') (valid_to is the last
day; NULL = open-ended). Ranges have a GiST operator class of their own, so no btree_gist is needed.
SQLite has no exclusion constraints: there the service and the admin form are the guard.
"""

from django.db import migrations

TABLE = "cases_riksnormtable"
CONSTRAINTS = {
    "riksnorm_official_periods_do_not_overlap": "is_official",
    "riksnorm_unofficial_periods_do_not_overlap": "NOT is_official",
}


def add(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for name, where in CONSTRAINTS.items():
        schema_editor.execute(
            f"ALTER TABLE {TABLE} ADD CONSTRAINT {name} "
            f"EXCLUDE USING gist (daterange(valid_from, valid_to, '[]') WITH &&) WHERE ({where})"
        )


def remove(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for name in CONSTRAINTS:
        schema_editor.execute(f"ALTER TABLE {TABLE} DROP CONSTRAINT IF EXISTS {name}")


class Migration(migrations.Migration):
    dependencies = [("cases", "0005_signed_decisions_immutable")]

    operations = [migrations.RunPython(add, remove)]
