"""Whether the BIP instrument in use is the licensed one, and what users are told when it is not.

The system ships a placeholder set of indicators (planning/bip_default.py: one confirmed name,
ten placeholders; DOMAIN.md 5). Placeholder names are never shown to users: until the
municipality loads its licensed instrument (every indicator's name confirmed), the follow-up
form, the person's timeline and the board's report say that BIP is missing instead.
"""

from __future__ import annotations

NOT_LOADED = (
    "BIP-skattning kan inte visas eller registreras ännu: kommunen har inte lagt in det licensierade "
    "BIP-instrumentet. {missing} Systemförvaltaren lägger in instrumentet."
)


def is_licensed(indicators) -> bool:
    """True when every indicator has its confirmed name (reads the given, usually prefetched, rows)."""
    indicators = list(indicators)
    return bool(indicators) and all(i.is_confirmed for i in indicators)


def missing_text(indicators) -> str:
    indicators = list(indicators)
    unconfirmed = sum(1 for i in indicators if not i.is_confirmed)
    if not indicators:
        missing = "Inget instrument finns."
    else:
        missing = (f"{unconfirmed} av {len(indicators)} indikatorer saknar bekräftad benämning." if unconfirmed != 1
                   else f"1 av {len(indicators)} indikatorer saknar bekräftad benämning.")
    return NOT_LOADED.format(missing=missing)
