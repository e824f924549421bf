"""The decision letter (beslutsmeddelande): the text the person receives, made once when the
decision is signed and stored with its SHA-256 (DOMAIN.md 8; förvaltningslagen 2017:900 32-33 §§).

`letter_text` reads only the decision and what it was made on (the stored calculation and its
lines, the provision cited on the decision date, the delegation point, the decision maker), so the
letter says what the decision said. It is called from `letter_sign`, in the transaction of
decision_make, and never again for the same decision: the PDF and the API show the stored text.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable

from django.template.loader import render_to_string
from django.utils import formats, timezone, translation

from config import swedish
from config.pdf import write_pdf_a

from . import norms
from .finance_models import AppealKind, Decision, DecisionItemKind, DecisionOutcome
from .letter_models import DecisionLetter, text_hash
from .models import MemberRole, Role

ADDRESSED = (MemberRole.APPLICANT, MemberRole.CO_APPLICANT)
LETTER_SELECT = ("application__case__unit", "legal_basis__replaces", "delegation_point", "decided_by",
                 "cost__cost_type", "calculation__norm_table")
LETTER_PREFETCH = ("calculation__lines", "application__members__household_member__applicant")

# How to appeal, printed in the letter of every decision under a provision appealed by
# förvaltningsbesvär (FL 44 §, DOMAIN.md 8 "Reasons and appeal").
APPEAL_INSTRUCTIONS = (
    "Om du inte är nöjd med beslutet kan du överklaga det till förvaltningsrätten. Skriv till "
    "socialtjänsten, som har fattat beslutet, och tala om vilket beslut du överklagar och hur du "
    "vill att det ska ändras. Berätta gärna varför du tycker att beslutet är fel. Underteckna "
    "skrivelsen och skriv ditt namn, din adress och ditt telefonnummer. Överklagandet ska ha kommit "
    "in till socialtjänsten inom {period} från den dag du fick del av beslutet. Socialtjänsten "
    "prövar först om beslutet ska ändras och skickar sedan överklagandet vidare till "
    "förvaltningsrätten. Du kan få hjälp av socialtjänsten att överklaga."
)
LAW_NAMES = {"SoL": "socialtjänstlagen"}


def day(value: datetime.date) -> str:
    with translation.override("sv"):
        return formats.date_format(value, "j F Y")


def month_name(value: datetime.date) -> str:
    with translation.override("sv"):
        return formats.date_format(value, "F Y")


def cited(basis) -> str:
    """"12 kap. 1 § socialtjänstlagen (2025:400)", as law is cited."""
    short, _, number = basis.law.partition(" ")
    return f"{basis.reference} {LAW_NAMES.get(short, short)} {number}".strip()


WEEKS = {1: "en vecka", 2: "två veckor", 3: "tre veckor", 4: "fyra veckor"}


def _period(days: int | None) -> str:
    days = days or norms.APPEAL_PERIOD_DAYS
    return WEEKS.get(days // 7, "") if days % 7 == 0 and days // 7 in WEEKS else swedish.count(days, "dag", "dagar")


def _addressees(decision: Decision) -> list[str]:
    names = []
    for member in decision.application.members.all():
        hm = member.household_member
        if hm.role in ADDRESSED:
            person = hm.applicant
            names.append(f"{person.first_name} {person.last_name}" if person else f"{hm.first_name} {hm.last_name}")
    return [n.strip() for n in names if n.strip()]


def _item(decision: Decision) -> str:
    month = month_name(decision.application.month)
    if decision.item_kind == DecisionItemKind.INCOME_SUPPORT:
        return f"försörjningsstöd för {month}"
    return f"bistånd till {decision.cost.cost_type.name.lower()} (livsföringen i övrigt) för {month}"


def _outcome(decision: Decision) -> str:
    item, amount, applied = _item(decision), swedish.kr(decision.amount), swedish.kr(decision.amount_applied)
    if decision.outcome == DecisionOutcome.GRANTED:
        return f"Du beviljas {item} med {amount}."
    if decision.outcome == DecisionOutcome.PARTLY_GRANTED:
        return f"Du beviljas delvis {item}: {amount} av de {applied} du har sökt. Resten avslås."
    return f"Din ansökan om {item} avslås. Du har sökt {applied}."


def _calculation(decision: Decision) -> list[str]:
    calculation = decision.calculation
    if decision.item_kind != DecisionItemKind.INCOME_SUPPORT or calculation is None:
        return []
    norm = calculation.norm_table
    lines = ["Så har vi räknat",
             f"Beräkningen följer riksnormen {norm.name}" + ("" if norm.is_official else
                                                               ", som inte är den av regeringen fastställda normen") + "."]
    for line in sorted(calculation.lines.all(), key=lambda item: item.position):
        lines.append(f"  {line.description}: {swedish.kr(line.amount)}")
    lines += [
        f"  Sökt belopp, med de kostnader som söktes: {swedish.kr(calculation.requested_amount)}",
        f"  Riksnorm: {swedish.kr(calculation.norm_total)}",
        f"  Godkända kostnader: {swedish.kr(calculation.costs_total)}",
        f"  Inkomster som räknas: {swedish.kr(calculation.income_total)}",
        f"  Försörjningsstöd enligt beräkningen: {swedish.kr(calculation.result_amount)}",
    ]
    return lines


def appeal_instructions(decision: Decision) -> str:
    """Överklagandehänvisning, or "" when the decision cannot be appealed by förvaltningsbesvär
    (another kind prints the text stored with the decision, e.g. laglighetsprövning)."""
    basis = decision.cited_legal_basis
    if basis.appeal_kind == AppealKind.ADMINISTRATIVE_APPEAL:
        return APPEAL_INSTRUCTIONS.format(period=_period(basis.appeal_period_days))
    if basis.appeal_kind == AppealKind.NONE:
        return ""
    return decision.appeal_information.strip()


def letter_text(decision: Decision) -> str:
    """The letter of a signed decision, in plain Swedish, from the decision's own rows."""
    basis, point, maker = decision.cited_legal_basis, decision.delegation_point, decision.decided_by
    role = Role(decision.decided_by_role).label.lower() if decision.decided_by_role in Role.values else ""
    parts = [
        "Beslut om ekonomiskt bistånd",
        "\n".join([decision.application.case.unit.name, f"Beslutsdatum: {day(decision.decided_on)}"]
                  + ([f"Till: {', '.join(_addressees(decision))}"] if _addressees(decision) else [])),
        "\n".join(["Beslut", _outcome(decision)]),
        "\n".join(_calculation(decision)),
        "\n".join(["Skäl för beslutet", decision.reasoning.strip()]),
        "\n".join(["Lagrum", f"Beslutet är fattat med stöd av {cited(basis)}, som gäller {basis.title.lower()}."]),
        "\n".join(["Beslutsfattare",
                   f"Beslutet är fattat av {maker.get_full_name()}{', ' + role if role else ''}, med stöd av "
                   f"punkt {point.code} i socialnämndens delegationsordning: {point.description}."]),
    ]
    if decision.replaces_id:
        parts.append("Beslutet ersätter ett tidigare beslut i samma fråga.")
    appeal = appeal_instructions(decision)
    if appeal:
        parts.append("\n".join(["Hur du överklagar", appeal]))
    return "\n\n".join(part for part in parts if part) + "\n"


def _letter(decision: Decision, signed_at: datetime.datetime) -> DecisionLetter:
    text = letter_text(decision)
    return DecisionLetter(decision=decision, text=text, sha256=text_hash(text), signed_at=signed_at)


def letter_sign(decision: Decision) -> DecisionLetter:
    """Store the letter of a decision just signed (called inside decision_make's transaction)."""
    decision = Decision.objects.select_related(*LETTER_SELECT).prefetch_related(*LETTER_PREFETCH).get(pk=decision.pk)
    letter = _letter(decision, decision.signed_at)
    letter.save()
    return letter


def letters_sign_bulk(decision_ids: Iterable[int]) -> int:
    """The same letters for decisions written set-based (the demo's older months): a fixed number
    of queries for any number of decisions."""
    decisions = Decision.objects.filter(pk__in=list(decision_ids), letter__isnull=True) \
        .select_related(*LETTER_SELECT).prefetch_related(*LETTER_PREFETCH)
    return len(DecisionLetter.objects.bulk_create([_letter(d, d.signed_at) for d in decisions], batch_size=500))


def letter_pdf(letter: DecisionLetter) -> bytes:
    """The stored text as a PDF/A: headings and paragraphs as the text has them, nothing re-rendered."""
    blocks = [block.split("\n") for block in letter.text.strip().split("\n\n")]
    html = render_to_string("cases/decision_letter_pdf.html", {
        "title": blocks[0][0], "blocks": blocks[1:], "letter": letter,
        "created": timezone.localtime(letter.signed_at).isoformat(timespec="seconds"),
    })
    return write_pdf_a(html, title=f"Beslut {day(timezone.localdate(letter.signed_at))}",
                       subject="Beslut om ekonomiskt bistånd", created=letter.signed_at)
