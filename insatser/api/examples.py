"""Examples of the main requests in this app's API, for the schema: fictional content, placeholder
ids (see cases/api/examples.py); tests/platform/test_openapi.py validates each against its serializer."""

from cases.api.examples import request_example

REFERRAL_CREATE = [request_example("anvisning", "En anvisning till en insats", {
    "applicant": 1031,
    "insats": 14,
    "referred_on": "2026-11-16",
    "decision": 301,
    "note": "Praktik inom lager, dagtid.",
})]

ATTENDANCE = [request_example("vecka", "Veckans närvaro", {
    "week_start": "2026-11-23",
    "attended_hours": "32.5",
    "note": "Sjuk på fredagen.",
})]

CLOSING_PROPOSE = [request_example("arbete", "Avslut: personen har fått arbete", {
    "reason": "work",
    "ended_on": "2026-11-30",
    "reason_text": "",
})]
