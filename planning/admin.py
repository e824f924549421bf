"""Admin: which plan-quality checkpoints block signing (the municipality's choice per checkpoint).

Rows exist for every checkpoint (planning/migrations); the administrator chooses per row, and the
change goes through planning.services.checkpoint_policy_set (role check, change event)."""

from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.db.models import Case, CharField, F, Q, Value, When

from config.errors import DomainError

from . import norms, quality, services
from .models import CheckpointPolicy, SigningRule

QUESTIONS = {code: question for code, question, _ in quality.CHECKPOINTS}


@admin.register(CheckpointPolicy)
class CheckpointPolicyAdmin(admin.ModelAdmin):
    list_display = ("question", "rule", "in_effect")
    fields = ("question", "rule")
    readonly_fields = ("question",)

    @admin.display(description="kontrollpunkt")
    def question(self, obj):
        return QUESTIONS.get(obj.code, obj.code)

    @admin.display(description="gäller nu")
    def in_effect(self, obj):
        return SigningRule(obj.in_effect).label

    def get_queryset(self, request):
        # What applies now, in the list's own query (the same rule as quality.blocking_checkpoints).
        default = norms.required_checkpoints()
        return super().get_queryset(request).annotate(in_effect=Case(
            When(~Q(rule=""), then=F("rule")),
            When(code__in=default, then=Value(SigningRule.BLOCK)),
            default=Value(SigningRule.WARN), output_field=CharField(),
        ))

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def save_model(self, request, obj, form, change):
        try:
            services.checkpoint_policy_set(actor=request.user, policy=obj, rule=form.cleaned_data["rule"])
        except (ValidationError, DomainError) as exc:
            messages.error(request, " ".join(getattr(exc, "messages", [str(exc)])))
