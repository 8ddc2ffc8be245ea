"""Row scopes of the organisation: own, team (supervisor tree), unit (org unit subtree), tenant."""

from __future__ import annotations

import uuid
from typing import Any

from tortoise.expressions import Q, Subquery

from kinerja.core.context import RequestContext
from kinerja.core.ids import uuid_of
from kinerja.core.sql import fetch_all, uuid_param
from kinerja.graph import sql
from kinerja.org.models import Employee

_TEAM_SQL = """
WITH RECURSIVE team(id) AS (
    SELECT id FROM employee WHERE tenant_id = $1 AND supervisor_id = $2
    UNION
    SELECT e.id FROM employee e JOIN team t ON e.supervisor_id = t.id WHERE e.tenant_id = $1
)
SELECT id FROM team
"""

_SUBTREE_SQL = """
WITH RECURSIVE subtree(id) AS (
    SELECT id FROM org_unit WHERE tenant_id = $1 AND id = $2
    UNION
    SELECT o.id FROM org_unit o JOIN subtree s ON o.parent_id = s.id WHERE o.tenant_id = $1
)
SELECT id FROM subtree
"""


async def team_ids(tenant_id: uuid.UUID, supervisor_id: uuid.UUID) -> list[uuid.UUID]:
    rows = await fetch_all(_TEAM_SQL, [uuid_param(tenant_id), uuid_param(supervisor_id)])
    return [uuid_of(r["id"]) for r in rows]


async def unit_subtree_ids(tenant_id: uuid.UUID, org_unit_id: uuid.UUID) -> list[uuid.UUID]:
    rows = await fetch_all(_SUBTREE_SQL, [uuid_param(tenant_id), uuid_param(org_unit_id)])
    return [uuid_of(r["id"]) for r in rows]


async def actor_team(ctx: RequestContext) -> list[uuid.UUID]:
    """The acting employee's direct and indirect subordinates (once per request)."""
    if "actor_team" not in ctx.cache:
        me = await ctx.employee_id()
        ctx.cache["actor_team"] = await team_ids(ctx.require_tenant(), me) if me is not None else []
    return ctx.cache["actor_team"]


async def actor_unit_subtree(ctx: RequestContext) -> list[uuid.UUID]:
    """The acting employee's org unit and every unit below it (once per request)."""
    if "actor_units" not in ctx.cache:
        tenant_id, me = ctx.require_tenant(), await ctx.employee_id()
        unit_id: list[Any] = await Employee.filter(id=me, tenant_id=tenant_id).values_list("org_unit_id", flat=True) \
            if me is not None else []
        ctx.cache["actor_units"] = await unit_subtree_ids(tenant_id, unit_id[0]) if unit_id else []
    return ctx.cache["actor_units"]


def _lookup(name: str, value: Any) -> Q:
    """``Q(name=value)`` for a field named at run time."""
    return Q(**{name: value})


async def employee_scope(ctx: RequestContext, scopes: set[str], *, field: str = "id") -> Q | None:
    """A filter matching the union of the held scopes; ``field`` is the employee id column of the
    queried table (``id`` for the employee table itself).

    ``None`` means the whole tenant. An actor with only personal scopes and no employee record
    matches nothing.
    """
    if "tenant" in scopes:
        return None
    me = await ctx.employee_id()
    conditions: list[Q] = []
    if me is not None:
        if "own" in scopes:
            conditions.append(_lookup(field, me))
        if "team" in scopes:
            conditions.append(_lookup(f"{field}__in", await actor_team(ctx)))
        if "unit" in scopes and (units := await actor_unit_subtree(ctx)):
            if field == "id":
                conditions.append(Q(org_unit_id__in=units))
            else:
                members = Employee.filter(tenant_id=ctx.require_tenant(), org_unit_id__in=units).values("id")
                conditions.append(_lookup(f"{field}__in", Subquery(members)))
    if not conditions:
        return _lookup(f"{field}__in", [])
    return Q(*conditions, join_type="OR")


_CHAIN_SQL = """
WITH RECURSIVE chain(id, depth) AS (
    SELECT supervisor_id, 1 FROM employee WHERE tenant_id = $1 AND id = $2 AND supervisor_id IS NOT NULL
    UNION
    SELECT e.supervisor_id, c.depth + 1 FROM employee e JOIN chain c ON e.id = c.id
    WHERE e.tenant_id = $1 AND e.supervisor_id IS NOT NULL AND c.depth < 50
)
SELECT id FROM chain
"""


async def supervisor_chain(tenant_id: uuid.UUID, employee_id: uuid.UUID) -> list[uuid.UUID]:
    """The employee's supervisor, that supervisor's supervisor, and so on up the tree."""
    rows = await fetch_all(_CHAIN_SQL, [uuid_param(tenant_id), uuid_param(employee_id)])
    return [uuid_of(r["id"]) for r in rows]


_SCOPE_ME = "scope_me AS (SELECT employee_id AS id FROM app_user WHERE tenant_id = {tenant} AND id = {user})"
_SCOPE_UNITS = ("scope_units(id) AS (SELECT e.org_unit_id FROM employee e JOIN scope_me ON e.id = scope_me.id "
                "WHERE e.tenant_id = {tenant} UNION SELECT o.id FROM org_unit o JOIN scope_units s "
                "ON o.parent_id = s.id WHERE o.tenant_id = {tenant})")


def scope_sql(scopes: set[str] | frozenset[str], column: str) -> tuple[list[str], str]:
    """``employee_scope`` as SQL, for compiled reads: the CTEs it needs and a condition on ``column``,
    an employee id. Placeholders: {tenant} and {user} (the acting user). Only the held scopes are
    built, so a tenant-wide reader pays for no recursive CTE."""
    if "tenant" in scopes:
        return [], "TRUE"
    ctes = [_SCOPE_ME]
    reached = []  # one SELECT of employee ids per held scope
    if "own" in scopes:
        reached.append("SELECT id FROM scope_me")
    if "team" in scopes:
        ctes.append("scope_team(id) AS (SELECT e.id FROM employee e JOIN scope_me ON e.supervisor_id = scope_me.id "
                    "WHERE e.tenant_id = {tenant} UNION SELECT e.id FROM employee e JOIN scope_team t "
                    "ON e.supervisor_id = t.id WHERE e.tenant_id = {tenant})")
        reached.append("SELECT id FROM scope_team")
    if "unit" in scopes:
        ctes.append(_SCOPE_UNITS)
        reached.append("SELECT id FROM employee WHERE tenant_id = {tenant} "
                       "AND org_unit_id IN (SELECT id FROM scope_units)")
    if not reached:
        return [], "FALSE"
    if len(reached) == 1:
        return ctes, f"{column} IN ({reached[0]})"
    # Several scopes: one set of employee ids, so the rows are reached through it by their employee's
    # key (a semi-join) instead of an OR of sub-selects checked against every row of the tenant.
    name = "scope_" + "_".join(sorted(scopes & {"own", "team", "unit"}))
    ctes.append(f"{name}(id) AS ({' UNION '.join(reached)})")
    return ctes, f"{column} IN (SELECT id FROM {name})"


def employee_rows(obj: str, action: str, column: str = "id") -> sql.Access:
    """Read access to rows that belong to an employee (``column``): the scopes of ``obj:action`` the
    reader holds, as ``employee_scope`` applies them."""
    return sql.Access(obj, action, rows=scope_sql, column=column)


def unit_scope_sql(scopes: set[str] | frozenset[str], column: str) -> tuple[list[str], str]:
    """Which org units (``column``, an org unit id) the held scopes reach: all of them with tenant scope,
    the acting employee's unit and those below it with unit scope, none otherwise."""
    if "tenant" in scopes:
        return [], "TRUE"
    if "unit" in scopes:
        return [_SCOPE_ME, _SCOPE_UNITS], f"{column} IN (SELECT id FROM scope_units)"
    return [], "FALSE"


def unit_rows(obj: str, action: str, column: str = "id", *, message: str | None = None) -> sql.Access:
    """Read access to org units (``column``) within reach of the scopes of ``obj:action``."""
    return sql.Access(obj, action, rows=unit_scope_sql, column=column, message=message)
