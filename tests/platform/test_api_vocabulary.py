"""One vocabulary across the API (README "API vocabulary", issue 15): the schema is walked and
every list parameter and every property is held to it. The inventory (every list's query
parameters, every property naming a period or a person) is printed with `pytest -s`."""

from __future__ import annotations

import re

import pytest

OPERATIONS = ("get", "post", "put", "patch", "delete")
PAGING = {"page", "page_size", "ordering"}
# Date parameters that are not a range: one day or week, and the synchronisation cursor.
SINGLE_DATES = {"payment_date", "week", "updated_since"}
# Lists that need no filter: an object's own parts (a queue in order, a person's timeline) and
# the fixed catalogue of reports.
UNFILTERED_LISTS = {"/api/v1/reports/definitions/"}
# The one pair for a period is valid_from/valid_to, a range in a body or filter is <x>_from/<x>_to.
# Names with start/end/until that are not a period but an event (the day a referral started, a
# decision ended early, a run started) or a week named by its Monday:
EVENTS = {"started_on", "ended_on", "started_at", "started_by", "week_start", "end_decided_on",
          "end_decided_by", "end_reasoning"}
PERIOD_WORD = re.compile(r"(^|_)(start|starts|end|ends|until|start_date|end_date)(_|$)")
PERSON_WORDS = {"person", "person_id"}


@pytest.fixture(scope="module")
def schema():
    from drf_spectacular.generators import SchemaGenerator

    return SchemaGenerator().get_schema(request=None, public=True)


def _lists(schema):
    for path, item in schema["paths"].items():
        op = item.get("get")
        if op and op["operationId"].endswith("_list"):
            yield path, op


def _query(op):
    return [p for p in op.get("parameters", []) if p["in"] == "query"]


def _properties(schema):
    for name, component in schema["components"]["schemas"].items():
        for prop in component.get("properties") or {}:
            yield name, prop


def test_inventory(schema):
    """Printed with `pytest -s`: what the rules below are judged on."""
    lists = {path: sorted(p["name"] for p in _query(op)) for path, op in _lists(schema)}
    named = sorted({f"{c}.{p}" for c, p in _properties(schema)
                    if PERIOD_WORD.search(p) or p.endswith(("_from", "_to")) or "person" in p or "applicant" in p})
    for path, names in lists.items():
        print(path, names)
    print(named)
    assert len(lists) > 40 and named


def test_no_parameter_is_an_orm_path(schema):
    bad = [(path, method, p["name"]) for path, item in schema["paths"].items()
           for method, op in item.items() if method in OPERATIONS
           for p in op.get("parameters", []) if "__" in p["name"]]
    assert not bad


def test_every_list_documents_its_filters(schema):
    undocumented, unfiltered = [], []
    for path, op in _lists(schema):
        params = _query(op)
        undocumented += [(path, p["name"]) for p in params if not p.get("description")]
        if "{" not in path and path not in UNFILTERED_LISTS and not {p["name"] for p in params} - PAGING:
            unfiltered.append(path)
    assert not undocumented
    assert not unfiltered


def test_date_ranges_are_named_from_and_to(schema):
    bad = []
    for path, op in _lists(schema):
        names = {p["name"] for p in _query(op)}
        for p in _query(op):
            name = p["name"]
            if p.get("schema", {}).get("format") not in ("date", "date-time") or name in SINGLE_DATES:
                continue
            if name.endswith("_from"):
                partner = name.removesuffix("_from") + "_to"
            elif name.endswith("_to"):
                partner = name.removesuffix("_to") + "_from"
            else:
                bad.append((path, name, "not *_from/*_to"))
                continue
            if partner not in names:
                bad.append((path, name, f"no {partner}"))
            elif "inklusive" not in p.get("description", ""):
                bad.append((path, name, "not documented as inclusive"))
    assert not bad


def test_periods_use_one_pair_and_persons_one_word(schema):
    periods = [(c, p) for c, p in _properties(schema)
               if PERIOD_WORD.search(p) and p not in EVENTS and not p.endswith(("_from", "_to"))]
    assert not periods, "a period is valid_from/valid_to (a range <x>_from/<x>_to)"
    persons = [(c, p) for c, p in _properties(schema) if p in PERSON_WORDS]
    params = [(path, p["name"]) for path, op in _lists(schema) for p in _query(op) if p["name"] in PERSON_WORDS]
    paths = [path for path in schema["paths"] if "/persons/" in path]
    assert not persons and not params and not paths, "the person is an applicant (GLOSSARY.md)"
