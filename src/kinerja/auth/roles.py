"""Use cases of access control: roles, their permissions, who holds them; users of a tenant.

Changes to a role, or to who holds it, lock the role's row (and the user's, for an assignment), and
names about to be taken are locked as keys (``core/once.py``): two admins revoking each other's
tenant_admin at once run one after the other, and the second finds the last admin."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Any

from kinerja.auth import rules, templates
from kinerja.auth.enforcer import role_subject, user_subject
from kinerja.auth.models import PolicyRule, Role, User
from kinerja.auth.passwords import hash_password, password_problem
from kinerja.auth.policy_events import announce_policy_change
from kinerja.auth.sessions import end_sessions
from kinerja.core import audit, once
from kinerja.core.context import RequestContext
from kinerja.core.errors import Conflict, FieldError, Forbidden, NotFound, ValidationFailed
from kinerja.org.models import Employee
from kinerja.tenancy.models import Tenant
from kinerja.tenancy.rules import PLATFORM_SLUG


@dataclass(frozen=True)
class RoleView:
    role: Role
    permissions: list[str]


async def _role_permissions(tenant_id: uuid.UUID, names: list[str]) -> dict[str, list[str]]:
    found: dict[str, list[str]] = {name: [] for name in names}
    subjects = [role_subject(n) for n in names]
    for subject, obj, act in await PolicyRule.filter(
        tenant_id=tenant_id, ptype="p", v0__in=subjects
    ).values_list("v0", "v2", "v3"):
        found[subject.removeprefix("role:")].append(f"{obj}:{act}")
    return {name: sorted(keys) for name, keys in found.items()}


async def _is_platform(tenant_id: uuid.UUID) -> bool:
    return await Tenant.filter(id=tenant_id, slug=PLATFORM_SLUG).exists()


async def _check_grantable(ctx: RequestContext, requested: list[str]) -> list[str]:
    unique = sorted(set(requested))
    problems = rules.permission_problems(
        unique, await ctx.permissions(), platform=await _is_platform(ctx.require_tenant())
    )
    if problems:
        raise ValidationFailed(problems)
    return unique


async def _get_role(ctx: RequestContext, role_id: uuid.UUID) -> Role:
    """The role, locked for the rest of the operation (every caller changes it or who holds it)."""
    role = await once.locked(Role.filter(id=role_id, tenant_id=ctx.require_tenant()))
    if role is None:
        raise NotFound("Role not found", field="id")
    return role


async def _write_permissions(tenant_id: uuid.UUID, role_name: str, current: list[str], keys: list[str]) -> None:
    """Make the role's permissions ``keys``: only the difference from ``current`` is written."""
    removed = [templates.permission_rule(tenant_id, role_name, k) for k in set(current) - set(keys)]
    for rule in removed:
        await audit.delete(PolicyRule.filter(**rule))
    await PolicyRule.bulk_create([PolicyRule(**templates.permission_rule(tenant_id, role_name, k))
                                  for k in keys if k not in set(current)])


async def _name_free(tenant_id: uuid.UUID, name: str) -> None:
    """CONFLICT when a role has the name; the name stays reserved for this operation."""
    await once.lock_key("role-name", tenant_id, name)
    if await Role.exists(tenant_id=tenant_id, name=name):
        raise Conflict("A role of this name already exists", field="name")


def _check_name(name: str) -> None:
    if problem := rules.role_name_problem(name):
        raise ValidationFailed([FieldError("name", "BAD_USER_INPUT", problem)])


def _check_description(description: str | None) -> None:
    if description is not None and len(description) > 300:
        raise ValidationFailed([FieldError("description", "BAD_USER_INPUT", "Description must be at most 300 characters")])


async def create_role(ctx: RequestContext, name: str, description: str, requested: list[str]) -> RoleView:
    await ctx.require("role", "manage")
    tenant_id = ctx.require_tenant()
    _check_name(name)
    _check_description(description)
    keys = await _check_grantable(ctx, requested)
    await _name_free(tenant_id, name)
    role = await Role.create(tenant_id=tenant_id, name=name, description=description or "", built_in=False)
    await _write_permissions(tenant_id, name, [], keys)
    await announce_policy_change(ctx, tenant_id)
    return RoleView(role, keys)


async def update_role(ctx: RequestContext, role_id: uuid.UUID, name: str | None, description: str | None,
                      requested: list[str] | None) -> RoleView:
    await ctx.require("role", "manage")
    tenant_id = ctx.require_tenant()
    role = await _get_role(ctx, role_id)
    if role.built_in:
        raise Conflict(f"Built-in role {role.name!r} follows the platform template; create a custom role instead",
                       field="id")
    current = (await _role_permissions(tenant_id, [role.name]))[role.name]
    missing = rules.missing_for_grant(set(current), await ctx.permissions())
    if missing:
        raise Forbidden(f"You cannot change a role holding {missing[0]!r}, which you do not hold", field="id")
    if name is not None and name != role.name:
        _check_name(name)
        await _name_free(tenant_id, name)
        await audit.update(PolicyRule.filter(tenant_id=tenant_id, v0=role_subject(role.name), ptype="p"),
                           v0=role_subject(name))
        await audit.update(PolicyRule.filter(tenant_id=tenant_id, v1=role_subject(role.name), ptype="g"),
                           v1=role_subject(name))
        role.name = name
    _check_description(description)
    if description is not None:
        role.description = description
    await role.save()
    keys = current
    if requested is not None:
        keys = await _check_grantable(ctx, requested)
        await _write_permissions(tenant_id, role.name, current, keys)
    await announce_policy_change(ctx, tenant_id)
    return RoleView(role, keys)


async def delete_role(ctx: RequestContext, role_id: uuid.UUID) -> uuid.UUID:
    await ctx.require("role", "manage")
    tenant_id = ctx.require_tenant()
    role = await _get_role(ctx, role_id)
    if role.built_in:
        raise Conflict(f"Built-in role {role.name!r} cannot be deleted", field="id")
    holders = await PolicyRule.filter(tenant_id=tenant_id, ptype="g", v1=role_subject(role.name)).count()
    if holders:
        raise Conflict(f"Role {role.name!r} is still held by {holders} user(s); revoke it first", field="id")
    current = (await _role_permissions(tenant_id, [role.name]))[role.name]
    if missing := rules.missing_for_grant(set(current), await ctx.permissions()):
        raise Forbidden(f"You cannot delete a role holding {missing[0]!r}, which you do not hold", field="id")
    await audit.delete(PolicyRule.filter(tenant_id=tenant_id, ptype="p", v0=role_subject(role.name)))
    await role.delete()
    await announce_policy_change(ctx, tenant_id)
    return role.id


async def _user_in_tenant(ctx: RequestContext, user_id: uuid.UUID) -> User:
    """The user, locked for the rest of the operation (its roles change)."""
    user = await once.locked(User.filter(id=user_id, tenant_id=ctx.require_tenant()))
    if user is None:
        raise NotFound("User not found", field="userId")
    return user


async def _role_for_grant(ctx: RequestContext, role_name: str) -> Role:
    tenant_id = ctx.require_tenant()
    role = await once.locked(Role.filter(tenant_id=tenant_id, name=role_name)) if isinstance(role_name, str) else None
    if role is None:
        raise NotFound("No role of this name in this tenant", field="role")
    role_perms = (await _role_permissions(tenant_id, [role.name]))[role.name]
    if missing := rules.missing_for_grant(set(role_perms), await ctx.permissions()):
        raise Forbidden(f"You cannot grant or revoke {role.name!r}: it holds {missing[0]!r}, which you do not",
                        field="role")
    return role


async def assign_role(ctx: RequestContext, user_id: uuid.UUID, role_name: str) -> User:
    await ctx.require("role", "manage")
    user = await _user_in_tenant(ctx, user_id)
    role = await _role_for_grant(ctx, role_name)
    if not await templates.assign(user.tenant_id, user.id, role.name):
        raise Conflict(f"The user already holds {role.name!r}", field="role")
    await announce_policy_change(ctx, user.tenant_id)
    return user


async def revoke_role(ctx: RequestContext, user_id: uuid.UUID, role_name: str) -> User:
    await ctx.require("role", "manage")
    user = await _user_in_tenant(ctx, user_id)
    role = await _role_for_grant(ctx, role_name)
    rule = templates.assignment_rule(user.tenant_id, user.id, role.name)
    if not await PolicyRule.exists(**rule):
        raise Conflict(f"The user does not hold {role.name!r}", field="role")
    if role.name == rules.PROTECTED_ROLE:
        holders: list[Any] = await PolicyRule.filter(tenant_id=user.tenant_id, ptype="g",
                                          v1=role_subject(role.name)).values_list("v0", flat=True)
        remaining = await User.filter(tenant_id=user.tenant_id, active=True,
                                      id__in=[uuid.UUID(h.removeprefix("user:")) for h in holders
                                              if h != user_subject(user.id)]).count()
        if problem := rules.last_admin_problem(remaining):
            raise Conflict(problem, field="role")
    await audit.delete(PolicyRule.filter(**rule))
    await announce_policy_change(ctx, user.tenant_id)
    return user


async def create_user(ctx: RequestContext, username: str, password: str, employee_id: uuid.UUID | None,
                      role_names: list[str]) -> User:
    await ctx.require("user", "manage")
    tenant_id = ctx.require_tenant()
    problems = []
    if problem := rules.username_problem(username):
        problems.append(FieldError("username", "BAD_USER_INPUT", problem))
    if problem := password_problem(password):
        problems.append(FieldError("password", "BAD_USER_INPUT", problem))
    if problems:
        raise ValidationFailed(problems)
    await once.lock_key("username", tenant_id, username)
    if await User.exists(tenant_id=tenant_id, username=username):
        raise Conflict("A user with this username already exists", field="username")
    if employee_id is not None:
        # The employee's row serialises the logins bound to him or her.
        if await once.locked(Employee.filter(id=employee_id, tenant_id=tenant_id)) is None:
            raise NotFound("Employee not found", field="employeeId")
        active = await User.filter(tenant_id=tenant_id, employee_id=employee_id, active=True).count()
        if (problem := rules.second_login_problem(active)) is not None:
            raise Conflict(problem, field="employeeId")
    roles = [await _role_for_grant(ctx, name) for name in dict.fromkeys(role_names)]
    user = await User.create(tenant_id=tenant_id, username=username, password_hash=hash_password(password),
                             employee_id=employee_id)
    for role in roles:
        await templates.assign(tenant_id, user.id, role.name)
    if roles:
        await announce_policy_change(ctx, tenant_id)
    return user


async def deactivate_user(ctx: RequestContext, user_id: uuid.UUID) -> User:
    """Disable a login: it cannot sign in, its sessions end; its employee may then get another. Nobody
    disables his or her own login, and the tenant keeps an active tenant_admin."""
    await ctx.require("user", "manage")
    user = await _user_in_tenant(ctx, user_id)
    if not user.active:
        raise Conflict("The login is already inactive", field="id")
    await _disable(ctx, user, field="id")
    return user


async def disable_logins_of_employee(ctx: RequestContext, employee_id: uuid.UUID) -> None:
    """An employee left (``deactivateEmployee``): his or her logins are disabled with it, as
    ``deactivateUser`` disables one, in the same transaction."""
    for user in await once.locked_all(User.filter(tenant_id=ctx.require_tenant(), employee_id=employee_id,
                                                  active=True)):
        await _disable(ctx, user, field="employeeId")


async def _disable(ctx: RequestContext, user: User, field: str) -> None:
    """Disable a login: nobody his or her own, never the tenant's last active tenant_admin; its sessions
    end at once."""
    if user.id == ctx.require_actor().user_id:
        raise Forbidden("Nobody deactivates his or her own login", field=field)
    admins: list[Any] = await PolicyRule.filter(tenant_id=user.tenant_id, ptype="g",
                                                v1=role_subject(rules.PROTECTED_ROLE)).values_list("v0", flat=True)
    if user_subject(user.id) in admins:
        remaining = await User.filter(tenant_id=user.tenant_id, active=True,
                                      id__in=[uuid.UUID(h.removeprefix("user:")) for h in admins
                                              if h != user_subject(user.id)]).count()
        if problem := rules.last_admin_problem(remaining):
            raise Conflict(problem, field=field)
    user.active = False
    await user.save(update_fields=["active"])
    await end_sessions(ctx, user.tenant_id, user.id)
    await announce_policy_change(ctx, user.tenant_id)


async def reactivate_user(ctx: RequestContext, user_id: uuid.UUID) -> User:
    """Enable a disabled login again: it may sign in (its old sessions stay ended). Its employee must
    have no other active login."""
    await ctx.require("user", "manage")
    user = await _user_in_tenant(ctx, user_id)
    if user.active:
        raise Conflict("The login is already active", field="id")
    if user.employee_id is not None:
        # The employee's row serialises the logins bound to him or her (as createUser does).
        await once.locked(Employee.filter(id=user.employee_id, tenant_id=user.tenant_id))
        active = await User.filter(tenant_id=user.tenant_id, employee_id=user.employee_id, active=True).count()
        if (problem := rules.second_login_problem(active)) is not None:
            raise Conflict(problem, field="id")
    user.active = True
    await user.save(update_fields=["active"])
    await announce_policy_change(ctx, user.tenant_id)
    return user
