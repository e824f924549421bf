"""Admin helpers: reference-data edits are recorded as change events like any service write."""

from django.db import transaction

from audit.recording.log import record_change, snapshot


class AuditedAdminMixin:
    audited_fields: tuple[str, ...] = ()

    def save_model(self, request, obj, form, change):
        fields = self.audited_fields or tuple(f.name for f in obj._meta.concrete_fields if f.name not in ("id", "created_at", "updated_at"))
        before = None
        if change and obj.pk:
            before = snapshot(type(obj).objects.get(pk=obj.pk), fields)
        with transaction.atomic():
            obj.full_clean()
            super().save_model(request, obj, form, change)
            record_change(
                actor=request.user,
                action=f"{obj._meta.model_name}.{'update' if change else 'create'}",
                instance=obj,
                before=before,
                after=snapshot(obj, fields),
            )

    def has_delete_permission(self, request, obj=None):
        # Reference data is deactivated, never deleted: decisions refer to it.
        return False


class ReadOnlyAdminMixin:
    """An admin that only shows: its rows are written by the application (a log, a run), never by hand."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
