"""Rule family: corrective actions themselves (DOMAIN.md 4: findings become actions that are followed up)."""

from __future__ import annotations

from django.db.models import F
from django.db.models.functions import Coalesce

from audit import sources
from audit.control.models import ActionStatus, CorrectiveAction, OwnerBasis, Severity
from audit.control.rules.base import FunctionRule, register
from audit.control.rules.common import ID
from audit.control.rules.ownership import owned


def _overdue_actions(*, as_of, params):
    # Due "by" the due date: overdue from the day after it.
    qs = CorrectiveAction.objects.filter(status=ActionStatus.PLANNED, due_date__lt=as_of)
    person = Coalesce(F("flag__person_id"), F("sample_answer__item__person_id"), output_field=ID)
    return owned(qs, as_of=as_of, person=person, action_owner="owner_id")


def _open_actions(*, as_of, params):
    return CorrectiveAction.objects.filter(status=ActionStatus.PLANNED)


ACTION_OVERDUE = register(
    FunctionRule(
        code="r12_action_overdue",
        # DOMAIN.md 4 (004:89-90: findings become actions that are documented and followed up).
        title="Åtgärd har passerat sitt slutdatum utan att vara genomförd",
        source=sources.audit("1", "4"),
        description="En planerad åtgärd vars datum 'klar senast' har passerat.",
        what_to_do="Genomför åtgärden och avsluta den med resultatet, eller följ upp den och skriv varför den dröjer.",
        closes_when="När åtgärden avslutas med ett resultat.",
        severity=Severity.HIGH,
        subject_model="audit.CorrectiveAction",
        reads=("audit.correctiveaction",),
        subject_person="flag__person",
        facts=("due_date", "flag_id"),
        owners=(OwnerBasis.ACTION_OWNER,),
        find=_overdue_actions,
        examine=_open_actions,
    )
)
