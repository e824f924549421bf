"""Coordinator UI for insatser: referral with capacity and queue shown, proposing a closing,
requesting an exemption. Thin: forms parse, insatser.services validate and write."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Count, IntegerField, OuterRef, Subquery, Value
from django.db.models.functions import Coalesce
from django.http import Http404
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from audit.models import AccessAction
from audit.recording.log import record_access
from cases.models import Role
from config.web_auth import person_in_scope, role_required
from config.web_forms import save_with_service, values

from . import selectors, services
from .forms import ClosingForm, ExemptionForm, ReferralForm
from .models import Participation, ParticipationStatus, Referral, ReferralStatus

coordinator_only = role_required(Role.COORDINATOR)


def _count(qs):
    rows = qs.order_by().values("insats_id").annotate(n=Count("pk")).values("n")[:1]
    return Coalesce(Subquery(rows, output_field=IntegerField()), Value(0))


def insatser_with_places():
    """Active insatser with occupied places and queue length, in the one query that lists them."""
    return selectors.insats_list().filter(is_active=True).annotate(
        occupied=_count(Participation.objects.filter(insats_id=OuterRef("pk"), status=ParticipationStatus.ACTIVE)),
        queued=_count(Referral.objects.filter(insats_id=OuterRef("pk"), status=ReferralStatus.QUEUED)),
    )


def _log_person(user, person_id: int) -> None:
    record_access(actor=user, action=AccessAction.READ, object_type="cases.applicant",
                  subjects=[(person_id, person_id)])


@login_required
@coordinator_only
@require_http_methods(["GET", "POST"])
def referral_new(request, pk: int):
    person = person_in_scope(request.user, pk)
    insatser = insatser_with_places()
    form = ReferralForm(request.POST or None, insatser=insatser)
    if request.method == "POST":
        referral = save_with_service(form, lambda check_only: services.referral_create(
            actor=request.user, applicant=person, check_only=check_only, **values(form)))
        if referral:
            if referral.status == ReferralStatus.QUEUED:
                messages.warning(request, f"{referral.insats.name} är fullt. {person.first_name} står i kö på plats "
                                          f"{referral.queue_position}.")
            else:
                messages.success(request, f"{person.first_name} är anvisad till {referral.insats.name}.")
            return redirect("person", pk=person.pk)
    _log_person(request.user, person.pk)
    return render(request, "insatser/referral_form.html", {
        "person": person, "form": form, "insatser": list(insatser),
    })


@login_required
@coordinator_only
@require_http_methods(["GET", "POST"])
def closing_new(request, pk: int):
    participation = selectors.participation_list(user=request.user).filter(pk=pk).first()
    if participation is None:
        raise Http404
    form = ClosingForm(request.POST or None)
    if request.method == "POST":
        closing = save_with_service(form, lambda check_only: services.closing_propose(
            actor=request.user, participation=participation, check_only=check_only, **values(form)))
        if closing:
            messages.success(request, "Avslutet är föreslaget. Handläggaren bekräftar det.")
            return redirect("person", pk=participation.applicant_id)
    _log_person(request.user, participation.applicant_id)
    return render(request, "insatser/closing_form.html", {
        "participation": participation, "person": participation.applicant, "form": form,
    })


@login_required
@coordinator_only
@require_http_methods(["GET", "POST"])
def exemption_new(request, pk: int):
    person = person_in_scope(request.user, pk)
    form = ExemptionForm(request.POST or None)
    if request.method == "POST":
        if save_with_service(form, lambda check_only: services.exemption_create(
                actor=request.user, applicant=person, check_only=check_only, **values(form))):
            messages.success(request, "Avsteget är registrerat.")
            return redirect("person", pk=person.pk)
    _log_person(request.user, person.pk)
    return render(request, "insatser/exemption_form.html", {"person": person, "form": form})
