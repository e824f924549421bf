from django.db import migrations

from planning import bip_default


def install(apps, schema_editor):
    bip_default.install(
        apps.get_model("planning", "BipInstrument"),
        apps.get_model("planning", "BipIndicator"),
        apps.get_model("planning", "BipScaleStep"),
    )


def remove(apps, schema_editor):
    apps.get_model("planning", "BipInstrument").objects.filter(code=bip_default.INSTRUMENT["code"]).delete()


class Migration(migrations.Migration):
    dependencies = [("planning", "0001_plans_followups_bip")]

    operations = [migrations.RunPython(install, remove)]
