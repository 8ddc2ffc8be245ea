"""GraphQL of the platform operators: list and provision tenants."""

from __future__ import annotations

import strawberry
from strawberry.types import Info

from kinerja.graph.relay import Connection, UserError, connection_from_page, run_mutation
from kinerja.provisioning import service
from kinerja.tenancy.graphql import Tenant
from kinerja.tenancy.rules import TenantKind


@strawberry.input
class CreateTenantInput:
    slug: str
    name: str
    kind: TenantKind
    admin_username: str = strawberry.field(description="The first tenant admin's login.")
    admin_password: str


@strawberry.type
class TenantPayload:
    tenant: Tenant | None = None
    user_errors: list[UserError] = strawberry.field(default_factory=list)


@strawberry.type
class PlatformQuery:
    @strawberry.field(description="Tenants of the deployment (platform operators only).")
    async def tenants(self, info: Info, first: int | None = 20, after: str | None = None) -> Connection[Tenant]:
        page = await service.list_tenants(info.context, first, after)
        return Connection[Tenant](**connection_from_page(page, Tenant.from_model))


@strawberry.type
class PlatformMutation:
    @strawberry.mutation(description="Provision a tenant with default roles, periods and a tenant admin "
                                     "(platform operators only).")
    async def create_tenant(self, info: Info, input: CreateTenantInput) -> TenantPayload:
        async def work():
            tenant = await service.create_tenant(info.context, input.slug, input.name, input.kind,
                                                 input.admin_username, input.admin_password)
            return {"tenant": Tenant.from_model(tenant)}
        return await run_mutation(info, TenantPayload, work)
