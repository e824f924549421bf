"""Every plan belongs to the case it was made in: fill `case` on existing plans.

From then on planning.services.plan_create sets it (the person's open case). For rows made before,
the case is taken, in this order, from: the plan maker's coordinator assignment for the person
covering the plan's date; any coordinator assignment for the person covering that date; a case
of a household the person belonged to, open on that date; the person's latest case. Set-based:
one UPDATE per step, each only on the plans still without a case.
"""

from django.db import migrations
from django.db.models import OuterRef, Q, Subquery


def backfill(apps, schema_editor):
    Plan = apps.get_model("planning", "ImplementationPlan")
    Assignment = apps.get_model("cases", "CoordinatorAssignment")
    Case = apps.get_model("cases", "Case")

    covering = Assignment.objects.filter(
        applicant_id=OuterRef("applicant_id"), start_date__lte=OuterRef("made_on"),
    ).filter(Q(end_date__isnull=True) | Q(end_date__gte=OuterRef("made_on"))).order_by("-start_date", "-pk")
    member_cases = Case.objects.filter(
        household__members__applicant_id=OuterRef("applicant_id"),
    ).order_by("-opened_on", "-pk")
    open_on_date = member_cases.filter(opened_on__lte=OuterRef("made_on")).filter(
        Q(closed_on__isnull=True) | Q(closed_on__gte=OuterRef("made_on"))
    )
    steps = [
        covering.filter(coordinator_id=OuterRef("created_by_id")).values("case_id")[:1],
        covering.values("case_id")[:1],
        open_on_date.values("pk")[:1],
        member_cases.values("pk")[:1],
    ]
    for step in steps:
        Plan.objects.filter(case__isnull=True).update(case=Subquery(step))


class Migration(migrations.Migration):
    dependencies = [
        ("planning", "0002_default_bip_instrument"),
    ]

    operations = [migrations.RunPython(backfill, migrations.RunPython.noop)]
