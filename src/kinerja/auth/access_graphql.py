"""GraphQL of access control: roles, the permission catalogue, users and role assignments."""

from __future__ import annotations

import uuid

import strawberry
from strawberry.types import Info

from kinerja.auth import permissions, roles
from kinerja.auth.graphql import HELD_ROLES
from kinerja.auth.models import Role as RoleModel
from kinerja.auth.models import User as UserModel
from kinerja.core.errors import NotFound
from kinerja.core.ids import parse_global_id, to_global_id
from kinerja.graph import sql
from kinerja.graph.relay import Connection, Node, UserError, run_mutation
from kinerja.org.graphql import Employee

READ_ROLES = sql.requires("role", "read")

# A role's permission keys (object:action:scope), sorted by code point.
ROLE_PERMISSIONS = sql.Dialects(
    pg="(SELECT coalesce(json_agg(p.v2 || ':' || p.v3 ORDER BY (p.v2 || ':' || p.v3) COLLATE \"C\"), '[]'::json) "
       "FROM policy_rule p WHERE p.tenant_id = {tenant} AND p.ptype = 'p' AND p.v0 = 'role:' || {t}.name)",
    sqlite="json((SELECT json_group_array(x.key) FROM (SELECT p.v2 || ':' || p.v3 AS key FROM policy_rule p "
           "WHERE p.tenant_id = {tenant} AND p.ptype = 'p' AND p.v0 = 'role:' || {t}.name ORDER BY key) x))")


@sql.table(RoleModel, access=READ_ROLES, description="Peran: a named set of permissions in this tenant.")
class Role(Node):
    name: str
    description: str
    built_in: bool = strawberry.field(description="Built-in roles follow the platform template and "
                                                  "cannot be edited or deleted.")
    permissions: list[str] = sql.expression(ROLE_PERMISSIONS, description="Permission keys (object:action:scope).")


@strawberry.type(description="One entry of the permission catalogue.")
class PermissionInfo:
    key: str = strawberry.field(description="object:action:scope")
    object: str
    action: str
    scope: str = strawberry.field(description="own, team (subordinates), unit (org unit subtree) or tenant")
    description_id: str = strawberry.field(description="Keterangan (Bahasa Indonesia)")
    description_en: str


@sql.table(UserModel, access=READ_ROLES, node=True, not_found=lambda: NotFound("User not found"),
           description="A login of this tenant.")
class User(Node):
    username: str
    active: bool
    roles: list[str] = sql.expression(HELD_ROLES, description="Role names held.")
    employee: Employee | None = sql.join("employee_id")


@strawberry.input
class CreateRoleInput:
    name: str
    description: str = ""
    permissions: list[str] = strawberry.field(default_factory=list)


@strawberry.input
class UpdateRoleInput:
    id: strawberry.ID
    name: str | None = None
    description: str | None = None
    permissions: list[str] | None = strawberry.field(default=None, description="Replaces all permissions.")


@strawberry.input
class DeleteRoleInput:
    id: strawberry.ID


@strawberry.input
class RoleAssignmentInput:
    user_id: strawberry.ID
    role: str = strawberry.field(description="Role name.")


@strawberry.input
class CreateUserInput:
    username: str
    password: str
    employee_id: strawberry.ID | None = None
    roles: list[str] = strawberry.field(default_factory=list)


@strawberry.type
class RolePayload:
    role: Role | None = None
    user_errors: list[UserError] = strawberry.field(default_factory=list)


@strawberry.type
class DeleteRolePayload:
    deleted_id: strawberry.ID | None = None
    user_errors: list[UserError] = strawberry.field(default_factory=list)


@strawberry.type
class UserPayload:
    user: User | None = None
    user_errors: list[UserError] = strawberry.field(default_factory=list)


@strawberry.input
class UserFilter:
    search: str | None = None


def _catalogue() -> list[PermissionInfo]:
    return [PermissionInfo(key=p.key, object=p.object, action=p.action, scope=p.scope.value,
                           description_id=p.description_id, description_en=p.description_en)
            for p in permissions.CATALOGUE]


@strawberry.type
class AccessQuery:
    @sql.builder(description="Roles of this tenant with their permissions.")
    def roles(self) -> list[Role]:
        return sql.Rows(order=("name",), access=True)

    @sql.builder(description="Every permission that exists, with its scope and descriptions.")
    def permission_catalogue(self) -> list[PermissionInfo]:
        return sql.Static(_catalogue())

    @sql.builder(description="Logins of this tenant, by username.")
    def users(self, first: int | None = 20, after: str | None = None,
              filter: UserFilter | None = None) -> Connection[User]:
        search = filter.search if filter else None
        where = (sql.icontains("username", search.strip()[:64]),) if search else ()
        return sql.Page(first=first, after=after, where=where, order=("username", "id"), access=True)


def _user_id(gid: str) -> uuid.UUID:
    return parse_global_id(gid, "User")


@strawberry.type
class AccessMutation:
    @strawberry.mutation(description="Create a role. You can only grant permissions you hold yourself.")
    async def create_role(self, info: Info, input: CreateRoleInput) -> RolePayload:
        async def work():
            view = await roles.create_role(info.context, input.name, input.description, input.permissions)
            return {"role": sql.ref("Role", view.role.id)}
        return await run_mutation(info, RolePayload, work)

    @strawberry.mutation(description="Rename a custom role, change its description or replace its permissions.")
    async def update_role(self, info: Info, input: UpdateRoleInput) -> RolePayload:
        async def work():
            view = await roles.update_role(info.context, parse_global_id(input.id, "Role"), input.name,
                                           input.description, input.permissions)
            return {"role": sql.ref("Role", view.role.id)}
        return await run_mutation(info, RolePayload, work)

    @strawberry.mutation(description="Delete a custom role nobody holds.")
    async def delete_role(self, info: Info, input: DeleteRoleInput) -> DeleteRolePayload:
        async def work():
            deleted = await roles.delete_role(info.context, parse_global_id(input.id, "Role"))
            return {"deleted_id": to_global_id("Role", deleted)}
        return await run_mutation(info, DeleteRolePayload, work)

    @strawberry.mutation(description="Give a user a role (all of whose permissions you must hold).")
    async def assign_role(self, info: Info, input: RoleAssignmentInput) -> UserPayload:
        async def work():
            return {"user": sql.ref("User", (await roles.assign_role(info.context, _user_id(input.user_id), input.role)).id)}
        return await run_mutation(info, UserPayload, work)

    @strawberry.mutation(description="Take a role from a user. The last tenant_admin cannot be removed.")
    async def revoke_role(self, info: Info, input: RoleAssignmentInput) -> UserPayload:
        async def work():
            return {"user": sql.ref("User", (await roles.revoke_role(info.context, _user_id(input.user_id), input.role)).id)}
        return await run_mutation(info, UserPayload, work)

    @strawberry.mutation(description="Create a login, optionally linked to an employee and with roles.")
    async def create_user(self, info: Info, input: CreateUserInput) -> UserPayload:
        async def work():
            employee_id = parse_global_id(input.employee_id, "Employee") if input.employee_id else None
            user = await roles.create_user(info.context, input.username, input.password, employee_id, input.roles)
            return {"user": sql.ref("User", user.id)}
        return await run_mutation(info, UserPayload, work)
