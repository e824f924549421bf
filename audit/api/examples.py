"""Examples of the main requests in the control API, for the schema: placeholder ids (see
cases/api/examples.py); tests/platform/test_openapi.py validates each against its serializer."""

from cases.api.examples import request_example

CORRECTIVE_ACTION_CREATE = [request_example("atgard", "En åtgärd för en flagga", {
    "flag": 5530,
    "description": "Gå igenom planerna som passerat sex månader och boka uppföljning med var och en.",
    "owner": 23,
    "due_date": "2027-01-15",
})]
