"""Platform operators' use cases: list and provision tenants."""

from __future__ import annotations

import datetime as dt

from kinerja.auth import rules as auth_rules
from kinerja.auth import templates
from kinerja.auth.enforcer import registry
from kinerja.auth.models import User
from kinerja.auth.passwords import hash_password, password_problem
from kinerja.core import once
from kinerja.core.context import RequestContext
from kinerja.core.db import connection, switch_tenant
from kinerja.core.errors import Conflict, FieldError, Forbidden, ValidationFailed
from kinerja.org.service import ensure_periods
from kinerja.tenancy.models import Tenant
from kinerja.tenancy.origins import origin_index
from kinerja.tenancy.rules import PLATFORM_SLUG, TenantKind, TenantSettings, validate_slug


async def _require_platform(ctx: RequestContext, action: str) -> None:
    await ctx.require("tenant", action)
    if not await Tenant.filter(id=ctx.require_tenant(), slug=PLATFORM_SLUG).exists():
        raise Forbidden("Only platform operators manage tenants")


async def create_tenant(ctx: RequestContext, slug: str, name: str, kind: TenantKind,
                        admin_username: str, admin_password: str) -> Tenant:
    """Provision a tenant with default roles, this year's periods and its first tenant admin."""
    await _require_platform(ctx, "manage")
    problems = []
    if problem := validate_slug(slug):
        problems.append(FieldError("slug", "BAD_USER_INPUT", problem))
    if not name.strip() or len(name) > 200:
        problems.append(FieldError("name", "BAD_USER_INPUT", "Name is required (at most 200 characters)"))
    if kind is TenantKind.PLATFORM:
        problems.append(FieldError("kind", "BAD_USER_INPUT", "PLATFORM is reserved"))
    if problem := auth_rules.username_problem(admin_username):
        problems.append(FieldError("adminUsername", "BAD_USER_INPUT", problem))
    if problem := password_problem(admin_password):
        problems.append(FieldError("adminPassword", "BAD_USER_INPUT", problem))
    if problems:
        raise ValidationFailed(problems)
    await once.lock_key("tenant-slug", slug)  # one creation of a slug at a time
    if await Tenant.exists(slug=slug):
        raise Conflict("A tenant with this slug already exists", field="slug")
    tenant = await Tenant.create(slug=slug, name=name.strip(), kind=kind, settings=TenantSettings().to_dict())
    # From here on this transaction works inside the new tenant (RLS follows).
    await switch_tenant(connection(), tenant.id, rebind=True)
    await ensure_periods(tenant, dt.date.today().year)
    await templates.install_templates(tenant.id, templates.tenant_templates())
    admin = await User.create(tenant_id=tenant.id, username=admin_username, password_hash=hash_password(admin_password))
    await templates.assign(tenant.id, admin.id, auth_rules.PROTECTED_ROLE)
    ctx.after_commit.append(lambda: registry.invalidate(tenant.id))
    ctx.after_commit.append(origin_index.invalidate)
    return tenant
