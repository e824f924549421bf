"""The payee account of a payment: which formats are accepted, and how each is checked.

The rules with meaning for the bank are here, named, in one place (DOMAIN.md 8: a granted amount
is paid to the person's account or another way the municipality uses). Check digits come from
python-stdnum: IBAN (ISO 13616, stdnum.iban) and the Luhn (modulus 10) digit that Bankgirot
uses for bankgiro and plusgiro numbers (stdnum.luhn).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from stdnum import iban, luhn
from stdnum.exceptions import ValidationError as StdnumError

from config.errors import field_error as _error

from .payment_models import PayeeAccountKind

# A Swedish bank account: a clearing number of four digits (Swedbank's five-digit ones begin with
# 8 and end with a check digit), and an account number of at most ten digits (Bankgirot's
# "Bankernas kontonummeruppbyggnad"; the shortest in use have seven).
CLEARING_NUMBER_DIGITS = 4
SWEDBANK_CLEARING_PREFIX = "8"
BANK_ACCOUNT_DIGITS = (7, 10)
# Bankgiro numbers have seven or eight digits, plusgiro numbers two to eight, the last one a
# Luhn check digit (Bankgirot, Plusgirot).
BANKGIRO_DIGITS = (7, 8)
PLUSGIRO_DIGITS = (2, 8)


@dataclass(frozen=True)
class PayeeAccount:
    kind: str
    clearing_number: str
    account_number: str


def _digits(value: str) -> str:
    """Digits only; spaces, hyphens and dots are how people write the numbers, not part of them."""
    return re.sub(r"[\s.\-]", "", value or "")


def _length_ok(number: str, bounds: tuple[int, int]) -> bool:
    return number.isdigit() and bounds[0] <= len(number) <= bounds[1]


def payee_account(kind: str, account_number: str, clearing_number: str = "") -> PayeeAccount:
    """The account in its stored form, or a ValidationError naming the field that is wrong."""
    if kind not in PayeeAccountKind.values:
        raise _error("account_kind", "Ange bankkonto, bankgiro, plusgiro eller IBAN.", "invalid_choice")
    number = _digits(account_number)
    if not number:
        raise _error("account_number", "Ange kontonummer.", "required")
    if kind == PayeeAccountKind.IBAN:
        try:
            return PayeeAccount(kind, "", iban.validate(account_number))
        except StdnumError as exc:
            raise _error("account_number", "IBAN-numret är inte giltigt (kontrollera landskod och siffror).",
                         "invalid_iban") from exc
    if kind == PayeeAccountKind.BANK_ACCOUNT:
        clearing = _digits(clearing_number)
        five = len(clearing) == CLEARING_NUMBER_DIGITS + 1 and clearing.startswith(SWEDBANK_CLEARING_PREFIX)
        if not clearing.isdigit() or not (len(clearing) == CLEARING_NUMBER_DIGITS or five) or clearing[0] == "0":
            raise _error("clearing_number", "Clearingnumret ska ha fyra siffror (fem för Swedbank, som börjar på 8).",
                         "invalid_clearing")
        if five and not luhn.is_valid(clearing):
            raise _error("clearing_number", "Clearingnumrets kontrollsiffra stämmer inte.", "invalid_check_digit")
        if not _length_ok(number, BANK_ACCOUNT_DIGITS):
            raise _error("account_number", "Kontonumret ska ha sju till tio siffror.", "invalid_account")
        return PayeeAccount(kind, clearing, number)
    if clearing_number:
        raise _error("clearing_number", "Clearingnummer anges bara för bankkonto.", "not_applicable")
    bounds, name = (BANKGIRO_DIGITS, "Bankgironumret") if kind == PayeeAccountKind.BANKGIRO \
        else (PLUSGIRO_DIGITS, "Plusgironumret")
    if not _length_ok(number, bounds):
        raise _error("account_number", f"{name} ska ha {bounds[0]} till {bounds[1]} siffror.", "invalid_account")
    if not luhn.is_valid(number):
        raise _error("account_number", f"{name}s kontrollsiffra stämmer inte.", "invalid_check_digit")
    return PayeeAccount(kind, "", number)
