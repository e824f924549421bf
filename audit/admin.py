"""Admin for egenkontroll configuration: rules and their parameters. Writes go through services."""

from django import forms
from django.contrib import admin

from audit.control import services
from audit.control.models import Rule, RuleParameter, RuleRun


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
class RuleRunAdmin(admin.ModelAdmin):
    list_display = ["pk", "as_of", "status", "trigger", "started_at", "duration_ms", "flags_opened", "flags_kept",
                    "flags_resolved"]
    list_filter = ["status", "trigger"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
