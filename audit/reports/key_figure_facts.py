"""Report 1's monthly facts (audit/key_figure_fact_models.py): built, marked stale, rebuilt.
The insatser's facts (closings, participations) are built with them: key_figure_activity_facts.

PostgreSQL only. A month is rebuilt whole, set-based (DELETE, then INSERT ... SELECT), from the
same querysets the live figures use (key_figure_queries.granted, paid_orders,
decided_applications, latest_applicant_memberships), so the facts cannot define a figure
differently. Triggers on every table a figure reads (TRIGGERS below) write the months a change
touches to KeyFigureDirtyMonth in the writer's own transaction: a decision corrected after its
month closed, a payment returned, a withdrawn application, a case moved to another unit, a new
sökande. The beat task and the report itself (fresh(), before it reads) rebuild them, so the
report never reads a stale month.
"""

from __future__ import annotations

import datetime

from django.db import connection, transaction
from django.db.models import Count, F, Q, Sum
from django.db.models.functions import TruncMonth

from audit.key_figure_fact_models import KeyFigureDirtyMonth
from audit.reports import key_figure_activity_facts as activity
from audit.reports import key_figure_queries as kq
from audit.reports.figures import compiled
from cases.finance_models import Application, Decision, DecisionItemKind
from cases.models import Case
from planning.norms import add_months

# Rebuilds take this transaction-level advisory lock, so two never rebuild the same month at once
# (the beat task and a report): the second waits, then finds the month no longer stale.
LOCK_KEY = 1_202_612  # "report 1", any constant no other lock in the project uses


def available() -> bool:
    """The facts exist on PostgreSQL (the triggers and the set-based rebuild are PostgreSQL's)."""
    return connection.vendor == "postgresql"


def _applicants(households) -> tuple[str, list]:
    """hh, gender, birth: the sökande of `households` (a queryset of household ids)."""
    return compiled(
        kq.latest_applicant_memberships(households).values(
            hh=F("household_id"), gender=F("applicant__legal_gender"), birth=F("applicant__birth_date")
        )
    )


def _insert_facts(cursor, months: list[datetime.date]) -> None:
    income, cost = Q(item_kind=DecisionItemKind.INCOME_SUPPORT), Q(item_kind=DecisionItemKind.COST)
    granted_sql, granted_params = compiled(
        kq.granted().filter(application__month__in=months).order_by().values("application_id").annotate(
            support=Count("pk", filter=income),
            income_support=Sum("amount", filter=income),
            other_costs=Sum("amount", filter=cost),
        )
    )
    paid_sql, paid_params = compiled(
        kq.paid_orders().filter(decision__application__month__in=months).order_by()
        .values(app=F("decision__application_id")).annotate(
            income_support=Sum("amount", filter=Q(decision__item_kind=DecisionItemKind.INCOME_SUPPORT)),
            other_costs=Sum("amount", filter=Q(decision__item_kind=DecisionItemKind.COST)),
        )
    )
    applicants_sql, applicants_params = _applicants(
        Case.objects.filter(applications__month__in=months).values("household_id")
    )
    cursor.execute(
        f"""
        WITH g AS ({granted_sql}), p AS ({paid_sql}), s AS ({applicants_sql})
        INSERT INTO audit_keyfigurefact (month, household_id, unit_id, applicant_gender, applicant_birth_date,
            support, support_once, income_support_granted, other_costs_granted, income_support_paid,
            other_costs_paid)
        SELECT a.month, c.household_id, c.unit_id, s.gender, s.birth, COALESCE(bool_or(g.support > 0), false),
            COALESCE(bool_or(g.support > 0), false) AND ROW_NUMBER() OVER (
                PARTITION BY a.month, c.household_id ORDER BY COALESCE(bool_or(g.support > 0), false) DESC, c.unit_id
            ) = 1,
            COALESCE(SUM(g.income_support), 0), COALESCE(SUM(g.other_costs), 0),
            COALESCE(SUM(p.income_support), 0), COALESCE(SUM(p.other_costs), 0)
        FROM cases_application a
        JOIN cases_case c ON c.id = a.case_id
        LEFT JOIN g ON g.application_id = a.id
        LEFT JOIN p ON p.app = a.id
        LEFT JOIN s ON s.hh = c.household_id
        WHERE a.month = ANY(%s::date[]) AND (g.application_id IS NOT NULL OR p.app IS NOT NULL)
        GROUP BY a.month, c.household_id, c.unit_id, s.gender, s.birth
        """,
        [*granted_params, *paid_params, *applicants_params, months],
    )


def _insert_waits(cursor, months: list[datetime.date]) -> None:
    """Applications whose first original decision falls in `months`, counted per wait."""
    first, last = min(months), add_months(max(months), 1) - datetime.timedelta(days=1)
    decided_then = Decision.objects.filter(replaces__isnull=True, decided_on__gte=first, decided_on__lte=last)
    waits_sql, waits_params = compiled(
        kq.decided_applications()
        .filter(pk__in=decided_then.values("application_id"))
        .annotate(first_month=TruncMonth("first_decided"))
        .filter(first_month__in=months)
        .order_by()
        .values("first_month", "wait_days", hh=F("case__household_id"), unit=F("case__unit_id"))
    )
    applicants_sql, applicants_params = _applicants(
        Application.objects.filter(pk__in=decided_then.values("application_id")).values("case__household_id")
    )
    cursor.execute(
        f"""
        WITH w AS ({waits_sql}), s AS ({applicants_sql})
        INSERT INTO audit_keyfigurewait (month, unit_id, applicant_gender, applicant_birth_date, wait_days, n)
        SELECT w.first_month, w.unit, s.gender, s.birth, w.wait_days, COUNT(*)
        FROM w LEFT JOIN s ON s.hh = w.hh
        GROUP BY 1, 2, 3, 4, 5
        """,
        [*waits_params, *applicants_params],
    )


def _rebuild(cursor, months: list[datetime.date]) -> None:
    cursor.execute("DELETE FROM audit_keyfigurefact WHERE month = ANY(%s::date[])", [months])
    cursor.execute("DELETE FROM audit_keyfigurewait WHERE month = ANY(%s::date[])", [months])
    _insert_facts(cursor, months)
    _insert_waits(cursor, months)
    activity.rebuild(cursor, months)


def refresh(first: datetime.date | None = None, last: datetime.date | None = None) -> list[datetime.date]:
    """Rebuild every stale month (between `first` and `last` when given); returns them.

    The stale marks read here are removed by id at the end, so a change committed while the
    months are rebuilt leaves its own mark and is rebuilt next time (the rebuild reads after the
    marks it removes were committed, so it contains their changes)."""
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SELECT pg_advisory_xact_lock(%s)", [LOCK_KEY])
        marks = KeyFigureDirtyMonth.objects.all()
        if first is not None:
            marks = marks.filter(month__gte=first)
        if last is not None:
            marks = marks.filter(month__lte=last)
        seen = list(marks.values_list("pk", "month"))
        if not seen:
            return []
        months = sorted({month for _, month in seen})
        _rebuild(cursor, months)
        KeyFigureDirtyMonth.objects.filter(pk__in=[pk for pk, _ in seen]).delete()
    return months


def fresh(first: datetime.date | None, last: datetime.date) -> list[datetime.date]:
    """Before the report reads months `first`..`last` (every month up to `last` when `first` is
    None): rebuild those that are stale (none when the beat task has kept up: one indexed query)."""
    marks = KeyFigureDirtyMonth.objects.filter(month__lte=last)
    if first is not None:
        marks = marks.filter(month__gte=first)
    if not marks.exists():
        return []
    return refresh(first, last)


def mark_all_stale() -> int:
    """Mark every month with an application or a decision stale (after a load that bypassed the
    triggers, e.g. bench/dataset.py as superuser, or when the facts are first created)."""
    with connection.cursor() as cursor:
        cursor.execute(MARK_ALL)
        marked = cursor.rowcount
        cursor.execute(activity.MARK_ALL)
        return marked + cursor.rowcount


def rebuild_all() -> list[datetime.date]:
    """Every month, from scratch (the benchmarks; the migration marks instead)."""
    mark_all_stale()
    return refresh()


MARK_ALL = """
INSERT INTO audit_keyfiguredirtymonth (month, marked_at)
SELECT m, now() FROM (
    SELECT month AS m FROM cases_application
    UNION SELECT date_trunc('month', decided_on)::date FROM cases_decision
) months
"""

# --- The triggers: which months a change touches ---------------------------------------------
#
# Statement-level triggers with transition tables: one INSERT ... SELECT per statement, however
# many rows it changed. Each table gives the applications a change concerns (and months of its
# own); audit_key_figure_mark marks their months and the months of their decisions (a first
# decision's month is where the waiting time counts).

MARK_FUNCTION = """
CREATE OR REPLACE FUNCTION audit_key_figure_mark(application_ids bigint[], months date[]) RETURNS void AS $$
    INSERT INTO audit_keyfiguredirtymonth (month, marked_at)
    SELECT DISTINCT m, now() FROM (
        SELECT unnest(months) AS m
        UNION ALL SELECT a.month FROM cases_application a WHERE a.id = ANY(application_ids)
        UNION ALL SELECT date_trunc('month', d.decided_on)::date FROM cases_decision d
            WHERE d.application_id = ANY(application_ids)
    ) touched WHERE m IS NOT NULL
$$ LANGUAGE sql;
"""

# table: (the applications of the rows in {rows}, the months of the rows themselves or None,
#         the columns whose change matters on UPDATE or None for any, the events)
TRIGGERS = {
    "cases_application": (
        "SELECT id FROM {rows}", "SELECT month FROM {rows}", None, ("INSERT", "UPDATE", "DELETE"),
    ),
    "cases_decision": (
        "SELECT application_id FROM {rows}", "SELECT date_trunc('month', decided_on)::date FROM {rows}", None,
        ("INSERT", "UPDATE", "DELETE"),
    ),
    "cases_paymentorder": (
        "SELECT d.application_id FROM {rows} r JOIN cases_decision d ON d.id = r.decision_id", None, None,
        ("INSERT", "UPDATE", "DELETE"),
    ),
    "cases_paymentreturn": (
        "SELECT d.application_id FROM {rows} r JOIN cases_paymentorder o ON o.id = r.order_id "
        "JOIN cases_decision d ON d.id = o.decision_id", None, None, ("INSERT", "UPDATE", "DELETE"),
    ),
    "cases_case": (
        "SELECT a.id FROM {rows} r JOIN cases_application a ON a.case_id = r.id", None,
        ("unit_id", "household_id"), ("UPDATE",),
    ),
    "cases_householdmember": (
        "SELECT a.id FROM {rows} r JOIN cases_case c ON c.household_id = r.household_id "
        "JOIN cases_application a ON a.case_id = c.id", None, None, ("INSERT", "UPDATE", "DELETE"),
    ),
    "cases_applicant": (
        "SELECT a.id FROM {rows} r JOIN cases_householdmember m ON m.applicant_id = r.id "
        "JOIN cases_case c ON c.household_id = m.household_id JOIN cases_application a ON a.case_id = c.id",
        None, ("legal_gender", "birth_date"), ("UPDATE",),
    ),
}


def _changed(columns: tuple[str, ...] | None, side: str) -> str:
    """The {rows} of one side of an UPDATE: every row, or only those whose `columns` changed."""
    if columns is None:
        return f"{side}_rows"
    other = "old" if side == "new" else "new"
    differs = " OR ".join(f"x.{c} IS DISTINCT FROM y.{c}" for c in columns)
    return f"(SELECT x.* FROM {side}_rows x JOIN {other}_rows y ON y.id = x.id WHERE {differs})"


def _function(table: str, triggers: dict = TRIGGERS, prefix: str = "audit_kf") -> str:
    applications, months, columns, _ = triggers[table]

    def mark(sides: list[tuple[str, str]]) -> str:
        ids = (f"ARRAY({' UNION ALL '.join(applications.format(rows=rows) for _, rows in sides)})"
               if applications else "ARRAY[]::bigint[]")
        own = " UNION ALL ".join(months.format(rows=rows) for _, rows in sides) if months else None
        own_sql = f"ARRAY({own})" if own else "ARRAY[]::date[]"
        return f"PERFORM audit_key_figure_mark({ids}, {own_sql});"

    updated = [("old", _changed(columns, "old")), ("new", _changed(columns, "new"))]
    return f"""
CREATE OR REPLACE FUNCTION {prefix}_{table}() RETURNS trigger AS $$
BEGIN
    IF TG_OP = 'INSERT' THEN {mark([("new", "new_rows")])}
    ELSIF TG_OP = 'UPDATE' THEN {mark(updated)}
    ELSE {mark([("old", "old_rows")])}
    END IF;
    RETURN NULL;
END;
$$ LANGUAGE plpgsql;
"""


_REFERENCING = {"INSERT": "NEW TABLE AS new_rows", "UPDATE": "OLD TABLE AS old_rows NEW TABLE AS new_rows",
                "DELETE": "OLD TABLE AS old_rows"}


def _create_triggers(schema_editor, triggers: dict, prefix: str) -> None:
    for table, (*_, events) in triggers.items():
        schema_editor.execute(_function(table, triggers, prefix), params=None)
        for event in events:
            schema_editor.execute(
                f"CREATE TRIGGER {prefix}_{event.lower()} AFTER {event} ON {table} REFERENCING {_REFERENCING[event]} "
                f"FOR EACH STATEMENT EXECUTE FUNCTION {prefix}_{table}();",
                params=None,
            )


def _drop_triggers(schema_editor, triggers: dict, prefix: str) -> None:
    for table, (*_, events) in triggers.items():
        for event in events:
            schema_editor.execute(f"DROP TRIGGER IF EXISTS {prefix}_{event.lower()} ON {table};", params=None)
        schema_editor.execute(f"DROP FUNCTION IF EXISTS {prefix}_{table}();", params=None)


def install(schema_editor) -> None:
    """Create the mark function and the household facts' triggers (migration audit 0028)."""
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(MARK_FUNCTION, params=None)
    _create_triggers(schema_editor, TRIGGERS, "audit_kf")
    schema_editor.execute(MARK_ALL, params=None)


def uninstall(schema_editor) -> None:
    if schema_editor.connection.vendor != "postgresql":
        return
    _drop_triggers(schema_editor, TRIGGERS, "audit_kf")
    schema_editor.execute("DROP FUNCTION IF EXISTS audit_key_figure_mark(bigint[], date[]);", params=None)


def install_activity(schema_editor) -> None:
    """The closings' and participations' triggers (migration audit 0032), and every month of a
    closing or a participation marked stale, so the first rebuild fills their facts."""
    if schema_editor.connection.vendor != "postgresql":
        return
    _create_triggers(schema_editor, activity.TRIGGERS, "audit_kfa")
    schema_editor.execute(activity.MARK_ALL, params=None)


def uninstall_activity(schema_editor) -> None:
    if schema_editor.connection.vendor != "postgresql":
        return
    _drop_triggers(schema_editor, activity.TRIGGERS, "audit_kfa")
