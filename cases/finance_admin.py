"""Admin for ekonomiskt bistånd reference data: norms, cost/income types, legal bases and the
delegation order. Edits are recorded as change events (AuditedAdminMixin); nothing is deleted,
because calculations and decisions refer to these rows."""

from django.contrib import admin

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
