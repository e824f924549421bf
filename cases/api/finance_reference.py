"""Reference data for ekonomiskt bistånd: riksnorm tables, cost and income types, legal bases,
the delegation order. No personal data; readable by all staff, edited by administrators in the
admin (and norms loaded with `manage.py load_riksnorm`)."""

from __future__ import annotations

from rest_framework import mixins, viewsets

from config.api.concurrency import ConditionalMixin, UpdatedSinceFilter
from config.api.permissions import HasRole

from .. import finance_selectors as fs
from ..models import Role
from . import finance_serializers as s

ALL_STAFF_ROLES = frozenset(Role.values)


class _ReferenceViewSet(mixins.ListModelMixin, viewsets.GenericViewSet):
    permission_classes = [HasRole]
    allowed_roles = ALL_STAFF_ROLES
    pagination_class = None
    filter_backends = [UpdatedSinceFilter]  # no other filter, but a sync (config/api/concurrency.py)


class RiksnormTableViewSet(ConditionalMixin, mixins.RetrieveModelMixin, _ReferenceViewSet):
    """Riksnormer with their validity, official flag and amounts."""

    serializer_class = s.RiksnormTableSerializer

    def get_queryset(self):
        return fs.norm_table_list()


class CostTypeViewSet(_ReferenceViewSet):
    serializer_class = s.CostTypeSerializer

    def get_queryset(self):
        return fs.cost_type_list()


class IncomeTypeViewSet(_ReferenceViewSet):
    serializer_class = s.IncomeTypeSerializer

    def get_queryset(self):
        return fs.income_type_list()


class LegalBasisViewSet(_ReferenceViewSet):
    serializer_class = s.LegalBasisSerializer

    def get_queryset(self):
        return fs.legal_basis_list()


class DelegationPointViewSet(_ReferenceViewSet):
    serializer_class = s.DelegationPointSerializer

    def get_queryset(self):
        return fs.delegation_point_list()
