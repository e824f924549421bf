from django.apps import AppConfig
from django.db.models.signals import post_migrate


def _sync_rules(sender, **kwargs):
    # Rules are defined in code; their configurable rows (with DOMAIN.md defaults) are created
    # after every migrate, never overwriting what an administrator has set.
    from audit.control.engine import rules_sync

    rules_sync()


class AuditConfig(AppConfig):
    name = "audit"
    verbose_name = "Loggning och egenkontroll"

    def ready(self):
        from audit.control.reevaluation import on_changes_recorded
        from audit.recording import (
            db_roles,  # registers the deploy check on the database role
            logins,
        )
        from audit.recording.signals import changes_recorded

        post_migrate.connect(_sync_rules, sender=self, dispatch_uid="audit.sync_rules")
        # Tables added by any later migration get the application role's rights too.
        post_migrate.connect(db_roles.post_migrate_grants, sender=self, dispatch_uid="audit.app_role_grants")
        logins.connect()
        # Saved facts re-check the rules that read them (audit/control/reevaluation.py).
        changes_recorded.connect(on_changes_recorded, dispatch_uid="audit.reevaluate_on_change")
