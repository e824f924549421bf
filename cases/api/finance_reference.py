"""Reference data for ekonomiskt bistånd: riksnorm tables, cost and income types, legal bases,
the delegation order. No personal data; readable by all staff, edited by administrators in the
admin (and norms loaded with `manage.py load_riksnorm`)."""

from __future__ import annotations

import django_filters
from rest_framework import mixins, viewsets

from config.api import filters as f
from config.api.concurrency import ConditionalMixin
from config.api.permissions import HasRole

from .. import finance_selectors as fs
from ..finance_models import CostType, IncomeType, LegalBasis
from ..models import Role
from . import finance_serializers as s

ALL_STAFF_ROLES = frozenset(Role.values)


class _ReferenceViewSet(mixins.ListModelMixin, viewsets.GenericViewSet):
    permission_classes = [HasRole]
    allowed_roles = ALL_STAFF_ROLES
    pagination_class = None
    filter_backends = f.FILTERS_ONLY


class RiksnormTableFilter(f.FilterSet):
    is_official = django_filters.BooleanFilter(
        help_text="Sant: bara fastställda riksnormer; falskt: bara ej officiella (demo och test).")


class DelegationPointFilter(f.FilterSet):
    code = f.by_code("code", "Bara delegationspunkten med denna kod.")
    legal_basis = f.by_code("legal_basis__code", "Lagrummets kod (som i /api/v1/legal-bases/).")
    role = f.choice(Role.choices, "Bara punkter där denna roll är delegat.")


class RiksnormTableViewSet(ConditionalMixin, mixins.RetrieveModelMixin, _ReferenceViewSet):
    """Riksnormer with their validity, official flag and amounts."""

    serializer_class = s.RiksnormTableSerializer
    filterset_class = RiksnormTableFilter

    def get_queryset(self):
        return fs.norm_table_list()


class CostTypeViewSet(_ReferenceViewSet):
    serializer_class = s.CostTypeSerializer
    filterset_class = f.code_filterset(CostType, "Kostnadstyp")

    def get_queryset(self):
        return fs.cost_type_list()


class IncomeTypeViewSet(_ReferenceViewSet):
    serializer_class = s.IncomeTypeSerializer
    filterset_class = f.code_filterset(IncomeType, "Inkomsttyp")

    def get_queryset(self):
        return fs.income_type_list()


class LegalBasisViewSet(_ReferenceViewSet):
    serializer_class = s.LegalBasisSerializer
    filterset_class = f.code_filterset(LegalBasis, "Lagrum")

    def get_queryset(self):
        return fs.legal_basis_list()


class DelegationPointViewSet(_ReferenceViewSet):
    serializer_class = s.DelegationPointSerializer
    filterset_class = DelegationPointFilter

    def get_queryset(self):
        return fs.delegation_point_list()
