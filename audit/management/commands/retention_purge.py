"""Gallring: purge the files whose last entry is more than five years old (DOMAIN.md 7).

    python manage.py retention_purge --dry-run     # what would go, in counts per kind; writes nothing
    python manage.py retention_purge               # purge, and write the gallringsprotokoll

Also run yearly by Celery beat (`audit.retention_purge`, 15 January).
"""

import datetime

from django.apps import apps
from django.core.management.base import BaseCommand, CommandError

from audit.control import retention
from audit.control.retention_models import RetentionHoldKind
from audit.recording import purge
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
            self.stdout.write(f"Provkörning: sista anteckning före {preview['cutoff']}, {preview['persons']} personer, "
                              f"{preview['households']} hushåll.")
            self._counts(preview["counts"], preview["kept"])
            return
        try:
            with channel_context("command", endpoint="retention_purge"):
                protocol = retention.retention_purge(today=today)
        except DomainError as exc:
            raise CommandError(exc.message) from exc
        self.stdout.write(f"Gallrat: {protocol.persons} personer, {protocol.households} hushåll "
                          f"(gallringsprotokoll {protocol.pk}).")
        self._counts(protocol.counts, protocol.kept)

    def _counts(self, counts: dict, kept: dict) -> None:
        for kind, count in counts.items():
            self.stdout.write(f"  {kind_name(kind)}: {count}")
        for reason, count in kept.items():
            self.stdout.write(f"  bevaras ({KEPT_NAMES.get(reason, reason)}): {count}")


KEPT_NAMES = {**dict(RetentionHoldKind.choices), retention.OPEN_CASE: "ärende som inte är avslutat",
              retention.CASE_TYPE: "ärendetyp som bevaras längre"}


# Kinds whose models carry no Swedish name of their own.
NAMES = {
    "cases.applicationmember": "personer i ansökningar", "cases.applicationincome": "inkomster i ansökningar",
    "cases.applicationcost": "kostnader i ansökningar", "cases.calculationline": "beräkningsrader",
    "audit.controlsampleitem": "poster i stickprov", "audit.checklistanswer": "svar i stickprov",
    purge.ATTACHMENT_FILES: "lagrade filer till bilagor",
}


def kind_name(label: str) -> str:
    """The kind's plain Swedish name (its verbose name in plural)."""
    return NAMES.get(label) or str(apps.get_model(label)._meta.verbose_name_plural)


def argparse_help() -> str:
    return "Dagens datum (ÅÅÅÅ-MM-DD), för att pröva gränsen."
