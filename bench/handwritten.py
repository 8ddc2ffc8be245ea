"""The physical limit: the read workloads answered by one hand-written SQL statement each.

Raw ASGI + an asyncpg pool as the application role (RLS): per request one transaction with
``set_config('app.tenant_id', ...)`` and one statement that builds the whole JSON response with
json_build_object/json_agg, returned as the database wrote it. It takes the same request bodies
as Kinerja (the operation is chosen by ``operationName``; the document text is not parsed) and the
same bearer tokens (HS256, the same secret and claims). No authorization beyond the tenant's RLS.

    DATABASE_URL=postgres://kinerja_app@127.0.0.1:55440/kinerja_bench KINERJA_SECRET_KEY=... \\
    .venv/bin/uvicorn --app-dir bench handwritten:app --workers 2 --port 8103
"""

from __future__ import annotations

import base64
import os
import uuid

import asyncpg
import jwt
import orjson

PREDICATES = ["SANGAT_BAIK", "BAIK", "BUTUH_PERBAIKAN", "KURANG_MISCONDUCT", "SANGAT_KURANG"]


def gid(type_name: str, column: str) -> str:
    """Kinerja's Relay global id, base64url('Type:uuid') unpadded, computed by the database."""
    return (f"rtrim(translate(encode(convert_to('{type_name}:' || {column}::text, 'UTF8'), 'base64'), '+/', '-_'), '=')")


def _progress(plan: str) -> str:
    share = ("CASE WHEN i.target_value IS NULL THEN NULL WHEN r.value IS NULL THEN 0 "
             "WHEN i.aspect IN ('WAKTU', 'BIAYA') THEN CASE WHEN r.value <= i.target_value THEN 1 "
             "ELSE greatest(0, least(1, i.target_value / r.value)) END "
             "WHEN i.target_value = 0 THEN 1 ELSE greatest(0, least(1, r.value / i.target_value)) END")
    return f"""(SELECT json_build_object(
        'indicators', count(i.id), 'realised', count(r.id),
        'shareRealised', CASE WHEN count(i.id) = 0 THEN 0 ELSE round(count(r.id)::numeric / count(i.id), 4) END,
        'achievement', round(avg({share}), 4))
      FROM result_target rt JOIN indicator i ON i.tenant_id = $1 AND i.result_id = rt.id
      LEFT JOIN realisation r ON r.tenant_id = $1 AND r.indicator_id = i.id AND r.period_id = per.id
      WHERE rt.tenant_id = $1 AND rt.plan_id = {plan})"""


W1 = f"""
WITH RECURSIVE team(id) AS (
    SELECT e.id FROM employee e
    WHERE e.tenant_id = $1 AND e.supervisor_id = (SELECT employee_id FROM app_user WHERE tenant_id = $1 AND id = $2)
    UNION
    SELECT e.id FROM employee e JOIN team t ON e.supervisor_id = t.id WHERE e.tenant_id = $1
), per AS (SELECT id, year FROM period WHERE tenant_id = $1 AND id = $3)
SELECT json_build_object('data', json_build_object('teamOverview', json_build_object('members',
    coalesce(json_agg(m.j ORDER BY m.name, m.id), '[]'))))::text
FROM (
  SELECT e.name, e.id, json_build_object(
    'employee', json_build_object('id', {gid('Employee', 'e.id')}, 'nip', e.nip, 'name', e.name),
    'plan', (SELECT json_build_object('id', {gid('PerformancePlan', 'p.id')}, 'status', p.status,
                                      'progress', {_progress('p.id')})
             FROM performance_plan p
             WHERE p.tenant_id = $1 AND p.employee_id = e.id AND p.year = per.year AND p.status <> 'SUPERSEDED'
             ORDER BY p.revision DESC LIMIT 1),
    'latestEvaluation', (SELECT json_build_object('id', {gid('Evaluation', 'v.id')}, 'predicate', v.predicate)
                         FROM evaluation v WHERE v.tenant_id = $1 AND v.employee_id = e.id AND v.status = 'FINAL'
                         ORDER BY v.finalized_at DESC NULLS LAST, v.created_at DESC LIMIT 1),
    'trainingJp', (SELECT coalesce(sum(tr.jp), 0) FROM training_record tr
                   WHERE tr.tenant_id = $1 AND tr.employee_id = e.id AND tr.year = per.year AND tr.status = 'VERIFIED')
  ) AS j
  FROM employee e JOIN team USING (id) CROSS JOIN per WHERE e.tenant_id = $1
) m
"""


def w2_sql(by_unit: bool, after: bool) -> str:
    unit_filter = "AND e.org_unit_id IN (SELECT id FROM sub)" if by_unit else ""
    after_filter = "AND (e.name, e.id) > ($3::text, $4::uuid)" if after else ""
    cursor = ("rtrim(translate(replace(encode(convert_to('[' || to_json(e.name)::text || ',\"' || e.id || '\"]', 'UTF8'), "
              "'base64'), E'\\n', ''), '+/', '-_'), '=')")
    return f"""
WITH RECURSIVE sub(id) AS (
    SELECT id FROM org_unit WHERE tenant_id = $1 AND id = $2
    UNION
    SELECT o.id FROM org_unit o JOIN sub s ON o.parent_id = s.id WHERE o.tenant_id = $1
), page AS (
    SELECT e.*, {cursor} AS cursor FROM employee e
    WHERE e.tenant_id = $1 {unit_filter} {after_filter}
    ORDER BY e.name, e.id LIMIT $5 + 1
), shown AS (SELECT * FROM page ORDER BY name, id LIMIT $5)
SELECT json_build_object('data', json_build_object('employees', json_build_object(
  'edges', coalesce((SELECT json_agg(json_build_object('cursor', s.cursor, 'node', json_build_object(
      'id', {gid('Employee', 's.id')}, 'nip', s.nip, 'name', s.name, 'employmentType', s.employment_type,
      'position', (SELECT json_build_object('name', p.name, 'kind', p.kind) FROM position p
                   WHERE p.tenant_id = $1 AND p.id = s.position_id),
      'orgUnit', (SELECT json_build_object('id', {gid('OrgUnit', 'o.id')}, 'name', o.name) FROM org_unit o
                  WHERE o.tenant_id = $1 AND o.id = s.org_unit_id))) ORDER BY s.name, s.id) FROM shown s), '[]'),
  'pageInfo', json_build_object('hasNextPage', (SELECT count(*) FROM page) > $5,
                                'endCursor', (SELECT cursor FROM shown ORDER BY name DESC, id DESC LIMIT 1)))))::text
"""


W3 = f"""
SELECT json_build_object('data', json_build_object('node', (
  SELECT json_build_object('id', {gid('PerformancePlan', 'p.id')}, 'year', p.year, 'status', p.status,
    'employee', (SELECT json_build_object('id', {gid('Employee', 'e.id')}, 'nip', e.nip, 'name', e.name)
                 FROM employee e WHERE e.tenant_id = $1 AND e.id = p.employee_id),
    'results', coalesce((SELECT json_agg(json_build_object('id', {gid('ResultTarget', 'rt.id')}, 'kind', rt.kind,
        'description', rt.description,
        'indicators', coalesce((SELECT json_agg(json_build_object('id', {gid('Indicator', 'i.id')}, 'aspect', i.aspect,
            'description', i.description, 'targetValue', i.target_value, 'targetUnit', i.target_unit,
            'realisations', coalesce((SELECT json_agg(json_build_object('id', {gid('Realisation', 'r.id')},
                'value', r.value, 'period', json_build_object('id', {gid('Period', 'pe.id')}, 'name', pe.name))
                ORDER BY pe.starts_on, pe.ends_on)
              FROM realisation r JOIN period pe ON pe.tenant_id = $1 AND pe.id = r.period_id
              WHERE r.tenant_id = $1 AND r.indicator_id = i.id), '[]')) ORDER BY i.position, i.id)
          FROM indicator i WHERE i.tenant_id = $1 AND i.result_id = rt.id), '[]')) ORDER BY rt.position, rt.id)
      FROM result_target rt WHERE rt.tenant_id = $1 AND rt.plan_id = p.id), '[]'))
  FROM performance_plan p WHERE p.tenant_id = $1 AND p.id = $2)))::text
"""

_PREDICATE_ARRAY = "ARRAY[" + ", ".join(f"'{p}'" for p in PREDICATES) + "]"
_CONVERTED = "round(sr.total::numeric / sr.n / 9 * 25, 2)"
W5 = f"""
WITH RECURSIVE per AS (SELECT * FROM period WHERE tenant_id = $1 AND id = $2),
tree(top, id) AS (
    SELECT id, id FROM org_unit WHERE tenant_id = $1 AND parent_id IS NULL
    UNION ALL
    SELECT t.top, o.id FROM org_unit o JOIN tree t ON o.parent_id = t.id WHERE o.tenant_id = $1
), emp AS (
    SELECT t.top, e.id FROM employee e JOIN tree t ON t.id = e.org_unit_id WHERE e.tenant_id = $1 AND e.active
), empc AS (SELECT top, count(*) AS n FROM emp GROUP BY top),
evc AS (
    SELECT emp.top, v.predicate, count(*) AS n FROM evaluation v JOIN emp ON emp.id = v.employee_id
    WHERE v.tenant_id = $1 AND v.period_id = $2 AND v.status IN ('DRAFT', 'FINAL') GROUP BY 1, 2
), sr AS (
    SELECT t.top, count(*) AS n, sum(u1 + u2 + u3 + u4 + u5 + u6 + u7 + u8 + u9) AS total
    FROM survey_response r JOIN service_unit su ON su.tenant_id = $1 AND su.id = r.service_unit_id
    JOIN tree t ON t.id = su.org_unit_id CROSS JOIN per
    WHERE r.tenant_id = $1 AND r.created_at >= per.starts_on::timestamp AT TIME ZONE 'UTC'
      AND r.created_at < (per.ends_on + 1)::timestamp AT TIME ZONE 'UTC'
    GROUP BY t.top
)
SELECT json_build_object('data', json_build_object('tenantDashboard', coalesce(json_agg(x.j ORDER BY x.code), '[]')))::text
FROM (
  SELECT u.code, json_build_object(
    'orgUnit', json_build_object('id', {gid('OrgUnit', 'u.id')}, 'name', u.name),
    'employees', coalesce((SELECT n FROM empc WHERE empc.top = u.id), 0),
    'predicateCounts', (SELECT json_agg(json_build_object('predicate', pr.p, 'count',
                            coalesce((SELECT n FROM evc WHERE evc.top = u.id AND evc.predicate = pr.p), 0)) ORDER BY pr.o)
                        FROM unnest({_PREDICATE_ARRAY}) WITH ORDINALITY AS pr(p, o)),
    'ikm', (SELECT json_build_object('respondents', sr.n, 'value', {_CONVERTED}, 'category',
                   CASE WHEN {_CONVERTED} >= 88.31 THEN 'A' WHEN {_CONVERTED} >= 76.61 THEN 'B'
                        WHEN {_CONVERTED} >= 65.00 THEN 'C' ELSE 'D' END)
            FROM sr WHERE sr.top = u.id)) AS j
  FROM org_unit u WHERE u.tenant_id = $1 AND u.parent_id IS NULL
) x
"""


def _global_uuid(value: str) -> uuid.UUID:
    raw = base64.urlsafe_b64decode(value + "=" * (-len(value) % 4)).decode()
    return uuid.UUID(raw.partition(":")[2])


def _cursor(value: str) -> tuple[str, uuid.UUID]:
    name, key = orjson.loads(base64.urlsafe_b64decode(value + "=" * (-len(value) % 4)))
    return name, uuid.UUID(key)


async def _w1(conn, tenant, user, v):
    return await conn.fetchval(W1, tenant, user, _global_uuid(v["periodId"]))


async def _w2(conn, tenant, user, v):
    unit = (v.get("filter") or {}).get("orgUnitId")
    after = v.get("after")
    name, key = _cursor(after) if after else (None, None)
    args = [tenant, _global_uuid(unit) if unit else None, name, key, int(v.get("first") or 20)]
    sql = w2_sql(bool(unit), bool(after))
    if not after:  # keep the parameter numbering: $3 and $4 are then unused
        sql = sql.replace("WHERE e.tenant_id = $1", "WHERE e.tenant_id = $1 AND $3::text IS NULL AND $4::uuid IS NULL", 1)
    return await conn.fetchval(sql, *args)


async def _w3(conn, tenant, user, v):
    return await conn.fetchval(W3, tenant, _global_uuid(v["id"]))


async def _w5(conn, tenant, user, v):
    return await conn.fetchval(W5, tenant, _global_uuid(v["periodId"]))


OPERATIONS = {"TeamDashboard": _w1, "EmployeeList": _w2, "PlanDetail": _w3, "TenantYear": _w5}


class App:
    def __init__(self):
        self.pool: asyncpg.Pool | None = None
        self.secret = os.environ["KINERJA_SECRET_KEY"]

    async def startup(self):
        url = os.environ["DATABASE_URL"].replace("postgres://", "postgresql://", 1)
        # Planned for each execution's parameters, as Kinerja's connections are: a generic plan made
        # for one tenant is many times slower for another (see docs/architecture.md).
        self.pool = await asyncpg.create_pool(url, min_size=2, max_size=int(os.environ.get("POOL_SIZE", "10")),
                                              server_settings={"plan_cache_mode": "force_custom_plan"})

    async def __call__(self, scope, receive, send):
        if scope["type"] == "lifespan":
            while True:
                message = await receive()
                if message["type"] == "lifespan.startup":
                    await self.startup()
                    await send({"type": "lifespan.startup.complete"})
                elif message["type"] == "lifespan.shutdown":
                    await self.pool.close()
                    await send({"type": "lifespan.shutdown.complete"})
                    return
        body = b""
        while True:
            message = await receive()
            body += message.get("body", b"")
            if not message.get("more_body"):
                break
        status, payload = await self.answer(dict(scope["headers"]).get(b"authorization", b""), body)
        await send({"type": "http.response.start", "status": status,
                    "headers": [(b"content-type", b"application/json"), (b"content-length", str(len(payload)).encode())]})
        await send({"type": "http.response.body", "body": payload})

    async def answer(self, authorization: bytes, body: bytes) -> tuple[int, bytes]:
        try:
            claims = jwt.decode(authorization.decode().removeprefix("Bearer "), self.secret, algorithms=["HS256"],
                                audience="kinerja-api", issuer="kinerja",
                                options={"require": ["exp", "iat", "sub", "tid", "aud", "iss"]})
            tenant, user = uuid.UUID(claims["tid"]), uuid.UUID(claims["sub"])
        except (jwt.PyJWTError, ValueError, KeyError):
            return 401, b'{"errors":[{"message":"Invalid or expired access token"}]}'
        try:
            request = orjson.loads(body)
            operation = OPERATIONS[request["operationName"]]
        except (orjson.JSONDecodeError, KeyError, TypeError):
            return 400, b'{"errors":[{"message":"Unknown operation"}]}'
        async with self.pool.acquire() as conn, conn.transaction():
            await conn.execute("SELECT set_config('app.tenant_id', $1, true)", str(tenant))
            text = await operation(conn, tenant, user, request.get("variables") or {})
        return 200, text.encode()


app = App()
