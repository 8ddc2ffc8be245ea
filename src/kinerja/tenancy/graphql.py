"""GraphQL of tenants: the type every area names."""

from __future__ import annotations

import strawberry

from kinerja.graph import sql
from kinerja.graph.relay import Node
from kinerja.tenancy.models import Tenant as TenantModel
from kinerja.tenancy.rules import TenantKind

strawberry.enum(TenantKind, description="Kind of local government (or the platform domain).")


@sql.table(TenantModel, tenant=None,
           description="A local government using Kinerja; its data is isolated from every other.")
class Tenant(Node):
    slug: str
    name: str
    kind: TenantKind
