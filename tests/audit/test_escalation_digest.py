"""Unattended flags go to the unit manager; staff get one digest e-mail a day."""

import datetime

from django.core import mail
from django.utils import timezone

from audit import digest, services
from audit.control_models import FlagStatus, Rule
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
