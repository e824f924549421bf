"""Reference data for ekonomiskt bistånd (DOMAIN.md sections 6 and 7).

- Riksnorm 2019 and 2023, the published tables at hand (DOMAIN.md 6, with its sources). The 2023
  "ej lunch" amounts were not found, so they are empty: a calculation needing one is refused.
  Later years are loaded with `manage.py load_riksnorm` (see README).
- Cost and income types, each marked whether it counts.
- Legal bases in SoL (2025:400) with the appeal information each decision must carry.
- An example delegation order. Every municipality adopts its own: the administrator edits these
  points (roles and amount limits) in the admin.
"""

import datetime

from django.db import migrations

BANDS = [(0, 0), (1, 2), (3, 3), (4, 6), (7, 10), (11, 14), (15, 18), (19, 20)]

NORMS = [
    {
        "name": "Riksnorm 2019",
        "valid_from": datetime.date(2019, 1, 1),
        "valid_to": datetime.date(2019, 12, 31),
        "source": "Socialstyrelsen, Riksnormen för försörjningsstöd 2019 (DOMAIN.md avsnitt 6).",
        "personal": [2130, 2380, 2120, 2380, 2990, 3440, 3880, 3910],
        "no_lunch": [2000, 2190, 1940, 2120, None, None, None, None],
        "single_adult": 3090,
        "cohabiting_couple": 5570,
        "household": [990, 1100, 1380, 1570, 1810, 2050, 2220],
        "beyond_7": 170,
    },
    {
        "name": "Riksnorm 2023",
        "valid_from": datetime.date(2023, 1, 1),
        "valid_to": datetime.date(2023, 12, 31),
        "source": (
            "Ängelholms kommun, budgetnorm från 2023-01-01 (DOMAIN.md avsnitt 6). Gemensamt belopp för 2 personer "
            "1 250 kr (delposternas summa; tryckt 1 150). Belopp utan lunch saknas för 2023."
        ),
        "personal": [2420, 2700, 2410, 2700, 3380, 3890, 4390, 4430],
        "no_lunch": [None] * 8,
        "single_adult": 3490,
        "cohabiting_couple": 6300,
        "household": [1130, 1250, 1580, 1790, 2060, 2330, 2510],
        "beyond_7": 180,
    },
]

# (code, name, counts) — counts: a reasonable cost inside the försörjningsstöd calculation
# (SoL 12:7, DOMAIN.md 6); the others are livsföring i övrigt, decided as items of their own.
COST_TYPES = [
    ("housing", "Boendekostnad", True),
    ("household_electricity", "Hushållsel", True),
    ("work_travel", "Resor till och från arbetet", True),
    ("home_insurance", "Hemförsäkring", True),
    ("union_fees", "Fackavgift och a-kassa", True),
    ("child_care", "Barnomsorgsavgift", False),
    ("medical", "Läkarvård och medicin", False),
    ("dental", "Tandvård", False),
    ("other", "Övrigt", False),
]

# (code, name, counts, is_employment)
INCOME_TYPES = [
    ("wages", "Lön", True, True),
    ("sickness_benefit", "Sjukpenning", True, False),
    ("unemployment_benefit", "Arbetslöshetsersättning", True, False),
    ("activity_support", "Aktivitetsstöd / etableringsersättning", True, False),
    ("parental_benefit", "Föräldrapenning", True, False),
    ("housing_allowance", "Bostadsbidrag", True, False),
    ("child_allowance", "Barnbidrag och flerbarnstillägg", True, False),
    ("maintenance_support", "Underhållsstöd / underhållsbidrag", True, False),
    ("pension", "Pension", True, False),
    ("student_aid", "Studiemedel", True, False),
    ("other", "Övrig inkomst", True, False),
    ("not_counted", "Inkomst som inte räknas (ange skäl i anteckning)", False, False),
]

APPEAL_3_WEEKS = (
    "Beslutet kan överklagas hos förvaltningsrätten (förvaltningsbesvär). Överklagandet ska vara skriftligt "
    "och ha kommit in till socialnämnden inom tre veckor från den dag du fick del av beslutet."
)
LEGALITY_REVIEW = (
    "Beslutet kan inte överklagas genom förvaltningsbesvär. Det kan prövas genom laglighetsprövning enligt "
    "13 kap. kommunallagen inom tre veckor från den dag det tillkännagavs på kommunens anslagstavla."
)

# (code, reference, former, title, appeal_kind, days, text)
LEGAL_BASES = [
    ("sol-12-1", "12 kap. 1 §", "4 kap. 1 §", "Ekonomiskt bistånd (försörjningsstöd och livsföring i övrigt)",
     "forvaltningsbesvar", 21, APPEAL_3_WEEKS),
    # 12:4 participation requirement: DOMAIN.md 7 names only 12:1 and 12:5 as appealable by
    # förvaltningsbesvär; the kind is data, change it here or in the admin if the municipality reads it otherwise.
    ("sol-12-4", "12 kap. 4 §", "4 kap. 4 §", "Krav på deltagande i praktik eller kompetenshöjande verksamhet",
     "laglighetsprovning", 21, LEGALITY_REVIEW),
    ("sol-12-5", "12 kap. 5 §", "4 kap. 5 §", "Nedsättning eller avslag vid vägran att delta",
     "forvaltningsbesvar", 21, APPEAL_3_WEEKS),
]

# (code, description, legal basis, item_kind, role, max_amount) — an example order.
DELEGATION = [
    ("EB-1", "Försörjningsstöd enligt 12 kap. 1 § SoL, upp till 30 000 kr per månad", "sol-12-1", "income_support",
     "caseworker", 30000),
    ("EB-2", "Försörjningsstöd enligt 12 kap. 1 § SoL, utan beloppsgräns", "sol-12-1", "income_support",
     "unit_manager", None),
    ("EB-3", "Bistånd till livsföringen i övrigt enligt 12 kap. 1 § SoL, upp till 5 000 kr per post", "sol-12-1", "cost",
     "caseworker", 5000),
    ("EB-4", "Bistånd till livsföringen i övrigt enligt 12 kap. 1 § SoL, utan beloppsgräns", "sol-12-1", "cost",
     "unit_manager", None),
    ("EB-5", "Nedsättning eller avslag enligt 12 kap. 5 § SoL", "sol-12-5", "", "caseworker", None),
    ("EB-6", "Krav på deltagande i praktik eller kompetenshöjande verksamhet enligt 12 kap. 4 § SoL", "sol-12-4", "",
     "caseworker", None),
]


def forwards(apps, schema_editor):
    Table = apps.get_model("cases", "RiksnormTable")
    Personal = apps.get_model("cases", "RiksnormPersonalAmount")
    Shared = apps.get_model("cases", "RiksnormHouseholdAmount")
    for norm in NORMS:
        table = Table.objects.create(
            name=norm["name"], valid_from=norm["valid_from"], valid_to=norm["valid_to"], is_official=True,
            source=norm["source"], single_adult=norm["single_adult"], cohabiting_couple=norm["cohabiting_couple"],
            shared_per_member_beyond_7=norm["beyond_7"],
        )
        Personal.objects.bulk_create(
            Personal(table=table, age_from=a, age_to=b, amount=amount, amount_no_lunch=no_lunch)
            for (a, b), amount, no_lunch in zip(BANDS, norm["personal"], norm["no_lunch"], strict=True)
        )
        Shared.objects.bulk_create(
            Shared(table=table, size=i, amount=amount) for i, amount in enumerate(norm["household"], start=1)
        )
    CostType = apps.get_model("cases", "CostType")
    CostType.objects.bulk_create(CostType(code=c, name=n, counts=k) for c, n, k in COST_TYPES)
    IncomeType = apps.get_model("cases", "IncomeType")
    IncomeType.objects.bulk_create(
        IncomeType(code=c, name=n, counts=k, is_employment=e) for c, n, k, e in INCOME_TYPES
    )
    LegalBasis = apps.get_model("cases", "LegalBasis")
    bases = {}
    for code, ref, former, title, kind, days, text in LEGAL_BASES:
        bases[code] = LegalBasis.objects.create(
            code=code, reference=ref, former_reference=former, title=title, appeal_kind=kind,
            appeal_period_days=days, appeal_information=text,
        )
    Point = apps.get_model("cases", "DelegationPoint")
    for code, description, basis, item_kind, role, max_amount in DELEGATION:
        Point.objects.create(code=code, description=description, legal_basis=bases[basis], item_kind=item_kind,
                             role=role, max_amount=max_amount)


def backwards(apps, schema_editor):
    for name in ("DelegationPoint", "LegalBasis", "IncomeType", "CostType", "RiksnormTable"):
        apps.get_model("cases", name).objects.all().delete()


class Migration(migrations.Migration):
    dependencies = [("cases", "0003_finance_applications_decisions")]
    operations = [migrations.RunPython(forwards, backwards)]
