"""Fictional people for the demo municipality: names, addresses, test personnummer.

Nothing here is a real person. Personnummer and samordningsnummer are TEST NUMBERS: valid
format, date and Luhn check digit, with a birth number (serial) in 980-999, the range
Skatteverket uses for its published test personnummer, so they are never issued to anyone.
Telephone numbers are in 070-174 06 05 ... 070-174 06 99, the series PTS reserves for fiction;
e-mail addresses use the reserved domain example.com.
"""

from __future__ import annotations

import datetime
import random
from dataclasses import dataclass

from stdnum import luhn

from .identity import COORDINATION_DAY_OFFSET

# Birth numbers of test personnummer (Skatteverket's test series): never issued to a person.
TEST_SERIAL_RANGE = range(980, 1000)
FICTION_PHONE_RANGE = range(605, 700)  # 070-1740605 ... 070-1740699 (PTS: for fiction)

FEMALE_NAMES = [
    "Anna", "Eva", "Maria", "Karin", "Sara", "Lena", "Emma", "Kerstin", "Ingrid", "Malin", "Jenny",
    "Hanna", "Linda", "Elin", "Johanna", "Sofia", "Ida", "Julia", "Amanda", "Frida", "Camilla", "Therese",
    "Annika", "Petra", "Susanne", "Helena", "Lisa", "Matilda", "Fatima", "Amina", "Leyla", "Sahra",
    "Mariam", "Aisha", "Nour", "Zeynep", "Yasmin", "Hodan", "Agnieszka", "Natalia", "Olena", "Tigist",
]
MALE_NAMES = [
    "Erik", "Lars", "Karl", "Anders", "Johan", "Per", "Mikael", "Nils", "Jan", "Peter", "Thomas",
    "Daniel", "Fredrik", "Magnus", "Mattias", "Jonas", "Andreas", "Oskar", "Viktor", "Emil", "Simon",
    "Marcus", "Patrik", "Stefan", "Henrik", "Robin", "Mohammed", "Ahmed", "Ali", "Omar", "Hassan",
    "Yusuf", "Abdi", "Mustafa", "Ibrahim", "Mehmet", "Tomasz", "Dawit", "Samir", "Kerim", "Milan",
]
CHILD_NAMES = {
    "kvinna": ["Alice", "Maja", "Elsa", "Astrid", "Wilma", "Freja", "Olivia", "Ella", "Selma", "Vera",
               "Alva", "Lilly", "Ebba", "Saga", "Leah", "Aya", "Meryem", "Sofia", "Nora", "Stella"],
    "man": ["Noah", "William", "Hugo", "Liam", "Lucas", "Oliver", "Elias", "Adam", "Alexander", "Vincent",
            "Theo", "Leo", "Isak", "Ludvig", "Sixten", "Yasin", "Elliot", "Malik", "Nils", "Albin"],
}
LAST_NAMES = [
    "Andersson", "Johansson", "Karlsson", "Nilsson", "Eriksson", "Larsson", "Olsson", "Persson",
    "Svensson", "Gustafsson", "Pettersson", "Jonsson", "Jansson", "Hansson", "Bengtsson", "Jönsson",
    "Lindberg", "Jakobsson", "Magnusson", "Lindström", "Olofsson", "Lindqvist", "Lindgren", "Berg",
    "Axelsson", "Bergström", "Lundberg", "Lind", "Lundgren", "Lundqvist", "Mattsson", "Berglund",
    "Fredriksson", "Sandberg", "Henriksson", "Forsberg", "Sjöberg", "Wallin", "Engström", "Eklund",
    "Danielsson", "Lundin", "Håkansson", "Björk", "Bergman", "Gunnarsson", "Holm", "Wikström",
    "Samuelsson", "Isaksson", "Fransson", "Nyström", "Holmberg", "Arvidsson", "Löfgren", "Söderberg",
    "Ali", "Mohamed", "Ahmed", "Hassan", "Yilmaz", "Abdullahi", "Nguyen", "Kowalski", "Nowak",
    "Haddad", "Khalil", "Demir", "Tesfaye", "Osman", "Jovanović", "Petrović", "Hussein", "Rahimi",
]
STREETS = [
    "Storgatan", "Kungsgatan", "Drottninggatan", "Järnvägsgatan", "Skolgatan", "Kyrkogatan",
    "Björkvägen", "Tallvägen", "Granvägen", "Ekvägen", "Lönnvägen", "Rönnvägen", "Parkvägen",
    "Solvägen", "Ängsvägen", "Backvägen", "Industrigatan", "Smedjegatan", "Vallgatan", "Torggatan",
]
CITY = "Ekby"
POSTAL_CODES = ["74130", "74131", "74132", "74133", "74134", "74140", "74141", "74150"]


@dataclass(frozen=True)
class DemoPerson:
    personal_identity_number: str  # canonical 12 digits
    birth_date: datetime.date
    legal_gender: str
    is_coordination_number: bool
    first_name: str
    last_name: str


def demo_identity_number(birth: datetime.date, serial: int, *, coordination: bool = False) -> str:
    """A TEST personnummer (or samordningsnummer: day + 60) in canonical 12-digit form."""
    day = birth.day + (COORDINATION_DAY_OFFSET if coordination else 0)
    short = f"{birth:%y%m}{day:02d}{serial:03d}"
    return f"{birth:%Y}{short[2:]}{luhn.calc_check_digit(short)}"


class PeopleMaker:
    """Makes unique fictional people from one seeded random source."""

    def __init__(self, rng: random.Random):
        self.rng = rng
        self.used: set[str] = set()

    def birth_date(self, first_year: int, last_year: int) -> datetime.date:
        start = datetime.date(first_year, 1, 1).toordinal()
        end = datetime.date(last_year, 12, 31).toordinal()
        return datetime.date.fromordinal(self.rng.randint(start, end))

    def adult(
        self, *, born: tuple[int, int], gender: str | None = None, last_name: str | None = None,
        coordination: bool = False,
    ) -> DemoPerson:
        gender = gender or self.rng.choice(["kvinna", "man"])
        while True:
            birth = self.birth_date(*born)
            # Third serial digit odd = man, even = kvinna (DOMAIN.md section 7).
            serials = [s for s in TEST_SERIAL_RANGE if (s % 2 == 1) == (gender == "man")]
            pnr = demo_identity_number(birth, self.rng.choice(serials), coordination=coordination)
            if pnr not in self.used:
                self.used.add(pnr)
                break
        names = FEMALE_NAMES if gender == "kvinna" else MALE_NAMES
        return DemoPerson(
            personal_identity_number=pnr,
            birth_date=birth,
            legal_gender=gender,
            is_coordination_number=coordination,
            first_name=self.rng.choice(names),
            last_name=last_name or self.rng.choice(LAST_NAMES),
        )

    def child_name(self) -> str:
        return self.rng.choice(CHILD_NAMES[self.rng.choice(["kvinna", "man"])])

    def address(self) -> dict:
        return {
            "street_address": f"{self.rng.choice(STREETS)} {self.rng.randint(1, 60)}",
            "postal_code": self.rng.choice(POSTAL_CODES),
            "city": CITY,
        }

    def contact(self, person: DemoPerson) -> dict:
        ascii_name = f"{person.first_name}.{person.last_name}".lower().translate(str.maketrans("åäöéć", "aaoec"))
        return {
            "phone": f"070-1740{self.rng.choice(FICTION_PHONE_RANGE)}" if self.rng.random() < 0.9 else "",
            "email": f"{ascii_name}@example.com" if self.rng.random() < 0.5 else "",
        }
