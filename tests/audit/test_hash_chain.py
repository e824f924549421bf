"""The hash chain over the access log and change events (PostgreSQL): every row linked in the
same transaction, and `verify_audit_chain` names the first row altered, removed or inserted out
of order. Tampering is done as the owner role with the append-only triggers switched off, which
is what it would take."""

from __future__ import annotations

import datetime
import threading

import pytest
from django.core import mail
from django.core.management import call_command
from django.db import connection, connections

from audit.control.chain_services import chain_nightly_check
from audit.control.models import Flag
from audit.models import AccessLogEntry, ChainVerification, ChangeEvent
from audit.recording import chain
from audit.recording.log import Change, record_access, record_changes
from cases.models import Role
from tests.factories.cases import StaffFactory

pytestmark = [
    pytest.mark.postgresql,
    pytest.mark.skipif(connection.vendor != "postgresql", reason="the hash chain is built by PostgreSQL triggers"),
]


def _write(actor, n=3):
    record_access(actor=actor, action="read", object_type="cases.applicant", subjects=[(i, i) for i in range(1, n + 1)])
    record_changes(
        actor=actor, action="applicant.update",
        changes=[Change(actor, [i], {"city": "A", "n": 1.5}, {"city": "B", "n": 1e30}) for i in range(1, n + 1)],
    )


def _links():
    rows = [*AccessLogEntry.objects.values("chain_seq", "prev_hash", "row_hash"),
            *ChangeEvent.objects.values("chain_seq", "prev_hash", "row_hash")]
    return sorted(rows, key=lambda r: r["chain_seq"])


def _sql(*statements):
    with connection.cursor() as cursor:
        for statement in statements:
            cursor.execute(statement)


def _unprotected(*statements):
    _sql(*(f"ALTER TABLE {t} DISABLE TRIGGER USER" for t in chain.LOG_TABLES), *statements,
         *(f"ALTER TABLE {t} ENABLE TRIGGER USER" for t in chain.LOG_TABLES))


def _verify_command(**options):
    with pytest.raises(SystemExit) as exit_info:
        call_command("verify_audit_chain", **options)
    return exit_info.value.code


@pytest.fixture
def actor(db):
    return StaffFactory(role=Role.CASEWORKER)


def test_every_row_is_linked_to_the_one_before_across_both_tables(actor):
    _write(actor)
    links = _links()
    assert [r["chain_seq"] for r in links] == list(range(1, 10))  # 3 reads, 3 change events, their 3 access rows
    assert links[0]["prev_hash"] == chain.GENESIS
    assert all(b["prev_hash"] == a["row_hash"] for a, b in zip(links, links[1:], strict=False))
    result = chain.verify()
    assert result.intact and result.rows_checked == 9 and result.last_hash == links[-1]["row_hash"]


def test_verify_exits_zero_when_intact(actor, capsys):
    _write(actor)
    call_command("verify_audit_chain")
    assert "Hashkedjan är hel: 9 rader" in capsys.readouterr().out


def test_an_altered_row_is_named(actor, as_owner_role, capsys):
    _write(actor)
    target = AccessLogEntry.objects.order_by("chain_seq")[1]
    _unprotected(f"UPDATE audit_accesslogentry SET person_id = 999 WHERE id = {target.pk}")
    assert _verify_command() == 1
    err = capsys.readouterr().err
    assert f"audit_accesslogentry id {target.pk} (löpnummer {target.chain_seq}): radens innehåll har ändrats" in err


def test_an_altered_change_event_is_named_even_in_its_json(actor, as_owner_role, capsys):
    _write(actor)
    target = ChangeEvent.objects.order_by("chain_seq")[2]
    _unprotected(f"""UPDATE audit_changeevent SET changes = '{{"city": ["A", "C"]}}' WHERE id = {target.pk}""")
    assert _verify_command() == 1
    assert f"audit_changeevent id {target.pk}" in capsys.readouterr().err


def test_a_removed_row_is_named_by_the_row_after_it(actor, as_owner_role, capsys):
    _write(actor)
    links = AccessLogEntry.objects.order_by("chain_seq")
    removed, after = links[0], links[1]
    _unprotected(f"DELETE FROM audit_accesslogentry WHERE id = {removed.pk}")
    assert _verify_command() == 1
    err = capsys.readouterr().err
    assert f"audit_accesslogentry id {after.pk} (löpnummer {after.chain_seq}): rader saknas före raden" in err


def test_removing_the_last_rows_is_seen_at_the_chain_head(actor, as_owner_role):
    _write(actor)
    last = ChangeEvent.objects.order_by("-chain_seq").first() or AccessLogEntry.objects.order_by("-chain_seq").first()
    top = max(AccessLogEntry.objects.order_by("-chain_seq").first().chain_seq, last.chain_seq)
    _unprotected(f"DELETE FROM audit_accesslogentry WHERE chain_seq = {top}", f"DELETE FROM audit_changeevent WHERE chain_seq = {top}")
    result = chain.verify()
    assert not result.intact and result.broken_table == "audit_chainhead" and "borttagna i slutet" in result.reason


def test_a_row_inserted_out_of_order_is_named(actor, as_owner_role, capsys):
    _write(actor)
    first = AccessLogEntry.objects.order_by("chain_seq").first()
    # A forged row put after the first link, with a hash that is right for its own content.
    _unprotected(
        "INSERT INTO audit_changeevent (occurred_at, actor_username, action, object_type, object_id, person_id, "
        "changes, channel, chain_seq, prev_hash, row_hash) VALUES (now(), 'x', 'forged', 'cases.applicant', '1', 1, "
        f"'{{}}', 'api', {first.chain_seq + 1}, '{first.row_hash}', '')",
        "UPDATE audit_changeevent t SET row_hash = audit_changeevent_hash(t) WHERE action = 'forged'",
    )
    forged = ChangeEvent.objects.get(action="forged")
    assert _verify_command() == 1
    err = capsys.readouterr().err
    assert f"audit_changeevent id {forged.pk} (löpnummer {first.chain_seq + 1}): två rader har samma plats" in err


def test_a_rewritten_chain_is_caught_by_the_anchor_written_outside(actor, as_owner_role, tmp_path):
    _write(actor)
    assert chain_nightly_check() is True  # no folder configured: nothing written
    result = chain.verify()
    chain.write_anchor(directory=tmp_path, date=datetime.date(2026, 1, 1), verification=result)
    # Someone with the owner's rights alters a row and recomputes every hash after it.
    target = AccessLogEntry.objects.order_by("chain_seq").first()
    _unprotected(
        f"UPDATE audit_accesslogentry SET person_id = 999 WHERE id = {target.pk}",
        "UPDATE audit_accesslogentry SET chain_seq = NULL", "UPDATE audit_changeevent SET chain_seq = NULL",
        "DELETE FROM audit_chainhead", chain._LINK_EXISTING,
    )
    assert chain.verify().intact  # the chain alone looks fine again ...
    result = chain.verify(anchors_dir=tmp_path)
    assert not result.intact and "ankaret från 2026-01-01" in result.reason  # ... the anchor does not


def test_the_nightly_check_opens_one_flag_for_the_administrator_and_writes_the_anchor(actor, settings, tmp_path):
    settings.AUDIT_CHAIN_ANCHOR_DIR = str(tmp_path)
    settings.AUDIT_CHAIN_ANCHOR_EMAILS = ["logg@kommun.example"]
    admin = StaffFactory(role=Role.ADMINISTRATOR, unit=None)
    _write(actor)
    assert chain_nightly_check() is True
    (anchor,) = chain.read_anchors(tmp_path)
    assert anchor["seq"] == 9 and anchor["intact"] is True
    assert len(mail.outbox) == 1 and anchor["hash"] in mail.outbox[0].body
    assert chain_nightly_check() is True  # the same day again: no second file, no second mail
    assert len(chain.read_anchors(tmp_path)) == 1 and len(mail.outbox) == 1
    assert not Flag.objects.exists()

    with connection.cursor() as cursor:
        cursor.execute("RESET ROLE")  # tamper as the owner (the app role could not)
    target = AccessLogEntry.objects.order_by("chain_seq").first()
    _unprotected(f"UPDATE audit_accesslogentry SET object_id = 'x' WHERE id = {target.pk}")
    assert chain_nightly_check() is False
    assert chain_nightly_check() is False  # the same break found again: still one flag
    flag = Flag.objects.get(rule__code="l01_audit_chain_broken")
    assert flag.responsible == admin and flag.person_id is None
    assert flag.facts["broken_id"] == target.pk and flag.facts["broken_table"] == "audit_accesslogentry"
    assert ChainVerification.objects.filter(intact=False).count() == 2


def test_concurrent_writers_never_fork_the_chain(transactional_db):
    actors = [StaffFactory(role=Role.CASEWORKER) for _ in range(4)]
    errors = []

    def work(actor):
        try:
            for _ in range(10):
                _write(actor, n=2)
        except Exception as exc:  # noqa: BLE001 - reported below
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=work, args=(a,)) for a in actors]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    assert [r["chain_seq"] for r in _links()] == list(range(1, 4 * 10 * 6 + 1))
    assert chain.verify().intact
