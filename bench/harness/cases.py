"""The workload requests for each candidate, the actors that send them, and how to compare answers.

Kinerja (and the hand-written endpoint, which takes the same bodies) is sent the exact documents: the
reads are the trusted documents of schema/operations/, the writes those of bench/workloads/;
PostGraphile its equivalents in bench/postgraphile/queries/. Every read workload
runs against the largest tenant, bench-00.
"""

from __future__ import annotations

import base64
import os
from dataclasses import dataclass, field
from decimal import Decimal

import asyncpg
import httpx
import orjson
from harness.servers import BENCH

TENANT = "bench-00"
PASSWORD = "bench-password"
YEAR = 2026
DEEP_ROW = 5000  # W2-deep starts after this many rows of the tenant-wide list (capped at the middle)

LOGIN = """mutation Login($input: LoginInput!) {
  login(input: $input) { accessToken userErrors { field code message } }
}"""

WORKLOAD_FILES = {
    "W1": "w1_team_dashboard.graphql", "W2": "w2_employee_list.graphql", "W2-deep": "w2_employee_list.graphql",
    "W3": "w3_plan_detail.graphql", "W4": "w4_record_realisation.graphql", "W5": "w5_tenant_year.graphql",
    "W6": "w6_survey.graphql",
}
OPERATIONS = {"W1": "TeamDashboard", "W2": "EmployeeList", "W2-deep": "EmployeeList", "W3": "PlanDetail",
              "W4": "RecordRealisation", "W5": "TenantYear", "W6": "SubmitSurvey"}
READS = ["W1", "W2", "W2-deep", "W3", "W5"]
WRITES = ["W4", "W6"]
ACTORS = {"W1": "atasan-0", "W2": "hr", "W2-deep": "hr", "W3": "hr", "W5": "hr", "W4": "pegawai-1"}


def document(workload: str) -> str:
    if workload in READS:
        path = os.path.join(os.path.dirname(BENCH), "schema", "operations", f"{OPERATIONS[workload]}.graphql")
    else:
        path = os.path.join(BENCH, "workloads", WORKLOAD_FILES[workload])
    with open(path) as f:
        return f.read()


def postgraphile_document(workload: str) -> str:
    with open(os.path.join(BENCH, "postgraphile", "queries", WORKLOAD_FILES[workload])) as f:
        return f.read()


def gid(type_name: str, value) -> str:
    return base64.urlsafe_b64encode(f"{type_name}:{value}".encode()).decode().rstrip("=")


def kinerja_cursor(name: str, key) -> str:
    return base64.urlsafe_b64encode(orjson.dumps([name, str(key)])).decode().rstrip("=")


@dataclass
class Fixture:
    """Ids of the measured tenant, read once from the database."""
    tenant_id: str
    period: str  # the current quarter (Q4 2026)
    annual: str  # Tahunan 2026
    unit: str  # the first perangkat daerah (dinas D000)
    plan: str  # pegawai-0's 2026 plan
    deep_name: str
    deep_id: str
    deep_offset: int
    w4_indicators: list[str]
    w4_periods: list[str]
    services: list[str]
    extra: dict = field(default_factory=dict)


def actor(workload: str, variant: int = 0) -> str:
    """The main actor, or for the same-data check's second variant another one of the same kind."""
    name = ACTORS[workload]
    return name.replace("-0", "-1") if variant else name


async def load_fixture(admin_db_url: str, variant: int = 0) -> Fixture:
    """Variant 0 is what is timed; variant 1 (another team, unit, plan, period, cursor) only for the check."""
    conn = await asyncpg.connect(admin_db_url.replace("postgres://", "postgresql://", 1))
    try:
        t = await conn.fetchval("SELECT id FROM tenant WHERE slug = $1", TENANT)
        period = await conn.fetchval("SELECT id FROM period WHERE tenant_id = $1 AND year = $2 AND kind = 'QUARTERLY' "
                                     "AND sequence = $3", t, YEAR, 3 if variant else 4)
        annual = await conn.fetchval("SELECT id FROM period WHERE tenant_id = $1 AND year = $2 AND kind = 'ANNUAL'", t, YEAR)
        if variant:  # W5 over a quarter instead of the year
            annual = period
        unit = await conn.fetchval("SELECT id FROM org_unit WHERE tenant_id = $1 AND code = $2", t,
                                   "D001" if variant else "D000")
        plan = await conn.fetchval(
            "SELECT p.id FROM performance_plan p JOIN app_user u ON u.employee_id = p.employee_id AND u.tenant_id = p.tenant_id "
            "WHERE p.tenant_id = $1 AND u.username = $3 AND p.year = $2", t, YEAR, f"pegawai-{2 if variant else 0}")
        count = await conn.fetchval("SELECT count(*) FROM employee WHERE tenant_id = $1", t)
        offset = min(DEEP_ROW, count // 2) // (3 if variant else 1)
        deep = await conn.fetchrow("SELECT name, id FROM employee WHERE tenant_id = $1 ORDER BY name, id OFFSET $2 LIMIT 1",
                                   t, offset - 1)
        owner = await conn.fetchval("SELECT employee_id FROM app_user WHERE tenant_id = $1 AND username = $2", t, ACTORS["W4"])
        indicators = await conn.fetch(
            "SELECT i.id FROM indicator i JOIN result_target r ON r.id = i.result_id JOIN performance_plan p ON p.id = r.plan_id "
            "WHERE p.tenant_id = $1 AND p.employee_id = $2 AND p.year = $3 AND p.status = 'APPROVED' ORDER BY r.position",
            t, owner, YEAR)
        if not indicators:
            raise RuntimeError(f"{ACTORS['W4']} has no approved {YEAR} plan in the dataset: pick another actor")
        quarters = await conn.fetch("SELECT id FROM period WHERE tenant_id = $1 AND year = $2 AND kind = 'QUARTERLY' "
                                    "AND NOT closed ORDER BY sequence", t, YEAR)
        services = await conn.fetch("SELECT id FROM public_service WHERE tenant_id = $1 AND active ORDER BY code", t)
    finally:
        await conn.close()
    return Fixture(str(t), str(period), str(annual), str(unit), str(plan), deep["name"], str(deep["id"]), offset,
                   [gid("Indicator", r["id"]) for r in indicators], [gid("Period", r["id"]) for r in quarters],
                   [gid("Service", r["id"]) for r in services])


async def login(url: str, username: str) -> str:
    async with httpx.AsyncClient(timeout=30) as client:
        r = await client.post(url, json={"query": LOGIN, "operationName": "Login", "variables": {
            "input": {"tenant": TENANT, "username": username, "password": PASSWORD}}})
        payload = r.json()["data"]["login"]
        if not payload["accessToken"]:
            raise RuntimeError(f"login of {username} failed: {payload['userErrors']}")
        return payload["accessToken"]


def kinerja_variables(workload: str, fx: Fixture) -> dict:
    return {
        "W1": {"periodId": gid("Period", fx.period)},
        "W2": {"first": 50, "after": None, "filter": {"orgUnitId": gid("OrgUnit", fx.unit)}},
        "W2-deep": {"first": 50, "after": kinerja_cursor(fx.deep_name, fx.deep_id), "filter": None},
        "W3": {"id": gid("PerformancePlan", fx.plan)},
        "W5": {"periodId": gid("Period", fx.annual)},
        "W4": {"input": {"indicatorId": fx.w4_indicators[0], "periodId": fx.w4_periods[-1], "value": "6"}},
        "W6": {"input": {"tenant": TENANT, "serviceId": fx.services[0], "scores": [3] * 9}},
    }[workload]


def kinerja_body(workload: str, fx: Fixture) -> dict:
    return {"query": document(workload), "operationName": OPERATIONS[workload],
            "variables": kinerja_variables(workload, fx)}


ALL_EMPLOYEES = """query EmployeeListDeep($first: Int!, $after: Cursor) {
  allEmployees(first: $first, after: $after, orderBy: [NAME_ASC, ID_ASC]) {
    edges {
      cursor
      node { id nip name employmentType positionByPositionId { name kind } orgUnitByOrgUnitId { id name } }
    }
    pageInfo { hasNextPage endCursor }
  }
}"""

DEEP_CURSOR = """query DeepCursor($offset: Int!) {
  allEmployees(first: 1, offset: $offset, orderBy: [NAME_ASC, ID_ASC]) { pageInfo { endCursor } }
}"""


async def postgraphile_body(workload: str, fx: Fixture, url: str, token: str) -> dict:
    if workload == "W2-deep":
        async with httpx.AsyncClient(timeout=30) as client:  # PostGraphile's own cursor of the same row
            r = await client.post(url, json={"query": DEEP_CURSOR, "variables": {"offset": fx.deep_offset - 1}},
                                  headers={"Authorization": f"Bearer {token}"})
            cursor = r.json()["data"]["allEmployees"]["pageInfo"]["endCursor"]
        return {"query": ALL_EMPLOYEES, "operationName": "EmployeeListDeep", "variables": {"first": 50, "after": cursor}}
    variables = {
        "W1": {"periodId": fx.period, "year": YEAR},
        "W2": {"unitId": fx.unit, "first": 50, "after": None},
        "W3": {"id": fx.plan},
        "W5": {"periodId": fx.annual},
    }[workload]
    return {"query": postgraphile_document(workload), "operationName": OPERATIONS[workload], "variables": variables}


# ---- normalising the answers to natural keys ----

def _num(value) -> float | None:
    return None if value is None else round(float(Decimal(str(value))), 4)


def _achievement(aspect: str, target, realised) -> float | None:
    if target is None or realised is None:
        return None
    target, realised = Decimal(str(target)), Decimal(str(realised))
    if aspect in ("WAKTU", "BIAYA"):
        if realised <= target:
            return 1.0
        return float(max(Decimal(0), min(Decimal(1), target / realised))) if realised else 1.0
    if target == 0:
        return 1.0
    return float(max(Decimal(0), min(Decimal(1), realised / target)))


def postgraphile_plan(p: dict) -> tuple:
    """Status and progress in the period of a plan PostGraphile returned with its indicators and the
    period's realisations (what Kinerja and the hand-written SQL compute in the database)."""
    indicators = [i for r in p["resultTargetsByPlanId"]["nodes"] for i in r["indicatorsByResultId"]["nodes"]]
    realised = [i for i in indicators if i["realisationsByIndicatorId"]["nodes"]]
    shares = []
    for i in indicators:
        if i["targetValue"] is not None:
            values = i["realisationsByIndicatorId"]["nodes"]
            share = _achievement(i["aspect"], i["targetValue"], values[0]["value"] if values else None)
            shares.append(share or 0.0)
    return (p["status"], len(indicators), len(realised), round(len(realised) / len(indicators), 4) if indicators else 0.0,
            round(sum(shares) / len(shares), 4) if shares else None)


def normalise(workload: str, candidate: str, data: dict):
    if workload == "W1":
        if candidate.startswith("postgraphile"):
            rows = []
            for m in data["myTeam"]["nodes"]:
                plans = [p for p in m["performancePlansByEmployeeId"]["nodes"] if p["status"] != "SUPERSEDED"]
                plan = postgraphile_plan(plans[-1]) if plans else None
                latest = m["evaluationsByEmployeeId"]["nodes"]
                rows.append((m["nip"], m["name"], plan, latest[0]["predicate"] if latest else None,
                             sum(t["jp"] for t in m["trainingRecordsByEmployeeId"]["nodes"])))
            return rows
        rows = []
        for m in data["teamOverview"]["members"]:
            p = m["plan"]
            plan = (p["status"], p["progress"]["indicators"], p["progress"]["realised"], _num(p["progress"]["shareRealised"]),
                    _num(p["progress"]["achievement"])) if p else None
            latest = m["latestEvaluation"]
            rows.append((m["employee"]["nip"], m["employee"]["name"], plan, latest["predicate"] if latest else None,
                         int(m["trainingJp"])))
        return rows
    if workload in ("W2", "W2-deep"):
        conn = data.get("employees") or data.get("unitEmployees") or data.get("allEmployees")
        rows = []
        for edge in conn["edges"]:
            n = edge["node"]
            position = n.get("position", n.get("positionByPositionId"))
            unit = n.get("orgUnit", n.get("orgUnitByOrgUnitId"))
            rows.append((n["nip"], n["name"], n["employmentType"], position and (position["name"], position["kind"]),
                         unit["name"]))
        return {"rows": rows, "hasNextPage": conn["pageInfo"]["hasNextPage"]}
    if workload == "W3":
        if candidate.startswith("postgraphile"):
            p = data["performancePlanById"]
            results = [(r["kind"], r["description"], [
                (i["aspect"], i["description"], _num(i["targetValue"]), i["targetUnit"],
                 sorted((x["periodByPeriodId"]["name"], _num(x["value"])) for x in i["realisationsByIndicatorId"]["nodes"]))
                for i in r["indicatorsByResultId"]["nodes"]]) for r in p["resultTargetsByPlanId"]["nodes"]]
            return (p["year"], p["status"], p["employeeByEmployeeId"]["nip"], results)
        p = data["node"]
        results = [(r["kind"], r["description"], [
            (i["aspect"], i["description"], _num(i["targetValue"]), i["targetUnit"],
             sorted((x["period"]["name"], _num(x["value"])) for x in i["realisations"])) for i in r["indicators"]])
            for r in p["results"]]
        return (p["year"], p["status"], p["employee"]["nip"], results)
    if workload == "W5":
        if candidate.startswith("postgraphile"):
            out = []
            for u in data["allOrgUnits"]["nodes"]:
                counts = {k: u[alias]["totalCount"] for k, alias in (
                    ("SANGAT_BAIK", "sangatBaik"), ("BAIK", "baik"), ("BUTUH_PERBAIKAN", "butuhPerbaikan"),
                    ("KURANG_MISCONDUCT", "kurangMisconduct"), ("SANGAT_KURANG", "sangatKurang"))}
                ikm = u["benchIkm"]
                out.append((u["name"], u["benchEmployees"]["totalCount"], counts,
                            ikm and (ikm["respondents"], _num(ikm["value"]), ikm["category"])))
            return out
        return [(u["orgUnit"]["name"], u["employees"], {c["predicate"]: c["count"] for c in u["predicateCounts"]},
                 u["ikm"] and (u["ikm"]["respondents"], _num(u["ikm"]["value"]), u["ikm"]["category"]))
                for u in data["tenantDashboard"]]
    raise ValueError(workload)
