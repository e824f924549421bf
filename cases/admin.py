from django.contrib import admin
from django.contrib.auth.admin import UserAdmin
from knox.models import AuthToken

from config.admin import AuditedAdminMixin

from .models import Staff, SupportBarrier, Unit


@admin.register(Unit)
class UnitAdmin(AuditedAdminMixin, admin.ModelAdmin):
    list_display = ("name", "code", "is_active")
    search_fields = ("name", "code")


@admin.register(SupportBarrier)
class SupportBarrierAdmin(AuditedAdminMixin, admin.ModelAdmin):
    list_display = ("name", "group", "code", "is_labour_market", "is_active")
    list_filter = ("group", "is_labour_market", "is_active")


@admin.register(Staff)
class StaffAdmin(AuditedAdminMixin, UserAdmin):
    audited_fields = ("username", "first_name", "last_name", "email", "role", "unit", "title", "is_active", "is_staff")
    list_display = ("username", "first_name", "last_name", "role", "unit", "is_active")
    list_filter = ("role", "unit", "is_active")
    fieldsets = (*UserAdmin.fieldsets, ("Roll och enhet", {"fields": ("role", "unit", "title")}))
    add_fieldsets = (*UserAdmin.add_fieldsets, ("Roll och enhet", {"fields": ("role", "unit", "title")}))

# knox's token admin lets whoever opens it issue a token for any member and act as them. A
# token dies with its owner (is_active=False), its expiry, or a password change, so the
# administrator needs no token page. (knox is installed before cases, so it is registered.)
admin.site.unregister(AuthToken)

from . import finance_admin  # noqa: E402, F401  (registers the ekonomiskt bistånd reference data)
