"""GraphQL of the platform operators: list and provision tenants."""

from __future__ import annotations

from typing import Annotated

import strawberry
from strawberry.types import Info

from kinerja.core.errors import Forbidden
from kinerja.graph import sql
from kinerja.graph.relay import INPUT, After, Connection, First, UserError, run_mutation, user_errors_field
from kinerja.provisioning import service
from kinerja.tenancy.graphql import Tenant
from kinerja.tenancy.rules import PLATFORM_SLUG, TenantKind


@strawberry.input(description="A new tenant (a local government) and its first admin.")
class CreateTenantInput:
    slug: str = strawberry.field(description="Short public name, unique in the deployment, e.g. `bungo`.")
    name: str = strawberry.field(description="Nama pemerintah daerah, e.g. `Kabupaten Bungo`.")
    kind: TenantKind = strawberry.field(description="Jenis pemerintahan (kind of government).")
    admin_username: str = strawberry.field(description="The first tenant admin's login.")
    admin_password: str = strawberry.field(description="The first tenant admin's initial password.")


@strawberry.type(description="The outcome of provisioning a tenant.")
class TenantPayload:
    tenant: Tenant | None = strawberry.field(default=None, description="The new tenant; null on failure.")
    user_errors: list[UserError] = user_errors_field()


@strawberry.type
class PlatformQuery:
    @sql.builder(description="Tenants of the deployment (platform operators only).")
    def tenants(self, first: First = 20, after: After = None) -> Connection[Tenant]:
        return sql.Page(first=first, after=after, where=(sql.where("{t}.slug <> {0}", PLATFORM_SLUG),),  # type: ignore[return-value]  # a described read: the compiler answers its specification
                        order=("slug", "id"), access=sql.requires("tenant", "read"), guard=sql.Guard(
                            sql.where("EXISTS (SELECT 1 FROM tenant WHERE id = {tenant} AND slug = {0})", PLATFORM_SLUG),
                            lambda: Forbidden("Only platform operators manage tenants")))


@strawberry.type
class PlatformMutation:
    @strawberry.mutation(description="Provision a tenant with default roles, periods and a tenant admin "
                                     "(platform operators only).")
    async def create_tenant(self, info: Info, input: Annotated[CreateTenantInput, INPUT]) -> TenantPayload:
        async def work():
            tenant = await service.create_tenant(info.context, input.slug, input.name, input.kind,
                                                 input.admin_username, input.admin_password)
            return {"tenant": sql.ref("Tenant", tenant.id)}
        return await run_mutation(info, TenantPayload, work)
