"""Unattended flags go to the unit manager; staff get one digest e-mail a day."""

import datetime

import pytest
from django.core import mail
from django.db import IntegrityError, transaction
from django.utils import timezone

from audit.control import digest, services
from audit.control.models import DigestDelivery, FlagStatus, Rule
from tests.factories.audit import FlagFactory


def test_unattended_flag_escalates_after_the_rules_days_not_before(caseworker, unit_manager):
    today = timezone.localdate()
    flag = FlagFactory(responsible=caseworker)
    Rule.objects.filter(pk=flag.rule_id).update(escalate_after_days=14)
    on_limit = FlagFactory(responsible=caseworker, rule=flag.rule, first_seen=today - datetime.timedelta(days=14))
    day_before = FlagFactory(responsible=caseworker, rule=flag.rule, first_seen=today - datetime.timedelta(days=13))
    handled = FlagFactory(
        responsible=caseworker, rule=flag.rule, first_seen=today - datetime.timedelta(days=30),
        status=FlagStatus.ACKNOWLEDGED,
    )

    assert services.flags_escalate() == 1
    on_limit.refresh_from_db()
    assert on_limit.escalated_to == unit_manager and on_limit.escalated_at is not None
    assert on_limit.transitions.get().event == "escalated"
    for other in (day_before, handled):
        other.refresh_from_db()
        assert other.escalated_at is None
    assert services.flags_escalate() == 0  # idempotent


def test_digest_one_mail_per_staff_member_without_personal_data(caseworker, unit_manager):
    caseworker.email, unit_manager.email = "hl@kommun.example", "ec@kommun.example"
    caseworker.save(update_fields=["email"])
    unit_manager.save(update_fields=["email"])
    flags = FlagFactory.create_batch(2, responsible=caseworker)
    old = FlagFactory(responsible=caseworker, first_seen=timezone.localdate() - datetime.timedelta(days=20))
    services.flags_escalate()

    assert digest.send_digests() == 2
    by_recipient = {m.to[0]: m for m in mail.outbox}
    assert "2 nya" not in by_recipient["ec@kommun.example"].subject
    assert f"#{old.pk}" in by_recipient["ec@kommun.example"].body
    body = by_recipient["hl@kommun.example"].body
    assert all(f"#{f.pk}" in body for f in flags)
    assert flags[0].person.last_name not in body and flags[0].person.personal_identity_number not in body


def _with_email(*staff):
    for i, member in enumerate(staff):
        member.email = f"s{i}@kommun.example"
        member.save(update_fields=["email"])


def test_digest_rerun_the_same_day_sends_nothing_and_records_what_was_sent(caseworker, unit_manager):
    _with_email(caseworker)
    flags = FlagFactory.create_batch(2, responsible=caseworker)

    assert digest.send_digests() == 1
    assert digest.send_digests() == 0  # a Celery retry or a second beat the same day
    assert len(mail.outbox) == 1
    delivery = DigestDelivery.objects.get()
    assert delivery.staff == caseworker and delivery.digest_date == timezone.localdate()
    assert sorted(delivery.new_flag_ids) == sorted(f.pk for f in flags) and delivery.escalated_flag_ids == []

    # The next day's digest is a new one.
    tomorrow = timezone.now() + datetime.timedelta(days=1)
    later = FlagFactory(responsible=caseworker)
    type(later).objects.filter(pk=later.pk).update(created_at=tomorrow - datetime.timedelta(hours=1))
    assert digest.send_digests(now=tomorrow) == 1
    assert len(mail.outbox) == 2 and DigestDelivery.objects.count() == 2


def test_digest_send_failure_records_nothing_so_the_retry_sends_it(caseworker, monkeypatch):
    _with_email(caseworker)
    FlagFactory(responsible=caseworker)

    def refuse(self, messages):
        raise ConnectionError("SMTP-servern svarar inte")

    monkeypatch.setattr("django.core.mail.backends.locmem.EmailBackend.send_messages", refuse)
    with pytest.raises(ConnectionError):
        digest.send_digests()
    assert DigestDelivery.objects.count() == 0 and len(mail.outbox) == 0
    monkeypatch.undo()

    assert digest.send_digests() == 1 and len(mail.outbox) == 1


def test_one_digest_per_staff_and_day_is_a_database_constraint(caseworker):
    DigestDelivery.objects.create(staff=caseworker, digest_date=timezone.localdate(), sent_at=timezone.now())
    with pytest.raises(IntegrityError), transaction.atomic():
        DigestDelivery.objects.create(staff=caseworker, digest_date=timezone.localdate(), sent_at=timezone.now())
