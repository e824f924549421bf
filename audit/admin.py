"""Admin for egenkontroll configuration: rules and their parameters. Writes go through services."""

from django import forms
from django.contrib import admin, messages

from audit.control import services
from audit.control.models import Rule, RuleParameter, RuleRun
from audit.recording import webhooks
from audit.recording.webhook_models import DeliveryAttempt, EventType, WebhookDelivery, WebhookSubscription
from config.admin import AuditedAdminMixin, ReadOnlyAdminMixin


class RuleParameterForm(forms.ModelForm):
    class Meta:
        model = RuleParameter
        fields = ["value"]

    def clean_value(self):
        value = self.cleaned_data["value"]
        if not self.instance.min_value <= value <= self.instance.max_value:
            raise forms.ValidationError(
                f"Värdet måste ligga mellan {self.instance.min_value} och {self.instance.max_value} {self.instance.unit}."
            )
        return value


class RuleParameterInline(admin.TabularInline):
    model = RuleParameter
    form = RuleParameterForm
    fields = ["key", "label", "value", "default", "min_value", "max_value", "unit", "source"]
    readonly_fields = ["key", "label", "default", "min_value", "max_value", "unit", "source"]
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Rule)
class RuleAdmin(admin.ModelAdmin):
    list_display = ["code", "title", "severity", "schedule", "enabled", "escalate_after_days"]
    list_filter = ["enabled", "severity", "schedule"]
    fields = ["code", "title", "source", "description", "schedule", "enabled", "severity", "escalate_after_days"]
    readonly_fields = ["code", "title", "source", "description", "schedule"]
    inlines = [RuleParameterInline]

    def has_add_permission(self, request):
        return False  # rules are defined in code (audit/control/rules/)

    def has_delete_permission(self, request, obj=None):
        return False

    def save_model(self, request, obj, form, change):
        services.rule_update(
            actor=request.user, rule=obj, enabled=obj.enabled, severity=obj.severity,
            escalate_after_days=obj.escalate_after_days,
        )

    def save_formset(self, request, form, formset, change):
        # The admin's change message reads these three lists, which formset.save() would set.
        formset.new_objects, formset.changed_objects, formset.deleted_objects = [], [], []
        for parameter_form in formset.forms:
            if parameter_form.has_changed():
                parameter = services.rule_parameter_update(
                    actor=request.user, parameter=parameter_form.instance,
                    value=parameter_form.cleaned_data["value"],
                )
                formset.changed_objects.append((parameter, parameter_form.changed_data))


@admin.register(RuleRun)
class RuleRunAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ["pk", "as_of", "status", "trigger", "started_at", "duration_ms", "flags_opened", "flags_kept",
                    "flags_resolved"]
    list_filter = ["status", "trigger"]


# --- events out (webhooks) -----------------------------------------------------------------------

class DeliveryAttemptInline(admin.TabularInline):
    model = DeliveryAttempt
    fields = readonly_fields = ["attempt", "attempted_at", "status_code", "duration_ms", "error"]
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(WebhookSubscription)
class WebhookSubscriptionAdmin(AuditedAdminMixin, admin.ModelAdmin):
    """Administrators make subscriptions. The secret is shown once, when the subscription is made;
    it is never in a form or a list afterwards (it is not an editable field)."""

    list_display = ["name", "url", "unit", "active", "created_at"]
    list_filter = ["active"]
    fields = ["name", "url", "event_types", "unit", "active"]
    audited_fields = ("name", "url", "event_types", "unit", "active")

    def formfield_for_dbfield(self, db_field, request, **kwargs):
        if db_field.name == "url":
            kwargs["assume_scheme"] = "https"  # an address typed without a scheme is sent over TLS
        if db_field.name == "event_types":  # a JSON list of codes, chosen by their Swedish names
            return forms.TypedMultipleChoiceField(
                label="Händelsetyper", choices=EventType.choices, widget=forms.CheckboxSelectMultiple)
        return super().formfield_for_dbfield(db_field, request, **kwargs)

    def save_model(self, request, obj, form, change):
        secret = None
        if not change:
            secret = obj.secret = webhooks.new_secret()
        super().save_model(request, obj, form, change)
        if secret:
            messages.warning(request, f"Hemligheten för signaturen är {secret} . Spara den hos mottagaren nu: "
                                      "den visas inte igen.")


@admin.register(WebhookDelivery)
class WebhookDeliveryAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    """The delivery log, read-only, with replay: send the chosen events again."""

    list_display = ["pk", "event", "subscription", "status", "attempts", "next_attempt_at", "delivered_at"]
    list_filter = ["status", "subscription"]
    list_select_related = ["event", "subscription"]
    inlines = [DeliveryAttemptInline]
    actions = ["replay"]

    @admin.action(description="Skicka händelserna igen", permissions=["view"])
    def replay(self, request, queryset):
        count = webhooks.delivery_replay(delivery_ids=list(queryset.values_list("pk", flat=True)))
        self.message_user(request, f"{count} leveranser skickas igen.")
