"""Which service units a staff member reaches: those attached to the org unit subtree of his or her
employee record (unit scope), or all of the tenant (tenant scope). One spelling for the services
(``unit_in_reach``) and one for compiled reads (``service_unit_rows``, ``ticket_rows``)."""

from __future__ import annotations

import uuid

from kinerja.citizen.models import ServiceUnit
from kinerja.core.context import RequestContext
from kinerja.core.errors import Forbidden, NotFound
from kinerja.graph import sql
from kinerja.org.scoping import actor_unit_subtree, scope_sql


async def unit_in_reach(ctx: RequestContext, obj: str, action: str, service_unit_id: uuid.UUID | None) -> ServiceUnit:
    """The service unit, if the actor holds ``obj:action`` for it: NOT_FOUND for an unknown or foreign
    id, FORBIDDEN for one outside the actor's unit scope (as the IKM report answers)."""
    scopes = await ctx.require(obj, action)
    tenant_id = ctx.require_tenant()
    unit = await ServiceUnit.get_or_none(id=service_unit_id, tenant_id=tenant_id) if service_unit_id else None
    if unit is None:
        raise NotFound("Service unit not found", field="serviceUnitId")
    if "tenant" not in scopes and unit.org_unit_id not in await actor_unit_subtree(ctx):
        raise Forbidden("This service unit is outside your reach", field="serviceUnitId")
    return unit


def _units_sql(scopes: frozenset[str] | set[str], column: str) -> tuple[list[str], str]:
    """``column`` names a service unit in reach."""
    if "tenant" in scopes:
        return [], "TRUE"
    if "unit" not in scopes:
        return [], "FALSE"
    ctes, _ = scope_sql({"unit"}, column)
    return ctes, (f"{column} IN (SELECT su.id FROM service_unit su WHERE su.tenant_id = {{tenant}} "
                  "AND su.org_unit_id IN (SELECT id FROM scope_units))")


def service_unit_rows(obj: str, action: str, column: str = "service_unit_id") -> sql.Access:
    """Read access to rows of a service unit (``column``) for the scopes of ``obj:action`` held."""
    return sql.Access(obj, action, rows=_units_sql, column=column)


def _tickets_sql(scopes: frozenset[str] | set[str], column: str) -> tuple[list[str], str]:
    """``column`` names a ticket the reader sees: own (assigned to me), unit, tenant, as the inbox."""
    if "tenant" in scopes:
        return [], "TRUE"
    held = set(scopes) & {"own", "unit"}
    if not held:
        return [], "FALSE"
    ctes, _ = scope_sql(held, column)
    conditions = []
    if "own" in held:
        conditions.append(f"{column} IN (SELECT ft.id FROM feedback_ticket ft WHERE ft.tenant_id = {{tenant}} "
                          "AND ft.assigned_to_id = (SELECT id FROM scope_me))")
    if "unit" in held:
        conditions.append(f"{column} IN (SELECT ft.id FROM feedback_ticket ft JOIN service_unit su "
                          "ON su.id = ft.service_unit_id AND su.tenant_id = ft.tenant_id WHERE ft.tenant_id = {tenant} "
                          "AND su.org_unit_id IN (SELECT id FROM scope_units))")
    return ctes, "(" + " OR ".join(conditions) + ")"


def ticket_rows(obj: str, action: str, column: str = "ticket_id") -> sql.Access:
    return sql.Access(obj, action, rows=_tickets_sql, column=column)
