"""Compiled handlers of the evaluation area's trusted documents (see api/trusted.py): one SQL statement
gathers the answer; the domain rules compute what is derived, exactly as the resolvers do."""

from __future__ import annotations

from collections import Counter

import orjson

from kinerja.citizen.rules import compute_ikm
from kinerja.core.context import RequestContext
from kinerja.core.db import Fetch
from kinerja.core.ids import input_id_or_none, to_global_id
from kinerja.core.numbers import decimal_text, tidy
from kinerja.evaluations.rules import Predicate
from kinerja.evaluations.service import LATEST_FINAL_ORDER
from kinerja.plans.realisation import indicator_row, progress_of, realisation_row
from kinerja.tenancy.rules import TenantSettings

_TEAM_DASHBOARD = """
WITH RECURSIVE me AS (
    SELECT employee_id AS id FROM app_user WHERE tenant_id = $1 AND id = $2
), team(id) AS (
    SELECT e.id FROM employee e JOIN me ON e.supervisor_id = me.id WHERE e.tenant_id = $1
    UNION
    SELECT e.id FROM employee e JOIN team t ON e.supervisor_id = t.id WHERE e.tenant_id = $1
), asked AS (
    SELECT id, year FROM period WHERE tenant_id = $1 AND id = $3
)
SELECT (SELECT id FROM me) AS me, (SELECT year FROM asked) AS year, (
    SELECT json_agg(json_build_object(
        'id', e.id, 'nip', e.nip, 'name', e.name,
        'plan', (
            SELECT json_build_object('id', p.id, 'status', p.status, 'indicators', (
                SELECT json_agg(json_build_object(
                    'id', i.id, 'aspect', i.aspect, 'target', i.target_value::text,
                    'realisation', (SELECT json_build_object('value', r.value::text) FROM realisation r
                                    WHERE r.tenant_id = $1 AND r.indicator_id = i.id AND r.period_id = $3)
                ) ORDER BY rt.position, rt.id, i.position, i.id)
                FROM result_target rt JOIN indicator i ON i.tenant_id = $1 AND i.result_id = rt.id
                WHERE rt.tenant_id = $1 AND rt.plan_id = p.id))
            FROM performance_plan p
            WHERE p.tenant_id = $1 AND p.employee_id = e.id AND p.year = (SELECT year FROM asked)
              AND p.status <> 'SUPERSEDED'
            ORDER BY p.revision DESC LIMIT 1),
        'latest', (
            SELECT json_build_object('id', v.id, 'predicate', v.predicate)
            FROM evaluation v JOIN period p ON p.tenant_id = $1 AND p.id = v.period_id
            WHERE v.tenant_id = $1 AND v.employee_id = e.id AND v.status = 'FINAL'
            ORDER BY {latest_order} LIMIT 1),
        'jp', (
            SELECT coalesce(sum(t.jp), 0) FROM training_record t
            WHERE t.tenant_id = $1 AND t.employee_id = e.id AND t.year = (SELECT year FROM asked)
              AND t.status = 'VERIFIED')
    ) ORDER BY e.name, e.id)
    FROM employee e WHERE e.tenant_id = $1 AND e.id IN (SELECT id FROM team)
) AS members
"""

_TEAM_DASHBOARD_SQL = _TEAM_DASHBOARD.replace("{latest_order}", LATEST_FINAL_ORDER)


def _plan(plan: dict | None) -> dict | None:
    if plan is None:
        return None
    indicators = [indicator_row(i) for i in plan["indicators"] or []]
    found = {i.id: realisation_row(raw["realisation"])
             for i, raw in zip(indicators, plan["indicators"] or []) if raw["realisation"] is not None}
    progress = progress_of(indicators, found)
    return {"id": to_global_id("PerformancePlan", plan["id"]), "status": plan["status"], "progress": {
        "indicators": progress.indicators, "realised": progress.realised,
        "shareRealised": decimal_text(tidy(progress.share_realised)),
        "achievement": decimal_text(tidy(progress.achievement))}}


async def team_dashboard(ctx: RequestContext, variables: dict, fetch: Fetch) -> dict | None:
    period_id = input_id_or_none(variables.get("periodId"), "Period")
    if period_id is None or not await ctx.scopes("dashboard", "read"):
        return None
    actor = ctx.require_actor()
    row = (await fetch(_TEAM_DASHBOARD_SQL, [actor.tenant_id, actor.user_id, period_id]))[0]
    if row["me"] is None or row["year"] is None:
        return None
    members = orjson.loads(row["members"]) if row["members"] else []
    return {"teamOverview": {"members": [{
        "employee": {"id": to_global_id("Employee", m["id"]), "nip": m["nip"], "name": m["name"]},
        "plan": _plan(m["plan"]),
        "latestEvaluation": {"id": to_global_id("Evaluation", m["latest"]["id"]), "predicate": m["latest"]["predicate"]}
        if m["latest"] else None,
        "trainingJp": m["jp"],
    } for m in members]}}


_TENANT_YEAR = """
WITH RECURSIVE tree(id, top) AS (
    SELECT id, id FROM org_unit WHERE tenant_id = $1 AND parent_id IS NULL
    UNION ALL
    SELECT o.id, t.top FROM org_unit o JOIN tree t ON o.parent_id = t.id WHERE o.tenant_id = $1
), asked AS (
    SELECT id, (starts_on::timestamp AT TIME ZONE 'UTC') AS start,
           ((ends_on + 1)::timestamp AT TIME ZONE 'UTC') AS stop
    FROM period WHERE tenant_id = $1 AND id = $2
)
SELECT (SELECT id FROM asked) AS period, (SELECT settings::text FROM tenant WHERE id = $1) AS settings,
    (SELECT json_agg(json_build_object('id', u.id, 'name', u.name) ORDER BY u.code COLLATE "C")
     FROM org_unit u WHERE u.tenant_id = $1 AND u.parent_id IS NULL) AS units,
    (SELECT json_object_agg(top, n) FROM (
        SELECT t.top, count(*) AS n FROM employee e JOIN tree t ON t.id = e.org_unit_id
        WHERE e.tenant_id = $1 AND e.active GROUP BY t.top) counted) AS employees,
    (SELECT json_agg(json_build_object('top', top, 'predicate', predicate, 'n', n)) FROM (
        SELECT t.top, v.predicate, count(*) AS n FROM evaluation v
        JOIN employee e ON e.tenant_id = $1 AND e.id = v.employee_id AND e.active
        JOIN tree t ON t.id = e.org_unit_id
        WHERE v.tenant_id = $1 AND v.period_id = $2 AND v.status IN ('DRAFT', 'FINAL')
        GROUP BY t.top, v.predicate) counted) AS predicates,
    (SELECT json_object_agg(top, json_build_array(n, s1, s2, s3, s4, s5, s6, s7, s8, s9)) FROM (
        SELECT t.top, count(*) AS n, sum(r.u1) AS s1, sum(r.u2) AS s2, sum(r.u3) AS s3, sum(r.u4) AS s4,
               sum(r.u5) AS s5, sum(r.u6) AS s6, sum(r.u7) AS s7, sum(r.u8) AS s8, sum(r.u9) AS s9
        FROM survey_response r
        JOIN service_unit su ON su.tenant_id = $1 AND su.id = r.service_unit_id
        JOIN tree t ON t.id = su.org_unit_id
        WHERE r.tenant_id = $1 AND r.created_at >= (SELECT start FROM asked) AND r.created_at < (SELECT stop FROM asked)
        GROUP BY t.top) summed) AS surveys
"""


async def tenant_year(ctx: RequestContext, variables: dict, fetch: Fetch) -> dict | None:
    period_id = input_id_or_none(variables.get("periodId"), "Period")
    if period_id is None or "tenant" not in await ctx.scopes("dashboard", "read"):
        return None
    tenant_id = ctx.require_tenant()
    row = (await fetch(_TENANT_YEAR, [tenant_id, period_id]))[0]
    if row["period"] is None:
        return None
    weighting = TenantSettings.from_dict(orjson.loads(row["settings"] or "{}")).ikm_weighting
    employees = orjson.loads(row["employees"]) if row["employees"] else {}
    surveys = orjson.loads(row["surveys"]) if row["surveys"] else {}
    predicates: dict[str, Counter] = {}
    for item in orjson.loads(row["predicates"]) if row["predicates"] else []:
        predicates.setdefault(item["top"], Counter())[item["predicate"]] += item["n"]
    dashboards = []
    for unit in orjson.loads(row["units"]) if row["units"] else []:
        counts = predicates.get(unit["id"], Counter())
        survey = surveys.get(unit["id"])
        ikm = compute_ikm([int(x or 0) for x in survey[1:]], int(survey[0]), weighting) if survey else None
        dashboards.append({
            "orgUnit": {"id": to_global_id("OrgUnit", unit["id"]), "name": unit["name"]},
            "employees": employees.get(unit["id"], 0),
            "predicateCounts": [{"predicate": p.name, "count": counts.get(p.value, 0)} for p in Predicate],
            "ikm": {"respondents": ikm.respondents, "value": decimal_text(ikm.converted), "category": ikm.category.name}
            if ikm else None,
        })
    return {"tenantDashboard": dashboards}


HANDLERS = {"TeamDashboard": team_dashboard, "TenantYear": tenant_year}
