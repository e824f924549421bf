"""Import records from a previous system: stream the file, validate per record, write set-based.

The file is read line by line and handled in batches of `batch_size` lines, so memory stays
bounded whatever the file's size. Within a batch the record types are written in dependency order
(persons, households, cases, ...), each type in one call of its app's import service (one INSERT
per table). References between records are resolved through the provenance table (one query per
type and batch), so a record may refer to a record on an earlier line or from an earlier import.

The whole import is one transaction: a dry run, or a file with a refused record when the caller
did not ask to import the valid ones, is rolled back and has written nothing.
"""

from __future__ import annotations

import hashlib
import json
from collections import defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from itertools import islice

from django.apps import apps
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from audit.control import reevaluation
from audit.control.services import rule_run_start
from audit.recording import context
from audit.recording.log import record_change
from cases.models import Role, Staff
from cases.permissions import require_role

from .models import ImportBatch, ImportedRecord
from .record_types import RECORD_TYPES, BadValue, RecordType, parse_values

DEFAULT_BATCH_SIZE = 2000
MAX_REPORTED = 1000  # refusals listed in full; beyond this only counted
MAX_EXTERNAL_ID = 100


@dataclass(frozen=True)
class Refusal:
    line: int
    external_id: str
    type: str
    field: str
    code: str
    message: str

    def as_text(self) -> str:
        what = f" ({self.external_id}, {self.type})" if self.external_id else ""
        return f"rad {self.line}{what}: {self.field}: {self.message}"


@dataclass
class ImportResult:
    source: str
    dry_run: bool
    accept_valid: bool
    lines: int = 0
    counts: dict = field(default_factory=lambda: defaultdict(lambda: defaultdict(int)))
    refusals: list[Refusal] = field(default_factory=list)
    refused: int = 0
    written: bool = False
    batch_id: int | None = None

    def refuse(self, refusal: Refusal) -> None:
        if len(self.refusals) < MAX_REPORTED:
            self.refusals.append(refusal)

    def as_dict(self) -> dict:
        return {
            "source": self.source, "dry_run": self.dry_run, "accept_valid": self.accept_valid, "lines": self.lines,
            "written": self.written, "batch": self.batch_id, "refused": self.refused,
            "counts": {kind: dict(c) for kind, c in self.counts.items()},
            "refusals": [r.__dict__ for r in self.refusals],
            "refusals_not_listed": max(0, self.refused - len(self.refusals)),
        }


@dataclass
class _Record:
    line: int
    type: RecordType
    external_id: str
    data: dict


def _validation_refusals(line: int, external_id: str, kind: str, exc: ValidationError) -> list[Refusal]:
    if not hasattr(exc, "error_dict"):
        return [Refusal(line, external_id, kind, "__all__", e.code or "invalid", " ".join(e.messages))
                for e in exc.error_list]
    return [Refusal(line, external_id, kind, name, e.code or "invalid", " ".join(e.messages))
            for name, errors in exc.error_dict.items() for e in errors]


class _Run:
    def __init__(self, *, actor: Staff, source: str, result: ImportResult, batch: ImportBatch):
        self.actor, self.source, self.result, self.batch = actor, source, result, batch
        self.refused_keys: set[tuple[str, str]] = set()  # refused records, so a later duplicate is named
        self.content_types = {kind: ContentType.objects.get_for_model(apps.get_model(t.model))
                              for kind, t in RECORD_TYPES.items()}

    # -- one line -----------------------------------------------------------------------------

    def refuse(self, line: int, external_id: str, kind: str, field_name: str, code: str, message: str) -> None:
        self.refuse_all([Refusal(line, external_id, kind, field_name, code, message)])

    def refuse_all(self, refusals: list[Refusal]) -> None:
        if not refusals:
            return
        first = refusals[0]
        self.result.refused += 1
        self.result.counts[first.type or "okänd"]["refused"] += 1
        if first.type and first.external_id:
            self.refused_keys.add((first.type, first.external_id))
        for refusal in refusals:
            self.result.refuse(refusal)

    def parse(self, line: int, raw: bytes | str) -> _Record | None:
        text = raw.decode("utf-8") if isinstance(raw, bytes) else raw
        if not text.strip():
            return None
        try:
            data = json.loads(text)
        except (json.JSONDecodeError, UnicodeDecodeError):
            self.refuse(line, "", "", "__line__", "invalid_json", "Raden är inte ett JSON-objekt.")
            return None
        if not isinstance(data, dict):
            self.refuse(line, "", "", "__line__", "invalid_json", "Raden är inte ett JSON-objekt.")
            return None
        external_id = data.pop("external_id", None)
        external_id = str(external_id).strip() if isinstance(external_id, (str, int)) else ""
        kind = data.pop("type", None)
        record_type = RECORD_TYPES.get(kind) if isinstance(kind, str) else None
        if record_type is None:
            self.refuse(line, external_id, "", "type", "unknown_code",
                        f"Okänd posttyp: {kind!r}. Posttyper: {', '.join(RECORD_TYPES)}.")
            return None
        if not external_id or len(external_id) > MAX_EXTERNAL_ID:
            self.refuse(line, external_id[:MAX_EXTERNAL_ID], kind, "external_id", "required",
                        f"Varje post ska ha ett id från källsystemet (högst {MAX_EXTERNAL_ID} tecken).")
            return None
        unknown = sorted(set(data) - record_type.fields)
        if unknown:
            self.refuse(line, external_id, kind, unknown[0], "unknown_field", "Okänt fält för posttypen.")
            return None
        try:
            data = parse_values(data)
        except BadValue as exc:
            self.refuse(line, external_id, kind, exc.path, exc.code, exc.message)
            return None
        return _Record(line, record_type, external_id, data)

    # -- one batch ----------------------------------------------------------------------------

    def run_batch(self, lines: list[tuple[int, bytes | str]]) -> None:
        records = [r for r in (self.parse(n, raw) for n, raw in lines) if r is not None]
        records = self._drop_duplicates_and_known(records)
        for kind in RECORD_TYPES:
            of_kind = [r for r in records if r.type.kind == kind]
            if of_kind:
                self._write(of_kind)

    def _drop_duplicates_and_known(self, records: list[_Record]) -> list[_Record]:
        by_kind = defaultdict(set)
        for r in records:
            by_kind[r.type.kind].add(r.external_id)
        known = {}
        for kind, ids in by_kind.items():
            for rec in ImportedRecord.objects.filter(source=self.source, kind=kind, external_id__in=ids).only(
                    "kind", "external_id", "batch_id"):
                known[(rec.kind, rec.external_id)] = rec.batch_id
        keep, seen = [], set()
        for r in records:
            key = (r.type.kind, r.external_id)
            if key in seen or key in self.refused_keys or known.get(key) == self.batch.pk:
                self.refuse(r.line, r.external_id, r.type.kind, "external_id", "duplicate",
                            "Samma id förekommer redan på en tidigare rad i filen.")
                continue
            seen.add(key)
            if key in known:
                self.result.counts[r.type.kind]["unchanged"] += 1
                continue
            keep.append(r)
        return keep

    def _resolve(self, records: list[_Record]) -> list[tuple[_Record, dict]]:
        """Each record's data with its references replaced by row ids (`person` -> `person_id`)."""
        wanted = defaultdict(set)
        for r in records:
            for ref in r.type.references:
                for holder in self._holders(r.data, ref):
                    if isinstance(holder.get(ref.field), (str, int)):
                        wanted[ref.kind].add(str(holder[ref.field]))
        found = {}
        for kind, ids in wanted.items():
            for rec in ImportedRecord.objects.filter(source=self.source, kind=kind, external_id__in=ids).only(
                    "kind", "external_id", "object_id", "batch_id", "line"):
                found[(kind, rec.external_id)] = rec
        resolved = []
        for r in records:
            problems = []
            data = r.data
            for ref in r.type.references:
                for index, holder in enumerate(self._holders(data, ref)):
                    name = f"{ref.list_name}[{index}].{ref.field}" if ref.list_name else ref.field
                    value = holder.pop(ref.field, None)
                    if value in (None, ""):
                        if ref.required:
                            problems.append((name, "required", f"Ange id för {RECORD_TYPES[ref.kind].label}."))
                        continue
                    rec = found.get((ref.kind, str(value)))
                    if rec is None or (rec.batch_id == self.batch.pk and rec.line > r.line):
                        problems.append((name, "not_found", (
                            f"{RECORD_TYPES[ref.kind].label.capitalize()} {value!r} finns inte på en tidigare rad "
                            "i filen eller bland tidigare importerade (eller avvisades).")))
                        continue
                    holder[f"{ref.field}_id"] = rec.object_id
            if problems:
                self.refuse_all([Refusal(r.line, r.external_id, r.type.kind, n, c, m) for n, c, m in problems])
            else:
                resolved.append((r, data))
        return resolved

    @staticmethod
    def _holders(data: dict, ref) -> list[dict]:
        if ref.list_name is None:
            return [data]
        items = data.get(ref.list_name)
        return [i for i in items if isinstance(i, dict)] if isinstance(items, list) else []

    def _write(self, records: list[_Record]) -> None:
        resolved = self._resolve(records)
        if not resolved:
            return
        record_type = resolved[0][0].type
        provenance = [{"source": self.source, "external_id": r.external_id, "line": r.line} for r, _ in resolved]
        outcome = record_type.service(actor=self.actor, specs=[d for _, d in resolved], provenance=provenance)
        rows = []
        for index, (r, _) in enumerate(resolved):
            if index in outcome.errors:
                self.refuse_all(_validation_refusals(r.line, r.external_id, r.type.kind, outcome.errors[index]))
                continue
            obj = outcome.objects[index]
            linked = index in outcome.linked
            self.result.counts[r.type.kind]["linked" if linked else "created"] += 1
            rows.append(ImportedRecord(batch=self.batch, line=r.line, source=self.source, kind=r.type.kind,
                                       external_id=r.external_id, content_type=self.content_types[r.type.kind],
                                       object_id=obj.pk, linked=linked))
        ImportedRecord.objects.bulk_create(rows, batch_size=1000)


def _numbered(lines: Iterable[bytes | str], hasher) -> Iterator[tuple[int, bytes | str]]:
    for number, raw in enumerate(lines, start=1):
        hasher.update(raw if isinstance(raw, bytes) else raw.encode("utf-8"))
        yield number, raw


def import_records(
    *,
    actor: Staff,
    lines: Iterable[bytes | str],
    source: str,
    file_name: str = "",
    dry_run: bool = False,
    accept_valid: bool = False,
    batch_size: int = DEFAULT_BATCH_SIZE,
) -> ImportResult:
    """Import a JSON Lines file of records from `source`. Writes nothing on a dry run, or when a record
    is refused and `accept_valid` is not set; a record already imported from `source` is left as it is."""
    require_role(actor, {Role.ADMINISTRATOR}, doing="importera poster från ett tidigare verksamhetssystem")
    source = (source or "").strip()
    if not source or len(source) > 100:
        raise ValidationError({"source": ValidationError("Ange källsystemets namn (högst 100 tecken).",
                                                         code="required")})
    result = ImportResult(source=source, dry_run=dry_run, accept_valid=accept_valid)
    hasher = hashlib.sha256()
    # One rule run after the import instead of a re-check per imported row (reevaluation.py).
    with reevaluation.paused(), transaction.atomic():
        batch = ImportBatch.objects.create(source=source, file_name=file_name[:255], started_by=actor,
                                           started_at=timezone.now(), channel=context.current().channel,
                                           accept_valid=accept_valid)
        run = _Run(actor=actor, source=source, result=result, batch=batch)
        numbered = _numbered(lines, hasher)
        while chunk := list(islice(numbered, batch_size)):
            result.lines = chunk[-1][0]
            run.run_batch(chunk)
        new = sum(c.get("created", 0) + c.get("linked", 0) for c in result.counts.values())
        if dry_run or (result.refused and not accept_valid) or not new:
            # Nothing new (the same file again) writes nothing either, not even the batch.
            transaction.set_rollback(True)
            return result
        batch.finished_at, batch.file_sha256 = timezone.now(), hasher.hexdigest()
        batch.counts = {kind: dict(c) for kind, c in result.counts.items()}
        batch.save(update_fields=["finished_at", "file_sha256", "counts"])
        record_change(actor=actor, action="import.batch", instance=batch,
                      after={"source": source, "file": batch.file_name, "sha256": batch.file_sha256,
                             "lines": result.lines, "counts": batch.counts, "refused": result.refused})
        # The imported plans, cases and decisions are measured at once, not at the next night's run.
        rule_run_start(actor=actor)
    result.written, result.batch_id = True, batch.pk
    return result
