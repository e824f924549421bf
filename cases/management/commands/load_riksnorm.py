"""Load a year's riksnorm from a JSON file: `manage.py load_riksnorm riksnorm-2026.json --actor admin`."""

from __future__ import annotations

import json

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from audit.recording.context import channel_context
from cases.models import Staff
from cases.norm_services import riksnorm_table_load
from config.errors import DomainError


class Command(BaseCommand):
    help = "Lägger in en riksnorm från en JSON-fil (format: se README)."

    def add_arguments(self, parser):
        parser.add_argument("path")
        parser.add_argument("--actor", required=True, help="administratörens användarnamn")

    def handle(self, *args, path: str, actor: str, **options):
        user = Staff.objects.filter(username=actor, is_active=True).first()
        if user is None:
            raise CommandError(f"Ingen aktiv användare {actor!r}.")
        with open(path, encoding="utf-8") as handle:
            data = json.load(handle)
        try:
            with channel_context("command", endpoint="load_riksnorm"):
                table = riksnorm_table_load(actor=user, data=data)
        except ValidationError as exc:
            raise CommandError("; ".join(f"{k}: {' '.join(v)}" for k, v in exc.message_dict.items())) from exc
        except DomainError as exc:
            raise CommandError(exc.message) from exc
        self.stdout.write(self.style.SUCCESS(f"{table} inlagd ({table.valid_from}–{table.valid_to or 'tills vidare'})."))
