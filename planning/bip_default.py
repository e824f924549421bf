"""The default BIP instrument shipped with the system (DOMAIN.md section 5; seed 004:350-360, 003:574).

BIP has 11 employability indicators. Only one name is confirmed: "handläggarens tro på att
individen får jobb". The other ten are commonly cited names, NOT confirmed against the licensed
instrument: they are marked `is_confirmed=False` and prefixed "[Platshållare]" so nobody mistakes
them for the real wording. The answer scale is a placeholder too. All of it is data (admin), so
the licensed version replaces it without a code change.
"""

INSTRUMENT = {
    "code": "bip-standard",
    "name": "BIP – standarduppsättning (platshållare utom en bekräftad indikator)",
    "description": "Levereras med systemet. Ersätt indikatorer och skala med den licensierade versionen.",
}

# (code, name, answered by, confirmed)
INDICATORS = [
    ("handlaggarens-tro", "Handläggarens tro på att individen får jobb", "caseworker", True),
    ("jobbsokning", "[Platshållare] Jobbsökning/jobbparathet", "person", False),
    ("halsa", "[Platshållare] Hälsa", "person", False),
    ("tro-pa-egen-formaga", "[Platshållare] Tro på egen förmåga", "person", False),
    ("arbetsidentitet", "[Platshållare] Arbetsidentitet", "person", False),
    ("sociala-kompetenser", "[Platshållare] Sociala kompetenser", "person", False),
    ("kvalifikationer", "[Platshållare] Kvalifikationer", "person", False),
    ("natverk", "[Platshållare] Nätverk/socialt stöd", "person", False),
    ("praktiska-forhallanden", "[Platshållare] Praktiska förhållanden", "person", False),
    ("bemastring", "[Platshållare] Bemästring", "person", False),
    ("indikator-11", "[Platshållare] Elfte indikatorn (namn ej känt)", "person", False),
]

SCALE = [
    (1, "1 – Stämmer inte alls [platshållare]"),
    (2, "2 [platshållare]"),
    (3, "3 [platshållare]"),
    (4, "4 [platshållare]"),
    (5, "5 – Stämmer helt [platshållare]"),
]


def install(instrument_model, indicator_model, scale_model):
    """Create the default instrument if absent (models passed in, so a migration can call it)."""
    instrument, created = instrument_model.objects.get_or_create(
        code=INSTRUMENT["code"], defaults={k: v for k, v in INSTRUMENT.items() if k != "code"}
    )
    if not created:
        return instrument
    indicator_model.objects.bulk_create(
        indicator_model(instrument=instrument, code=code, name=name, position=i, answered_by=who, is_confirmed=ok)
        for i, (code, name, who, ok) in enumerate(INDICATORS)
    )
    scale_model.objects.bulk_create(scale_model(instrument=instrument, value=v, label=label) for v, label in SCALE)
    return instrument
