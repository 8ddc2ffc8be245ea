"""GraphQL of access control: roles, the permission catalogue, users and role assignments."""

from __future__ import annotations

import uuid
from enum import Enum
from typing import Annotated

import strawberry
from strawberry.types import Info

from kinerja.auth import account, permissions, roles
from kinerja.auth.graphql import HELD_ROLES
from kinerja.auth.models import Role as RoleModel
from kinerja.auth.models import User as UserModel
from kinerja.core.errors import NotFound
from kinerja.core.ids import parse_global_id, to_global_id
from kinerja.graph import sql
from kinerja.graph.enums import described
from kinerja.graph.relay import INPUT, After, Connection, First, Node, UserError, run_mutation, user_errors_field
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
    name: str = strawberry.field(description="Role name, unique in the tenant (e.g. `pegawai`, `atasan`).")
    description: str = strawberry.field(description="What the role is for (keterangan).")
    built_in: bool = strawberry.field(description="Built-in roles follow the platform template and "
                                                  "cannot be edited or deleted.")
    permissions: list[str] = sql.expression(ROLE_PERMISSIONS, description="Permission keys (object:action:scope).")


described(permissions.Scope, "Lingkup (scope): which rows a permission reaches.", {
    "OWN": "Milik sendiri: the user's own employee record and what belongs to it.",
    "TEAM": "Tim (bawahan): direct and indirect subordinates through the supervisor tree.",
    "UNIT": "Unit kerja: the org unit of the user's employee record and its sub-units.",
    "TENANT": "Seluruh tenant: the whole local government.",
}, name="PermissionScope")


@strawberry.enum(description="What a permission is about (the first part of its key).")
class PermissionObject(Enum):
    EMPLOYEE = strawberry.enum_value("employee", description="Data pegawai: employee records.")
    ORG = strawberry.enum_value("org", description="Struktur organisasi dan periode: org units, positions, periods.")
    ROLE = strawberry.enum_value("role", description="Peran: roles and their assignments.")
    USER = strawberry.enum_value("user", description="Pengguna: logins of the tenant.")
    PLAN = strawberry.enum_value("plan", description="SKP (Sasaran Kinerja Pegawai): performance plans and "
                                                     "their realisation.")
    EVALUATION = strawberry.enum_value("evaluation", description="Penilaian kinerja: evaluations.")
    UNIT_PERFORMANCE = strawberry.enum_value("unit_performance", description="Capaian kinerja organisasi: a unit's "
                                                                             "performance rating.")
    IKU = strawberry.enum_value("iku", description="IKU (Indikator Kinerja Utama): strategic goals, unit indicators, "
                                                   "their targets and realisations, performance agreements.")
    DASHBOARD = strawberry.enum_value("dashboard", description="Dasbor kinerja: performance dashboards.")
    TRAINING = strawberry.enum_value("training", description="Pengembangan kompetensi: training records, events and "
                                                             "recommendations.")
    FEEDBACK = strawberry.enum_value("feedback", description="Pengaduan dan masukan masyarakat: citizen feedback.")
    IKM = strawberry.enum_value("ikm", description="IKM (Indeks Kepuasan Masyarakat): the satisfaction index.")
    SURVEY = strawberry.enum_value("survey", description="Survei kepuasan di loket: survey kiosks, one-time survey "
                                                         "codes and follow-up plans.")
    SETTINGS = strawberry.enum_value("settings", description="Pengaturan tenant: the tenant settings the tenant file "
                                                             "does not own.")
    AUDIT = strawberry.enum_value("audit", description="Jejak audit: the audit trail.")
    NOTIFICATION = strawberry.enum_value("notification", description="Notifikasi: the user's own inbox and "
                                                                     "notification preferences.")
    TENANT = strawberry.enum_value("tenant", description="Tenant: the local governments of the deployment "
                                                         "(platform operators).")


@strawberry.enum(description="What a permission allows on its object (the second part of its key).")
class PermissionAction(Enum):
    READ = strawberry.enum_value("read", description="Melihat: read.")
    MANAGE = strawberry.enum_value("manage", description="Mengelola: create, change and delete.")
    WRITE = strawberry.enum_value("write", description="Menyusun / menilai: write (draft a plan, evaluate, "
                                                       "record training, set a rating).")
    APPROVE = strawberry.enum_value("approve", description="Menyetujui: approve or return.")
    FEEDBACK = strawberry.enum_value("feedback", description="Memberi umpan balik: give feedback.")
    CLOSE = strawberry.enum_value("close", description="Menutup: close at year end.")
    VERIFY = strawberry.enum_value("verify", description="Memverifikasi: verify (training, attendance).")
    RESPOND = strawberry.enum_value("respond", description="Menanggapi: answer and assign.")
    SIGN = strawberry.enum_value("sign", description="Menandatangani: sign (a performance agreement).")


@strawberry.type(description="One entry of the permission catalogue.")
class PermissionInfo:
    key: str = strawberry.field(description="object:action:scope")
    object: PermissionObject = strawberry.field(description="What the permission is about.")
    action: PermissionAction = strawberry.field(description="What it allows on that object.")
    scope: permissions.Scope = strawberry.field(description="Which rows the permission reaches.")
    description_id: str = strawberry.field(description="Keterangan (Bahasa Indonesia)")
    description_en: str = strawberry.field(description="The same in English.")


@sql.table(UserModel, access=READ_ROLES, node=True, not_found=lambda: NotFound("User not found"),
           description="A login of this tenant.")
class User(Node):
    username: str = strawberry.field(description="Login name (often the NIP), unique in the tenant.")
    active: bool = strawberry.field(description="A disabled account cannot sign in, and its sessions end.")
    roles: list[str] = sql.expression(HELD_ROLES, description="Role names held.")
    employee: Employee | None = sql.join("employee_id", description="The employee record (pegawai) this login "
                                                                    "belongs to, if any.")


@strawberry.input(description="A new custom role (peran).")
class CreateRoleInput:
    name: str = strawberry.field(description="Role name, unique in the tenant.")
    description: str = strawberry.field(default="", description="What the role is for (keterangan).")
    permissions: list[str] = strawberry.field(default_factory=list, description="Permission keys "
                                              "(object:action:scope) from `permissionCatalogue`; only ones you hold.")


@strawberry.input(description="Changes to a custom role; fields left null stay as they are.")
class UpdateRoleInput:
    id: strawberry.ID = strawberry.field(description="Global id of the role.")
    name: str | None = strawberry.field(default=None, description="New name, unique in the tenant.")
    description: str | None = strawberry.field(default=None, description="New description.")
    permissions: list[str] | None = strawberry.field(default=None, description="Replaces all permissions.")


@strawberry.input(description="The custom role to delete.")
class DeleteRoleInput:
    id: strawberry.ID = strawberry.field(description="Global id of the role.")


@strawberry.input(description="A user and a role to give or take.")
class RoleAssignmentInput:
    user_id: strawberry.ID = strawberry.field(description="Global id of the user.")
    role: str = strawberry.field(description="Role name.")


@strawberry.input(description="A new login of this tenant.")
class CreateUserInput:
    username: str = strawberry.field(description="Login name (often the NIP), unique in the tenant.")
    password: str = strawberry.field(description="Initial password (kata sandi).")
    employee_id: strawberry.ID | None = strawberry.field(default=None, description="Global id of the employee "
                                                                                    "record this login belongs to.")
    roles: list[str] = strawberry.field(default_factory=list, description="Role names to give; you must hold "
                                                                          "all their permissions.")


@strawberry.input(description="A login to deactivate.")
class DeactivateUserInput:
    id: strawberry.ID = strawberry.field(description="Global id of the user (login).")


@strawberry.input(description="A disabled login to enable again.")
class ReactivateUserInput:
    id: strawberry.ID = strawberry.field(description="Global id of the user (login).")


@strawberry.input(description="A login whose password is to be reset with a one-time code.")
class ResetUserPasswordInput:
    user_id: strawberry.ID = strawberry.field(description="Global id of the user (login).")


@strawberry.enum(description="How a password reset code reached its user.")
class PasswordResetDelivery(Enum):
    SHOWN = strawberry.enum_value("SHOWN", description="Shown once, in `code` of this payload: hand it over "
                                                       "in person; it is never shown again.")
    MAILED = strawberry.enum_value("MAILED", description="Sent by the configured mail delivery; `code` is null.")


@strawberry.type(description="The outcome of starting a password reset.")
class ResetUserPasswordPayload:
    user: User | None = strawberry.field(default=None, description="The user; null on failure.")
    code: str | None = strawberry.field(default=None, description="The one-time code (valid 24 hours, used once), "
                                                                  "shown only here and only when `delivery` is SHOWN.")
    delivery: PasswordResetDelivery | None = strawberry.field(default=None, description="Shown or mailed; null "
                                                                                         "on failure.")
    user_errors: list[UserError] = user_errors_field()


@strawberry.type(description="The outcome of a change to a role.")
class RolePayload:
    role: Role | None = strawberry.field(default=None, description="The role as it is now; null on failure.")
    user_errors: list[UserError] = user_errors_field()


@strawberry.type(description="The outcome of deleting a role.")
class DeleteRolePayload:
    deleted_id: strawberry.ID | None = strawberry.field(default=None, description="Global id of the deleted role; "
                                                                                  "null on failure.")
    user_errors: list[UserError] = user_errors_field()


@strawberry.type(description="The outcome of a change to a user.")
class UserPayload:
    user: User | None = strawberry.field(default=None, description="The user as it is now; null on failure.")
    user_errors: list[UserError] = user_errors_field()


@strawberry.input(description="Which users to list.")
class UserFilter:
    search: str | None = strawberry.field(default=None, description="Part of the username.")


# Built once: a catalogue entry whose object or action has no enum value stops the start.
CATALOGUE = [PermissionInfo(key=p.key, object=PermissionObject(p.object), action=PermissionAction(p.action),
                            scope=p.scope, description_id=p.description_id, description_en=p.description_en)
             for p in permissions.CATALOGUE]


def _catalogue() -> list[PermissionInfo]:
    return CATALOGUE


@strawberry.type
class AccessQuery:
    @sql.builder(description="Roles of this tenant with their permissions.")
    def roles(self) -> list[Role]:
        return sql.Rows(order=("name",), access=True)  # type: ignore[return-value]  # a described read: the compiler answers its specification

    @sql.builder(description="Every permission that exists, with its scope and descriptions.")
    def permission_catalogue(self) -> list[PermissionInfo]:
        return sql.Static(_catalogue())  # type: ignore[return-value]  # a described read: the compiler answers its specification

    @sql.builder(description="Logins of this tenant, by username.")
    def users(self, first: First = 20, after: After = None,
              filter: Annotated[UserFilter | None, strawberry.argument(description="Which users.")] = None
              ) -> Connection[User]:
        search = filter.search if filter else None
        where = (sql.icontains("username", search.strip()[:64]),) if search else ()
        return sql.Page(first=first, after=after, where=where, order=("username", "id"), access=True)  # type: ignore[return-value]  # a described read: the compiler answers its specification


def _user_id(gid: str) -> uuid.UUID:
    return parse_global_id(gid, "User")


@strawberry.type
class AccessMutation:
    @strawberry.mutation(description="Create a role. You can only grant permissions you hold yourself.")
    async def create_role(self, info: Info, input: Annotated[CreateRoleInput, INPUT]) -> RolePayload:
        async def work():
            view = await roles.create_role(info.context, input.name, input.description, input.permissions)
            return {"role": sql.ref("Role", view.role.id)}
        return await run_mutation(info, RolePayload, work)

    @strawberry.mutation(description="Rename a custom role, change its description or replace its permissions.")
    async def update_role(self, info: Info, input: Annotated[UpdateRoleInput, INPUT]) -> RolePayload:
        async def work():
            view = await roles.update_role(info.context, parse_global_id(input.id, "Role"), input.name,
                                           input.description, input.permissions)
            return {"role": sql.ref("Role", view.role.id)}
        return await run_mutation(info, RolePayload, work)

    @strawberry.mutation(description="Delete a custom role nobody holds.")
    async def delete_role(self, info: Info, input: Annotated[DeleteRoleInput, INPUT]) -> DeleteRolePayload:
        async def work():
            deleted = await roles.delete_role(info.context, parse_global_id(input.id, "Role"))
            return {"deleted_id": to_global_id("Role", deleted)}
        return await run_mutation(info, DeleteRolePayload, work)

    @strawberry.mutation(description="Give a user a role (all of whose permissions you must hold).")
    async def assign_role(self, info: Info, input: Annotated[RoleAssignmentInput, INPUT]) -> UserPayload:
        async def work():
            return {"user": sql.ref("User", (await roles.assign_role(info.context, _user_id(input.user_id), input.role)).id)}
        return await run_mutation(info, UserPayload, work)

    @strawberry.mutation(description="Take a role from a user. The last tenant_admin cannot be removed.")
    async def revoke_role(self, info: Info, input: Annotated[RoleAssignmentInput, INPUT]) -> UserPayload:
        async def work():
            return {"user": sql.ref("User", (await roles.revoke_role(info.context, _user_id(input.user_id), input.role)).id)}
        return await run_mutation(info, UserPayload, work)

    @strawberry.mutation(description="Disable a login: it cannot sign in and its sessions end (audited). An employee "
                                     "gets a new login only once the old one is deactivated.")
    async def deactivate_user(self, info: Info, input: Annotated[DeactivateUserInput, INPUT]) -> UserPayload:
        async def work():
            return {"user": sql.ref("User", (await roles.deactivate_user(info.context, _user_id(input.id))).id)}
        return await run_mutation(info, UserPayload, work)

    @strawberry.mutation(description="Enable a disabled login again (audited); its old sessions stay ended. Its "
                                     "employee must have no other active login.")
    async def reactivate_user(self, info: Info, input: Annotated[ReactivateUserInput, INPUT]) -> UserPayload:
        async def work():
            return {"user": sql.ref("User", (await roles.reactivate_user(info.context, _user_id(input.id))).id)}
        return await run_mutation(info, UserPayload, work)

    @strawberry.mutation(description="Start a password reset for a user: a one-time code, valid 24 hours, for "
                                     "`completePasswordReset`. It is shown once in this payload, or mailed "
                                     "when mail delivery is configured; older codes of the user end.")
    async def reset_user_password(self, info: Info,
                                  input: Annotated[ResetUserPasswordInput, INPUT]) -> ResetUserPasswordPayload:
        async def work():
            issued = await account.reset_user_password(info.context, _user_id(input.user_id))
            return {"user": sql.ref("User", issued.user.id), "code": issued.code,
                    "delivery": PasswordResetDelivery.MAILED if issued.mailed else PasswordResetDelivery.SHOWN}
        return await run_mutation(info, ResetUserPasswordPayload, work)

    @strawberry.mutation(description="Create a login, optionally linked to an employee (who must have no other "
                                     "active login) and with roles.")
    async def create_user(self, info: Info, input: Annotated[CreateUserInput, INPUT]) -> UserPayload:
        async def work():
            employee_id = parse_global_id(input.employee_id, "Employee") if input.employee_id else None
            user = await roles.create_user(info.context, input.username, input.password, employee_id, input.roles)
            return {"user": sql.ref("User", user.id)}
        return await run_mutation(info, UserPayload, work)
