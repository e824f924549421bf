"""Report 1's facts of the insatser: confirmed closings per end month, participations per start
month (audit/key_figure_fact_models.py), rebuilt with the household facts (key_figure_facts).

A month is rebuilt whole from the querysets that define the live figures
(key_figure_queries.confirmed_closings, running_participations), with the participant's kön and
birth date and the insats's type and unit copied into the row: the report then counts closings and
participants without joining 1.6 M closings and 2.2 M participations to the persons and the
insatser. The triggers below mark the months a change touches, in the writer's transaction, as the
household facts' do: a closing confirmed or moved, a participation ended or extended, a corrected
birth date or kön, a coordinator moved to another unit, an insats given another type or unit.
"""

from __future__ import annotations

import datetime

from django.db.models import Count, F
from django.db.models.functions import TruncMonth

from audit.reports import key_figure_queries as kq
from audit.reports.figures import compiled


def _insert_closings(cursor, months: list[datetime.date]) -> None:
    person = kq.PERSON_OF_CLOSING
    closings_sql, params = compiled(
        kq.confirmed_closings().annotate(in_month=TruncMonth("end_date")).filter(in_month__in=months).order_by()
        .values("in_month", "reason", unit=F(kq.CLOSING_UNIT), gender=F(person["gender"]), birth=F(person["birth"]))
        .annotate(n=Count("pk"))
    )
    cursor.execute(
        f"""
        INSERT INTO audit_keyfigureclosing (month, reason, unit_id, applicant_gender, applicant_birth_date, n)
        SELECT c.in_month, c.reason, c.unit, c.gender, c.birth, c.n FROM ({closings_sql}) c
        """,
        params,
    )


def _insert_participations(cursor, months: list[datetime.date]) -> None:
    participations_sql, params = compiled(
        kq.running_participations().annotate(in_month=TruncMonth("start_date")).filter(in_month__in=months)
        .order_by().values(
            "in_month", "applicant_id", "start_date", "last_day",
            gender=F("applicant__legal_gender"), birth=F("applicant__birth_date"),
            kind=F("insats__insats_type"), unit=F("insats__provider_unit_id"),
        )
    )
    cursor.execute(
        f"""
        INSERT INTO audit_keyfigureparticipation (month, applicant_id, applicant_gender, applicant_birth_date,
            start_date, last_day, insats_type, provider_unit_id)
        SELECT p.in_month, p.applicant_id, p.gender, p.birth, p.start_date, p.last_day, p.kind, p.unit
        FROM ({participations_sql}) p
        """,
        params,
    )


def rebuild(cursor, months: list[datetime.date]) -> None:
    """Replace `months`' closings (by end month) and participations (by start month)."""
    cursor.execute("DELETE FROM audit_keyfigureclosing WHERE month = ANY(%s::date[])", [months])
    cursor.execute("DELETE FROM audit_keyfigureparticipation WHERE month = ANY(%s::date[])", [months])
    _insert_closings(cursor, months)
    _insert_participations(cursor, months)


MARK_ALL = """
INSERT INTO audit_keyfiguredirtymonth (month, marked_at)
SELECT m, now() FROM (
    SELECT date_trunc('month', start_date)::date AS m FROM insatser_participation
    UNION SELECT date_trunc('month', end_date)::date FROM insatser_participationclosing
) months
"""


def _start_months(join_on: str) -> str:
    """The start months of the participations joined to the rows of {rows} (alias r) `join_on`."""
    return f"SELECT date_trunc('month', p.start_date)::date FROM {{rows}} r JOIN insatser_participation p ON {join_on}"


def _end_months(join_on: str) -> str:
    """The end months of the closings joined to the rows of {rows} (alias r) `join_on`."""
    return (f"SELECT date_trunc('month', c.end_date)::date FROM {{rows}} r "
            f"JOIN insatser_participationclosing c ON {join_on}")


# As key_figure_facts.TRIGGERS, with no applications: table -> (None, the months of the facts the
# rows of {rows} are in, the columns whose change matters on UPDATE or None for any, the events).
TRIGGERS = {
    "insatser_participationclosing": (
        None, "SELECT date_trunc('month', r.end_date)::date FROM {rows} r", None, ("INSERT", "UPDATE", "DELETE"),
    ),
    "insatser_participation": (
        None,
        "SELECT date_trunc('month', r.start_date)::date FROM {rows} r UNION ALL "
        + _end_months("c.participation_id = r.id"),
        None, ("INSERT", "UPDATE", "DELETE"),
    ),
    "cases_applicant": (
        None,
        _start_months("p.applicant_id = r.id") + " UNION ALL "
        + _end_months("c.participation_id IN (SELECT id FROM insatser_participation WHERE applicant_id = r.id)"),
        ("legal_gender", "birth_date"), ("UPDATE",),
    ),
    "cases_staff": (None, _end_months("c.proposed_by_id = r.id"), ("unit_id",), ("UPDATE",)),
    "insatser_insats": (
        None, _start_months("p.insats_id = r.id"), ("insats_type", "provider_unit_id"), ("UPDATE",),
    ),
}
