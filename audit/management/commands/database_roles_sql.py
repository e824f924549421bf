"""Print the SQL that creates the two database roles (run it once, as a PostgreSQL superuser).

    python manage.py database_roles_sql --database eb --owner eb_owner --app eb_app | psql -U postgres

The owner owns the database and runs `migrate` (MIGRATE_DATABASE_URL); the application role
logs in for the web, worker and beat processes (DATABASE_URL) and gets its rights from the
migrations (audit/recording/db_roles.py). Passwords are set afterwards with `\\password`.
"""

from django.core.management.base import BaseCommand, CommandError

ROLE_NAME = r"^[a-z_][a-z0-9_]{0,62}$"


class Command(BaseCommand):
    help = "Skriver ut SQL som skapar ägarrollen och applikationsrollen."

    def add_arguments(self, parser):
        parser.add_argument("--database", required=True)
        parser.add_argument("--owner", required=True)
        parser.add_argument("--app", required=True)

    def handle(self, *args, database, owner, app, **options):
        import re

        for label, name in (("--database", database), ("--owner", owner), ("--app", app)):
            if not re.match(ROLE_NAME, name):
                raise CommandError(f"{label}: endast a-z, 0-9 och _ (högst 63 tecken).")
        if owner == app:
            raise CommandError("--app: applikationsrollen måste vara en annan roll än ägaren.")
        self.stdout.write(
            f"""-- The owner: owns the schema and every table, runs migrations. Not used by the app.
CREATE ROLE {owner} LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE;
-- The application role: owns nothing; its rights come from the migrations.
CREATE ROLE {app} LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOINHERIT;
ALTER DATABASE {database} OWNER TO {owner};
REVOKE ALL ON DATABASE {database} FROM PUBLIC;
GRANT CONNECT, TEMPORARY ON DATABASE {database} TO {owner}, {app};
\\connect {database}
ALTER SCHEMA public OWNER TO {owner};
REVOKE CREATE ON SCHEMA public FROM PUBLIC;
-- Then: \\password {owner} and \\password {app}; run migrate as {owner} with DATABASE_APP_ROLE={app}.
"""
        )
