"""Row scopes of the organisation: own, team (supervisor tree), unit (org unit subtree), tenant."""

from __future__ import annotations

import uuid

from tortoise.expressions import Q, Subquery

from kinerja.core.context import RequestContext
from kinerja.core.sql import fetch_all, uuid_param

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


def _as_uuid(value) -> uuid.UUID:
    return value if isinstance(value, uuid.UUID) else uuid.UUID(str(value))


async def team_ids(tenant_id: uuid.UUID, supervisor_id: uuid.UUID) -> list[uuid.UUID]:
    rows = await fetch_all(_TEAM_SQL, [uuid_param(tenant_id), uuid_param(supervisor_id)])
    return [_as_uuid(r["id"]) for r in rows]


async def unit_subtree_ids(tenant_id: uuid.UUID, org_unit_id: uuid.UUID) -> list[uuid.UUID]:
    rows = await fetch_all(_SUBTREE_SQL, [uuid_param(tenant_id), uuid_param(org_unit_id)])
    return [_as_uuid(r["id"]) for r in rows]


async def employee_scope(ctx: RequestContext, scopes: set[str], *, field: str = "id") -> Q | None:
    """A filter matching the union of the held scopes; ``field`` is the employee id column of the
    queried table (``id`` for the employee table itself).

    ``None`` means the whole tenant. An actor with only personal scopes and no employee record
    matches nothing.
    """
    if "tenant" in scopes:
        return None
    from kinerja.org.models import Employee

    tenant_id = ctx.require_tenant()
    me = await ctx.employee_id()
    conditions: list[Q] = []
    if me is not None:
        if "own" in scopes:
            conditions.append(Q(**{field: me}))
        if "team" in scopes:
            conditions.append(Q(**{f"{field}__in": await team_ids(tenant_id, me)}))
        if "unit" in scopes:
            unit_id = await Employee.filter(id=me, tenant_id=tenant_id).values_list("org_unit_id", flat=True)
            if unit_id:
                units = await unit_subtree_ids(tenant_id, unit_id[0])
                if field == "id":
                    conditions.append(Q(org_unit_id__in=units))
                else:
                    members = Employee.filter(tenant_id=tenant_id, org_unit_id__in=units).values("id")
                    conditions.append(Q(**{f"{field}__in": Subquery(members)}))
    if not conditions:
        return Q(**{f"{field}__in": []})
    return Q(*conditions, join_type="OR")


async def is_in_team(tenant_id: uuid.UUID, supervisor_id: uuid.UUID, employee_id: uuid.UUID) -> bool:
    return employee_id in set(await team_ids(tenant_id, supervisor_id))


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
    return [_as_uuid(r["id"]) for r in rows]
