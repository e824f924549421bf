"""Admin for ekonomiskt bistånd reference data: norms, cost/income types, legal bases and the
delegation order. Edits are recorded as change events (AuditedAdminMixin); nothing is deleted,
because calculations and decisions refer to these rows."""

from django import forms
from django.contrib import admin
from django.core.exceptions import ValidationError

from audit.recording.log import record_change, snapshot
from config.admin import AuditedAdminMixin

from .finance_models import (
    CostType,
    DelegationPoint,
    IncomeType,
    LegalBasis,
    RiksnormHouseholdAmount,
    RiksnormPersonalAmount,
    RiksnormTable,
)
from .norm_services import riksnorm_period_check
from .payment_models import AttestRight


class _NoDeleteInline(admin.TabularInline):
    extra = 0

    def has_delete_permission(self, request, obj=None):
        return False


class PersonalAmountInline(_NoDeleteInline):
    model = RiksnormPersonalAmount


class HouseholdAmountInline(_NoDeleteInline):
    model = RiksnormHouseholdAmount


class RiksnormTableForm(forms.ModelForm):
    """The admin's table form: the same period check as loading a table (no overlapping norms)."""

    class Meta:
        model = RiksnormTable
        fields = ["name", "valid_from", "valid_to", "is_official", "source", "single_adult", "cohabiting_couple",
                  "shared_per_member_beyond_7"]

    def clean(self):
        data = super().clean()
        if data.get("valid_from") and not self.has_error("valid_to"):
            try:
                riksnorm_period_check(valid_from=data["valid_from"], valid_to=data.get("valid_to"),
                                      is_official=bool(data.get("is_official")), exclude_pk=self.instance.pk)
            except ValidationError as exc:  # always {field: errors}: shown by the field it names
                for field, errors in exc.error_dict.items():
                    self.add_error(field, errors)
        return data


@admin.register(RiksnormTable)
class RiksnormTableAdmin(AuditedAdminMixin, admin.ModelAdmin):
    form = RiksnormTableForm
    list_display = ("name", "valid_from", "valid_to", "is_official", "single_adult", "cohabiting_couple")
    list_filter = ("is_official",)
    inlines = [PersonalAmountInline, HouseholdAmountInline]

    def save_formset(self, request, form, formset, change):
        # Amount rows are norm data too: each changed or added row is a change event. Stored
        # calculations keep the amounts they used, so a correction here never rewrites them.
        fields = ("table", "age_from", "age_to", "amount", "amount_no_lunch", "size")
        befores = {
            f.instance.pk: snapshot(type(f.instance).objects.get(pk=f.instance.pk),
                                    [n for n in fields if hasattr(f.instance, n)])
            for f in formset.forms if f.instance.pk and f.has_changed()
        }
        super().save_formset(request, form, formset, change)
        for row in formset.new_objects + [obj for obj, _ in formset.changed_objects]:
            record_change(actor=request.user, action=f"{row._meta.model_name}.{'update' if row.pk in befores else 'create'}",
                          instance=row, before=befores.get(row.pk),
                          after=snapshot(row, [n for n in fields if hasattr(row, n)]))


@admin.register(CostType)
class CostTypeAdmin(AuditedAdminMixin, admin.ModelAdmin):
    list_display = ("name", "code", "counts", "is_active")


@admin.register(IncomeType)
class IncomeTypeAdmin(AuditedAdminMixin, admin.ModelAdmin):
    list_display = ("name", "code", "counts", "is_employment", "is_active")


@admin.register(LegalBasis)
class LegalBasisAdmin(AuditedAdminMixin, admin.ModelAdmin):
    list_display = ("reference", "law", "title", "valid_from", "valid_to", "appeal_kind", "is_active")


@admin.register(DelegationPoint)
class DelegationPointAdmin(AuditedAdminMixin, admin.ModelAdmin):
    list_display = ("code", "description", "role", "legal_basis", "item_kind", "max_amount", "is_active")
    list_filter = ("role", "is_active")


@admin.register(AttestRight)
class AttestRightAdmin(AuditedAdminMixin, admin.ModelAdmin):
    """The attest order: who may attest payments, up to which amount (reference data, no persons)."""

    list_display = ("code", "description", "role", "max_amount", "is_active")
    list_filter = ("role", "is_active")
