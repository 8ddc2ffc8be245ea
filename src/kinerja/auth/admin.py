"""Operator tasks on users, for the command line."""

from __future__ import annotations

from kinerja.auth import templates
from kinerja.auth.enforcer import registry
from kinerja.auth.models import Role, User
from kinerja.auth.passwords import hash_password, password_problem
from kinerja.core.db import switch_tenant, tenant_transaction
from kinerja.org.models import Employee
from kinerja.tenancy.models import Tenant


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
