"""The version of a row, for the API's ETag and `updated_since` (config/api/concurrency.py), and
`updated_at` on every model serialiser. Kept apart from concurrency.py because config/limits.py
(imported by the settings) needs the serialiser mixin, and nothing here may read DRF's settings
before they exist."""

from __future__ import annotations

VERSION_FIELD = "updated_at"
# Append-only tables without `updated_at` (audit/recording/purge.py APPEND_ONLY and the access log
# are never changed): synchronised by the time the row was written.
APPEND_ONLY_VERSION_FIELDS = {"audit.AccessLogEntry": "occurred_at"}


def version_field(model) -> str | None:
    if model is None:
        return None
    names = {f.name for f in model._meta.concrete_fields}
    if VERSION_FIELD in names:
        return VERSION_FIELD
    return APPEND_ONLY_VERSION_FIELDS.get(model._meta.label)


UPDATED_AT_HELP = ("När raden senast ändrades: dess version (ETag) och det som updated_since jämför med. "
                   "För beslut, journalanteckningar och brev, som aldrig ändras, när de skrevs.")


class UpdatedAtFieldMixin:
    """Every model serialiser of the API shows its row's `updated_at` (read-only), so that a
    client can synchronise with `updated_since` and knows which version an ETag names."""

    def get_field_names(self, declared_fields, info):
        names = super().get_field_names(declared_fields, info)
        excluded = getattr(self.Meta, "exclude", None) or ()
        if VERSION_FIELD in info.fields and VERSION_FIELD not in names and VERSION_FIELD not in excluded:
            names = [*names, VERSION_FIELD]
        return names

    def get_extra_kwargs(self):
        extra = super().get_extra_kwargs()
        extra.setdefault(VERSION_FIELD, {}).setdefault("help_text", UPDATED_AT_HELP)
        return extra
