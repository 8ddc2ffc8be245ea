"""The "any document" screens: read documents registered nowhere (not in schema/operations/, and none
equal to one there), as a frontend team writes them, for Kinerja (bench/anydocs/kinerja/), the same data
asked of PostGraphile 5 and 4 (bench/anydocs/postgraphile/, one document for both: PostGraphile 5 runs
with its v4 preset) and answered by one hand-written statement each (bench/handwritten.py, which takes
Kinerja's request bodies). Every screen runs against the largest tenant, bench-00.
"""

from __future__ import annotations

import datetime as dt
import os
from dataclasses import dataclass, field
from functools import lru_cache

import asyncpg
import httpx
from graphql import build_schema, parse, validate
from harness import cases
from harness.servers import BENCH, ROOT

DOCS = os.path.join(BENCH, "anydocs")
PAGE_SIZES = (10, 50, 100)
DEFAULT_PAGE = 50


@dataclass(frozen=True)
class Screen:
    key: str
    title: str
    operation: str  # the operation name of both documents (and the hand-written endpoint's key)
    file: str
    actor: str  # the login that sends it (the same-data check's second variant: another of the same kind)
    paged: bool = False  # takes `first`: measured at the page sizes of PAGE_SIZES too
    like: str = ""  # the registered workload whose data it asks for in another document


SCREENS = [
    Screen("team", "W1 team dashboard, another document", "TeamScreen", "team_screen", "atasan-0", like="W1"),
    Screen("staff", "W2 employee list, another document", "StaffDirectory", "staff_directory", "hr", paged=True,
           like="W2"),
    Screen("plan", "W3 plan detail, another document", "PlanScreen", "plan_screen", "hr", like="W3"),
    Screen("employees", "employee page: position, unit, current plan status, latest predicate", "EmployeePage",
           "employee_page", "hr", paged=True),
    Screen("feedback", "plan detail with its feedback thread and evidence", "PlanWithFeedback", "plan_feedback", "hr"),
    Screen("evaluations", "evaluation list of a unit for a period (its head)", "UnitEvaluations", "unit_evaluations",
           "kepala-1", paged=True),
    Screen("training", "a unit's training progress", "UnitTraining", "unit_training", "hr"),
    Screen("nodes", "ten node(id) lookups of six types", "TenNodes", "ten_nodes", "hr"),
]
BY_KEY = {s.key: s for s in SCREENS}
NODE_ALIASES = "abcdefghij"
# (Kinerja's type name, PostGraphile's root field by primary key)
NODE_TYPES = {"Employee": "employeeById", "PerformancePlan": "performancePlanById", "Evaluation": "evaluationById",
              "OrgUnit": "orgUnitById", "TrainingRecord": "trainingRecordById", "Period": "periodById"}


def actor(screen: Screen, variant: int) -> str:
    if not variant:
        return screen.actor
    return {"atasan-0": "atasan-1", "kepala-1": "kepala-2"}.get(screen.actor, screen.actor)


def document(screen: Screen, candidate: str) -> str:
    folder = "postgraphile" if candidate.startswith("postgraphile") else "kinerja"
    with open(os.path.join(DOCS, folder, f"{screen.file}.graphql")) as f:
        return f.read()


@lru_cache(maxsize=1)
def _kinerja_schema():
    with open(os.path.join(ROOT, "schema", "schema.graphql")) as f:
        return build_schema(f.read())


def kinerja_problem(screen: Screen) -> str | None:
    """Why Kinerja's schema (schema/schema.graphql) refuses the screen's document, or None."""
    errors = validate(_kinerja_schema(), parse(document(screen, "kinerja")))
    return "; ".join(e.message for e in errors) or None


@dataclass
class Fixture:
    """Raw ids (UUID text) of the measured tenant for one variant of the screens."""
    tenant_id: str
    year: int
    team_period: str  # TeamScreen: a quarter of the year
    unit: str  # StaffDirectory, UnitTraining: a perangkat daerah
    plan: str  # PlanScreen: pegawai-0's plan of the year
    feedback_plan: str  # PlanWithFeedback: the plan of the year with the longest thread
    eval_period: str  # UnitEvaluations: a quarter
    eval_unit: str  # the unit the evaluating head (kepala-<d>) leads
    nodes: list[tuple[str, str]] = field(default_factory=list)  # ten (type, id)


async def load_fixture(admin_db_url: str, variant: int = 0) -> Fixture:
    conn = await asyncpg.connect(admin_db_url.replace("postgres://", "postgresql://", 1))
    try:
        t = await conn.fetchval("SELECT id FROM tenant WHERE slug = $1", cases.TENANT)
        year = cases.YEAR

        async def period(sequence: int):
            return await conn.fetchval("SELECT id FROM period WHERE tenant_id = $1 AND year = $2 AND kind = 'QUARTERLY' "
                                       "AND sequence = $3", t, year, sequence)

        unit = await conn.fetchval("SELECT id FROM org_unit WHERE tenant_id = $1 AND code = $2", t,
                                   "D001" if variant else "D000")
        plan = await conn.fetchval(
            "SELECT p.id FROM performance_plan p JOIN app_user u ON u.employee_id = p.employee_id AND u.tenant_id = p.tenant_id "
            "WHERE p.tenant_id = $1 AND u.username = $3 AND p.year = $2", t, year, f"pegawai-{2 if variant else 0}")
        feedback_plan = await conn.fetchval(
            "SELECT f.plan_id FROM feedback f JOIN performance_plan p ON p.tenant_id = f.tenant_id AND p.id = f.plan_id "
            "WHERE f.tenant_id = $1 AND p.year = $2 GROUP BY f.plan_id "
            "ORDER BY count(*) DESC, count(f.realisation_id) DESC, f.plan_id OFFSET $3 LIMIT 1", t, year, variant)
        head = actor(BY_KEY["evaluations"], variant)
        eval_unit = await conn.fetchval("SELECT e.org_unit_id FROM app_user u JOIN employee e ON e.tenant_id = u.tenant_id "
                                        "AND e.id = u.employee_id WHERE u.tenant_id = $1 AND u.username = $2", t, head)
        nodes = []
        for type_name, table, order in (("Employee", "employee", "name"), ("PerformancePlan", "performance_plan", "id"),
                                        ("Evaluation", "evaluation", "id"), ("OrgUnit", "org_unit", "code"),
                                        ("TrainingRecord", "training_record", "id"), ("Period", "period", "starts_on, id"),
                                        ("Employee", "employee", "id"), ("PerformancePlan", "performance_plan", "id DESC"),
                                        ("Evaluation", "evaluation", "id DESC"), ("Employee", "employee", "name DESC")):
            row_id = await conn.fetchval(f"SELECT id FROM {table} WHERE tenant_id = $1 ORDER BY {order} OFFSET $2 LIMIT 1",
                                         t, 7 * variant)
            nodes.append((type_name, str(row_id)))
        return Fixture(str(t), year, str(await period(3 if variant else 4)), str(unit), str(plan), str(feedback_plan),
                       str(await period(2 if variant else 3)), str(eval_unit), nodes)
    finally:
        await conn.close()


def kinerja_variables(screen: Screen, fx: Fixture, first: int = DEFAULT_PAGE) -> dict:
    gid = cases.gid
    return {
        "team": lambda: {"periodId": gid("Period", fx.team_period)},
        "staff": lambda: {"first": first, "after": None, "filter": {"orgUnitId": gid("OrgUnit", fx.unit)}},
        "plan": lambda: {"id": gid("PerformancePlan", fx.plan)},
        "employees": lambda: {"first": first, "after": None, "year": fx.year},
        "feedback": lambda: {"id": gid("PerformancePlan", fx.feedback_plan)},
        "evaluations": lambda: {"first": first, "after": None, "periodId": gid("Period", fx.eval_period)},
        "training": lambda: {"year": fx.year, "orgUnitId": gid("OrgUnit", fx.unit)},
        "nodes": lambda: {alias: gid(t, i) for alias, (t, i) in zip(NODE_ALIASES, fx.nodes, strict=True)},
    }[screen.key]()


def kinerja_body(screen: Screen, fx: Fixture, first: int = DEFAULT_PAGE) -> dict:
    return {"query": document(screen, "kinerja"), "operationName": screen.operation,
            "variables": kinerja_variables(screen, fx, first)}


async def postgraphile_body(screen: Screen, fx: Fixture, url: str, token: str, first: int = DEFAULT_PAGE) -> dict:
    variables = {
        "team": lambda: {"periodId": fx.team_period, "year": fx.year},
        "staff": lambda: {"unitId": fx.unit, "first": first, "after": None},
        "plan": lambda: {"id": fx.plan},
        "employees": lambda: {"first": first, "after": None, "year": fx.year},
        "feedback": lambda: {"id": fx.feedback_plan},
        "evaluations": lambda: {"unitId": fx.eval_unit, "periodId": fx.eval_period, "first": first, "after": None},
        "training": lambda: {"unitId": fx.unit, "year": fx.year},
        "nodes": lambda: None,
    }[screen.key]()
    if screen.key == "nodes":  # PostGraphile's own node ids of the same rows
        lookup = "query NodeIds {" + " ".join(
            f'{alias}: {NODE_TYPES[t]}(id: "{i}") {{ nodeId }}' for alias, (t, i) in zip(NODE_ALIASES, fx.nodes, strict=True)) + "}"
        async with httpx.AsyncClient(timeout=30) as client:
            r = await client.post(url, json={"query": lookup}, headers={"Authorization": f"Bearer {token}"})
        data = r.json()["data"]
        variables = {alias: data[alias]["nodeId"] for alias in NODE_ALIASES}
    return {"query": document(screen, "postgraphile"), "operationName": screen.operation, "variables": variables}


# ---- normalising the answers to natural keys ----

_num = cases._num


def _instant(value: str | None) -> str | None:
    return None if value is None else dt.datetime.fromisoformat(value).astimezone(dt.UTC).isoformat()


def _pair(obj, *keys):
    return None if obj is None else tuple(obj[k] for k in keys)


def _page(conn: dict, row) -> dict:
    out = {"rows": [row(edge["node"]) for edge in conn["edges"]], "hasNextPage": conn["pageInfo"]["hasNextPage"]}
    if "totalCount" in conn:
        out["totalCount"] = conn["totalCount"]
    return out


def _team(data: dict, pg: bool):
    if not pg:
        o = data["teamOverview"]
        rows = []
        for m in o["members"]:
            p, e = m["plan"], m["employee"]
            plan = (p["status"], p["progress"]["indicators"], p["progress"]["realised"],
                    _num(p["progress"]["shareRealised"]), _num(p["progress"]["achievement"])) if p else None
            rows.append((e["nip"], e["name"], _pair(e["position"], "name"), plan,
                         _pair(m["evaluation"], "predicate", "status"), _pair(m["latestEvaluation"], "predicate"),
                         int(m["trainingJp"])))
        return o["period"]["name"], rows
    rows = []
    for m in data["myTeam"]["nodes"]:
        plans = [p for p in m["performancePlansByEmployeeId"]["nodes"] if p["status"] != "SUPERSEDED"]
        current = [v for v in m["evaluationsByEmployeeId"]["nodes"] if v["status"] in ("DRAFT", "FINAL")]
        rows.append((m["nip"], m["name"], _pair(m["positionByPositionId"], "name"),
                     cases.postgraphile_plan(plans[-1]) if plans else None,
                     _pair(current[0], "predicate", "status") if current else None,
                     _pair(m["latestEvaluation"], "predicate"),
                     sum(t["jp"] for t in m["trainingRecordsByEmployeeId"]["nodes"])))
    return data["periodById"]["name"], rows


def _staff(data: dict, pg: bool):
    if not pg:
        return _page(data["employees"], lambda n: (
            n["nip"], n["name"], n["employmentType"], n["active"], _pair(n["position"], "name", "kind"),
            _pair(n["orgUnit"], "code", "name"), _pair(n["supervisor"], "nip", "name")))
    return _page(data["unitEmployees"], lambda n: (
        n["nip"], n["name"], n["employmentType"], n["active"], _pair(n["positionByPositionId"], "name", "kind"),
        _pair(n["orgUnitByOrgUnitId"], "code", "name"), _pair(n["employeeBySupervisorId"], "nip", "name")))


def _plan(data: dict, pg: bool):
    if not pg:
        p = data["performancePlan"]
        results = [(r["kind"], r["description"], [
            (i["aspect"], i["description"], _num(i["targetValue"]), i["targetUnit"],
             sorted((x["period"]["name"], _num(x["value"]), x["narrative"]) for x in i["realisations"]))
            for i in r["indicators"]]) for r in p["results"]]
        e = p["employee"]
        return (p["year"], p["revision"], p["status"], (e["nip"], e["name"], e["orgUnit"]["name"]),
                _pair(p["approver"], "nip", "name"), results)
    p = data["performancePlanById"]
    results = [(r["kind"], r["description"], [
        (i["aspect"], i["description"], _num(i["targetValue"]), i["targetUnit"],
         sorted((x["periodByPeriodId"]["name"], _num(x["value"]), x["narrative"])
                for x in i["realisationsByIndicatorId"]["nodes"]))
        for i in r["indicatorsByResultId"]["nodes"]]) for r in p["resultTargetsByPlanId"]["nodes"]]
    e = p["employeeByEmployeeId"]
    return (p["year"], p["revision"], p["status"], (e["nip"], e["name"], e["orgUnitByOrgUnitId"]["name"]),
            _pair(p["employeeByApproverId"], "nip", "name"), results)


def _employees(data: dict, pg: bool):
    if not pg:
        return _page(data["employees"], lambda n: (
            n["nip"], n["name"], _pair(n["position"], "name"), n["orgUnit"]["name"],
            _pair(n["currentPlan"], "status"), _pair(n["latestEvaluation"], "predicate")))
    return _page(data["allEmployees"], lambda n: (
        n["nip"], n["name"], _pair(n["positionByPositionId"], "name"), n["orgUnitByOrgUnitId"]["name"],
        _pair(n["currentPlan"], "status"), _pair(n["latestEvaluation"], "predicate")))


def _evidence(items) -> list:
    return sorted((e["fileName"] or "", e["contentType"] or "", e["size"] or 0, e["url"] or "") for e in items)


def _feedback(data: dict, pg: bool):
    p = data["performancePlanById"] if pg else data["node"]
    realisations, results = {}, []
    for r in p["resultTargetsByPlanId"]["nodes"] if pg else p["results"]:
        indicators = []
        for i in r["indicatorsByResultId"]["nodes"] if pg else r["indicators"]:
            rows = []
            for x in i["realisationsByIndicatorId"]["nodes"] if pg else i["realisations"]:
                period = (x["periodByPeriodId"] if pg else x["period"])["name"]
                realisations[x["id"]] = (r["description"], period)
                rows.append((period, _num(x["value"]),
                             _evidence(x["evidencesByRealisationId"]["nodes"] if pg else x["evidence"])))
            indicators.append((i["description"], _num(i["targetValue"]), sorted(rows)))
        results.append((r["description"], indicators))
    thread = p["feedbacksByPlanId"]["nodes"] if pg else p["feedback"]
    bodies = {f["id"]: f["body"] for f in thread}
    feedback = [(f["body"], _instant(f["createdAt"]), _pair(f["employeeByAuthorEmployeeId" if pg else "author"], "nip", "name"),
                 realisations.get(f["realisationId"]) if f["realisationId"] else None,
                 bodies.get(f["replyToId"]) if f["replyToId"] else None) for f in thread]
    employee = p["employeeByEmployeeId"] if pg else p["employee"]
    return p["year"], p["status"], (employee["nip"], employee["name"]), results, feedback


def _evaluations(data: dict, pg: bool):
    if not pg:
        return _page(data["evaluations"], lambda n: (
            n["status"], n["predicate"], n["predicateLabel"], n["resultsRating"], n["behaviourRating"], n["version"],
            (n["employee"]["nip"], n["employee"]["name"], n["employee"]["orgUnit"]["name"]),
            _pair(n["assessor"], "nip", "name")))
    return _page(data["unitEvaluations"], lambda n: (
        n["status"], n["predicate"], n["predicateLabel"], n["resultsRating"], n["behaviourRating"], n["version"],
        (n["employeeByEmployeeId"]["nip"], n["employeeByEmployeeId"]["name"],
         n["employeeByEmployeeId"]["orgUnitByOrgUnitId"]["name"]),
        _pair(n["employeeByAssessorId"], "nip", "name")))


def _training(data: dict, pg: bool):
    if not pg:
        u = data["unitTrainingProgress"]
        below = [(b["employee"]["nip"], b["employee"]["name"], b["targetJp"], b["verifiedJp"], b["remainingJp"])
                 for b in u["belowTarget"]]
    else:
        u = data["unitTrainingProgress"]
        below = [(b["nip"], b["name"], b["targetJp"], b["verifiedJp"], b["remainingJp"])
                 for b in data["unitTrainingBelowTarget"]["nodes"]]
    return u["employees"], u["employeesMeetingTarget"], u["targetJp"], u["verifiedJp"], below


_RENAMED = {"employeeByEmployeeId": "employee", "periodByPeriodId": "period"}


def _flat(obj):
    if isinstance(obj, dict):
        return tuple(sorted((_RENAMED.get(k, k), _flat(v)) for k, v in obj.items() if k not in ("id", "nodeId")))
    return _num(obj) if isinstance(obj, (int, float)) and not isinstance(obj, bool) else obj


def _nodes(data: dict, pg: bool):
    return {alias: _flat(data[alias]) for alias in NODE_ALIASES}


_NORMALISERS = {"team": _team, "staff": _staff, "plan": _plan, "employees": _employees, "feedback": _feedback,
                "evaluations": _evaluations, "training": _training, "nodes": _nodes}


def normalise(screen: Screen, candidate: str, data: dict):
    return _NORMALISERS[screen.key](data, candidate.startswith("postgraphile"))
