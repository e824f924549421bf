"""Rule family: the access log itself (loggkontroll; DOMAIN.md 7: every read logged, logs reviewed
systematically; OSL 26 kap. 1 §).

l01: the hash chain over the access log and change events is broken (the nightly verification
found a row altered, removed or inserted out of order). One flag per break, for the administrator.
"""

from __future__ import annotations

from django.db.models import Exists, OuterRef, Subquery, Value

from audit.control.models import Severity
from audit.control.rules.base import PERSON, RESPONSIBLE, UNIT, FunctionRule, register
from audit.control.rules.common import ID
from audit.recording.models import ChainVerification
from cases.models import Role, Staff


def administrator():
    """The flag's owner for findings about the log as a whole: the first active administrator."""
    return Subquery(
        Staff.objects.filter(role=Role.ADMINISTRATOR, is_active=True).order_by("pk").values("pk")[:1],
        output_field=ID,
    )


def _chain_breaks(*, as_of, params):
    # A break stays until someone repairs it, so every nightly verification finds it again: only
    # the first verification of each break is a finding, and its flag stays until closed.
    earlier = ChainVerification.objects.filter(
        intact=False,
        broken_table=OuterRef("broken_table"),
        broken_seq=OuterRef("broken_seq"),
        reason=OuterRef("reason"),
        pk__lt=OuterRef("pk"),
    )
    return (
        ChainVerification.objects.filter(intact=False, checked_at__date__lte=as_of)
        .exclude(Exists(earlier))
        .annotate(**{PERSON: Value(None, output_field=ID), RESPONSIBLE: administrator(), UNIT: Value(None, output_field=ID)})
    )


CHAIN_BROKEN = register(
    FunctionRule(
        code="l01_audit_chain_broken",
        title="Loggens hashkedja är bruten: en loggpost har ändrats, tagits bort eller lagts in i fel ordning",
        source="DOMAIN.md 7 (OSL 26 kap. 1 §: varje läsning loggas och loggen kontrolleras)",
        description=(
            "Den nattliga kontrollen av åtkomstloggen och ändringshändelserna fann en rad vars innehåll "
            "eller plats i kedjan inte stämmer. Utred vem som ändrat loggen och återställ den från säkerhetskopia."
        ),
        severity=Severity.HIGH,
        subject_model="audit.ChainVerification",
        facts=("checked_at", "broken_table", "broken_id", "broken_seq", "reason"),
        find=_chain_breaks,
    )
)
