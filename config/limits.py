"""Bounds on what the system accepts, in one place: amounts, dates, numbers, text, lists, bodies.

These are technical bounds, not rules with legal meaning (those live in each app's norms.py):
they keep every value inside what the database column, Python's date arithmetic and a person
reading a record can hold, so that absurd input is a 400 naming the field instead of a 500.
Each bound is far beyond anything real, with the reason beside it.

Used three ways: the API's serializers (BoundedSerializer fills in every writable field's bound
that its declaration leaves open, and the OpenAPI schema shows it), the model fields of free
text (max_length and a validator, so forms and services' full_clean refuse it too), and the
request parsers (body size and JSON depth, config/api/parsers.py).
"""

from __future__ import annotations

import datetime
from decimal import Decimal

from django.core.validators import MaxLengthValidator, MaxValueValidator, MinValueValidator
from rest_framework import serializers

from config.api.versions import UpdatedAtFieldMixin

# Amounts in whole kronor. 10 Mkr is a hundred times any monthly försörjningsstöd, cost or income
# a household has; the bound keeps every sum of amounts inside PostgreSQL's integer (2 147 483 647).
AMOUNT_MAX = 10_000_000

# Whole numbers (ids, counts, severities, years, seeds): PostgreSQL's integer. Ids are bigint in
# the database, but no municipality's table comes near two billion rows; a larger id answers
# 400 instead of an overflow in SQLite or PostgreSQL.
INTEGER_MIN = -(2**31)
INTEGER_MAX = 2**31 - 1

# Dates (birth dates, decisions, plans, periods, months). No living person was born before 1900,
# and nothing is planned or decided beyond 2100; the bound also keeps date arithmetic (a month
# or a year later, the end of a decision period) far from Python's year 9999 limit.
DATE_MIN = datetime.date(1900, 1, 1)
DATE_MAX = datetime.date(2100, 12, 31)

# Free text (reasoning, notes, plan texts, comments): 10 000 characters is about four typed
# pages, more than any one field of a journal entry needs; a longer text belongs in the
# municipality's document archive, not in a field (issue 11: a 1 MB plan text was accepted).
TEXT_MAX_LENGTH = 10_000

# Items in one list of a request (household members, costs, sub-goals, activities, answers):
# a household, a plan or an application never has more than 100.
LIST_MAX_ITEMS = 100

# Request bodies. 1 MiB holds the largest real body (a plan with every text at its maximum is
# about 200 kB) many times over. Nesting: the deepest real body is 4 levels (plan, sub-goals,
# activity, partners); deeper JSON is refused before it is parsed, so no recursion can run out.
REQUEST_BODY_MAX_BYTES = 1024 * 1024
JSON_MAX_DEPTH = 16

text_max_length = MaxLengthValidator(TEXT_MAX_LENGTH)


def _bound(field: serializers.Field) -> None:
    """Give `field` the bound of its kind where its declaration left it open."""
    if isinstance(field, (serializers.ListSerializer, serializers.ListField)):
        if field.max_length is None:
            field.max_length = LIST_MAX_ITEMS
            message = field.error_messages["max_length"].format(max_length=LIST_MAX_ITEMS)
            field.validators.append(MaxLengthValidator(LIST_MAX_ITEMS, message=message))
        _bound(field.child)
    elif isinstance(field, serializers.DictField):
        _bound(field.child)
    elif isinstance(field, (serializers.ChoiceField, serializers.BooleanField, serializers.Serializer)):
        return  # bounded by their choices, or by their own fields (nested serializers bound themselves)
    elif isinstance(field, serializers.CharField):
        if field.max_length is None:
            field.max_length = TEXT_MAX_LENGTH
            message = field.error_messages["max_length"].format(max_length=TEXT_MAX_LENGTH)
            field.validators.append(MaxLengthValidator(TEXT_MAX_LENGTH, message=message))
    elif isinstance(field, serializers.IntegerField):
        _range(field, INTEGER_MIN, INTEGER_MAX)
    elif isinstance(field, serializers.DecimalField):
        _range(field, Decimal(-AMOUNT_MAX), Decimal(AMOUNT_MAX))
    elif isinstance(field, serializers.DateField) and not isinstance(field, serializers.DateTimeField):
        _date_range(field)


def _range(field, low, high) -> None:
    if field.max_value is None:
        field.max_value = high
        message = field.error_messages["max_value"].format(max_value=high)
        field.validators.append(MaxValueValidator(high, message=message))
    if field.min_value is None:
        field.min_value = low
        message = field.error_messages["min_value"].format(min_value=low)
        field.validators.append(MinValueValidator(low, message=message))


def _date_range(field) -> None:
    if getattr(field, "_bounded", False):
        return
    field._bounded = True
    field.validators.append(MinValueValidator(DATE_MIN, message=f"Datumet kan inte ligga före {DATE_MIN:%Y-%m-%d}."))
    field.validators.append(MaxValueValidator(DATE_MAX, message=f"Datumet kan inte ligga efter {DATE_MAX:%Y-%m-%d}."))


class BoundedFieldsMixin:
    """Fills in the bounds above on every writable field a serializer declares without one."""

    def get_fields(self):
        fields = super().get_fields()
        for field in fields.values():
            if not field.read_only:
                _bound(field)
        return fields


class BoundedSerializer(BoundedFieldsMixin, serializers.Serializer):
    pass


class BoundedModelSerializer(UpdatedAtFieldMixin, BoundedFieldsMixin, serializers.ModelSerializer):
    pass


def Amount(**kwargs) -> serializers.DecimalField:  # noqa: N802 - a field factory, read like a field class
    """An amount in kronor; arrives as a decimal so that the service can say "hela kronor" about öre."""
    kwargs.setdefault("max_value", Decimal(AMOUNT_MAX))
    return serializers.DecimalField(max_digits=None, decimal_places=None, **kwargs)
