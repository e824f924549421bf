from django.apps import AppConfig
from django.db.models.signals import post_save


class CasesConfig(AppConfig):
    name = "cases"
    verbose_name = "Ärenden"

    def ready(self):
        from .models import Staff
        from .staff_history import record_staff_period

        post_save.connect(record_staff_period, sender=Staff, dispatch_uid="cases.staff_history")
