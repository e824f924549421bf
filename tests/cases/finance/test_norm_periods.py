"""Riksnorm tables of the same kind never overlap in validity: one check for loading and the
admin, and on PostgreSQL an exclusion constraint under both."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction

from audit.models import ChangeEvent
from cases.finance_models import RiksnormTable
from cases.norm_services import riksnorm_period_check

pytestmark = pytest.mark.django_db

D = datetime.date
AMOUNTS = {"single_adult": 3000, "cohabiting_couple": 5500, "shared_per_member_beyond_7": 170}


def _refused(**kw):
    with pytest.raises(ValidationError) as exc:
        riksnorm_period_check(**kw)
    return exc.value.error_dict


def test_period_check_refuses_overlap_with_a_table_of_the_same_kind_only():
    t2023 = RiksnormTable.objects.get(name="Riksnorm 2023")  # shipped: 2023-01-01..2023-12-31, official
    assert _refused(valid_from=D(2023, 12, 31), valid_to=D(2024, 12, 31), is_official=True)["valid_from"][0].code == "overlap"
    assert "overlap" == _refused(valid_from=D(2022, 1, 1), valid_to=None, is_official=True)["valid_from"][0].code
    assert "period_backwards" == _refused(valid_from=D(2030, 2, 1), valid_to=D(2030, 1, 1), is_official=True)[
        "valid_to"][0].code
    # Adjacent periods, the table itself, and an unofficial table over an official year are fine.
    riksnorm_period_check(valid_from=D(2024, 1, 1), valid_to=None, is_official=True)
    riksnorm_period_check(valid_from=D(2022, 1, 1), valid_to=D(2022, 12, 31), is_official=True)
    riksnorm_period_check(valid_from=D(2023, 1, 1), valid_to=D(2023, 12, 31), is_official=True, exclude_pk=t2023.pk)
    riksnorm_period_check(valid_from=D(2019, 1, 1), valid_to=D(2019, 12, 31), is_official=False)


def _admin_post(client, table, **changes):
    page = client.get(f"/admin/cases/riksnormtable/{table.pk}/change/")
    form = page.context["adminform"].form
    data = {name: ("" if value is None else value) for name, value in form.initial.items() if name in form.fields}
    data.pop("is_official", None)
    if table.is_official:
        data["is_official"] = "on"
    for formset in page.context["inline_admin_formsets"]:
        fs = formset.formset
        data[f"{fs.prefix}-TOTAL_FORMS"] = data[f"{fs.prefix}-INITIAL_FORMS"] = len(fs.forms)
        for i, f in enumerate(fs.forms):
            for name in f.fields:
                value = f.initial.get(name)
                data[f"{fs.prefix}-{i}-{name}"] = "" if value is None else getattr(value, "pk", value)
            data[f"{fs.prefix}-{i}-table"], data[f"{fs.prefix}-{i}-id"] = table.pk, f.instance.pk
    data.update(changes)
    return client.post(f"/admin/cases/riksnormtable/{table.pk}/change/", data)


def test_admin_edit_that_would_overlap_is_refused_by_the_field_and_nothing_written(client, administrator):
    administrator.is_staff = administrator.is_superuser = True
    administrator.save()
    client.force_login(administrator)
    t2019 = RiksnormTable.objects.get(name="Riksnorm 2019")
    events = ChangeEvent.objects.count()

    response = _admin_post(client, t2019, valid_to="2023-03-31")  # into the official 2023 table
    assert response.status_code == 200
    errors = response.context["adminform"].form.errors
    assert "valid_from" in errors and "Riksnorm 2023" in errors["valid_from"][0]
    t2019.refresh_from_db()
    assert t2019.valid_to == D(2019, 12, 31) and ChangeEvent.objects.count() == events

    # A change that keeps clear of other tables still saves (and is recorded).
    assert _admin_post(client, t2019, valid_to="2020-06-30").status_code == 302
    t2019.refresh_from_db()
    assert t2019.valid_to == D(2020, 6, 30) and ChangeEvent.objects.count() > events


@pytest.mark.skipif(connection.vendor != "postgresql", reason="exclusion constraints exist on PostgreSQL only")
def test_database_refuses_overlapping_official_tables_written_past_the_services():
    with pytest.raises(IntegrityError), transaction.atomic():
        RiksnormTable.objects.create(name="Överlapp", valid_from=D(2023, 6, 1), valid_to=None, **AMOUNTS)
    with pytest.raises(IntegrityError), transaction.atomic():
        RiksnormTable.objects.filter(name="Riksnorm 2019").update(valid_to=D(2023, 1, 1))
    # Adjacent, and an unofficial table over an official year, are allowed.
    RiksnormTable.objects.create(name="2024", valid_from=D(2024, 1, 1), valid_to=None, **AMOUNTS)
    RiksnormTable.objects.create(name="Demo 2019", valid_from=D(2019, 1, 1), valid_to=D(2019, 12, 31),
                                 is_official=False, **AMOUNTS)
    with pytest.raises(IntegrityError), transaction.atomic():
        RiksnormTable.objects.create(name="Demo 2", valid_from=D(2019, 12, 31), valid_to=D(2020, 1, 31),
                                     is_official=False, **AMOUNTS)
