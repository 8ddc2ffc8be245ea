-- Functions PostGraphile needs to answer the workloads, in a schema of the benchmark database only
-- (never in the migrations). SECURITY INVOKER and STABLE: they run as kinerja_app, under RLS.
DROP SCHEMA IF EXISTS postgraphile_bench CASCADE;
DROP FUNCTION IF EXISTS public.org_unit_bench_employees(public.org_unit);
DROP FUNCTION IF EXISTS public.org_unit_bench_evaluations(public.org_unit, uuid);
DROP FUNCTION IF EXISTS public.org_unit_bench_ikm(public.org_unit, uuid);
DROP FUNCTION IF EXISTS public.employee_current_plan(public.employee, integer);
DROP FUNCTION IF EXISTS public.employee_latest_evaluation(public.employee);
DROP FUNCTION IF EXISTS public.evaluation_predicate_label(public.evaluation);
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

-- The "any document" screens (bench/anydocs/). Computed columns of employee and evaluation (in public
-- for the same reason as above): the plan of a year that is not superseded (the latest revision), the
-- final evaluation of the latest period (the longer one of two ending together, then the latest
-- finalized: Kinerja's order) and the predicate's label.
CREATE FUNCTION public.employee_current_plan(e public.employee, year integer) RETURNS public.performance_plan
LANGUAGE sql STABLE AS $$
  SELECT p.* FROM public.performance_plan p
  WHERE p.tenant_id = e.tenant_id AND p.employee_id = e.id AND p.year = employee_current_plan.year
    AND p.status <> 'SUPERSEDED'
  ORDER BY p.revision DESC LIMIT 1
$$;

CREATE FUNCTION public.employee_latest_evaluation(e public.employee) RETURNS public.evaluation
LANGUAGE sql STABLE AS $$
  SELECT v.* FROM public.evaluation v JOIN public.period p ON p.tenant_id = v.tenant_id AND p.id = v.period_id
  WHERE v.tenant_id = e.tenant_id AND v.employee_id = e.id AND v.status = 'FINAL'
  ORDER BY p.ends_on DESC, p.starts_on, v.finalized_at DESC, v.id DESC LIMIT 1
$$;

CREATE FUNCTION public.evaluation_predicate_label(v public.evaluation) RETURNS text LANGUAGE sql IMMUTABLE AS $$
  SELECT CASE v.predicate WHEN 'SANGAT_BAIK' THEN 'Sangat Baik' WHEN 'BAIK' THEN 'Baik'
    WHEN 'BUTUH_PERBAIKAN' THEN 'Butuh Perbaikan' WHEN 'KURANG_MISCONDUCT' THEN 'Kurang/Misconduct'
    WHEN 'SANGAT_KURANG' THEN 'Sangat Kurang' END
$$;

-- The current evaluations (draft or final, not corrected) of a period of a unit subtree's employees.
CREATE FUNCTION postgraphile_bench.unit_evaluations(unit_id uuid, period_id uuid) RETURNS SETOF public.evaluation
LANGUAGE sql STABLE AS $$
  SELECT v.* FROM public.evaluation v
  WHERE v.period_id = unit_evaluations.period_id AND v.status IN ('DRAFT', 'FINAL')
    AND v.employee_id IN (SELECT e.id FROM public.employee e
                          WHERE e.org_unit_id IN (SELECT postgraphile_bench.unit_subtree(unit_id)))
$$;

-- JP of a year against the tenant's targets (PNS and PPPK), over a unit subtree's active employees.
CREATE TYPE postgraphile_bench.jp_progress AS (nip text, name text, target_jp integer, verified_jp integer,
                                               remaining_jp integer);
CREATE TYPE postgraphile_bench.unit_jp AS (employees integer, employees_meeting_target integer, target_jp integer,
                                           verified_jp integer);

CREATE FUNCTION postgraphile_bench.unit_jp_rows(unit_id uuid, year integer) RETURNS SETOF postgraphile_bench.jp_progress
LANGUAGE sql STABLE AS $$
  WITH targets AS (
    SELECT coalesce((t.settings->>'jp_target_pns')::int, 20) AS pns, coalesce((t.settings->>'jp_target_pppk')::int, 24) AS pppk
    FROM public.tenant t WHERE t.id = nullif(current_setting('app.tenant_id', true), '')::uuid
  ), people AS (
    SELECT e.nip, e.name, e.employment_type = 'PPPK' AS pppk,
           CASE WHEN e.employment_type = 'PPPK' THEN targets.pppk ELSE targets.pns END AS target,
           coalesce((SELECT sum(r.jp) FROM public.training_record r
                     WHERE r.tenant_id = e.tenant_id AND r.employee_id = e.id AND r.year = unit_jp_rows.year
                       AND r.status = 'VERIFIED'), 0)::int AS verified
    FROM public.employee e CROSS JOIN targets
    WHERE e.active AND e.org_unit_id IN (SELECT postgraphile_bench.unit_subtree(unit_id))
  )
  -- A PPPK's yearly JP are a cap (PP 49/2018 art. 40(1)): never below target; its window is the calendar
  -- year while the dataset gives no contract start.
  SELECT nip, name, target, verified, CASE WHEN pppk THEN 0 ELSE greatest(0, target - verified) END FROM people
$$;

CREATE FUNCTION postgraphile_bench.unit_training_progress(unit_id uuid, year integer) RETURNS postgraphile_bench.unit_jp
LANGUAGE sql STABLE AS $$
  SELECT count(*)::int, count(*) FILTER (WHERE remaining_jp = 0)::int, coalesce(sum(target_jp), 0)::int,
         coalesce(sum(verified_jp), 0)::int
  FROM postgraphile_bench.unit_jp_rows(unit_id, year)
$$;

-- The employees below target, most JP missing first.
CREATE FUNCTION postgraphile_bench.unit_training_below_target(unit_id uuid, year integer)
RETURNS SETOF postgraphile_bench.jp_progress LANGUAGE sql STABLE AS $$
  SELECT * FROM postgraphile_bench.unit_jp_rows(unit_id, year) WHERE remaining_jp > 0 ORDER BY remaining_jp DESC, name
$$;

COMMENT ON FUNCTION postgraphile_bench.unit_evaluations(uuid, uuid) IS E'@sortable\n@filterable';
COMMENT ON FUNCTION postgraphile_bench.unit_jp_rows(uuid, integer) IS E'@omit';
GRANT EXECUTE ON ALL FUNCTIONS IN SCHEMA postgraphile_bench TO kinerja_app;
GRANT EXECUTE ON FUNCTION public.employee_current_plan(public.employee, integer),
  public.employee_latest_evaluation(public.employee), public.evaluation_predicate_label(public.evaluation) TO kinerja_app;
