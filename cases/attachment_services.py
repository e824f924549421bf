"""Adding, withdrawing and handing out bilagor.

A file is accepted only when its content is one of the accepted types and within the size bound
(cases/attachment_rules.py); it is stored under a name of the service's own (never the sender's)
with its SHA-256, which is checked again whenever it is handed out. Nothing is written when
anything is refused: the file is stored only after every check, and removed again if its row
cannot be saved.
"""

from __future__ import annotations

import hashlib
import logging
import posixpath
import uuid

from django.core.files.storage import storages
from django.db import transaction
from django.utils import timezone

from audit.recording.log import record_change, snapshot
from config.errors import Conflict, DomainError
from config.errors import field_error as _field_error

from . import attachment_rules as rules
from .attachment_selectors import attachment_person_ids, attachments_for
from .finance_selectors import applications_for
from .journal_selectors import journal_entries_for
from .models import Attachment, Case, Role, Staff
from .permissions import require_role
from .selectors import cases_for

logger = logging.getLogger(__name__)

# Who adds attachments: those who write in the case's file, the caseworkers of its unit and the
# coordinators of its persons (as for the journal, DOMAIN.md 8). Unit managers read them.
ATTACHMENT_WRITERS = frozenset({Role.CASEWORKER, Role.COORDINATOR})
ATTACHMENT_READERS = frozenset({Role.CASEWORKER, Role.COORDINATOR, Role.UNIT_MANAGER})
ATTACHMENT_FIELDS = ("case_id", "journal_entry_id", "application_id", "description", "file_name", "content_type",
                     "size", "sha256", "uploaded_by_id", "uploaded_at")
CHUNK = 64 * 1024


class AttachmentDamaged(DomainError):
    """The stored file is missing or no longer matches the checksum recorded when it was added."""

    status = 500
    code = "attachment_damaged"


def attachment_storage():
    return storages[rules.ATTACHMENT_STORAGE]


def _sha256(file) -> str:
    digest = hashlib.sha256()
    file.seek(0)
    for chunk in iter(lambda: file.read(CHUNK), b""):
        digest.update(chunk)
    file.seek(0)
    return digest.hexdigest()


def _file_name(name: str | None, kind: rules.AttachmentType) -> str:
    """The sender's file name, only as a label: no folders, no control characters, bounded."""
    base = posixpath.basename((name or "").replace("\\", "/"))
    base = "".join(ch for ch in base if ch.isprintable()).strip() or f"bilaga.{kind.extension}"
    return base[-rules.FILE_NAME_MAX_LENGTH:]


def _check_file(file) -> rules.AttachmentType:
    if file is None:
        raise _field_error("file", "Välj en fil att bifoga.", "required")
    size = file.size
    if not size:
        raise _field_error("file", "Filen är tom.", "empty")
    limit = rules.attachment_max_bytes()
    if size > limit:
        raise _field_error("file", f"Filen är {rules.size_text(size)}; en bilaga får vara högst "
                                   f"{rules.size_text(limit)}.", "too_large")
    kind = rules.detect_type(file)
    if kind is None:
        raise _field_error("file", f"Filen är inte av en tillåten typ. Tillåtna typer: {rules.accepted_types_text()}.",
                           "type_not_allowed")
    return kind


# Room in a multipart body for the other fields and the part headers around the file.
MULTIPART_OVERHEAD_BYTES = 64 * 1024


class AttachmentTooLarge(DomainError):
    status = 413
    code = "too_large"


def refuse_oversized_body(content_length) -> None:
    """Refuse an upload whose body is larger than any accepted file could make it, before it is
    read (Django bounds form bodies, DATA_UPLOAD_MAX_MEMORY_SIZE, but not the files in them)."""
    try:
        length = int(content_length or 0)
    except ValueError:
        return
    limit = rules.attachment_max_bytes()
    if length > limit + MULTIPART_OVERHEAD_BYTES:
        raise AttachmentTooLarge(f"Filen är för stor; en bilaga får vara högst {rules.size_text(limit)}.",
                                 field="file")


@transaction.atomic
def attachment_upload(*, actor: Staff, case: Case | int, file, description: str, journal_entry: int | None = None,
                      application: int | None = None) -> Attachment:
    """Add one file to a case, optionally to one of its journal entries or applications. Everything
    it is added to must be in the actor's scope."""
    require_role(actor, ATTACHMENT_WRITERS, doing="lägga till bilagor")
    case_id = case.pk if isinstance(case, Case) else case
    case = cases_for(actor).select_related("household").filter(pk=case_id).first()
    if case is None:
        raise _field_error("case", "Ärendet finns inte eller ligger utanför din behörighet.", "not_found")
    if journal_entry is not None and application is not None:
        raise _field_error("application", "En bilaga hör till en journalanteckning eller en ansökan, inte båda.",
                           "one_parent")
    if journal_entry is not None:
        entry = journal_entries_for(actor).filter(pk=journal_entry).values_list("case_id", flat=True).first()
        if entry is None:
            raise _field_error("journal_entry", "Journalanteckningen finns inte eller ligger utanför din behörighet.",
                               "not_found")
        if entry != case.pk:
            raise _field_error("journal_entry", "Journalanteckningen hör till ett annat ärende.", "other_case")
    if application is not None:
        owner = applications_for(actor).filter(pk=application).values_list("case_id", flat=True).first()
        if owner is None:
            raise _field_error("application", "Ansökan finns inte eller ligger utanför din behörighet.", "not_found")
        if owner != case.pk:
            raise _field_error("application", "Ansökan hör till ett annat ärende.", "other_case")
    description = (description or "").strip()
    if not description:
        raise _field_error("description", "Skriv vad bilagan är.", "required")
    kind = _check_file(file)
    attachment = Attachment(
        case=case, journal_entry_id=journal_entry, application_id=application, description=description,
        file_name=_file_name(getattr(file, "name", ""), kind), content_type=kind.mime, size=file.size,
        sha256=_sha256(file), uploaded_by=actor, uploaded_at=timezone.now(),
        stored_as=f"{case.pk}/{uuid.uuid4().hex}.{kind.extension}",
    )
    attachment.full_clean(exclude=["stored_as"])
    storage = attachment_storage()
    attachment.stored_as = storage.save(attachment.stored_as, file)
    try:
        with transaction.atomic():
            attachment.save()
            record_change(actor=actor, action="attachment.create", instance=attachment,
                          person_ids=attachment_person_ids(attachment) or [None],
                          after=snapshot(attachment, ATTACHMENT_FIELDS))
    except Exception:
        storage.delete(attachment.stored_as)
        raise
    return attachment


@transaction.atomic
def attachment_withdraw(*, actor: Staff, attachment: Attachment | int, reason: str) -> Attachment:
    """Mark a wrong attachment withdrawn, with the reason. It stays in the file and readable."""
    require_role(actor, ATTACHMENT_WRITERS, doing="återkalla bilagor")
    pk = attachment.pk if isinstance(attachment, Attachment) else attachment
    found = attachments_for(actor).select_for_update(of=("self",)).filter(pk=pk).first()
    if found is None:
        raise _field_error("attachment", "Bilagan finns inte eller ligger utanför din behörighet.", "not_found")
    reason = (reason or "").strip()
    if not reason:
        raise _field_error("reason", "Skriv varför bilagan återkallas.", "required")
    if found.is_withdrawn:
        raise Conflict("Bilagan är redan återkallad.", code="already_withdrawn", field="attachment")
    found.withdrawn_at, found.withdrawn_by, found.withdrawal_reason = timezone.now(), actor, reason
    found.full_clean()
    found.save(update_fields=["withdrawn_at", "withdrawn_by", "withdrawal_reason", "updated_at"])
    record_change(actor=actor, action="attachment.withdraw", instance=found,
                  person_ids=attachment_person_ids(found) or [None],
                  before={"withdrawn_at": None, "withdrawal_reason": ""},
                  after={"withdrawn_at": found.withdrawn_at.isoformat(), "withdrawal_reason": reason})
    return found


def attachment_content(attachment: Attachment) -> bytes:
    """The stored file, after checking it against the checksum recorded when it was added; a
    missing or altered file is never handed out (and is reported to the log for the operators)."""
    try:
        with attachment_storage().open(attachment.stored_as, "rb") as stored:
            content = stored.read(attachment.size + 1)
    except FileNotFoundError:
        content = None
    if content is None or len(content) != attachment.size or hashlib.sha256(content).hexdigest() != attachment.sha256:
        logger.error("attachment %s: stored file missing or not matching its SHA-256", attachment.pk)
        raise AttachmentDamaged("Filen kan inte lämnas ut: den stämmer inte med kontrollsumman som sparades när "
                                "den lades till. Kontakta systemförvaltningen.")
    return content
