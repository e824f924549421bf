"""The administrator edits norm rows in the admin; every edit is a change event."""

import pytest

from audit.models import ChangeEvent
from cases.finance_models import RiksnormPersonalAmount, RiksnormTable

pytestmark = pytest.mark.django_db


def test_admin_edit_of_a_norm_row_is_recorded(client, administrator):
    administrator.is_staff = administrator.is_superuser = True
    administrator.save()
    client.force_login(administrator)
    table = RiksnormTable.objects.get(name="Riksnorm 2019")
    url = f"/admin/cases/riksnormtable/{table.pk}/change/"
    page = client.get(url)
    assert page.status_code == 200
    form = page.context["adminform"].form
    data = {name: ("" if value is None else value) for name, value in form.initial.items() if name in form.fields}
    data["valid_to"] = "2019-12-31"
    data["is_official"] = "on"
    for formset in page.context["inline_admin_formsets"]:
        fs = formset.formset
        prefix = fs.prefix
        data[f"{prefix}-TOTAL_FORMS"] = len(fs.forms)
        data[f"{prefix}-INITIAL_FORMS"] = len(fs.forms)
        for i, f in enumerate(fs.forms):
            for name in f.fields:
                value = f.initial.get(name)
                data[f"{prefix}-{i}-{name}"] = "" if value is None else getattr(value, "pk", value)
            data[f"{prefix}-{i}-table"] = table.pk
            data[f"{prefix}-{i}-id"] = f.instance.pk
    band = RiksnormPersonalAmount.objects.get(table=table, age_from=0)
    personal = next(f.formset for f in page.context["inline_admin_formsets"]
                    if f.formset.model is RiksnormPersonalAmount)
    index = [f.instance.pk for f in personal.forms].index(band.pk)
    data[f"{personal.prefix}-{index}-amount"] = 2140
    response = client.post(url, data)
    errors = [f.formset.errors for f in response.context["inline_admin_formsets"]] if response.context else None
    assert response.status_code == 302, errors
    band.refresh_from_db()
    assert band.amount == 2140
    event = ChangeEvent.objects.get(action="riksnormpersonalamount.update", object_id=str(band.pk))
    assert event.changes["amount"] == [2130, 2140]
