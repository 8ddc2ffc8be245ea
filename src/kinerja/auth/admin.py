"""Operator tasks on users, for the command line. Changes are recorded in the tenant's audit trail
under the operation ``cli:<command>`` with no actor."""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator
from dataclasses import dataclass

from kinerja.auth import templates
from kinerja.auth.enforcer import registry, user_subject
from kinerja.auth.models import PolicyRule, Role, User
from kinerja.auth.passwords import hash_password, password_problem
from kinerja.auth.sessions import end_sessions
from kinerja.core import audit
from kinerja.core.db import switch_tenant, tenant_transaction
from kinerja.org.models import Employee
from kinerja.tenancy.models import Tenant


@dataclass(frozen=True)
class UserRow:
    username: str
    active: bool
    roles: list[str]
    employee_nip: str | None


@contextlib.asynccontextmanager
async def _in_tenant(tenant_slug: str, operation: str | None = None) -> AsyncIterator[Tenant]:
    """A transaction bound to the tenant named; with ``operation``, its changes are audited."""
    collector = audit.AuditCollector(operation, request_id="cli") if operation else None
    token = audit.current.set(collector)
    try:
        async with tenant_transaction(None) as conn:
            tenant = await Tenant.get_or_none(slug=tenant_slug)
            if tenant is None:
                raise ValueError(f"no tenant {tenant_slug!r}")
            await switch_tenant(conn, tenant.id)
            yield tenant
            if collector is not None:
                await audit.flush(collector)
    finally:
        audit.current.reset(token)


async def _user(tenant: Tenant, username: str) -> User:
    user = await User.get_or_none(tenant_id=tenant.id, username=username)
    if user is None:
        raise ValueError(f"no user {username!r} in {tenant.slug}")
    return user


async def _role_names_by_user(tenant_id, user_ids) -> list[list[str]]:
    held: dict[str, list[str]] = {user_subject(u): [] for u in user_ids}
    for subject, role in await PolicyRule.filter(tenant_id=tenant_id, ptype="g",
                                                 v0__in=list(held)).values_list("v0", "v1"):
        held[subject].append(role.removeprefix("role:"))
    return [sorted(held[user_subject(u)]) for u in user_ids]


async def list_users(tenant_slug: str) -> list[UserRow]:
    async with _in_tenant(tenant_slug) as tenant:
        users = await User.filter(tenant_id=tenant.id).order_by("username")
        roles = await _role_names_by_user(tenant.id, [u.id for u in users])
        nips = dict(await Employee.filter(tenant_id=tenant.id, id__in=[u.employee_id for u in users if u.employee_id])
                    .values_list("id", "nip"))
    return [UserRow(u.username, u.active, held, nips.get(u.employee_id)) for u, held in zip(users, roles, strict=True)]


async def deactivate_user(tenant_slug: str, username: str) -> str:
    async with _in_tenant(tenant_slug, "cli:users deactivate") as tenant:
        user = await _user(tenant, username)
        if not user.active:
            return f"user {username} in {tenant_slug} is already inactive"
        user.active = False
        await user.save(update_fields=["active"])
        ended = await end_sessions(None, user.tenant_id, user.id)
    return f"user {username} in {tenant_slug} deactivated ({ended} session(s) ended)"


async def reset_password(tenant_slug: str, username: str, password: str) -> str:
    if problem := password_problem(password):
        raise ValueError(problem)
    async with _in_tenant(tenant_slug, "cli:users reset-password") as tenant:
        user = await _user(tenant, username)
        user.password_hash = hash_password(password)
        await user.save(update_fields=["password_hash"])
        ended = await end_sessions(None, user.tenant_id, user.id)
    return f"password of {username} in {tenant_slug} reset ({ended} session(s) ended)"


async def create_user(tenant_slug: str, username: str, password: str, roles: list[str],
                      employee_nip: str | None) -> str:
    if problem := password_problem(password):
        raise ValueError(problem)
    async with tenant_transaction(None) as conn:
        tenant = await Tenant.get_or_none(slug=tenant_slug)
        if tenant is None:
            raise ValueError(f"no tenant {tenant_slug!r}")
        await switch_tenant(conn, tenant.id)
        if await User.exists(tenant_id=tenant.id, username=username):
            raise ValueError(f"user {username!r} already exists in {tenant_slug}")
        employee_id = None
        if employee_nip:
            employee = await Employee.get_or_none(tenant_id=tenant.id, nip=employee_nip)
            if employee is None:
                raise ValueError(f"no employee with NIP {employee_nip} in {tenant_slug}")
            if await User.exists(tenant_id=tenant.id, employee_id=employee.id, active=True):
                raise ValueError(f"employee {employee_nip} already has an active login; deactivate it first")
            employee_id = employee.id
        for role in roles:
            if not await Role.exists(tenant_id=tenant.id, name=role):
                raise ValueError(f"no role {role!r} in {tenant_slug}")
        user = await User.create(tenant_id=tenant.id, username=username,
                                 password_hash=hash_password(password), employee_id=employee_id)
        for role in roles:
            await templates.assign(tenant.id, user.id, role)
    registry.invalidate(tenant.id)
    return f"user {username} created in {tenant_slug} with roles {', '.join(roles) or '(none)'}"
