"""Import records from a previous system: `manage.py import_records FILE --source NAME --actor USER [--dry-run] [--accept-valid]`."""

from __future__ import annotations

import json
from pathlib import Path

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from audit.control.importing.runner import DEFAULT_BATCH_SIZE, import_records
from audit.recording.context import channel_context
from cases.models import Staff
from config.errors import DomainError


class Command(BaseCommand):
    help = "Importerar poster (JSON Lines, en post per rad) från ett tidigare verksamhetssystem. Format: se README."

    def add_arguments(self, parser):
        parser.add_argument("path")
        parser.add_argument("--source", required=True, help="källsystemets namn, t.ex. procapita")
        parser.add_argument("--actor", required=True, help="administratörens användarnamn")
        parser.add_argument("--dry-run", action="store_true", help="kontrollera filen utan att skriva något")
        parser.add_argument("--accept-valid", action="store_true",
                            help="importera de giltiga posterna även om andra avvisas")
        parser.add_argument("--batch-size", type=int, default=DEFAULT_BATCH_SIZE)
        parser.add_argument("--json", dest="as_json", action="store_true", help="skriv resultatet som JSON")

    def handle(self, *args, path: str, source: str, actor: str, dry_run: bool, accept_valid: bool,
               batch_size: int, as_json: bool, **options):
        user = Staff.objects.filter(username=actor, is_active=True).first()
        if user is None:
            raise CommandError(f"Ingen aktiv användare {actor!r}.")
        try:
            with open(path, "rb") as handle, channel_context("command", endpoint="import_records"):
                result = import_records(actor=user, lines=handle, source=source, file_name=Path(path).name,
                                        dry_run=dry_run, accept_valid=accept_valid, batch_size=batch_size)
        except OSError as exc:
            raise CommandError(f"Filen kan inte läsas: {exc}") from exc
        except ValidationError as exc:
            raise CommandError("; ".join(f"{k}: {' '.join(v)}" for k, v in exc.message_dict.items())) from exc
        except DomainError as exc:
            raise CommandError(exc.message) from exc
        self._report(result, as_json=as_json)
        if result.refused and not result.written:
            raise CommandError(f"{result.refused} poster avvisades; ingenting har skrivits. Rätta filen, eller kör "
                               "med --accept-valid för att importera de giltiga posterna.")

    def _report(self, result, *, as_json: bool) -> None:
        if as_json:
            self.stdout.write(json_dumps(result.as_dict()))
            return
        for refusal in result.refusals:
            self.stderr.write(refusal.as_text())
        if result.refused > len(result.refusals):
            self.stderr.write(f"... och {result.refused - len(result.refusals)} avvisade poster till.")
        for kind, counts in sorted(result.counts.items()):
            self.stdout.write(f"{kind}: " + ", ".join(f"{LABELS[k]} {v}" for k, v in sorted(counts.items())))
        if result.dry_run:
            self.stdout.write("Provkörning: ingenting har skrivits.")
        elif result.written:
            self.stdout.write(self.style.SUCCESS(f"Import {result.batch_id} klar ({result.lines} rader)."))


LABELS = {"created": "nya", "unchanged": "redan importerade", "linked": "kopplade till befintliga",
          "refused": "avvisade"}


def json_dumps(data) -> str:
    return json.dumps(data, ensure_ascii=False)
