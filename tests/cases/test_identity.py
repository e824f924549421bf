import datetime

import pytest
from django.core.exceptions import ValidationError

from cases.identity import parse

TODAY = datetime.date(2026, 11, 22)


@pytest.mark.parametrize(
    "value",
    ["811218-9876", "8112189876", "19811218-9876", "198112189876", " 811218-9876 "],
)
def test_accepts_the_forms_of_a_personnummer_and_normalises_to_12_digits(value):
    parsed = parse(value, today=TODAY)
    assert parsed.canonical == "198112189876"
    assert parsed.birth_date == datetime.date(1981, 12, 18)
    assert parsed.legal_gender == "man"  # second to last digit 7 is odd
    assert not parsed.is_coordination_number


def test_even_second_to_last_digit_is_kvinna():
    # 890102-3286 (stdnum's documented example): 8 is even.
    assert parse("890102-3286", today=TODAY).legal_gender == "kvinna"


def test_plus_sign_means_a_hundred_years_older():
    assert parse("121212+1212", today=TODAY).birth_date == datetime.date(1912, 12, 12)
    assert parse("121212-1212", today=TODAY).birth_date == datetime.date(2012, 12, 12)


def test_samordningsnummer_has_day_plus_60_and_keeps_its_digits():
    # 811278-987 + Luhn check digit 3: born 1981-12-18.
    parsed = parse("811278-9873", today=TODAY)
    assert parsed.is_coordination_number
    assert parsed.birth_date == datetime.date(1981, 12, 18)
    assert parsed.canonical == "198112789873"


@pytest.mark.parametrize(
    ("value", "code"),
    [
        ("811218-9877", "invalid_checksum"),
        ("811278-9874", "invalid_checksum"),
        ("811318-9876", "invalid_date"),
        ("811292-9876", "invalid_date"),  # day 92 - 60 = 32
        ("81121-9876", "invalid_format"),
        ("abcdef-ghij", "invalid_format"),
        ("", "invalid_format"),
        ("19811218+9876", "invalid_format"),
        ("20991212-1213", "future_date"),
    ],
)
def test_rejects_malformed_numbers_with_a_code(value, code):
    if code == "future_date":
        from stdnum import luhn

        value = "20991212-121" + luhn.calc_check_digit("991212121")
    with pytest.raises(ValidationError) as exc:
        parse(value, today=TODAY)
    assert exc.value.code == code


def _number_born(day: datetime.date, serial="123") -> str:
    """A valid 10-digit personnummer for someone born on `day` (Luhn check digit computed)."""
    from stdnum import luhn

    body = f"{day:%y%m%d}{serial}"
    return f"{body[:6]}-{body[6:]}{luhn.calc_check_digit(body)}"


def test_a_person_born_today_is_not_born_in_the_future():
    # DOMAIN.md 7: the number holds the date of birth; only a date after today is impossible.
    parsed = parse(_number_born(TODAY), today=TODAY)
    assert parsed.birth_date == TODAY
    with pytest.raises(ValidationError) as exc:
        parse(_number_born(TODAY + datetime.timedelta(days=1)), today=TODAY)
    assert exc.value.code == "future_date"


def test_display_form_is_the_12_digits_with_a_dash_before_the_last_four():
    assert parse("811218-9876", today=TODAY).display == "19811218-9876"
    assert parse("811278-9873", today=TODAY).display == "19811278-9873"


@pytest.mark.parametrize("value", ["198112789873", "19811278-9873", "811278-9873"])
def test_samordningsnummer_in_every_form_gives_the_real_birth_date(value):
    parsed = parse(value, today=TODAY)
    assert (parsed.birth_date, parsed.canonical, parsed.is_coordination_number) == (
        datetime.date(1981, 12, 18), "198112789873", True)


def test_a_plus_sign_samordningsnummer_is_a_hundred_years_older():
    # DOMAIN.md 7: "+" for 100 years or older; the day + 60 rule does not lose it.
    parsed = parse("121272+1219", today=TODAY)
    assert (parsed.birth_date, parsed.canonical) == (datetime.date(1912, 12, 12), "191212721219")
    assert parse("121272-1219", today=TODAY).birth_date == datetime.date(2012, 12, 12)
