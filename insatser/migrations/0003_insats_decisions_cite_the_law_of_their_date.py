"""Insats decisions dated before 1 July 2025 cite the law then in force: SoL (2001:453) 4 kap. 4 §
(the arbetsmarknadsinsats requirement, seeds 003:548 and 004:206), not SoL (2025:400) 12 kap. 4 §.
The text is taken from cases' dated legal bases (cases/migrations/0008)."""

from django.db import migrations


def forwards(apps, schema_editor):
    LegalBasis = apps.get_model("cases", "LegalBasis")
    InsatsDecision = apps.get_model("insatser", "InsatsDecision")
    new = LegalBasis.objects.filter(code="sol-12-4").select_related("replaces").first()
    if new is None or new.replaces is None or new.valid_from is None:
        return
    old = new.replaces
    InsatsDecision.objects.filter(decided_on__lt=new.valid_from, legal_basis=f"{new.law} {new.reference}").update(
        legal_basis=f"{old.law} {old.reference}"
    )


class Migration(migrations.Migration):
    dependencies = [
        ("insatser", "0002_the_four_tracks"),
        ("cases", "0008_legal_basis_periods_old_law"),
    ]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
