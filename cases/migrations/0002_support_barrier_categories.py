"""Socialstyrelsen's försörjningshinder categories as reference data (DOMAIN.md 2.1).

`is_labour_market` marks the barriers that put a person under heltidsaktivering
(arbetsmarknadsskäl: unemployed without or with insufficient benefit). An administrator can
change the marking or add categories in the admin.
"""

from django.db import migrations

CATEGORIES = [
    ("arbetslos-ingen-ersattning", "Arbetslös – ingen ersättning", "Arbetslös", True),
    ("arbetslos-otillracklig-ersattning", "Arbetslös – otillräcklig ersättning", "Arbetslös", True),
    ("arbetslos-vantar-ersattning", "Arbetslös – väntar på ersättning", "Arbetslös", True),
    ("sjukskriven-ingen-sjukpenning", "Sjukskriven med läkarintyg – ingen sjukpenning", "Sjukskriven", False),
    ("sjukskriven-otillracklig-sjukpenning", "Sjukskriven med läkarintyg – otillräcklig sjukpenning", "Sjukskriven", False),
    ("sjukskriven-vantar-ersattning", "Sjukskriven med läkarintyg – väntar på ersättning", "Sjukskriven", False),
    ("arbetshinder-ohalsa", "Arbetshinder – ohälsa (utan läkarintyg)", "Arbetshinder", False),
    ("arbetshinder-sociala-skal", "Arbetshinder – sociala skäl", "Arbetshinder", False),
    ("foraldraledig-otillracklig", "Föräldraledig – otillräcklig föräldrapenning", "Övriga försörjningshinder", False),
    ("arbetar-otillracklig-inkomst", "Arbetar – otillräcklig inkomst", "Övriga försörjningshinder", False),
    ("sjuk-aktivitetsersattning-otillracklig", "Sjuk- eller aktivitetsersättning – otillräcklig", "Övriga försörjningshinder", False),
    ("alderspension-otillracklig", "Ålderspension – otillräcklig", "Övriga försörjningshinder", False),
    ("studerar-otillracklig", "Studerar – otillräckliga studiemedel", "Övriga försörjningshinder", False),
    ("etablering-otillracklig", "Deltar i etableringsprogram – otillräcklig ersättning", "Övriga försörjningshinder", False),
    ("ovrigt", "Övrigt försörjningshinder", "Övriga försörjningshinder", False),
]


def forwards(apps, schema_editor):
    SupportBarrier = apps.get_model("cases", "SupportBarrier")
    for code, name, group, labour in CATEGORIES:
        SupportBarrier.objects.update_or_create(
            code=code, defaults={"name": name, "group": group, "is_labour_market": labour}
        )


class Migration(migrations.Migration):
    dependencies = [("cases", "0001_initial")]
    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
