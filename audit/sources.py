"""The documents and laws the rules and report figures rest on, cited as users cite them.

Users (staff, the board, the auditors) read these on flag pages, in the worklist and in every
report. They cite the audit by its section and the law by chapter and paragraph; the
line references into the source texts (shared/seeds/) stay in code comments next to each rule
and figure (DOMAIN.md gives them), never in what a user reads.
"""

from __future__ import annotations

# shared/seeds/004: the auditors' report (KPMG for the municipality's auditors, 2025) on the
# activation of young people with försörjningsstöd. Its headings: 1 Sammanfattning, 2 Bakgrund,
# 3.2.3 Strategi, 3.4 Deltagande i arbetsmarknadsinsatser (3.4.1 Aktualisering, 3.4.2 Planering
# och målsättning, 3.4.3 Uppföljning och avslut, 3.4.4 Kontroll, 3.4.5 Bedömning), 3.5
# Uppföljning och återrapportering, 4 Samlad bedömning och rekommendationer, Bilaga B
# kontrollpunkter stickprov.
AUDIT_REPORT = "Granskningsrapport 2025"
# shared/seeds/003: the board's minutes of March 2025 (§ 35 ej verkställda beslut, § 38 the
# board's answer to the audit).
BOARD_MINUTES = "Nämndens protokoll mars 2025"
# shared/seeds/000: the board's annual report 2024 (key figures and their earlier values).
ANNUAL_REPORT = "Nämndens årsrapport 2024"


def _and(parts: tuple[str, ...]) -> str:
    return parts[0] if len(parts) == 1 else ", ".join(parts[:-1]) + " och " + parts[-1]


def audit(*sections: str, appendix: str = "") -> str:
    """"Granskningsrapport 2025, avsnitt 3.4.2 och 3.4.3" (and "bilaga B" when given)."""
    parts = []
    if sections:
        parts.append(("avsnitt " if len(sections) == 1 else "avsnitten ") + _and(sections))
    if appendix:
        parts.append(f"bilaga {appendix}")
    return f"{AUDIT_REPORT}, {' och '.join(parts)}"


def minutes(paragraph: int) -> str:
    """"Nämndens protokoll mars 2025, § 35"."""
    return f"{BOARD_MINUTES}, § {paragraph}"


def both(*citations: str) -> str:
    """Several sources in one line, separated by semicolons."""
    return "; ".join(citations)


# Laws, as they are cited (socialtjänstlagen 2025:400; the older chapter in brackets where the
# board's documents still use it).
SOL_DECISION_NOT_EXECUTED = "SoL 34 kap. 1–3 §§"
SOL_INCOME_SUPPORT = "SoL 12 kap. 1 §"
OSL_SECRECY = "OSL 26 kap. 1 §"
