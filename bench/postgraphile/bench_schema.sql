-- Functions PostGraphile needs to answer the workloads, in a schema of the benchmark database only
-- (never in the migrations). SECURITY INVOKER and STABLE: they run as kinerja_app, under RLS.
DROP SCHEMA IF EXISTS postgraphile_bench CASCADE;
DROP FUNCTION IF EXISTS public.org_unit_bench_employees(public.org_unit);
DROP FUNCTION IF EXISTS public.org_unit_bench_evaluations(public.org_unit, uuid);
DROP FUNCTION IF EXISTS public.org_unit_bench_ikm(public.org_unit, uuid);
CREATE SCHEMA postgraphile_bench;

-- The signed-in user's employee (the token's sub travels in app.user_id, set by pgSettings).
CREATE FUNCTION postgraphile_bench.current_employee_id() RETURNS uuid LANGUAGE sql STABLE AS $$
  SELECT employee_id FROM public.app_user WHERE id = nullif(current_setting('app.user_id', true), '')::uuid
$$;

-- W1: the viewer's direct and indirect subordinates.
CREATE FUNCTION postgraphile_bench.my_team() RETURNS SETOF public.employee LANGUAGE sql STABLE AS $$
  WITH RECURSIVE team(id) AS (
    SELECT id FROM public.employee WHERE supervisor_id = postgraphile_bench.current_employee_id()
    UNION
    SELECT e.id FROM public.employee e JOIN team t ON e.supervisor_id = t.id
  )
  SELECT e.* FROM public.employee e JOIN team USING (id)
$$;

-- W2: the employees of an org unit and its sub-units.
CREATE FUNCTION postgraphile_bench.unit_employees(unit_id uuid) RETURNS SETOF public.employee LANGUAGE sql STABLE AS $$
  WITH RECURSIVE subtree(id) AS (
    SELECT id FROM public.org_unit WHERE id = unit_id
    UNION
    SELECT o.id FROM public.org_unit o JOIN subtree s ON o.parent_id = s.id
  )
  SELECT e.* FROM public.employee e WHERE e.org_unit_id IN (SELECT id FROM subtree)
$$;

CREATE FUNCTION postgraphile_bench.unit_subtree(unit_id uuid) RETURNS SETOF uuid LANGUAGE sql STABLE AS $$
  WITH RECURSIVE subtree(id) AS (
    SELECT id FROM public.org_unit WHERE id = unit_id
    UNION
    SELECT o.id FROM public.org_unit o JOIN subtree s ON o.parent_id = s.id
  )
  SELECT id FROM subtree
$$;

-- W5: computed columns of org_unit (PostGraphile takes computed columns from the table's schema, so
-- these three live in public, in the benchmark database only): the subtree's active employees, their
-- live evaluations of a period, and the IKM of the subtree's service units in the period
-- (PermenPANRB 14/2017, EXACT weighting: mean of the nine element means x 25, two decimals).
CREATE FUNCTION public.org_unit_bench_employees(u public.org_unit) RETURNS SETOF public.employee
LANGUAGE sql STABLE AS $$
  SELECT e.* FROM public.employee e
  WHERE e.active AND e.org_unit_id IN (SELECT postgraphile_bench.unit_subtree(u.id))
$$;

CREATE FUNCTION public.org_unit_bench_evaluations(u public.org_unit, period_id uuid) RETURNS SETOF public.evaluation
LANGUAGE sql STABLE AS $$
  SELECT v.* FROM public.evaluation v
  JOIN public.employee e ON e.id = v.employee_id AND e.active
  WHERE v.period_id = org_unit_bench_evaluations.period_id AND v.status IN ('DRAFT', 'FINAL')
    AND e.org_unit_id IN (SELECT postgraphile_bench.unit_subtree(u.id))
$$;

CREATE TYPE postgraphile_bench.ikm AS (respondents integer, value numeric, category text);

CREATE FUNCTION public.org_unit_bench_ikm(u public.org_unit, period_id uuid) RETURNS postgraphile_bench.ikm
LANGUAGE sql STABLE AS $$
  WITH p AS (SELECT starts_on::timestamp AT TIME ZONE 'UTC' AS lo, (ends_on + 1)::timestamp AT TIME ZONE 'UTC' AS hi
             FROM public.period WHERE id = org_unit_bench_ikm.period_id),
  s AS (
    SELECT count(*)::int AS n,
           (sum(u1) + sum(u2) + sum(u3) + sum(u4) + sum(u5) + sum(u6) + sum(u7) + sum(u8) + sum(u9))::numeric AS total
    FROM public.survey_response r, p
    WHERE r.service_unit_id IN (SELECT su.id FROM public.service_unit su
                                WHERE su.org_unit_id IN (SELECT postgraphile_bench.unit_subtree(u.id)))
      AND r.created_at >= p.lo AND r.created_at < p.hi
  )
  SELECT CASE WHEN n = 0 THEN NULL ELSE
    ROW(n, round(total / n / 9 * 25, 2),
        CASE WHEN round(total / n / 9 * 25, 2) >= 88.31 THEN 'A' WHEN round(total / n / 9 * 25, 2) >= 76.61 THEN 'B'
             WHEN round(total / n / 9 * 25, 2) >= 65.00 THEN 'C' ELSE 'D' END)::postgraphile_bench.ikm END
  FROM s
$$;

-- Smart comments: let the connections of these functions take orderBy and condition.
COMMENT ON FUNCTION postgraphile_bench.my_team() IS E'@sortable\n@filterable';
COMMENT ON FUNCTION postgraphile_bench.unit_employees(uuid) IS E'@sortable\n@filterable';
COMMENT ON FUNCTION public.org_unit_bench_evaluations(public.org_unit, uuid) IS E'@filterable';
COMMENT ON FUNCTION postgraphile_bench.unit_subtree(uuid) IS E'@omit';
COMMENT ON FUNCTION postgraphile_bench.current_employee_id() IS E'@omit';

GRANT USAGE ON SCHEMA postgraphile_bench TO kinerja_app;
GRANT EXECUTE ON ALL FUNCTIONS IN SCHEMA postgraphile_bench TO kinerja_app;
GRANT EXECUTE ON FUNCTION public.org_unit_bench_employees(public.org_unit), public.org_unit_bench_evaluations(public.org_unit, uuid),
  public.org_unit_bench_ikm(public.org_unit, uuid) TO kinerja_app;
