from django.apps import AppConfig
from django.conf import settings


class InsatserConfig(AppConfig):
    name = "insatser"
    verbose_name = "Insatser"

    def ready(self):
        # Name this app's choice sets in the OpenAPI schema here rather than in shared settings:
        # "reason" and "closing_reason" also exist in cases, and drf-spectacular would otherwise
        # invent hashed enum names.
        overrides = settings.SPECTACULAR_SETTINGS.setdefault("ENUM_NAME_OVERRIDES", {})
        overrides.setdefault("ParticipationClosingReasonEnum", "insatser.models.ClosingReason")
        overrides.setdefault("ExemptionReasonEnum", "insatser.models.ExemptionReason")
        overrides.setdefault("CaseClosingReasonEnum", "cases.models.CaseClosingReason")
