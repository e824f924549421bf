"""Gallring: purge the files whose last entry is more than five years old (DOMAIN.md 7).

    python manage.py retention_purge --dry-run     # what would go, in counts per kind; writes nothing
    python manage.py retention_purge               # purge, and write the gallringsprotokoll

Also run yearly by Celery beat (`audit.retention_purge`, 15 January).
"""

import datetime

from django.core.management.base import BaseCommand, CommandError

from audit.control import retention
from audit.recording.context import channel_context
from config.errors import DomainError


class Command(BaseCommand):
    help = "Gallrar personakter vars sista anteckning är äldre än fem år."

    def add_arguments(self, parser):
        parser.add_argument("--dry-run", action="store_true", help="Visa vad som skulle gallras, skriv inget.")
        parser.add_argument("--today", type=datetime.date.fromisoformat, default=None, help=argparse_help())

    def handle(self, *args, dry_run, today, **options):
        if dry_run:
            preview = retention.retention_preview(today=today)
            self.stdout.write(f"Provkörning: sista anteckning före {preview['cutoff']}, {preview['persons']} personer.")
            for kind, count in preview["counts"].items():
                self.stdout.write(f"  {kind}: {count}")
            for kind, count in preview["blocked_by"].items():
                self.stdout.write(f"  hindras av {kind}: {count}")
            return
        try:
            with channel_context("command", endpoint="retention_purge"):
                protocol = retention.retention_purge(today=today)
        except DomainError as exc:
            raise CommandError(exc.message) from exc
        self.stdout.write(f"Gallrat: {protocol.persons} personer (gallringsprotokoll {protocol.pk}).")
        for kind, count in protocol.counts.items():
            self.stdout.write(f"  {kind}: {count}")


def argparse_help() -> str:
    return "Dagens datum (ÅÅÅÅ-MM-DD), för att pröva gränsen."
