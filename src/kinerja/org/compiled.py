"""Compiled handlers of the organisation area's trusted documents (see api/trusted.py)."""

from __future__ import annotations

import functools

from kinerja.core.context import RequestContext
from kinerja.core.db import Fetch
from kinerja.core.ids import input_id_or_none, to_global_id
from kinerja.core.errors import BadUserInput
from kinerja.core.pagination import MAX_PAGE_SIZE, decode_cursor, encode_cursor
from kinerja.org.scoping import scope_sql

_UNIT_SUBTREE = ("filter_units(id) AS (SELECT id FROM org_unit WHERE tenant_id = $1 AND id = $4 "
                 "UNION SELECT o.id FROM org_unit o JOIN filter_units f ON o.parent_id = f.id WHERE o.tenant_id = $1)")

_EMPLOYEE_PAGE = """
SELECT e.id, e.nip, e.name, e.employment_type, p.name AS position_name, p.kind AS position_kind,
       u.id AS unit_id, u.name AS unit_name
FROM employee e
LEFT JOIN position p ON p.tenant_id = $1 AND p.id = e.position_id
JOIN org_unit u ON u.tenant_id = $1 AND u.id = e.org_unit_id
WHERE e.tenant_id = $1 AND {conditions}
ORDER BY e.name, e.id
LIMIT $3
"""


@functools.cache
def _employee_page_sql(scopes: frozenset[str], by_unit: bool, after: bool) -> str:
    ctes, visible = scope_sql(set(scopes), "e.id")
    conditions = [visible]
    if by_unit:
        ctes.append(_UNIT_SUBTREE)
        conditions.append("e.org_unit_id IN (SELECT id FROM filter_units)")
    if after:
        conditions.append(f"(e.name, e.id) > (${5 if by_unit else 4}::text, ${6 if by_unit else 5}::uuid)")
    return "WITH RECURSIVE " + ", ".join(ctes) + _EMPLOYEE_PAGE.format(conditions=" AND ".join(conditions))


async def employee_list(ctx: RequestContext, variables: dict, fetch: Fetch) -> dict | None:
    first, after, flt = variables.get("first"), variables.get("after"), variables.get("filter") or {}
    if not isinstance(first, int) or isinstance(first, bool) or first < 1 or not isinstance(flt, dict):
        return None
    if set(flt) - {"orgUnitId", "search"} or flt.get("search") is not None:
        return None  # text search stays with the ordinary path
    scopes = await ctx.scopes("employee", "read")
    if not scopes:
        return None
    actor = ctx.require_actor()
    size = min(first, MAX_PAGE_SIZE)
    params: list = [actor.tenant_id, actor.user_id, size + 1]
    unit = None
    if flt.get("orgUnitId") is not None:
        unit = input_id_or_none(flt["orgUnitId"], "OrgUnit")
        if unit is None:
            return None
        params.append(unit)
    if after is not None:
        if not isinstance(after, str):
            return None
        try:
            name, last_id = decode_cursor(after, 2, id_last=True)
        except BadUserInput:
            return None
        if not isinstance(name, str):
            return None
        params += [name, last_id]
    rows = await fetch(_employee_page_sql(frozenset(scopes), unit is not None, after is not None), params)
    page = rows[:size]
    edges = [{
        "cursor": encode_cursor([r["name"], str(r["id"])]),
        "node": {
            "id": to_global_id("Employee", r["id"]), "nip": r["nip"], "name": r["name"],
            "employmentType": r["employment_type"],
            "position": {"name": r["position_name"], "kind": r["position_kind"]} if r["position_name"] else None,
            "orgUnit": {"id": to_global_id("OrgUnit", r["unit_id"]), "name": r["unit_name"]},
        },
    } for r in page]
    return {"employees": {"edges": edges, "pageInfo": {
        "hasNextPage": len(rows) > size, "endCursor": edges[-1]["cursor"] if edges else None}}}


HANDLERS = {"EmployeeList": employee_list}
