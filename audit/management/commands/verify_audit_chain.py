"""Verify the hash chain over the access log and change events.

    python manage.py verify_audit_chain [--anchors DIR] [--record]

Exit 0 when every link is intact (and every anchor written outside the database still
matches); exit 1 naming the first broken row (table, id, sequence number, what is wrong) when a
row was altered, removed or inserted out of order; exit 2 where there is no chain (SQLite).
"""

from django.conf import settings
from django.core.management.base import BaseCommand

from audit.recording import chain


class Command(BaseCommand):
    help = "Kontrollerar hashkedjan över åtkomstloggen och ändringshändelserna."

    def add_arguments(self, parser):
        parser.add_argument(
            "--anchors", default=None,
            help="Mapp med dagliga ankare (standard: AUDIT_CHAIN_ANCHOR_DIR).",
        )
        parser.add_argument("--record", action="store_true", help="Spara resultatet som en kontroll.")

    def handle(self, *args, anchors, record, **options):
        if not chain.available():
            self.stderr.write("Hashkedjan finns bara på PostgreSQL.")
            raise SystemExit(2)
        anchors = anchors or getattr(settings, "AUDIT_CHAIN_ANCHOR_DIR", "") or None
        if record:
            from audit.control.chain_services import chain_verification_record

            result = chain_verification_record(anchors_dir=anchors)
        else:
            result = chain.verify(anchors_dir=anchors)
        if result.intact:
            self.stdout.write(result.describe())
            return
        self.stderr.write(result.describe())
        raise SystemExit(1)
