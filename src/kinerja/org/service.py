"""Use cases of the organisation: employees, org units, positions, periods."""

from __future__ import annotations

import uuid

from kinerja.core import once
from kinerja.core.batch import by_ids
from kinerja.core.context import RequestContext
from kinerja.core.errors import Conflict, NotFound
from kinerja.org.models import Employee, Period, Position
from kinerja.org.rules import periods_for_year
from kinerja.org.scoping import employee_scope
from kinerja.tenancy.models import Tenant
from kinerja.tenancy.rules import TenantSettings


async def employees_by_id(tenant_id: uuid.UUID, ids: list[uuid.UUID]) -> list[Employee | None]:
    """Batch lookup for loaders of other areas (rows by id, None where missing)."""
    return await by_ids(Employee, tenant_id, ids)


async def positions_by_id(tenant_id: uuid.UUID, ids: list[uuid.UUID]) -> list[Position | None]:
    return await by_ids(Position, tenant_id, ids)


async def periods_by_id(tenant_id: uuid.UUID, ids: list[uuid.UUID]) -> list[Period | None]:
    return await by_ids(Period, tenant_id, ids)


async def visible_employees(ctx: RequestContext):
    """Employees the actor may read, as a queryset scoped to the tenant and the held scopes."""
    scopes = await ctx.require("employee", "read")
    query = Employee.filter(tenant_id=ctx.require_tenant())
    condition = await employee_scope(ctx, scopes)
    return query.filter(condition) if condition is not None else query


async def set_period_closed(ctx: RequestContext, period_id: uuid.UUID, closed: bool) -> Period:
    """Close a period (no more realisation is recorded or changed in it), or reopen it."""
    await ctx.require("org", "manage")
    period = await once.locked(Period.filter(id=period_id, tenant_id=ctx.require_tenant()))
    if period is None:
        raise NotFound("Period not found", field="id")
    if period.closed == closed:
        raise Conflict(f"Period {period.name} is already {'closed' if closed else 'open'}", field="closed")
    period.closed = closed
    await period.save(update_fields=["closed"])
    return period


async def ensure_periods(tenant: Tenant, year: int) -> int:
    """Create the missing periods of ``year`` from the tenant's period scheme; how many were created."""
    settings = TenantSettings.from_dict(tenant.settings)
    await once.lock_key("periods", tenant.id, year)  # one filling of a year at a time
    have = set(
        await Period.filter(tenant_id=tenant.id, year=year).values_list("kind", "sequence")
    )
    missing = [
        Period(tenant_id=tenant.id, year=year, kind=s.kind, sequence=s.sequence, name=s.name,
               starts_on=s.starts_on, ends_on=s.ends_on)
        for s in periods_for_year(year, settings.period_scheme)
        if (s.kind, s.sequence) not in have
    ]
    if missing:
        await Period.bulk_create(missing)
    return len(missing)
