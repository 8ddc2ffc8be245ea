"""What an operator sees of the tenants from the command line: ``kinerja tenants list`` and ``show``."""

from __future__ import annotations

from dataclasses import dataclass

from kinerja.auth.models import User
from kinerja.core.db import switch_tenant, tenant_transaction
from kinerja.org.models import Employee, OrgUnit
from kinerja.tenancy.models import Tenant
from kinerja.tenancy.rules import TenantSettings


@dataclass(frozen=True)
class TenantSummary:
    slug: str
    name: str
    kind: str
    org_units: int
    employees: int
    users: int


@dataclass(frozen=True)
class TenantDetail:
    summary: TenantSummary
    id: str
    created_at: str
    settings: dict


async def _summary(conn, tenant: Tenant) -> TenantSummary:
    await switch_tenant(conn, tenant.id, rebind=True)  # the counts read tenant tables, under RLS
    return TenantSummary(
        tenant.slug, tenant.name, tenant.kind.value,
        org_units=await OrgUnit.filter(tenant_id=tenant.id).count(),
        employees=await Employee.filter(tenant_id=tenant.id, active=True).count(),
        users=await User.filter(tenant_id=tenant.id, active=True).count(),
    )


async def list_tenants() -> list[TenantSummary]:
    """Every tenant, the platform domain included, by slug."""
    async with tenant_transaction(None) as conn:
        return [await _summary(conn, tenant) for tenant in await Tenant.all().order_by("slug")]


async def show_tenant(slug: str) -> TenantDetail:
    async with tenant_transaction(None) as conn:
        tenant = await Tenant.get_or_none(slug=slug)
        if tenant is None:
            raise ValueError(f"no tenant {slug!r}")
        summary = await _summary(conn, tenant)
    return TenantDetail(summary, str(tenant.id), tenant.created_at.isoformat(timespec="seconds"),
                        TenantSettings.from_dict(tenant.settings).to_dict())
