"""The shape every board report has, whatever it counts.

A report builder takes ReportParams and returns ReportData: tables of plain values (str, int,
Decimal, date, None) with Swedish column labels, each with a definition of what is counted
(DOMAIN.md section 5 asks that every figure says what it is), and chart specifications that
point at a table. Renderers (web page, PDF, XLSX, CSV, JSON) and snapshots only ever see
ReportData, so a figure is computed once, in the database, by the builder.
"""

from __future__ import annotations

import calendar
import datetime
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError

from cases.models import Role

PERIOD_KINDS = ("month", "quarter", "year")


@dataclass(frozen=True)
class Period:
    """A closed date interval [start, end] of one calendar month, quarter or year."""

    kind: str
    start: datetime.date
    end: datetime.date

    @property
    def label(self) -> str:
        if self.kind == "month":
            return f"{_MONTHS_SV[self.start.month - 1]} {self.start.year}"
        if self.kind == "quarter":
            return f"Kvartal {(self.start.month - 1) // 3 + 1} {self.start.year}"
        return f"År {self.start.year}"

    def previous_year(self) -> Period:
        """The same period one year earlier (for the comparison the board asks for)."""
        start = self.start.replace(year=self.start.year - 1)
        last_day = calendar.monthrange(self.end.year - 1, self.end.month)[1]
        return Period(self.kind, start, self.end.replace(year=self.end.year - 1, day=min(self.end.day, last_day)))

    def months(self) -> list[datetime.date]:
        """First day of each calendar month in the period."""
        out, d = [], self.start.replace(day=1)
        while d <= self.end:
            out.append(d)
            d = (d.replace(day=28) + datetime.timedelta(days=4)).replace(day=1)
        return out

    def to_json(self) -> dict:
        return {"kind": self.kind, "start": self.start.isoformat(), "end": self.end.isoformat(), "label": self.label}


_MONTHS_SV = [
    "januari", "februari", "mars", "april", "maj", "juni",
    "juli", "augusti", "september", "oktober", "november", "december",
]  # fmt: skip


def _err(field: str, message: str, code: str) -> ValidationError:
    return ValidationError({field: ValidationError(message, code=code)})


def parse_period(*, kind: str, year: int, number: int | None = None, today: datetime.date) -> Period:
    """Validate a month (number 1-12), quarter (1-4) or year; refuse periods that have not begun.

    A period that has begun but not ended is allowed (the figures so far); one starting after
    today is refused with code "future".
    """
    if kind not in PERIOD_KINDS:
        raise _err("period", "Okänd periodtyp; välj månad, kvartal eller år.", "unknown_code")
    if not isinstance(year, int) or not 1900 <= year <= 9999:
        raise _err("year", "Ogiltigt år.", "invalid")
    if kind == "month":
        if number is None or not 1 <= number <= 12:
            raise _err("number", "Månaden ska vara 1–12.", "invalid_month")
        start = datetime.date(year, number, 1)
        end = datetime.date(year, number, calendar.monthrange(year, number)[1])
    elif kind == "quarter":
        if number is None or not 1 <= number <= 4:
            raise _err("number", "Kvartalet finns inte; det ska vara 1–4.", "invalid_quarter")
        first = 3 * (number - 1) + 1
        start = datetime.date(year, first, 1)
        end = datetime.date(year, first + 2, calendar.monthrange(year, first + 2)[1])
    else:
        start, end = datetime.date(year, 1, 1), datetime.date(year, 12, 31)
    if start > today:
        raise _err("period", "Perioden har inte börjat ännu.", "future")
    return Period(kind, start, end)


def parse_date_range(*, date_from: datetime.date, date_to: datetime.date, today: datetime.date) -> tuple:
    """For reports between two dates (e.g. two board meetings)."""
    if date_to < date_from:
        raise _err("date_to", "Slutdatumet ligger före startdatumet.", "period_backwards")
    if date_from > today:
        raise _err("date_from", "Perioden har inte börjat ännu.", "future")
    return date_from, date_to


@dataclass(frozen=True)
class Column:
    key: str
    label: str  # Swedish, shown as is
    kind: str = "text"  # text | int | number (decimal) | percent (0-100) | kr | date | days


@dataclass
class Table:
    key: str
    title: str
    columns: list[Column]
    rows: list[dict[str, Any]]
    definition: str  # what is counted, from which date, which rule (shown with the table)
    # (this period's column, the same period a year before's column): the figures the summary
    # ranks by their change (audit/reports/summary.py). Never serialised: only the summary is.
    compare: tuple[str, str] | None = None
    # The column naming each compared row in the summary. None: a table by group offers its
    # Totalt row only, any other table its rows under the table's title.
    compare_label: str | None = None
    # What the compared figure is called in the summary when the title alone does not say it
    # (e.g. "Uppföljningar gjorda i tid (andel)" for a table of several counts and one share).
    compare_title: str | None = None

    def to_json(self) -> dict:
        return {
            "key": self.key,
            "title": self.title,
            "definition": self.definition,
            "columns": [{"key": c.key, "label": c.label, "kind": c.kind} for c in self.columns],
            "rows": [{k: _jsonable(v) for k, v in row.items()} for row in self.rows],
        }


@dataclass
class Chart:
    title: str
    table_key: str
    label_column: str
    value_columns: list[str]
    kind: str = "bar"  # bar | line

    def to_json(self) -> dict:
        return {
            "title": self.title,
            "table_key": self.table_key,
            "label_column": self.label_column,
            "value_columns": self.value_columns,
            "kind": self.kind,
        }


@dataclass
class ReportParams:
    period: Period | None
    unit_id: int | None  # None: the whole board's area
    date_from: datetime.date | None = None
    date_to: datetime.date | None = None
    today: datetime.date | None = None
    extra: dict[str, Any] = field(default_factory=dict)
    # Optional (added for snapshots): called with 0-100 as a builder goes; never serialised.
    progress: Callable[[int], None] | None = field(default=None, repr=False, compare=False)

    def step(self, percent: int) -> None:
        """Report progress to whoever makes the report (the snapshot task); a no-op otherwise."""
        if self.progress is not None:
            self.progress(percent)

    def to_json(self) -> dict:
        return {
            "period": self.period.to_json() if self.period else None,
            "unit_id": self.unit_id,
            "date_from": self.date_from.isoformat() if self.date_from else None,
            "date_to": self.date_to.isoformat() if self.date_to else None,
            "today": self.today.isoformat() if self.today else None,
            "extra": {k: _jsonable(v) for k, v in self.extra.items()},
        }


@dataclass
class ReportData:
    code: str
    title: str
    params: ReportParams
    tables: list[Table]
    charts: list[Chart] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)  # e.g. "Beräknat på en norm som inte är officiell"
    # Optional (added for snapshots): for a report with personal data (4a), the (object_id,
    # person_id) pairs it shows, e.g. (decision id, applicant id), so every read of the snapshot
    # is written to the access log per person. Stored, never rendered; empty for aggregates.
    subjects: list[tuple[Any, int | None]] = field(default_factory=list)
    # The page every format shows first (audit/reports/summary.py), set by ReportDefinition.make.
    summary: dict[str, Any] | None = None

    def to_json(self) -> dict:
        out = {
            "code": self.code,
            "title": self.title,
            "params": self.params.to_json(),
            "tables": [t.to_json() for t in self.tables],
            "charts": [c.to_json() for c in self.charts],
            "notes": list(self.notes),
        }
        if self.summary is not None:
            out["summary"] = {k: _summary_jsonable(v) for k, v in self.summary.items()}
        if self.subjects:
            out["subjects"] = [[_jsonable(o), p] for o, p in self.subjects]
        return out


@dataclass(frozen=True)
class ReportDefinition:
    code: str
    title: str  # Swedish
    number: str  # "1", "4a", ... as in the issue, for ordering and the board's papers
    audience: frozenset[str]  # roles that may make and read it
    personal_data: bool  # True only for 4a (per decision, for IVO); never readable by the board
    period_kind: str  # "period" (month/quarter/year), "quarter" (quarters only) or "date_range" (between board meetings)
    build: Callable[[ReportParams], ReportData]
    covers: str = ""  # what the report covers, in plain Swedish, for its summary page

    def make(self, params: ReportParams) -> ReportData:
        """The report as it is stored and shown: the builder's figures with the summary first."""
        from audit.reports.summary import summarise  # the summary reads tables; it imports this module

        return summarise(self, self.build(params))


# Who may read what (issue 7): the board gets 1-3, 4b, 5 and 6, never a person.
BOARD_AND_MANAGERS = frozenset({Role.BOARD, Role.UNIT_MANAGER, Role.ADMINISTRATOR})
MANAGERS_ONLY = frozenset({Role.UNIT_MANAGER})


def _summary_jsonable(value):
    if isinstance(value, list):
        return [{k: _jsonable(v) for k, v in item.items()} if isinstance(item, dict) else _jsonable(item)
                for item in value]
    return _jsonable(value)


def _jsonable(value):
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    if isinstance(value, (datetime.date, datetime.datetime)):
        return value.isoformat()
    return value
