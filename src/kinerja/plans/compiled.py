"""Compiled handlers of the plan area's trusted documents (see api/trusted.py)."""

from __future__ import annotations

import functools
from decimal import Decimal
from types import SimpleNamespace

import orjson

from kinerja.core.context import RequestContext
from kinerja.core.db import Fetch
from kinerja.core.ids import input_id_or_none, to_global_id
from kinerja.core.numbers import decimal_text, tidy
from kinerja.org.scoping import scope_sql
from kinerja.plans.rules import Aspect


def _decimal(text: str | None) -> Decimal | None:
    return None if text is None else Decimal(text)


def indicator_row(raw: dict) -> SimpleNamespace:
    """An indicator from compiled JSON, as the progress rules read it."""
    return SimpleNamespace(id=raw["id"], aspect=Aspect(raw["aspect"]), target_value=_decimal(raw["target"]))


def realisation_row(raw: dict) -> SimpleNamespace:
    return SimpleNamespace(value=_decimal(raw["value"]))


_PLAN_DETAIL = """
SELECT json_build_object(
    'id', p.id, 'year', p.year, 'status', p.status,
    'employee', (SELECT json_build_object('id', e.id, 'nip', e.nip, 'name', e.name) FROM employee e
                 WHERE e.tenant_id = $1 AND e.id = p.employee_id),
    'results', (
        SELECT coalesce(json_agg(json_build_object(
            'id', rt.id, 'kind', rt.kind, 'description', rt.description,
            'indicators', (
                SELECT coalesce(json_agg(json_build_object(
                    'id', i.id, 'aspect', i.aspect, 'description', i.description,
                    'target', i.target_value::text, 'unit', i.target_unit,
                    'realisations', (
                        SELECT coalesce(json_agg(json_build_object(
                            'id', r.id, 'value', r.value::text, 'period', pe.id, 'periodName', pe.name)
                            ORDER BY pe.starts_on, pe.ends_on, r.id), '[]')
                        FROM realisation r JOIN period pe ON pe.tenant_id = $1 AND pe.id = r.period_id
                        WHERE r.tenant_id = $1 AND r.indicator_id = i.id)
                ) ORDER BY i.position, i.id), '[]')
                FROM indicator i WHERE i.tenant_id = $1 AND i.result_id = rt.id)
        ) ORDER BY rt.position, rt.id), '[]')
        FROM result_target rt WHERE rt.tenant_id = $1 AND rt.plan_id = p.id)
) AS plan
FROM performance_plan p WHERE p.tenant_id = $1 AND p.id = $3 AND {visible}
"""


@functools.cache
def _plan_detail_sql(scopes: frozenset[str]) -> str:
    ctes, visible = scope_sql(set(scopes), "p.employee_id")
    return "WITH RECURSIVE " + ", ".join(ctes) + _PLAN_DETAIL.format(visible=visible)


def _decimal_out(text: str | None) -> str | None:
    return decimal_text(tidy(_decimal(text)))


async def plan_detail(ctx: RequestContext, variables: dict, fetch: Fetch) -> dict | None:
    plan_id = input_id_or_none(variables.get("id"), "PerformancePlan")
    scopes = await ctx.scopes("plan", "read")
    if plan_id is None or not scopes:
        return None
    actor = ctx.require_actor()
    rows = await fetch(_plan_detail_sql(frozenset(scopes)), [actor.tenant_id, actor.user_id, plan_id])
    if not rows:
        return None
    p = orjson.loads(rows[0]["plan"])
    e = p["employee"]
    return {"node": {
        "id": to_global_id("PerformancePlan", p["id"]), "year": p["year"], "status": p["status"],
        "employee": {"id": to_global_id("Employee", e["id"]), "nip": e["nip"], "name": e["name"]},
        "results": [{
            "id": to_global_id("ResultTarget", r["id"]), "kind": r["kind"], "description": r["description"],
            "indicators": [{
                "id": to_global_id("Indicator", i["id"]), "aspect": i["aspect"], "description": i["description"],
                "targetValue": _decimal_out(i["target"]), "targetUnit": i["unit"],
                "realisations": [{
                    "id": to_global_id("Realisation", x["id"]), "value": _decimal_out(x["value"]),
                    "period": {"id": to_global_id("Period", x["period"]), "name": x["periodName"]},
                } for x in i["realisations"]],
            } for i in r["indicators"]],
        } for r in p["results"]],
    }}


HANDLERS = {"PlanDetail": plan_detail}
