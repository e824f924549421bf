"""The access log's monthly partitions (PostgreSQL): list them, make them ahead, drop old months.

    python manage.py access_log_partitions                      # make this month and the months ahead, list
    python manage.py access_log_partitions --from 2026-01 --months 14
    python manage.py access_log_partitions --drop-before 2024-01  # gallring: months before January 2024

Also run daily by Celery beat (`audit.access_log_partitions`). A drop writes a gallringsprotokoll;
the hash chain still verifies afterwards.
"""

import datetime

from django.core.management.base import BaseCommand, CommandError

from audit.control.log_retention import access_log_months_purge
from audit.recording import partitions
from audit.recording.context import channel_context
from config.errors import DomainError


def _month(value: str) -> datetime.date:
    try:
        return datetime.date.fromisoformat(f"{value}-01" if len(value) == 7 else value).replace(day=1)
    except ValueError as exc:
        raise CommandError(f"Ange månaden som ÅÅÅÅ-MM, inte {value!r}.") from exc


class Command(BaseCommand):
    help = "Åtkomstloggens månadspartitioner: skapar kommande månader, listar, gallrar gamla månader."

    def add_arguments(self, parser):
        parser.add_argument("--from", dest="first", default=None, help="Första månaden att skapa (ÅÅÅÅ-MM).")
        parser.add_argument("--months", type=int, default=None, help="Antal månader att skapa.")
        parser.add_argument("--drop-before", default=None, help="Gallra alla månader före denna (ÅÅÅÅ-MM).")

    def handle(self, *args, first, months, drop_before, **options):
        if not partitions.available():
            self.stdout.write("Åtkomstloggen delas bara i månader på PostgreSQL.")
            return
        if months is not None and not 1 <= months <= 120:
            raise CommandError("--months: ange 1 till 120 månader.")
        made = partitions.ensure(first=_month(first) if first else None, months=months)
        self.stdout.write(f"Skapade {made} nya månader.")
        if drop_before:
            try:
                with channel_context("command", endpoint="access_log_partitions"):
                    protocol = access_log_months_purge(before=_month(drop_before))
            except DomainError as exc:
                raise CommandError(exc.message) from exc
            self.stdout.write(f"Gallrat {protocol.counts['audit.accesslogentry']} rader "
                              f"(gallringsprotokoll {protocol.pk}).")
        for part in partitions.listing():
            self.stdout.write(f"{part.name}\t{part.bound}\t~{part.rows_estimate} rader\t{part.bytes // 1024} kB")
