"""GraphQL of the platform operators: list and provision tenants."""

from __future__ import annotations

import strawberry
from strawberry.types import Info

from kinerja.core.errors import Forbidden
from kinerja.graph import sql
from kinerja.graph.relay import Connection, UserError, run_mutation
from kinerja.provisioning import service
from kinerja.tenancy.graphql import Tenant
from kinerja.tenancy.rules import PLATFORM_SLUG, TenantKind


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
    @sql.builder(description="Tenants of the deployment (platform operators only).")
    def tenants(self, first: int | None = 20, after: str | None = None) -> Connection[Tenant]:
        return sql.Page(first=first, after=after, where=(sql.where("{t}.slug <> {0}", PLATFORM_SLUG),),
                        order=("slug", "id"), access=sql.requires("tenant", "read"), guard=sql.Guard(
                            sql.where("EXISTS (SELECT 1 FROM tenant WHERE id = {tenant} AND slug = {0})", PLATFORM_SLUG),
                            lambda: Forbidden("Only platform operators manage tenants")))


@strawberry.type
class PlatformMutation:
    @strawberry.mutation(description="Provision a tenant with default roles, periods and a tenant admin "
                                     "(platform operators only).")
    async def create_tenant(self, info: Info, input: CreateTenantInput) -> TenantPayload:
        async def work():
            tenant = await service.create_tenant(info.context, input.slug, input.name, input.kind,
                                                 input.admin_username, input.admin_password)
            return {"tenant": sql.ref("Tenant", tenant.id)}
        return await run_mutation(info, TenantPayload, work)
