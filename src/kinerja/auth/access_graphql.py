"""GraphQL of access control: roles, the permission catalogue, users and role assignments."""

from __future__ import annotations

import uuid

import strawberry
from strawberry.types import Info

from kinerja.graph.loaders import loader
from kinerja.graph.relay import Connection, Node, UserError, connection_from_page, run_mutation
from kinerja.auth import permissions, roles
from kinerja.auth.models import User as UserModel
from kinerja.core.errors import NotFound
from kinerja.core.ids import parse_global_id, to_global_id
from kinerja.org.graphql import Employee, employees_by_id


@strawberry.type(description="Peran: a named set of permissions in this tenant.")
class Role(Node):
    name: str
    description: str
    built_in: bool = strawberry.field(description="Built-in roles follow the platform template and "
                                                  "cannot be edited or deleted.")
    permissions: list[str] = strawberry.field(description="Permission keys (object:action:scope).")

    @classmethod
    def from_view(cls, view: roles.RoleView) -> "Role":
        r = view.role
        return cls(id=to_global_id("Role", r.id), name=r.name, description=r.description,
                   built_in=r.built_in, permissions=view.permissions)


@strawberry.type(description="One entry of the permission catalogue.")
class PermissionInfo:
    key: str = strawberry.field(description="object:action:scope")
    object: str
    action: str
    scope: str = strawberry.field(description="own, team (subordinates), unit (org unit subtree) or tenant")
    description_id: str = strawberry.field(description="Keterangan (Bahasa Indonesia)")
    description_en: str


@strawberry.type(description="A login of this tenant.")
class User(Node):
    username: str
    active: bool
    _model: strawberry.Private[UserModel]

    @classmethod
    def from_model(cls, m: UserModel) -> "User":
        return cls(id=to_global_id("User", m.id), username=m.username, active=m.active, _model=m)

    @strawberry.field(description="Role names held.")
    async def roles(self, info: Info) -> list[str]:
        return await loader(info.context, "user_roles", roles.role_names_by_user).load(self._model.id)

    @strawberry.field
    async def employee(self, info: Info) -> Employee | None:
        if self._model.employee_id is None:
            return None
        row = await loader(info.context, "employee", employees_by_id).load(self._model.employee_id)
        return Employee.from_model(row) if row else None


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


@strawberry.type
class AccessQuery:
    @strawberry.field(description="Roles of this tenant with their permissions.")
    async def roles(self, info: Info) -> list[Role]:
        return [Role.from_view(v) for v in await roles.list_roles(info.context)]

    @strawberry.field(description="Every permission that exists, with its scope and descriptions.")
    def permission_catalogue(self) -> list[PermissionInfo]:
        return [PermissionInfo(key=p.key, object=p.object, action=p.action, scope=p.scope.value,
                               description_id=p.description_id, description_en=p.description_en)
                for p in permissions.CATALOGUE]

    @strawberry.field(description="Logins of this tenant, by username.")
    async def users(self, info: Info, first: int | None = 20, after: str | None = None,
                    filter: UserFilter | None = None) -> Connection[User]:
        page = await roles.list_users(info.context, filter.search if filter else None, first, after)
        return Connection[User](**connection_from_page(page, User.from_model))


def _user_id(gid: str) -> uuid.UUID:
    return parse_global_id(gid, "User")


@strawberry.type
class AccessMutation:
    @strawberry.mutation(description="Create a role. You can only grant permissions you hold yourself.")
    async def create_role(self, info: Info, input: CreateRoleInput) -> RolePayload:
        async def work():
            view = await roles.create_role(info.context, input.name, input.description, input.permissions)
            return {"role": Role.from_view(view)}
        return await run_mutation(info, RolePayload, work)

    @strawberry.mutation(description="Rename a custom role, change its description or replace its permissions.")
    async def update_role(self, info: Info, input: UpdateRoleInput) -> RolePayload:
        async def work():
            view = await roles.update_role(info.context, parse_global_id(input.id, "Role"), input.name,
                                           input.description, input.permissions)
            return {"role": Role.from_view(view)}
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
            return {"user": User.from_model(await roles.assign_role(info.context, _user_id(input.user_id), input.role))}
        return await run_mutation(info, UserPayload, work)

    @strawberry.mutation(description="Take a role from a user. The last tenant_admin cannot be removed.")
    async def revoke_role(self, info: Info, input: RoleAssignmentInput) -> UserPayload:
        async def work():
            return {"user": User.from_model(await roles.revoke_role(info.context, _user_id(input.user_id), input.role))}
        return await run_mutation(info, UserPayload, work)

    @strawberry.mutation(description="Create a login, optionally linked to an employee and with roles.")
    async def create_user(self, info: Info, input: CreateUserInput) -> UserPayload:
        async def work():
            employee_id = parse_global_id(input.employee_id, "Employee") if input.employee_id else None
            user = await roles.create_user(info.context, input.username, input.password, employee_id, input.roles)
            return {"user": User.from_model(user)}
        return await run_mutation(info, UserPayload, work)


async def resolve_user_node(ctx, object_id: uuid.UUID) -> User:
    await ctx.require("role", "read")
    user = await UserModel.get_or_none(id=object_id, tenant_id=ctx.require_tenant())
    if user is None:
        raise NotFound("User not found")
    return User.from_model(user)


NODE_RESOLVERS = {"User": resolve_user_node}
