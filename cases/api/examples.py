"""Examples of the main requests in this app's API, for the schema (extend_schema(examples=...)).

Fictional people only: the personnummer is a test number (birth number 980-999, the series
Skatteverket publishes for tests, never issued to anyone; see cases/demo_people.py), the phone number
is in PTS's fiction series and the e-mail address in the reserved domain example.com. Ids are
placeholders; codes are the reference data's own. tests/platform/test_openapi.py validates each
example against the operation's request serializer."""

from drf_spectacular.utils import OpenApiExample


def request_example(name: str, summary: str, value: dict) -> OpenApiExample:
    return OpenApiExample(name, summary=summary, value=value, request_only=True)


APPLICANT_CREATE = [request_example("personnummer", "En person med personnummer", {
    "personal_identity_number": "198804129826",
    "first_name": "Anna",
    "last_name": "Exempelsson",
    "street_address": "Storgatan 12",
    "postal_code": "74130",
    "city": "Ekby",
    "phone": "070-1740612",
    "email": "anna.exempelsson@example.com",
    "protected_identity": False,
})]

CASE_CREATE = [request_example("ansokan", "Ett ärende som aktualiseras genom ansökan", {
    "household": 412,
    "opened_on": "2026-11-02",
    "opening_way": "application",
    "responsible_caseworker": 17,
    "support_barriers": [
        {"applicant": 1031, "barrier": "arbetslos-ingen-ersattning", "valid_from": "2026-11-02"},
    ],
})]

APPLICATION_CREATE = [request_example("manadsansokan", "En månadsansökan med inkomst och kostnader", {
    "case": 388,
    "month": "2026-12-01",
    "received_on": "2026-11-24",
    "members": [{"household_member": 902, "no_lunch": False}, {"household_member": 903, "no_lunch": True}],
    "incomes": [{"member": 902, "income_type": "housing_allowance", "amount": "1450"}],
    "costs": [
        {"cost_type": "housing", "amount_applied": "7850", "note": "Hyra enligt avi."},
        {"cost_type": "household_electricity", "amount_applied": "420"},
        {"cost_type": "home_insurance", "amount_applied": "135"},
    ],
    "notes": "Kontoutdrag och hyresavi bifogade.",
})]

DECISION_CREATE = [
    request_example("bifall", "Bifall till försörjningsstöd", {
        "application": 2207,
        "item_kind": "income_support",
        "outcome": "granted",
        "amount": "9870",
        "legal_basis": "sol-12-1",
        "delegation_point": "EB-1",
        "reasoning": "Hushållets inkomster räcker inte till riksnormen och de skäliga kostnaderna.",
        "decided_on": "2026-11-27",
    }),
    request_example("DelvisBifallKostnad", "Delvis bifall till en kostnadspost", {
        "application": 2207,
        "item_kind": "cost",
        "cost": 5120,
        "outcome": "partly_granted",
        "amount": "600",
        "legal_basis": "sol-12-1",
        "delegation_point": "EB-3",
        "reasoning": "Tandvård beviljas upp till kostnaden för en akut behandling.",
        "decided_on": "2026-11-27",
        "communication_omitted_reason": "Uppgifterna kommer från den enskilde själv.",
    }),
]
