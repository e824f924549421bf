"""Create a believable demo municipality. Seeded: the same data every time.

Each app contributes a builder module with `build(ctx: DemoContext) -> None`, run in the
order of BUILDERS (later builders use what earlier ones made, through ctx). The command
lives in audit because audit's control layer is the one place allowed to read every app.
"""

from __future__ import annotations

import importlib

from django.core.management.base import BaseCommand
from django.db import transaction

from audit.control import reevaluation
from audit.recording.context import channel_context
from cases.demo import DEMO_PASSWORD, DemoContext, demo_logins, demo_present

BUILDERS = [
    "cases.demo",
    "planning.demo",
    "insatser.demo",
    # Finance last of the domain builders: it goes through the services, and must not shift the
    # seeded data of the others.
    "cases.demo_finance",
    "cases.demo_journal",
    # A transfer and reserve numbers (issue 14), before the rules so flags follow the new holder.
    "cases.demo_case_file",
    "cases.demo_attachments",
    "cases.demo_payments",
    # Runs the egenkontroll rules over everything above.
    "audit.demo",
    "audit.demo_reports",
]


class Command(BaseCommand):
    help = "Skapar demodata (enheter, personal, hushåll, ärenden ...). Körs om utan att ändra något."

    def add_arguments(self, parser):
        parser.add_argument("--seed", type=int, default=2026)
        parser.add_argument("--logins", action="store_true", help="Skriv bara ut demoinloggningarna.")

    def handle(self, *args, seed: int, logins: bool, **options):
        if logins:
            for username, role, unit in demo_logins():
                self.stdout.write(f"    {username:<22} {role:<16} {unit}")
            return
        if demo_present():
            self.stdout.write("Demodata finns redan; inget ändrat.")
            return
        # The last builder runs every rule over the whole demo, so no re-check per saved row.
        with reevaluation.paused(), channel_context("command", endpoint="demo_data"), transaction.atomic():
            ctx = DemoContext(seed=seed)
            for name in BUILDERS:
                importlib.import_module(name).build(ctx)
        self.stdout.write(self.style.SUCCESS(f"Demodata skapad (seed {seed}). Lösenord för alla: {DEMO_PASSWORD}"))
