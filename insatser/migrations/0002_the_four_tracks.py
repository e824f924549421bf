"""The four ingångar a coordinator can refer to (004:539-547). Reference data, editable later."""

from django.db import migrations

TRACKS = [
    ("grundaktivitet", "Grundaktivitet"),
    ("sprak", "Språk"),
    ("digital", "Digital"),
    ("arbetsmarknad", "Arbetsmarknad"),
]


def add_tracks(apps, schema_editor):
    Track = apps.get_model("insatser", "Track")
    for code, name in TRACKS:
        Track.objects.get_or_create(code=code, defaults={"name": name})


class Migration(migrations.Migration):
    dependencies = [("insatser", "0001_catalogue_decisions_referrals_participation")]

    operations = [migrations.RunPython(add_tracks, migrations.RunPython.noop)]
