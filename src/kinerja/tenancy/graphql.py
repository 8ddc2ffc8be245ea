"""GraphQL of tenants: the type every area names."""

from __future__ import annotations

import strawberry
from strawberry.types import Info

from kinerja.graph.relay import Node
from kinerja.core.ids import to_global_id
from kinerja.tenancy.models import Tenant as TenantModel
from kinerja.tenancy.rules import TenantKind

strawberry.enum(TenantKind, description="Kind of local government (or the platform domain).")


@strawberry.type(description="A local government using Kinerja; its data is isolated from every other.")
class Tenant(Node):
    slug: str
    name: str
    kind: TenantKind

    @classmethod
    def from_model(cls, m: TenantModel) -> "Tenant":
        return cls(id=to_global_id("Tenant", m.id), slug=m.slug, name=m.name, kind=m.kind)
