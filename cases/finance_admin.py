"""Admin for ekonomiskt bistånd reference data: norms, cost/income types, legal bases and the
delegation order. Edits are recorded as change events (AuditedAdminMixin); nothing is deleted,
because calculations and decisions refer to these rows."""

from django.contrib import admin

from audit.log import record_change, snapshot
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


class _NoDeleteInline(admin.TabularInline):
    extra = 0

    def has_delete_permission(self, request, obj=None):
        return False


class PersonalAmountInline(_NoDeleteInline):
    model = RiksnormPersonalAmount


class HouseholdAmountInline(_NoDeleteInline):
    model = RiksnormHouseholdAmount


@admin.register(RiksnormTable)
class RiksnormTableAdmin(AuditedAdminMixin, admin.ModelAdmin):
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
    list_display = ("reference", "law", "title", "appeal_kind", "is_active")


@admin.register(DelegationPoint)
class DelegationPointAdmin(AuditedAdminMixin, admin.ModelAdmin):
    list_display = ("code", "description", "role", "legal_basis", "item_kind", "max_amount", "is_active")
    list_filter = ("role", "is_active")
