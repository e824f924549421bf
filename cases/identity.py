"""Swedish personnummer and samordningsnummer (DOMAIN.md section 7).

python-stdnum validates personnummer (format, date, Luhn) but rejects samordningsnummer,
whose day is the birth day plus 60. We wrap it: stdnum for parsing and the century rule,
our own step for the day + 60 case, stdnum's Luhn on the original digits.

The canonical stored form is 12 digits, YYYYMMDDNNNC, with the real digits (day + 60 kept
for samordningsnummer).
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from stdnum import luhn
from stdnum.exceptions import InvalidChecksum, InvalidComponent
from stdnum.exceptions import ValidationError as StdnumError
from stdnum.se import personnummer as stdnum_pnr

COORDINATION_DAY_OFFSET = 60  # samordningsnummer: day of birth + 60 (Skatteverket)

MESSAGES = {
    "invalid_format": "Personnumret ska ha 10 eller 12 siffror (ÅÅMMDD-NNNN eller ÅÅÅÅMMDDNNNN).",
    "invalid_date": "Personnumret innehåller inget giltigt födelsedatum.",
    "invalid_checksum": "Personnumrets kontrollsiffra stämmer inte.",
    "future_date": "Födelsedatumet i personnumret ligger i framtiden.",
}


@dataclass(frozen=True)
class IdentityNumber:
    canonical: str  # YYYYMMDDNNNC
    birth_date: datetime.date
    legal_gender: str  # "kvinna" or "man"
    is_coordination_number: bool

    @property
    def display(self) -> str:
        return f"{self.canonical[:8]}-{self.canonical[8:]}"


def _error(code: str) -> ValidationError:
    return ValidationError(MESSAGES[code], code=code)


def parse(value: str, *, today: datetime.date | None = None) -> IdentityNumber:
    """Validate and normalise a personnummer or samordningsnummer; raises ValidationError."""
    if not isinstance(value, str):
        raise _error("invalid_format")
    raw = value.strip()
    try:
        compact = stdnum_pnr.compact(raw)  # e.g. "811218-9876" or "19811218-9876"
    except Exception as exc:  # noqa: BLE001 - stdnum raises several types for garbage
        raise _error("invalid_format") from exc
    if len(compact) not in (11, 13) or compact[-5] not in "-+":
        raise _error("invalid_format")
    digits = compact[:-5] + compact[-4:]
    if not digits.isdigit():
        raise _error("invalid_format")
    if len(compact) == 13 and compact[-5] == "+" and "+" in raw:
        # A 12-digit number carries its century; "+" is only meaningful with 10 digits.
        raise _error("invalid_format")

    day_pos = 6 if len(compact) == 13 else 4
    day = int(compact[day_pos : day_pos + 2])
    is_coordination = day > COORDINATION_DAY_OFFSET
    birth_form = compact
    if is_coordination:
        real_day = day - COORDINATION_DAY_OFFSET
        birth_form = f"{compact[:day_pos]}{real_day:02d}{compact[day_pos + 2:]}"
    try:
        birth_date = stdnum_pnr.get_birth_date(birth_form)
    except (InvalidComponent, ValueError) as exc:
        raise _error("invalid_date") from exc
    try:
        luhn.validate(digits[-10:])
    except (InvalidChecksum, StdnumError) as exc:
        raise _error("invalid_checksum") from exc
    if birth_date > (today or datetime.date.today()):
        raise _error("future_date")

    serial = digits[-4:]
    # Keep the real day digits, so a samordningsnummer is stored as issued (day + 60).
    canonical = f"{birth_date.year:04d}{birth_date.month:02d}{day:02d}{serial}"
    gender = "man" if int(serial[2]) % 2 else "kvinna"
    return IdentityNumber(
        canonical=canonical, birth_date=birth_date, legal_gender=gender, is_coordination_number=is_coordination
    )


def validate_identity_number(value: str) -> None:
    """A Django field validator."""
    parse(value)
