"""Legal bases are dated: a decision cites the provision in force on its decision date (SoL
2001:453 before 1 July 2025, SoL 2025:400 from then), whichever of the two codes the caseworker
gave; decisions stored before the dates existed are shown with the law of their date."""

import datetime

import pytest

from audit.reports import get_report
from audit.reports.base import Period, ReportParams
from cases.finance_models import Decision, LegalBasis
from cases.models import Role
from insatser import services as insats_services
from tests.factories.cases import StaffFactory

from .test_decisions_api import URL, body, calculated  # noqa: F401

pytestmark = pytest.mark.django_db


def test_the_migration_adds_the_old_law_with_its_period():
    rows = {b.code: b for b in LegalBasis.objects.select_related("replaces")}
    for new, old, reference in (("sol-12-1", "sol-2001-4-1", "4 kap. 1 §"), ("sol-12-4", "sol-2001-4-4", "4 kap. 4 §"),
                                ("sol-12-5", "sol-2001-4-5", "4 kap. 5 §")):
        assert rows[new].valid_from == datetime.date(2025, 7, 1) and rows[new].replaces == rows[old]
        assert (rows[old].law, rows[old].reference) == ("SoL (2001:453)", reference)
        assert rows[old].valid_to == datetime.date(2025, 6, 30)
        assert rows[old].appeal_information == rows[new].appeal_information


@pytest.mark.parametrize(("given", "decided_on", "code", "law", "reference"), [
    ("sol-12-1", "2025-06-30", "sol-2001-4-1", "SoL (2001:453)", "4 kap. 1 §"),
    ("sol-12-1", "2025-07-01", "sol-12-1", "SoL (2025:400)", "12 kap. 1 §"),
    # The old law's code for a date when the new law was in force: the new law is cited.
    ("sol-2001-4-1", "2025-07-01", "sol-12-1", "SoL (2025:400)", "12 kap. 1 §"),
])
def test_a_decision_cites_the_law_in_force_on_its_date(api_as, caseworker, calculated, given, decided_on, code, law,  # noqa: F811
                                                       reference):
    application, _ = calculated
    response = api_as(caseworker).post(URL, body(application, legal_basis=given, decided_on=decided_on), format="json")
    assert response.status_code == 201, response.json()
    assert (response.json()["legal_basis"]["law"], response.json()["legal_basis"]["reference"]) == (law, reference)
    assert Decision.objects.get().legal_basis.code == code


def test_a_provision_not_in_force_on_the_date_is_refused_naming_the_field(api_as, caseworker, calculated):  # noqa: F811
    application, _ = calculated
    LegalBasis.objects.create(code="ny-2026", reference="1 §", title="Ny", appeal_kind="none",
                              valid_from=datetime.date(2026, 1, 1))
    response = api_as(caseworker).post(URL, body(application, legal_basis="ny-2026"), format="json")
    assert response.status_code == 400
    assert response.json()["error"]["fields"]["legal_basis"][0]["code"] == "not_in_force"
    assert not Decision.objects.exists()


def test_a_decision_stored_citing_the_new_law_before_its_date_shows_the_old_law(api_as, caseworker, calculated):  # noqa: F811
    application, _ = calculated
    created = api_as(caseworker).post(URL, body(application, decided_on="2025-07-01"), format="json").json()
    # As stored before the legal bases had dates: the new law's row on a decision of March 2019.
    Decision.objects.filter(pk=created["id"]).update(decided_on=datetime.date(2019, 3, 5))
    shown = api_as(caseworker).get(f"{URL}{created['id']}/").json()["legal_basis"]
    assert (shown["law"], shown["reference"]) == ("SoL (2001:453)", "4 kap. 1 §")
    # The IVO list of unexecuted decisions (4a) says the same.
    manager = StaffFactory(role=Role.UNIT_MANAGER, unit=caseworker.unit)
    rows = get_report("unexecuted_decisions_ivo").build(ReportParams(
        period=Period("quarter", datetime.date(2019, 7, 1), datetime.date(2019, 9, 30)), unit_id=None,
        today=datetime.date(2019, 10, 1), extra={"user": manager}))
    legal = {r.get("legal_basis") for t in rows.tables for r in t.rows if "legal_basis" in r}
    assert legal == {"4 kap. 1 § SoL (2001:453)"}


@pytest.mark.parametrize(("decided_on", "text"), [
    (datetime.date(2025, 6, 30), "SoL (2001:453) 4 kap. 4 §"),
    (datetime.date(2025, 7, 1), "SoL (2025:400) 12 kap. 4 §"),
])
def test_an_insats_decision_cites_the_law_of_its_date(caseworker, family, decided_on, text):
    case, members = family
    decision = insats_services.insats_decision_create(
        actor=caseworker, case=case, applicant=members[0].applicant, kind="praktik", reasoning="Behov av praktik.",
        decided_on=decided_on, valid_from=decided_on,
    )
    assert decision.legal_basis == text
