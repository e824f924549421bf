"""The rule engine: turns a rule's set-based findings into flags, idempotently, inside the database.

For one rule and one chunk of subjects (a range of subject ids, as the nightly run slices the
table, or an explicit set of ids, as a re-check after a saved fact names them) the rule's own
set-based query (compiled by the ORM) is the CTE `found`; the ownership chain
(audit/control/rules/ownership.py `owner_sql`) and the flag's facts are computed from it in SQL,
and the flags are written from it set-based:
  1. a flag for each finding that has no live flag yet: INSERT ... SELECT ... ON CONFLICT DO NOTHING
     against the partial unique constraint `one_live_flag_per_rule_subject` (a concurrent duplicate
     is a no-op),
  2. live flags still found: one UPDATE ... FROM the findings notes the day they were last seen and
     checked, and gives them their current owner where it changed (IS DISTINCT FROM), touching only
     rows that change, so a re-run the same day writes nothing,
  3. live flags no longer found are resolved with the date and why (UPDATE ... FROM),
and their history rows (FlagTransition) are INSERT ... SELECT. The findings go once into a temporary
table of the chunk's transaction, which every write reads. No Python object per finding and a fixed
number of queries per chunk, the same SQL on PostgreSQL and on SQLite (the demo's embedded
database, >= 3.35) but for the JSON functions and null-safe comparison (`_fact_sql`, `_distinct`).
Both kinds of chunk are the same code: only the condition on the subject id differs (`_scope`,
`_scope_sql`); a rule whose query reads its subjects inside a subquery gets the chunk passed in
(`RuleDefinition.chunk_findings`). Chunks are disjoint ranges, so they may run in parallel on
several workers with the same result. A range chunk nothing it reads has changed in since its last
evaluation is not evaluated again (audit/control/unchanged.py).
"""

from __future__ import annotations

import datetime
from collections.abc import Collection, Iterable
from dataclasses import asdict, dataclass

from django.conf import settings
from django.core.exceptions import EmptyResultSet
from django.db import connection, transaction
from django.db.models import F, Max, Min, Q
from django.db.models.functions import Cast
from django.utils import timezone

from audit.control import unchanged
from audit.control.models import LIVE_FLAG_STATUSES, Flag, FlagStatus, FlagTransition, Rule, RuleParameter
from audit.control.rules import REGISTRY, ownership
from audit.control.rules.base import PERSON, RuleDefinition
from audit.control.rules.common import ID
from audit.recording.webhook_models import EventType, OutboxEvent
from audit.recording.webhooks import webhooks_after_commit

RESOLVED_REASON = "Villkoret gäller inte längre (kontrollerat vid regelkörning)."
REASSIGNED_REASON = "Ny ansvarig enligt ansvarskedjan (kontrollerat vid regelkörning)."
DEFAULT_CHUNK_SIZE = 5000


@dataclass
class ChunkCounts:
    subjects_examined: int = 0
    flags_opened: int = 0
    flags_kept: int = 0
    flags_resolved: int = 0

    def as_dict(self) -> dict:
        return asdict(self)


def chunk_size() -> int:
    return int(getattr(settings, "AUDIT_RULE_CHUNK_SIZE", DEFAULT_CHUNK_SIZE))


# Texts the code owns: a new wording reaches every page at the next sync. Settings a municipality
# makes (enabled, severity, escalation days, parameter values) are never overwritten.
RULE_TEXTS = ["title", "source", "description", "what_to_do", "closes_when"]
PARAMETER_TEXTS = ["label", "unit", "source"]


def rules_sync() -> None:
    """Create the Rule and RuleParameter rows of rules defined in code and refresh their texts;
    never overwrite settings."""
    Rule.objects.bulk_create(
        [
            Rule(
                code=r.code,
                title=r.title,
                source=r.source,
                description=r.description,
                what_to_do=r.what_to_do,
                closes_when=r.closes_when,
                severity=r.severity,
                schedule=r.schedule,
            )
            for r in REGISTRY.values()
        ],
        update_conflicts=True,
        unique_fields=["code"],
        update_fields=RULE_TEXTS,
    )
    ids = dict(Rule.objects.filter(code__in=REGISTRY).values_list("code", "pk"))
    RuleParameter.objects.bulk_create(
        [
            RuleParameter(
                rule_id=ids[r.code],
                key=p.key,
                label=p.label,
                unit=p.unit,
                value=p.default_value(),
                default=p.default_value(),
                min_value=p.min_value,
                max_value=p.max_value,
                source=p.source,
            )
            for r in REGISTRY.values()
            for p in r.params
        ],
        update_conflicts=True,
        unique_fields=["rule", "key"],
        update_fields=PARAMETER_TEXTS,
    )


def parameters_for(rule: RuleDefinition) -> dict[str, int]:
    """The configured values, falling back to DOMAIN.md's defaults for any not stored yet."""
    values = {p.key: p.default_value() for p in rule.params}
    values.update(RuleParameter.objects.filter(rule__code=rule.code).values_list("key", "value"))
    return values


def plan_chunks(rule: RuleDefinition, size: int | None = None) -> list[tuple[int, int]]:
    """Ranges of subject ids covering every subject and every live flag of the rule."""
    size = size or chunk_size()
    subjects = rule.model().objects.aggregate(lo=Min("pk"), hi=Max("pk"))
    flags = Flag.objects.filter(rule__code=rule.code, status__in=LIVE_FLAG_STATUSES).aggregate(
        lo=Min("subject_id"), hi=Max("subject_id")
    )
    lows = [v for v in (subjects["lo"], flags["lo"]) if v is not None]
    highs = [v for v in (subjects["hi"], flags["hi"]) if v is not None]
    if not lows:
        return [(0, 1)]
    lo, hi = min(lows), max(highs) + 1
    return [(start, min(start + size, hi)) for start in range(lo, hi, size)]


def _scope(field: str, lower: int | None, upper: int | None, subject_ids: Collection[int] | None) -> Q:
    """The chunk's subjects as a condition on `field`: a range [lower, upper), or explicit ids."""
    if subject_ids is not None:
        if lower is not None or upper is not None:
            raise ValueError("A chunk is a range or a set of subject ids, not both.")
        return Q(**{f"{field}__in": list(subject_ids)})
    if lower is None or upper is None:
        raise ValueError("A range chunk needs both lower and upper.")
    return Q(**{f"{field}__gte": lower, f"{field}__lt": upper})


def subjects_touched(rule: RuleDefinition, *, object_ids: Iterable[int], person_ids: Iterable[int]) -> set[int]:
    """The rule's subjects a saved fact may have changed: the saved objects themselves when they are
    the rule's subjects, every subject of the persons concerned, and every live flag of theirs (so a
    flag whose subject no longer qualifies is looked at, and resolved)."""
    ids = {int(pk) for pk in object_ids}
    persons = sorted({int(pk) for pk in person_ids if pk is not None})
    if persons:
        ids |= set(
            rule.model().objects.filter(**{f"{rule.subject_person}__in": persons}).values_list("pk", flat=True)
        )
        ids |= set(
            Flag.objects.filter(
                rule__code=rule.code, subject_type=rule.subject_type, status__in=LIVE_FLAG_STATUSES,
                person_id__in=persons,
            ).values_list("subject_id", flat=True)
        )
    return ids


def id_chunks(ids: Iterable[int], size: int | None = None) -> list[list[int]]:
    """An explicit set of subject ids cut into chunks of at most the chunk size (bounded IN lists)."""
    ordered, size = sorted(set(ids)), size or chunk_size()
    return [ordered[i : i + size] for i in range(0, len(ordered), size)]


# --- the chunk, written inside the database ----------------------------------------------------

def _q(name: str) -> str:
    return connection.ops.quote_name(name)


def _postgres() -> bool:
    return connection.vendor == "postgresql"


def _distinct(a: str, b: str) -> str:
    """Null-safe "differs" (SQLite < 3.39 has no IS DISTINCT FROM; its IS NOT is the same)."""
    return f"{a} IS DISTINCT FROM {b}" if _postgres() else f"{a} IS NOT {b}"


def _fact_sql(column: str, output_field) -> str:
    """A fact as the flag's JSON shows it (the flag page reads it): dates and times as ISO strings
    (Python's isoformat: "2026-03-04", "2026-03-04T08:15:00+00:00", microseconds only when there are
    some), whole decimals as integers, other decimals as strings ("37.50"), booleans as JSON."""
    kind = output_field.get_internal_type() if output_field is not None else ""
    if _postgres():
        if kind == "DateTimeField":
            return (
                f"CASE WHEN date_trunc('second', {column}) = {column} "
                f"THEN to_char({column} AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS\"+00:00\"') "
                f"ELSE to_char({column} AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.US\"+00:00\"') END"
            )
        if kind == "DecimalField":
            return f"CASE WHEN {column} = trunc({column}) THEN to_jsonb({column}::bigint) ELSE to_jsonb({column}::text) END"
        return column
    if kind == "DateTimeField":  # stored as "YYYY-MM-DD HH:MM:SS[.ffffff]" in UTC
        return f"replace({column}, ' ', 'T') || '+00:00'"
    if kind == "DecimalField":
        places = getattr(output_field, "decimal_places", None)
        text = f"printf('%%.{int(places)}f', {column})" if places is not None else f"CAST({column} AS TEXT)"
        return (
            f"CASE WHEN {column} IS NULL THEN NULL WHEN {column} = CAST({column} AS INTEGER) "
            f"THEN CAST({column} AS INTEGER) ELSE {text} END"
        )
    if kind == "BooleanField":
        return f"json(CASE WHEN {column} IS NULL THEN NULL WHEN {column} THEN 'true' ELSE 'false' END)"
    return column


def _facts_sql(found: str, facts: dict[str, str], query) -> str:
    """The flag's facts as one JSON object built in SQL from the columns `facts` ({name: column of
    `found`}) of the compiled `query` (their types say how each is written)."""
    args = ", ".join(
        f"'{name}', {_fact_sql(f'{found}.{_q(alias)}', query.annotations[alias].output_field)}"
        for name, alias in facts.items()
    )
    return f"jsonb_build_object({args})" if _postgres() else f"json_object({args})"


def _scope_sql(column: str, lower, upper, subject_ids) -> tuple[str, list]:
    if subject_ids is not None:
        ids = [int(pk) for pk in subject_ids]
        if not ids:
            return "1 = 0", []
        return f"{column} IN ({', '.join(['%s'] * len(ids))})", ids
    return f"{column} >= %s AND {column} < %s", [int(lower), int(upper)]


FINDINGS = "egk_findings"  # the chunk's findings, a temporary table of the chunk's transaction


def _findings_table(rule: RuleDefinition, findings) -> tuple[str, list]:
    """CREATE TEMPORARY TABLE of the chunk's findings, as (SQL, params): the rule's own set-based
    query (compiled by the ORM) as the CTE `found`, and per finding the subject, the person, the owner
    (the ownership chain in SQL, ownership.owner_sql) and the facts as JSON. A table, not a CTE every
    statement repeats: the rule's query runs once per chunk, and the planner joins the flags to a
    table of known size (a CTE's row estimate from a rule's filters can be off by thousands)."""
    columns = {"pk": "f_subject", PERSON: "f_person", **{name: f"f_{name}" for name in ownership.fields(rule)}}
    facts = {name: f"fact_{i}" for i, name in enumerate(rule.facts)}
    # Ids typed as ids (a rule's "no one" is a bare NULL, which PostgreSQL would read as text).
    qs = findings.order_by().values(
        **{alias: Cast(F(name), ID) for name, alias in columns.items()},
        **{alias: F(name) for name, alias in facts.items()},
    )
    try:
        found_sql, found_params = qs.query.sql_with_params()
    except EmptyResultSet:  # a condition the ORM knows matches nothing (an empty IN list): no rows
        def typed_null(alias):
            db_type = qs.query.annotations[alias].output_field.db_type(connection)
            return f"CAST(NULL AS {db_type}) AS {_q(alias)}" if db_type else f"NULL AS {_q(alias)}"

        found_sql = f"SELECT {', '.join(typed_null(a) for a in (*columns.values(), *facts.values()))} WHERE 1 = 0"
        found_params = []
    owner = ownership.owner_sql(rule, "found", {k: v for k, v in columns.items() if k != "pk"})
    sql = (
        f"CREATE TEMPORARY TABLE {FINDINGS} AS WITH found AS ({found_sql}), {owner.ctes} "
        f"SELECT found.{_q('f_subject')} AS subject_id, found.{_q('f_person')} AS person_id, "
        f"{owner.responsible} AS responsible_id, {owner.unit} AS unit_id, {owner.basis} AS owner_basis, "
        f"{_facts_sql('found', facts, qs.query)} AS facts FROM found {owner.joins}"
    )
    return sql, [*found_params, *owner.params]


FLAG_COLUMNS = (
    "created_at, updated_at, rule_id, subject_type, subject_id, person_id, responsible_id, unit_id, owner_basis, "
    "first_seen, last_seen, checked_at, facts, status, resolution_reason"
)
TRANSITION_COLUMNS = "flag_id, from_status, to_status, event, occurred_at, comment"
OUTBOX_COLUMNS = "event_type, occurred_at, unit_id, subject_type, subject_id"


def _statements(rule: RuleDefinition, rule_id: int, scope: tuple[str, list], as_of, now) -> list[tuple[str, str, list]]:
    """The chunk's writes after its findings table, in order, as (what its row count is, SQL, params):
    the live flags still found (counted), the history and the UPDATE of those no longer found
    (resolved), the history of those whose owner changed, one UPDATE ... FROM the findings of the
    flags still found (last seen today, their current owner; only rows that change: last seen
    before today, or an owner IS DISTINCT FROM the current one), and the INSERT ... SELECT ... ON
    CONFLICT DO NOTHING of the new ones (the partial unique constraint
    `one_live_flag_per_rule_subject` makes a concurrent duplicate a no-op). Each history row is
    written before the change it records, so it has the state the flag had."""
    flag, transition = _q(Flag._meta.db_table), _q(FlagTransition._meta.db_table)
    outbox = _q(OutboxEvent._meta.db_table)
    statuses = ", ".join(["%s"] * len(LIVE_FLAG_STATUSES))
    live_sql = f"f.rule_id = %s AND f.subject_type = %s AND f.status IN ({statuses}) AND {scope[0]}"
    live = [rule_id, rule.subject_type, *LIVE_FLAG_STATUSES, *scope[1]]
    found = f"FROM {FINDINGS} AS o WHERE o.subject_id = f.subject_id"
    changed = "(" + " OR ".join(_distinct(f"f.{c}", f"o.{c}") for c in ("responsible_id", "unit_id", "owner_basis")) + ")"
    explained = {basis: f"{REASSIGNED_REASON} ({ownership.explain(rule, basis)})" for basis in ownership.chain(rule)}
    comment = "CASE o.owner_basis " + "WHEN %s THEN %s " * len(explained) + "ELSE %s END"
    comment_params = [v for pair in explained.items() for v in pair] + [REASSIGNED_REASON]
    return [
        ("kept", f"SELECT COUNT(*) FROM {flag} AS f JOIN {FINDINGS} AS o ON o.subject_id = f.subject_id WHERE {live_sql}",
         live),
        ("", f"INSERT INTO {transition} ({TRANSITION_COLUMNS}) SELECT f.id, f.status, %s, %s, %s, %s FROM {flag} AS f "
         f"WHERE {live_sql} AND NOT EXISTS (SELECT 1 {found})",
         [FlagStatus.RESOLVED, "auto_resolved", now, RESOLVED_REASON, *live]),
        # Events out (webhooks): one outbox row per flag resolved, INSERT ... SELECT over the same
        # flags as the UPDATE below, before it; ids and unit only.
        ("", f"INSERT INTO {outbox} ({OUTBOX_COLUMNS}) SELECT %s, %s, f.unit_id, %s, f.id FROM {flag} AS f "
         f"WHERE {live_sql} AND NOT EXISTS (SELECT 1 {found})",
         [EventType.FLAG_CLOSED, now, "flag", *live]),
        ("resolved", f"UPDATE {flag} AS f SET status = %s, resolved_on = %s, resolution_reason = %s, checked_at = %s, "
         f"updated_at = %s WHERE {live_sql} AND NOT EXISTS (SELECT 1 {found})",
         [FlagStatus.RESOLVED, as_of, RESOLVED_REASON, now, now, *live]),
        ("", f"INSERT INTO {transition} ({TRANSITION_COLUMNS}) SELECT f.id, f.status, f.status, %s, %s, {comment} "
         f"FROM {flag} AS f JOIN {FINDINGS} AS o ON o.subject_id = f.subject_id WHERE {live_sql} AND {changed}",
         ["reassigned", now, *comment_params, *live]),
        ("", f"UPDATE {flag} AS f SET last_seen = CASE WHEN f.last_seen < %s THEN %s ELSE f.last_seen END, "
         "checked_at = CASE WHEN f.last_seen < %s THEN %s ELSE f.checked_at END, "
         "responsible_id = o.responsible_id, unit_id = o.unit_id, owner_basis = o.owner_basis, "
         f"updated_at = CASE WHEN {changed} THEN %s ELSE f.updated_at END "
         f"{found} AND {live_sql} AND (f.last_seen < %s OR {changed})",
         [as_of, as_of, as_of, now, now, *live, as_of]),
        ("opened", f"INSERT INTO {flag} ({FLAG_COLUMNS}) SELECT %s, %s, %s, %s, o.subject_id, o.person_id, "
         "o.responsible_id, o.unit_id, o.owner_basis, %s, %s, %s, o.facts, %s, '' "
         f"FROM {FINDINGS} AS o WHERE NOT EXISTS (SELECT 1 FROM {flag} AS f WHERE f.subject_id = o.subject_id AND "
         f"{live_sql}) ON CONFLICT DO NOTHING",
         # The chunk's range said inside too: without it PostgreSQL, whose statistics lag behind the
         # flags a run is writing, hashed every live flag of the rule for each chunk's anti-join
         # (at 1 000 000 persons 312 000 flags: the INSERT 0.35 of rule 6b's 0.44 s a chunk; issue 12).
         [now, now, rule_id, rule.subject_type, as_of, as_of, now, FlagStatus.OPEN, *live]),
        # ... and one per flag opened by the INSERT above (this chunk's flags: created at its `now`).
        ("", f"INSERT INTO {outbox} ({OUTBOX_COLUMNS}) SELECT %s, %s, f.unit_id, %s, f.id FROM {flag} AS f "
         f"WHERE f.rule_id = %s AND f.subject_type = %s AND f.created_at = %s AND f.status = %s AND {scope[0]}",
         [EventType.FLAG_OPENED, now, "flag", rule_id, rule.subject_type, now, FlagStatus.OPEN, *scope[1]]),
        ("", f"DROP TABLE {FINDINGS}", []),
    ]


@transaction.atomic
def run_chunk(
    *,
    rule_code: str,
    as_of: datetime.date,
    lower: int | None = None,
    upper: int | None = None,
    subject_ids: Collection[int] | None = None,
) -> ChunkCounts:
    """Evaluate one rule over one chunk: the range [lower, upper) of subject ids, or `subject_ids`.

    A fixed number of queries whatever the number of findings, and no Python object per finding:
    the rule's findings, their owners and facts, and every write are SQL (`_findings_table`,
    `_statements`). A re-run the same day changes no row."""
    rule = REGISTRY[rule_code]
    rule_id = Rule.objects.values_list("pk", flat=True).get(code=rule_code)
    params = parameters_for(rule)
    in_chunk = _scope("pk", lower, upper, subject_ids)
    scope = _scope_sql("subject_id", lower, upper, subject_ids)
    ops = connection.ops
    as_of_db, now_db = ops.adapt_datefield_value(as_of), ops.adapt_datetimefield_value(timezone.now())
    found = rule.chunk_findings(as_of=as_of, params=params,
                                scope=lambda path: _scope(path, lower, upper, subject_ids))
    table_sql, table_params = _findings_table(rule, found)
    statements = _statements(rule, rule_id, _scope_sql("f.subject_id", lower, upper, subject_ids), as_of_db, now_db)
    # A range chunk nothing it reads has changed in since its last evaluation (same SQL, parameters
    # and run date) would find the same and write nothing: its last counts, after one query.
    remembered = subject_ids is None and unchanged.enabled()
    with connection.cursor() as cursor:
        if remembered:
            population_sql, population_params = (
                rule.population(as_of=as_of, params=params).filter(in_chunk).query.sql_with_params()
            )
            tables = unchanged.tables_read(table_sql, population_sql)
            mark = unchanged.fingerprint(
                rule_code=rule_code, lower=lower, upper=upper, as_of=as_of,
                sql=table_sql + population_sql, params=[*table_params, *population_params],
            )
            last = unchanged.unchanged_counts(cursor, rule_code=rule_code, lower=lower, upper=upper, as_of=as_of_db,
                                              fingerprint=mark, tables=tables)
            if last is not None:
                return ChunkCounts(subjects_examined=last["subjects_examined"], flags_kept=last["flags_kept"] +
                                   last["flags_opened"])
        if connection.features.has_select_for_update:
            # Locked before the rule's query: a nightly chunk and a re-check after a saved fact may
            # look at the same subject at once; the second waits, and its query then reads what the
            # first committed (no double resolution, and no flag reopened from data read before the
            # fact). In primary-key order, so two overlapping chunks lock in the same order (no
            # deadlock). Only a count comes back.
            cursor.execute(
                f"SELECT COUNT(*) FROM (SELECT id FROM {_q(Flag._meta.db_table)} WHERE rule_id = %s AND "
                f"subject_type = %s AND status IN ({', '.join(['%s'] * len(LIVE_FLAG_STATUSES))}) AND {scope[0]} "
                "ORDER BY id FOR UPDATE) AS locked",
                [rule_id, rule.subject_type, *LIVE_FLAG_STATUSES, *scope[1]],
            )
        seen = unchanged.snapshot(cursor) if remembered else None  # before the findings are read
        counts = ChunkCounts(subjects_examined=rule.population(as_of=as_of, params=params).filter(in_chunk).count())
        cursor.execute(table_sql, table_params)
        cursor.execute(f"CREATE INDEX {FINDINGS}_subject ON {FINDINGS} (subject_id)")
        if remembered:
            unchanged.engine_writing(cursor, True)
        for name, sql, sql_params in statements:
            cursor.execute(sql, sql_params)
            if name == "kept":
                counts.flags_kept = cursor.fetchone()[0]
            elif name:
                setattr(counts, f"flags_{name}", cursor.rowcount)
        if remembered:
            unchanged.engine_writing(cursor, False)
            unchanged.record(cursor, rule_code=rule_code, lower=lower, upper=upper, as_of=as_of_db, fingerprint=mark,
                             snapshot=seen, counts=counts.as_dict(), now=now_db)
    if counts.flags_opened or counts.flags_resolved:
        webhooks_after_commit()
    return counts
