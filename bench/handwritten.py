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
import datetime as dt
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
# One pass over each table, grouped by top-level unit, joined at the end (bench/results/w5.md): every CTE
# MATERIALIZED, since PostgreSQL 12+ inlines a CTE read once, and one read from a per-unit subquery would be
# computed again for every unit. The survey responses are summed per service unit first, from the
# (tenant_id, created_at) index alone, and only those sums are rolled up through the org tree.
W5 = f"""
WITH RECURSIVE per AS (SELECT * FROM period WHERE tenant_id = $1 AND id = $2),
tree(top, id) AS (
    SELECT id, id FROM org_unit WHERE tenant_id = $1 AND parent_id IS NULL
    UNION ALL
    SELECT t.top, o.id FROM org_unit o JOIN tree t ON o.parent_id = t.id WHERE o.tenant_id = $1
), emp AS MATERIALIZED (
    SELECT t.top, e.id FROM employee e JOIN tree t ON t.id = e.org_unit_id WHERE e.tenant_id = $1 AND e.active
), empc AS MATERIALIZED (SELECT top, count(*) AS n FROM emp GROUP BY top),
evc AS MATERIALIZED (
    SELECT top, json_object_agg(predicate, n) AS counts FROM (
        SELECT emp.top, v.predicate, count(*) AS n FROM evaluation v JOIN emp ON emp.id = v.employee_id
        WHERE v.tenant_id = $1 AND v.period_id = $2 AND v.status IN ('DRAFT', 'FINAL') GROUP BY 1, 2) c
    GROUP BY top
), responses AS MATERIALIZED (
    SELECT r.service_unit_id, count(*) AS n, sum(u1 + u2 + u3 + u4 + u5 + u6 + u7 + u8 + u9) AS total
    FROM survey_response r CROSS JOIN per
    WHERE r.tenant_id = $1 AND r.created_at >= per.starts_on::timestamp AT TIME ZONE 'UTC'
      AND r.created_at < (per.ends_on + 1)::timestamp AT TIME ZONE 'UTC'
    GROUP BY r.service_unit_id
), sr AS MATERIALIZED (
    SELECT t.top, sum(r.n) AS n, sum(r.total) AS total
    FROM responses r JOIN service_unit su ON su.tenant_id = $1 AND su.id = r.service_unit_id
    JOIN tree t ON t.id = su.org_unit_id
    GROUP BY t.top
)
SELECT json_build_object('data', json_build_object('tenantDashboard', coalesce(json_agg(json_build_object(
    'orgUnit', json_build_object('id', {gid('OrgUnit', 'u.id')}, 'name', u.name),
    'employees', coalesce(empc.n, 0),
    'predicateCounts', (SELECT json_agg(json_build_object('predicate', pr.p, 'count', coalesce((evc.counts->>pr.p)::int, 0))
                                        ORDER BY pr.o)
                        FROM unnest({_PREDICATE_ARRAY}) WITH ORDINALITY AS pr(p, o)),
    'ikm', CASE WHEN sr.n IS NOT NULL THEN json_build_object('respondents', sr.n, 'value', {_CONVERTED}, 'category',
               CASE WHEN {_CONVERTED} >= 88.31 THEN 'A' WHEN {_CONVERTED} >= 76.61 THEN 'B'
                    WHEN {_CONVERTED} >= 65.00 THEN 'C' ELSE 'D' END) END
  ) ORDER BY u.code), '[]')))::text
FROM org_unit u LEFT JOIN empc ON empc.top = u.id LEFT JOIN evc ON evc.top = u.id LEFT JOIN sr ON sr.top = u.id
WHERE u.tenant_id = $1 AND u.parent_id IS NULL
"""


# ---- the "any document" screens (bench/anydocs/kinerja/*.graphql), answered in Kinerja's shape ----

_LATEST_FINAL = f"""(SELECT json_build_object('id', {gid('Evaluation', 'v.id')}, 'predicate', v.predicate)
    FROM evaluation v JOIN period vp ON vp.tenant_id = $1 AND vp.id = v.period_id
    WHERE v.tenant_id = $1 AND v.employee_id = e.id AND v.status = 'FINAL'
    ORDER BY vp.ends_on DESC, vp.starts_on, v.finalized_at DESC, v.id DESC LIMIT 1)"""

TEAM_SCREEN = f"""
WITH RECURSIVE team(id) AS (
    SELECT e.id FROM employee e
    WHERE e.tenant_id = $1 AND e.supervisor_id = (SELECT employee_id FROM app_user WHERE tenant_id = $1 AND id = $2)
    UNION
    SELECT e.id FROM employee e JOIN team t ON e.supervisor_id = t.id WHERE e.tenant_id = $1
), per AS (SELECT id, year, name FROM period WHERE tenant_id = $1 AND id = $3)
SELECT json_build_object('data', json_build_object('teamOverview', json_build_object(
  'period', (SELECT json_build_object('name', name) FROM per),
  'members', coalesce((SELECT json_agg(json_build_object(
    'employee', json_build_object('id', {gid('Employee', 'e.id')}, 'nip', e.nip, 'name', e.name,
                                  'position', (SELECT json_build_object('name', po.name) FROM position po
                                               WHERE po.tenant_id = $1 AND po.id = e.position_id)),
    'plan', (SELECT json_build_object('id', {gid('PerformancePlan', 'p.id')}, 'status', p.status,
                                      'progress', {_progress('p.id')})
             FROM performance_plan p
             WHERE p.tenant_id = $1 AND p.employee_id = e.id AND p.year = per.year AND p.status <> 'SUPERSEDED'
             ORDER BY p.revision DESC LIMIT 1),
    'evaluation', (SELECT json_build_object('predicate', v.predicate, 'status', v.status) FROM evaluation v
                   WHERE v.tenant_id = $1 AND v.employee_id = e.id AND v.period_id = per.id
                     AND v.status IN ('DRAFT', 'FINAL') ORDER BY v.version DESC LIMIT 1),
    'latestEvaluation', {_LATEST_FINAL},
    'trainingJp', (SELECT coalesce(sum(tr.jp), 0) FROM training_record tr
                   WHERE tr.tenant_id = $1 AND tr.employee_id = e.id AND tr.year = per.year AND tr.status = 'VERIFIED')
  ) ORDER BY e.name, e.id)
  FROM employee e CROSS JOIN per WHERE e.tenant_id = $1 AND e.id IN (SELECT id FROM team)), '[]'))))::text
"""

_CURSOR = ("rtrim(translate(replace(encode(convert_to('[' || to_json({name})::text || ',\"' || {key} || '\"]', 'UTF8'), "
           "'base64'), E'\\n', ''), '+/', '-_'), '=')")


def _connection(root: str, order: str, reverse: str, after: str, node: str, cursor: str, total: bool = True) -> str:
    """A Kinerja connection ``root`` over the CTE ``matching`` (alias m): totalCount, one page of $5 rows after
    a keyset cursor, pageInfo. ``after`` is the keyset condition, ``order`` the page's ORDER BY and ``reverse``
    its opposite."""
    count = "'totalCount', (SELECT count(*) FROM matching)," if total else ""
    return f"""page AS (SELECT m.*, {cursor} AS cursor FROM matching m WHERE {after} ORDER BY {order} LIMIT $5 + 1),
shown AS (SELECT * FROM page m ORDER BY {order} LIMIT $5)
SELECT json_build_object('data', json_build_object('{root}', json_build_object({count}
  'edges', coalesce((SELECT json_agg(json_build_object('cursor', m.cursor, 'node', {node}) ORDER BY {order})
                     FROM shown m), '[]'),
  'pageInfo', json_build_object('hasNextPage', (SELECT count(*) FROM page) > $5,
                                'endCursor', (SELECT cursor FROM shown m ORDER BY {reverse} LIMIT 1)))))::text"""


STAFF_DIRECTORY = """
WITH RECURSIVE sub(id) AS (
    SELECT id FROM org_unit WHERE tenant_id = $1 AND id = $2
    UNION
    SELECT o.id FROM org_unit o JOIN sub s ON o.parent_id = s.id WHERE o.tenant_id = $1
), matching AS (SELECT e.* FROM employee e WHERE e.tenant_id = $1 AND e.org_unit_id IN (SELECT id FROM sub)),
""" + _connection("employees", "m.name, m.id", "m.name DESC, m.id DESC",
                    "($3::text IS NULL OR (m.name, m.id) > ($3::text, $4::uuid))", f"""json_build_object(
      'id', {gid('Employee', 'm.id')}, 'nip', m.nip, 'name', m.name, 'employmentType', m.employment_type, 'active', m.active,
      'position', (SELECT json_build_object('name', p.name, 'kind', p.kind) FROM position p
                   WHERE p.tenant_id = $1 AND p.id = m.position_id),
      'orgUnit', (SELECT json_build_object('id', {gid('OrgUnit', 'o.id')}, 'code', o.code, 'name', o.name) FROM org_unit o
                  WHERE o.tenant_id = $1 AND o.id = m.org_unit_id),
      'supervisor', (SELECT json_build_object('nip', s.nip, 'name', s.name) FROM employee s
                     WHERE s.tenant_id = $1 AND s.id = m.supervisor_id))""",
    _CURSOR.format(name="m.name", key="m.id"))

EMPLOYEE_PAGE = """
WITH matching AS (SELECT e.* FROM employee e WHERE e.tenant_id = $1 AND $2::int IS NOT NULL),
""" + _connection("employees", "m.name, m.id", "m.name DESC, m.id DESC",
                    "($3::text IS NULL OR (m.name, m.id) > ($3::text, $4::uuid))", f"""json_build_object(
      'id', {gid('Employee', 'm.id')}, 'nip', m.nip, 'name', m.name,
      'position', (SELECT json_build_object('name', p.name) FROM position p WHERE p.tenant_id = $1 AND p.id = m.position_id),
      'orgUnit', (SELECT json_build_object('name', o.name) FROM org_unit o WHERE o.tenant_id = $1 AND o.id = m.org_unit_id),
      'currentPlan', (SELECT json_build_object('status', p.status) FROM performance_plan p
                      WHERE p.tenant_id = $1 AND p.employee_id = m.id AND p.year = $2 AND p.status <> 'SUPERSEDED'
                      ORDER BY p.revision DESC LIMIT 1),
      'latestEvaluation', (SELECT json_build_object('predicate', v.predicate)
                           FROM evaluation v JOIN period vp ON vp.tenant_id = $1 AND vp.id = v.period_id
                           WHERE v.tenant_id = $1 AND v.employee_id = m.id AND v.status = 'FINAL'
                           ORDER BY vp.ends_on DESC, vp.starts_on, v.finalized_at DESC, v.id DESC LIMIT 1))""",
    _CURSOR.format(name="m.name", key="m.id"), total=False)

_LABEL = ("CASE m.predicate WHEN 'SANGAT_BAIK' THEN 'Sangat Baik' WHEN 'BAIK' THEN 'Baik' WHEN 'BUTUH_PERBAIKAN' "
          "THEN 'Butuh Perbaikan' WHEN 'KURANG_MISCONDUCT' THEN 'Kurang/Misconduct' WHEN 'SANGAT_KURANG' THEN 'Sangat Kurang' END")

# The viewer's unit subtree (unit scope; his own record and his team lie inside it for a unit's head).
UNIT_EVALUATIONS = """
WITH RECURSIVE sub(id) AS (
    SELECT e.org_unit_id FROM app_user u JOIN employee e ON e.tenant_id = $1 AND e.id = u.employee_id
    WHERE u.tenant_id = $1 AND u.id = $2
    UNION
    SELECT o.id FROM org_unit o JOIN sub s ON o.parent_id = s.id WHERE o.tenant_id = $1
), matching AS (
    SELECT v.* FROM evaluation v
    WHERE v.tenant_id = $1 AND v.period_id = $6 AND v.status IN ('DRAFT', 'FINAL')
      AND v.employee_id IN (SELECT e.id FROM employee e WHERE e.tenant_id = $1 AND e.org_unit_id IN (SELECT id FROM sub))
),
""" + _connection("evaluations", "m.created_at DESC, m.id", "m.created_at, m.id DESC",
                  "($3::timestamptz IS NULL OR m.created_at < $3::timestamptz OR (m.created_at = $3::timestamptz AND m.id > $4::uuid))",
                  f"""json_build_object(
      'id', {gid('Evaluation', 'm.id')}, 'status', m.status, 'predicate', m.predicate, 'predicateLabel', {_LABEL},
      'resultsRating', m.results_rating, 'behaviourRating', m.behaviour_rating, 'version', m.version,
      'employee', (SELECT json_build_object('nip', e.nip, 'name', e.name, 'orgUnit',
                          (SELECT json_build_object('name', o.name) FROM org_unit o WHERE o.tenant_id = $1 AND o.id = e.org_unit_id))
                   FROM employee e WHERE e.tenant_id = $1 AND e.id = m.employee_id),
      'assessor', (SELECT json_build_object('nip', a.nip, 'name', a.name) FROM employee a
                   WHERE a.tenant_id = $1 AND a.id = m.assessor_id))""",
                  _CURSOR.format(name="m.created_at", key="m.id"))


def _plan_tree(realisation: str, root: str, extra: str) -> str:
    """One plan ($2) with its employee, RHK, indicators and realisations (``realisation``: the fields of r)."""
    return f"""
SELECT json_build_object('data', json_build_object('{root}', (
  SELECT json_build_object('id', {gid('PerformancePlan', 'p.id')}, 'year', p.year, 'revision', p.revision, 'status', p.status,
    {extra}
    'results', coalesce((SELECT json_agg(json_build_object('id', {gid('ResultTarget', 'rt.id')}, 'kind', rt.kind,
        'description', rt.description,
        'indicators', coalesce((SELECT json_agg(json_build_object('id', {gid('Indicator', 'i.id')}, 'aspect', i.aspect,
            'description', i.description, 'targetValue', i.target_value, 'targetUnit', i.target_unit,
            'realisations', coalesce((SELECT json_agg(json_build_object('id', {gid('Realisation', 'r.id')},
                'value', r.value, {realisation}, 'period', json_build_object('id', {gid('Period', 'pe.id')}, 'name', pe.name))
                ORDER BY pe.starts_on, pe.ends_on)
              FROM realisation r JOIN period pe ON pe.tenant_id = $1 AND pe.id = r.period_id
              WHERE r.tenant_id = $1 AND r.indicator_id = i.id), '[]')) ORDER BY i.position, i.id)
          FROM indicator i WHERE i.tenant_id = $1 AND i.result_id = rt.id), '[]')) ORDER BY rt.position, rt.id)
      FROM result_target rt WHERE rt.tenant_id = $1 AND rt.plan_id = p.id), '[]'))
  FROM performance_plan p WHERE p.tenant_id = $1 AND p.id = $2)))::text
"""


PLAN_SCREEN = _plan_tree("'narrative', r.narrative", "performancePlan", f"""
    'employee', (SELECT json_build_object('id', {gid('Employee', 'e.id')}, 'nip', e.nip, 'name', e.name, 'orgUnit',
                        (SELECT json_build_object('name', o.name) FROM org_unit o WHERE o.tenant_id = $1 AND o.id = e.org_unit_id))
                 FROM employee e WHERE e.tenant_id = $1 AND e.id = p.employee_id),
    'approver', (SELECT json_build_object('nip', a.nip, 'name', a.name) FROM employee a
                 WHERE a.tenant_id = $1 AND a.id = p.approver_id),""")

PLAN_WITH_FEEDBACK = _plan_tree(
    """'evidence', coalesce((SELECT json_agg(json_build_object('fileName', ev.file_name, 'contentType', ev.content_type,
        'size', ev.size, 'url', ev.url) ORDER BY ev.created_at, ev.id)
      FROM evidence ev WHERE ev.tenant_id = $1 AND ev.realisation_id = r.id), '[]')""", "node", f"""
    'employee', (SELECT json_build_object('nip', e.nip, 'name', e.name) FROM employee e
                 WHERE e.tenant_id = $1 AND e.id = p.employee_id),
    'feedback', coalesce((SELECT json_agg(json_build_object('id', {gid('Feedback', 'f.id')}, 'body', f.body,
        'createdAt', f.created_at,
        'author', (SELECT json_build_object('nip', a.nip, 'name', a.name) FROM employee a
                   WHERE a.tenant_id = $1 AND a.id = f.author_employee_id),
        'realisationId', CASE WHEN f.realisation_id IS NOT NULL THEN {gid('Realisation', 'f.realisation_id')} END,
        'replyToId', CASE WHEN f.reply_to_id IS NOT NULL THEN {gid('Feedback', 'f.reply_to_id')} END)
        ORDER BY f.created_at, f.id)
      FROM feedback f WHERE f.tenant_id = $1 AND f.plan_id = p.id), '[]'),""")

UNIT_TRAINING = """
WITH RECURSIVE sub(id) AS (
    SELECT id FROM org_unit WHERE tenant_id = $1 AND id = $2
    UNION
    SELECT o.id FROM org_unit o JOIN sub s ON o.parent_id = s.id WHERE o.tenant_id = $1
), targets AS (
    SELECT coalesce((settings->>'jp_target_pns')::int, 20) AS pns, coalesce((settings->>'jp_target_pppk')::int, 24) AS pppk
    FROM tenant WHERE id = $1
), people AS (
    SELECT e.nip, e.name, e.id, e.employment_type = 'PPPK' AS cap,
           CASE WHEN e.employment_type = 'PPPK' THEN t.pppk ELSE t.pns END AS target,
           coalesce(j.jp, 0)::int AS verified
    FROM employee e CROSS JOIN targets t
    LEFT JOIN (SELECT employee_id, sum(jp) AS jp FROM training_record
               WHERE tenant_id = $1 AND year = $3 AND status = 'VERIFIED' GROUP BY employee_id) j ON j.employee_id = e.id
    WHERE e.tenant_id = $1 AND e.active AND e.org_unit_id IN (SELECT id FROM sub)
)
SELECT json_build_object('data', json_build_object('unitTrainingProgress', json_build_object(
  'year', $3::int, 'employees', count(*), 'employeesMeetingTarget', count(*) FILTER (WHERE cap OR verified >= target),
  'targetJp', coalesce(sum(target), 0), 'verifiedJp', coalesce(sum(verified), 0),
  'belowTarget', coalesce(json_agg(json_build_object('employee', json_build_object('nip', nip, 'name', name),
      'targetJp', target, 'verifiedJp', verified, 'remainingJp', target - verified)
    ORDER BY target - verified DESC, name) FILTER (WHERE NOT cap AND verified < target), '[]'))))::text
FROM people
"""

# The ten (alias, type, id) arrive as three arrays; each row's object is built by the branch of its type.
_NODE_FIELDS = {
    "Employee": f"SELECT json_build_object('id', {gid('Employee', 'x.id')}, 'nip', x.nip, 'name', x.name, "
                "'employmentType', x.employment_type) FROM employee x WHERE x.tenant_id = $1 AND x.id = n.id",
    "PerformancePlan": f"SELECT json_build_object('id', {gid('PerformancePlan', 'x.id')}, 'year', x.year, 'revision', "
                       "x.revision, 'employee', (SELECT json_build_object('nip', e.nip) FROM employee e "
                       "WHERE e.tenant_id = $1 AND e.id = x.employee_id)) FROM performance_plan x "
                       "WHERE x.tenant_id = $1 AND x.id = n.id",
    "Evaluation": f"SELECT json_build_object('id', {gid('Evaluation', 'x.id')}, 'predicate', x.predicate, 'version', "
                  "x.version, 'period', (SELECT json_build_object('name', p.name) FROM period p "
                  "WHERE p.tenant_id = $1 AND p.id = x.period_id)) FROM evaluation x WHERE x.tenant_id = $1 AND x.id = n.id",
    "OrgUnit": f"SELECT json_build_object('id', {gid('OrgUnit', 'x.id')}, 'code', x.code, 'name', x.name) "
               "FROM org_unit x WHERE x.tenant_id = $1 AND x.id = n.id",
    "TrainingRecord": f"SELECT json_build_object('id', {gid('TrainingRecord', 'x.id')}, 'title', x.title, 'jp', x.jp, "
                      "'kind', x.kind) FROM training_record x WHERE x.tenant_id = $1 AND x.id = n.id",
    "Period": f"SELECT json_build_object('id', {gid('Period', 'x.id')}, 'name', x.name, 'year', x.year) "
              "FROM period x WHERE x.tenant_id = $1 AND x.id = n.id",
}
TEN_NODES = ("SELECT json_build_object('data', json_object_agg(n.alias, CASE n.type "
             + " ".join(f"WHEN '{t}' THEN ({sql})" for t, sql in _NODE_FIELDS.items())
             + " END))::text FROM unnest($2::text[], $3::text[], $4::uuid[]) AS n(alias, type, id)")
NODE_ALIASES = "abcdefghij"


def _global(value: str) -> tuple[str, uuid.UUID]:
    raw = base64.urlsafe_b64decode(value + "=" * (-len(value) % 4)).decode()
    type_name, _sep, key = raw.partition(":")
    return type_name, uuid.UUID(key)


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


async def _team_screen(conn, tenant, user, v):
    return await conn.fetchval(TEAM_SCREEN, tenant, user, _global_uuid(v["periodId"]))


def _after(v) -> tuple:
    return _cursor(v["after"]) if v.get("after") else (None, None)


async def _staff_directory(conn, tenant, user, v):
    name, key = _after(v)
    return await conn.fetchval(STAFF_DIRECTORY, tenant, _global_uuid(v["filter"]["orgUnitId"]), name, key, int(v["first"]))


async def _employee_page(conn, tenant, user, v):
    name, key = _after(v)
    return await conn.fetchval(EMPLOYEE_PAGE, tenant, int(v["year"]), name, key, int(v["first"]))


async def _unit_evaluations(conn, tenant, user, v):
    created, key = _after(v)
    created = dt.datetime.fromisoformat(created) if created else None
    return await conn.fetchval(UNIT_EVALUATIONS, tenant, user, created, key, int(v["first"]), _global_uuid(v["periodId"]))


async def _plan_screen(conn, tenant, user, v):
    return await conn.fetchval(PLAN_SCREEN, tenant, _global_uuid(v["id"]))


async def _plan_with_feedback(conn, tenant, user, v):
    return await conn.fetchval(PLAN_WITH_FEEDBACK, tenant, _global_uuid(v["id"]))


async def _unit_training(conn, tenant, user, v):
    return await conn.fetchval(UNIT_TRAINING, tenant, _global_uuid(v["orgUnitId"]), int(v["year"]))


async def _ten_nodes(conn, tenant, user, v):
    found = [_global(v[alias]) for alias in NODE_ALIASES]
    return await conn.fetchval(TEN_NODES, tenant, list(NODE_ALIASES), [t for t, _i in found], [i for _t, i in found])


OPERATIONS = {"TeamDashboard": _w1, "EmployeeList": _w2, "PlanDetail": _w3, "TenantYear": _w5,
              "TeamScreen": _team_screen, "StaffDirectory": _staff_directory, "PlanScreen": _plan_screen,
              "EmployeePage": _employee_page, "PlanWithFeedback": _plan_with_feedback,
              "UnitEvaluations": _unit_evaluations, "UnitTraining": _unit_training, "TenNodes": _ten_nodes}


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
