"""W5 (TenantYear, the tenant dashboard): where its time goes, and what makes it fast.

On a benchmark database (bench/dataset.py), in the benchmark's own cluster (port 55440), as the
application role under RLS in a transaction bound to the largest tenant (bench-00) and its 2026 year:

1. the statement Kinerja sends today (``kinerja.evaluations.compiled._TENANT_YEAR``) and the shape
   recommended here (``SHAPE``, a drop-in: same columns, same rows), each with and without the index of
   migrations/0021 (dropped inside a rolled-back transaction): EXPLAIN (ANALYZE, BUFFERS) repeated, the
   time of each part, and statements per second at 8 connections;
2. the resolver path, which answers any TenantYear document other than the registered one, through a
   running Kinerja: every statement it sends (pg_stat_statements) and their plans (auto_explain);
3. Kinerja's request rate on the registered W5 (today's statement) with and without the index (wrk).

Writes bench/results/w5.md, plans and logs in bench/results/raw/.

    .venv/bin/python bench/w5.py [--database kinerja_bench] [--repeat 7] [--seconds 10]
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import json
import os
import secrets
import statistics
import sys
import time

import asyncpg
import httpx

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from harness import cases, cluster, load, servers  # noqa: E402
from harness.servers import BENCH  # noqa: E402

RAW = os.path.join(BENCH, "results", "raw")
APP_ROLE = "kinerja_app"
INDEX = "survey_response_tenant_created_cover"
INDEX_SQL = (f'CREATE INDEX IF NOT EXISTS "{INDEX}" ON survey_response (tenant_id, created_at) '
             "INCLUDE (service_unit_id, u1, u2, u3, u4, u5, u6, u7, u8, u9)")

# The recommended statement: the same parameters ($1 tenant, $2 period) and columns as _TENANT_YEAR.
# One pass over each table: the tenant's active staff with their top-level unit once (MATERIALIZED:
# read twice, and PostgreSQL 12+ would inline a CTE read once, repeating it wherever it is read), the
# period's evaluations joined to it by hash; the period's survey responses summed per service unit in
# one range of the (tenant_id, created_at) index, then rolled up to the top-level units (40 rows, not
# 87,000, go through the joins).
SHAPE = """
WITH RECURSIVE tree(id, top) AS (
    SELECT id, id FROM org_unit WHERE tenant_id = $1 AND parent_id IS NULL
    UNION ALL
    SELECT o.id, t.top FROM org_unit o JOIN tree t ON o.parent_id = t.id WHERE o.tenant_id = $1
), asked AS (
    SELECT id, (starts_on::timestamp AT TIME ZONE 'UTC') AS start,
           ((ends_on + 1)::timestamp AT TIME ZONE 'UTC') AS stop
    FROM period WHERE tenant_id = $1 AND id = $2
), staff AS MATERIALIZED (
    SELECT e.id, t.top FROM employee e JOIN tree t ON t.id = e.org_unit_id WHERE e.tenant_id = $1 AND e.active
), responses AS MATERIALIZED (
    SELECT r.service_unit_id, count(*) AS n, sum(r.u1) AS s1, sum(r.u2) AS s2, sum(r.u3) AS s3, sum(r.u4) AS s4,
           sum(r.u5) AS s5, sum(r.u6) AS s6, sum(r.u7) AS s7, sum(r.u8) AS s8, sum(r.u9) AS s9
    FROM survey_response r, asked
    WHERE r.tenant_id = $1 AND r.created_at >= asked.start AND r.created_at < asked.stop
    GROUP BY r.service_unit_id
)
SELECT (SELECT id FROM asked) AS period, (SELECT settings::text FROM tenant WHERE id = $1) AS settings,
    (SELECT json_agg(json_build_object('id', u.id, 'name', u.name) ORDER BY u.code COLLATE "C")
     FROM org_unit u WHERE u.tenant_id = $1 AND u.parent_id IS NULL) AS units,
    (SELECT json_object_agg(top, n) FROM (SELECT top, count(*) AS n FROM staff GROUP BY top) counted) AS employees,
    (SELECT json_agg(json_build_object('top', top, 'predicate', predicate, 'n', n)) FROM (
        SELECT s.top, v.predicate, count(*) AS n FROM evaluation v JOIN staff s ON s.id = v.employee_id
        WHERE v.tenant_id = $1 AND v.period_id = $2 AND v.status IN ('DRAFT', 'FINAL')
        GROUP BY s.top, v.predicate) counted) AS predicates,
    (SELECT json_object_agg(top, json_build_array(n, s1, s2, s3, s4, s5, s6, s7, s8, s9)) FROM (
        SELECT t.top, sum(r.n) AS n, sum(r.s1) AS s1, sum(r.s2) AS s2, sum(r.s3) AS s3, sum(r.s4) AS s4,
               sum(r.s5) AS s5, sum(r.s6) AS s6, sum(r.s7) AS s7, sum(r.s8) AS s8, sum(r.s9) AS s9
        FROM responses r
        JOIN service_unit su ON su.tenant_id = $1 AND su.id = r.service_unit_id
        JOIN tree t ON t.id = su.org_unit_id
        GROUP BY t.top) summed) AS surveys
"""

# A TenantYear document that is not the registered one (one more field): the resolver path answers it.
OTHER_DOCUMENT = """query TenantYearWithRatings($periodId: ID!) {
  tenantDashboard(periodId: $periodId) {
    orgUnit { id name }
    employees
    unitRating
    predicateCounts { predicate count }
    ikm { respondents value category }
  }
}"""


def log(message: str) -> None:
    print(f"[{dt.datetime.now():%H:%M:%S}] {message}", flush=True)


def db_url(database: str, role: str = "postgres") -> str:
    return f"postgresql://{role}@127.0.0.1:{cluster.PORT}/{database}"


def comparable(row) -> dict:
    """The statement's answer with the order of unordered aggregates and number formats set aside."""
    out = {}
    for key, value in dict(row).items():
        if key in ("employees", "surveys") and value:
            out[key] = {k: [float(x) for x in v] if isinstance(v, list) else v for k, v in json.loads(value).items()}
        elif key == "predicates" and value:
            out[key] = sorted(json.dumps(x, sort_keys=True) for x in json.loads(value))
        elif key == "units" and value:
            out[key] = json.loads(value)
        else:
            out[key] = value
    return out


def parts(plan: dict) -> list[dict]:
    """The top-level parts of a plan (CTEs and InitPlans, one per column of the answer) with their time."""
    found = []
    for child in plan.get("Plans", []):
        name = child.get("Subplan Name") or child.get("Parent Relationship")
        found.append({"part": name, "ms": child.get("Actual Total Time", 0.0) * child.get("Actual Loops", 1),
                      "rows": child.get("Actual Rows"), "buffers": child.get("Shared Hit Blocks", 0) + child.get("Shared Read Blocks", 0)})
    return found


class Bench:
    def __init__(self, args):
        self.args = args
        self.database = args.database

    async def ids(self) -> None:
        conn = await asyncpg.connect(db_url(self.database))
        try:
            self.tenant = await conn.fetchval("SELECT id FROM tenant WHERE slug = $1", cases.TENANT)
            self.period = await conn.fetchval(
                "SELECT id FROM period WHERE tenant_id = $1 AND year = $2 AND kind = 'ANNUAL'", self.tenant, cases.YEAR)
            self.rows = {t: await conn.fetchval(f"SELECT count(*) FROM {t} WHERE tenant_id = $1", self.tenant)
                         for t in ("org_unit", "employee", "evaluation", "service_unit", "survey_response")}
            self.generated = await conn.fetchval("SELECT shobj_description(oid, 'pg_database') FROM pg_database "
                                                 "WHERE datname = current_database()")
            if not await conn.fetchval("SELECT 1 FROM pg_indexes WHERE indexname = $1", INDEX):
                sys.exit(f"{self.database} lacks the index {INDEX}: generate it again (bench/dataset.py applies "
                         "the migrations) or run `kinerja migrate` on it")
            await conn.execute("CREATE EXTENSION IF NOT EXISTS pg_stat_statements")
        finally:
            await conn.close()

    async def bound(self, with_index: bool):
        """A superuser connection in a transaction acting as the application role for bench-00; without the
        index it is dropped in that transaction (rolled back after)."""
        conn = await asyncpg.connect(db_url(self.database))
        tx = conn.transaction()
        await tx.start()
        if not with_index:
            await conn.execute(f'DROP INDEX "{INDEX}"')
        await conn.execute(f"SET LOCAL ROLE {APP_ROLE}")
        await conn.execute("SELECT set_config('app.tenant_id', $1, true)", str(self.tenant))
        return conn, tx

    async def explain(self, label: str, sql: str, with_index: bool) -> dict:
        conn, tx = await self.bound(with_index)
        try:
            answer = await conn.fetchrow(sql, self.tenant, self.period)  # warm
            plain, runs = [], []
            for _ in range(self.args.repeat):
                started = time.perf_counter()
                await conn.fetchrow(sql, self.tenant, self.period)
                plain.append(1000 * (time.perf_counter() - started))
                plan = json.loads(await conn.fetchval("EXPLAIN (ANALYZE, BUFFERS, FORMAT JSON) " + sql,
                                                       self.tenant, self.period))[0]
                runs.append(plan)
            text = "\n".join(r[0] for r in await conn.fetch("EXPLAIN (ANALYZE, BUFFERS) " + sql, self.tenant, self.period))
        finally:
            await tx.rollback()
            await conn.close()
        with open(os.path.join(RAW, f"w5-plan-{label}.txt"), "w") as f:
            f.write(text + "\n")
        execution = [p["Execution Time"] for p in runs]
        middle = sorted(runs, key=lambda p: p["Execution Time"])[len(runs) // 2]
        top = middle["Plan"]
        result = {"label": label, "index": with_index, "answer": comparable(answer),
                  "execution_min": min(execution), "execution_median": statistics.median(execution),
                  "planning_median": statistics.median(p["Planning Time"] for p in runs),
                  "plain_min": min(plain), "plain_median": statistics.median(plain),
                  "buffers": top.get("Shared Hit Blocks", 0) + top.get("Shared Read Blocks", 0), "parts": parts(top)}
        log(f"  {label}: EXPLAIN ANALYZE {result['execution_median']:.1f} ms (min {result['execution_min']:.1f}), "
            f"plain {result['plain_median']:.1f} ms, {result['buffers']} buffers")
        return result

    async def rate(self, sql: str, with_index: bool, connections: int = 8) -> float:
        """Statements per second at ``connections`` connections for ``--seconds``, each in its tenant-bound
        transaction, as the application role; without the index it is dropped meanwhile (and made again)."""
        if not with_index:
            await self.drop_index()
        try:
            opened = [await self.bound(True) for _ in range(connections)]
            done = 0
            stop = time.monotonic() + self.args.seconds

            async def worker(conn):
                nonlocal done
                while time.monotonic() < stop:
                    await conn.fetchrow(sql, self.tenant, self.period)
                    done += 1

            started = time.monotonic()
            try:
                await asyncio.gather(*(worker(c) for c, _tx in opened))
            finally:
                for conn, tx in opened:
                    await tx.rollback()
                    await conn.close()
            return done / (time.monotonic() - started)
        finally:
            if not with_index:
                await self.create_index()

    async def drop_index(self) -> None:
        conn = await asyncpg.connect(db_url(self.database))
        try:
            await conn.execute(f'DROP INDEX IF EXISTS "{INDEX}"')
        finally:
            await conn.close()

    async def create_index(self) -> None:
        conn = await asyncpg.connect(db_url(self.database))
        try:
            await conn.execute(INDEX_SQL)
            await conn.execute("VACUUM (ANALYZE) survey_response")
        finally:
            await conn.close()

    # ---- through Kinerja ----
    def start_kinerja(self, secret: str) -> servers.Server:
        return servers.start("kinerja", database_url=f"postgres://kinerja_app@127.0.0.1:{cluster.PORT}/{self.database}",
                             secret=secret, workers=2, log_dir=RAW, cpus=None)

    async def resolver_path(self) -> dict:
        secret = "bench-" + secrets.token_hex(24)
        body = {"query": OTHER_DOCUMENT, "operationName": "TenantYearWithRatings",
                "variables": {"periodId": cases.gid("Period", self.period)}}
        server = self.start_kinerja(secret)
        try:
            token = await cases.login(server.url, "hr")
            await post(server.url, body, token)  # warm: policy, caches
            admin = await asyncpg.connect(db_url(self.database))
            await admin.execute("SELECT pg_stat_statements_reset()")
            walls = []
            for _ in range(self.args.requests):
                started = time.perf_counter()
                await post(server.url, body, token)
                walls.append(1000 * (time.perf_counter() - started))
            rows = await admin.fetch(
                "SELECT query, calls, total_exec_time, rows FROM pg_stat_statements s JOIN pg_roles r ON r.oid = s.userid "
                "JOIN pg_database d ON d.oid = s.dbid WHERE r.rolname = 'kinerja_app' AND d.datname = $1 "
                "ORDER BY total_exec_time DESC", self.database)
            await admin.close()
        finally:
            server.stop()
        n = self.args.requests
        statements = [{"query": " ".join(r["query"].split())[:200], "calls": r["calls"] / n,
                       "ms": r["total_exec_time"] / n, "rows": r["rows"] / max(1, r["calls"])} for r in rows]
        plans = await self.auto_explain(secret, body)
        return {"wall_median": statistics.median(walls), "wall_min": min(walls), "statements": statements,
                "db_ms": sum(s["ms"] for s in statements), "plans_file": plans}

    async def auto_explain(self, secret: str, body: dict) -> str:
        """One request of the resolver path with every statement's plan logged by auto_explain (set on the
        database for the connections the server opens, reset after)."""
        settings = {"session_preload_libraries": "auto_explain", "auto_explain.log_min_duration": "0",
                    "auto_explain.log_analyze": "on", "auto_explain.log_buffers": "on"}
        admin = await asyncpg.connect(db_url(self.database))
        log_path = os.path.join(cluster.DATA, "log")
        start = os.path.getsize(log_path)
        try:
            for key, value in settings.items():
                await admin.execute(f"ALTER DATABASE {self.database} SET {key} = '{value}'")
            server = self.start_kinerja(secret)
            try:
                token = await cases.login(server.url, "hr")
                await post(server.url, body, token)
                start = os.path.getsize(log_path)
                await post(server.url, body, token)
            finally:
                server.stop()
        finally:
            for key in settings:
                await admin.execute(f"ALTER DATABASE {self.database} RESET {key}")
            await admin.close()
        with open(log_path, errors="replace") as f:
            f.seek(start)
            text = f.read()
        path = os.path.join(RAW, "w5-resolver-plans.log")
        with open(path, "w") as f:
            f.write(text)
        return path

    async def kinerja_rate(self, with_index: bool) -> dict:
        """wrk on the registered W5 document (today's compiled statement), c=8."""
        if not with_index:
            await self.drop_index()
        try:
            secret = "bench-" + secrets.token_hex(24)
            server = self.start_kinerja(secret)
            try:
                token = await cases.login(server.url, "hr")
                body = {"query": cases.document("W5"), "operationName": "TenantYear",
                        "variables": {"periodId": cases.gid("Period", self.period)}}
                script = load.lua_script(os.path.join(RAW, "w5-kinerja.lua"), body, token)
                load.wrk(server.url, script, 8, 2, None)
                return load.wrk(server.url, script, 8, self.args.seconds, None)
            finally:
                server.stop()
        finally:
            if not with_index:
                await self.create_index()


async def post(url: str, body: dict, token: str) -> dict:
    async with httpx.AsyncClient(timeout=120) as client:
        r = await client.post(url, json=body, headers={"Authorization": f"Bearer {token}"})
    payload = r.json()
    if payload.get("errors"):
        raise RuntimeError(json.dumps(payload)[:500])
    return payload


async def main() -> None:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--database", default="kinerja_bench")
    p.add_argument("--repeat", type=int, default=7, help="EXPLAIN ANALYZE runs of each statement (median, min)")
    p.add_argument("--seconds", type=float, default=10, help="seconds of each rate measurement")
    p.add_argument("--requests", type=int, default=5, help="resolver-path requests measured")
    p.add_argument("--output", default=os.path.join(BENCH, "results", "w5.md"))
    args = p.parse_args()
    os.makedirs(RAW, exist_ok=True)
    cluster.ensure_running()
    bench = Bench(args)
    await bench.ids()
    log(f"{args.database}: bench-00 has " + ", ".join(f"{n:,} {t}" for t, n in bench.rows.items()))
    variants = [("shape", SHAPE)]
    try:  # the hand-written handler of the registered document, while it exists
        from kinerja.evaluations.compiled import _TENANT_YEAR
        variants.insert(0, ("today", _TENANT_YEAR))
    except ImportError:
        log("kinerja.evaluations.compiled._TENANT_YEAR is gone: measuring the recommended shape only")

    statements = {}
    for label, sql in variants:
        for with_index in (False, True):
            key = f"{label}-{'index' if with_index else 'no-index'}"
            statements[key] = await bench.explain(key, sql, with_index)
    reference = next(iter(statements.values()))["answer"]
    same = {key: r["answer"] == reference for key, r in statements.items()}
    if not all(same.values()):
        sys.exit(f"the statements disagree: {same}")
    log("statements per second at 8 connections")
    rates = {}
    for label, sql in variants:
        for with_index in (False, True):
            key = f"{label}-{'index' if with_index else 'no-index'}"
            rates[key] = await bench.rate(sql, with_index)
            log(f"  {key}: {rates[key]:.1f}/s")
    log("resolver path")
    resolver = await bench.resolver_path()
    log(f"  {resolver['wall_median']:.0f} ms per request, {resolver['db_ms']:.0f} ms in the database")
    log("Kinerja W5 (registered document) at c=8")
    kinerja = {}
    for with_index in (False, True):
        kinerja[with_index] = await bench.kinerja_rate(with_index)
        r = kinerja[with_index]
        log(f"  {'with' if with_index else 'without'} the index: {r['rps']:.1f} req/s p50 {r['p50']:.0f} ms")
    write(args, bench, statements, rates, resolver, kinerja)
    log(f"written {args.output}")


ADVICE = [
    "## Findings, and the shape the read compiler should produce", "",
    "1. **Today's statement** spends about two thirds of its time on the survey responses and a quarter on the "
    "evaluation counts (parts below). The responses of the period (87,000 for bench-00's year at full scale) are "
    "found by one index scan per service unit on (tenant_id, service_unit_id, created_at) and each is then read "
    "from the table (about 45,000 buffers); the planner, which cannot know the period's bounds (they come from a "
    "CTE), expects 20 rows and joins all 87,000 rows to the service units and the org tree before grouping them. "
    "The evaluation counts probe the employee table's primary key once per evaluation (10,000 probes, 40,000 "
    "buffers) because the estimate for the period's evaluations is 9 times too low.",
    "2. **The index** (migrations/0021: survey_response (tenant_id, created_at) INCLUDE (service_unit_id, u1..u9)) "
    "makes a period's responses one range of the index with no table access, whatever the number of service "
    "units or years of data kept. With today's statement it halves the buffers but the joins of 87,000 rows "
    "remain; with the shape below, buffers drop about 24 times and time about 2.5 to 3 times.",
    "3. **The shape** (`SHAPE` in bench/w5.py, a drop-in for `_TENANT_YEAR`: same parameters, columns and rows):",
    "   - one pass over each table, grouped by the top-level unit, joined to the units at the end; never a "
    "correlated subquery per unit over a detail table;",
    "   - aggregate a big table by its own foreign key first (responses per service unit: 40 rows), then roll "
    "the small result up through the org tree; join detail rows only to small sets;",
    "   - compute a set used twice once: the active staff with their top-level unit (`staff`), then the "
    "evaluations hash-joined to it;",
    "   - write `MATERIALIZED` on every CTE holding an aggregate that a per-row or per-group subquery reads: "
    "PostgreSQL 12+ inlines a CTE read once, so it is computed again for each row. The hand-written W5 of the "
    "earlier benchmark did exactly that (its survey sums were recomputed for each of 159 units: about 2 s per "
    "request at full scale; 0.1 s with MATERIALIZED and this shape);",
    "   - pass the period's bounds as a CTE joined once (`FROM survey_response r, asked`), not as scalar "
    "subqueries in the WHERE clause of a join.",
    "4. **What is left** is summing each response of the period on every request (about 40 ms of one idle core "
    "for 87,000 rows). If W5 must meet the \"any document\" targets at full scale, the next step is a rollup "
    "maintained on write (daily sums per service unit: a year is 365 x 40 rows for bench-00 instead of 87,000), "
    "written in the same transaction as the response; it is a table and a write path, not an index, so it is "
    "not part of this change.",
    "5. **The resolver path** (any TenantYear document but the registered one) spends over 95 % of its time in "
    "Python: `evaluations/service.py: tenant_dashboard` loads every plan, result target and indicator id of the "
    "year (17,000 rows each, with IN lists of as many parameters) although the document asks for none of them, "
    "then for each of the 159 top-level units scans every plan, indicator, evaluation and employee (O(units x "
    "rows)). Compiled, the document must cost what the registered one costs.",
    ""]


def write(args, bench, statements, rates, resolver, kinerja) -> None:
    date = f"{dt.datetime.now(dt.UTC):%Y-%m-%d %H:%M} UTC"
    lines = ["# W5 (TenantYear): where the time goes", "",
             f"Generated by `.venv/bin/python bench/w5.py --database {args.database}` on {date}, on "
             f"{bench.generated or args.database} (bench-00: " + ", ".join(f"{n:,} {t}" for t, n in bench.rows.items())
             + f"); the annual period {cases.YEAR}. The machine (2 CPUs) is shared with other work: the minimum of "
             "the repetitions is the steadiest figure.", ""]
    lines += ADVICE + ["## The statement, today and in the recommended shape", "",
              f"As the application role under RLS, in a transaction bound to the tenant; {args.repeat} runs each. "
              "\"Without the index\": migrations/0021's index dropped inside the transaction (rolled back). Every "
              "variant returns the same answer.", "",
              "| statement | index 0021 | EXPLAIN ANALYZE execution, median (min) ms | planning ms | plain execution, "
              "median (min) ms | buffers | statements/s at 8 connections |", "|---|---|---|---|---|---|---|"]
    for key, r in statements.items():
        label = "today (`evaluations/compiled.py: _TENANT_YEAR`)" if r["label"].startswith("today") else "recommended shape (`bench/w5.py: SHAPE`)"
        lines.append(f"| {label} | {'yes' if r['index'] else 'no'} | {r['execution_median']:.1f} ({r['execution_min']:.1f}) | "
                     f"{r['planning_median']:.2f} | {r['plain_median']:.1f} ({r['plain_min']:.1f}) | {r['buffers']:,} | "
                     f"{rates[key]:.1f} |")
    lines += ["", "### Where the time goes (parts of the plan, the median run; ms include EXPLAIN's timing overhead)", ""]
    for key, r in statements.items():
        lines += [f"**{key}**", "", "| part | ms | rows | buffers |", "|---|---|---|---|"]
        lines += [f"| {p['part']} | {p['ms']:.1f} | {p['rows']:,} | {p['buffers']:,} |" for p in r["parts"]]
        lines.append("")
    lines += ["Plans: results/raw/w5-plan-*.txt (not committed).", "",
              "## Kinerja's request rate on W5 (the registered document, whatever statement Kinerja sends for it), c=8, wrk", "",
              "| index 0021 | req/s | p50 ms | p99 ms |", "|---|---|---|---|"]
    for with_index, r in kinerja.items():
        lines.append(f"| {'yes' if with_index else 'no'} | {r['rps']:.1f} | {r['p50']:.0f} | {r['p99']:.0f} |")
    lines += ["", "## The resolver path (a TenantYear document other than the registered one)", "",
              f"{args.requests} requests as `hr` through Kinerja (2 workers): {resolver['wall_median']:.0f} ms per "
              f"request (median; min {resolver['wall_min']:.0f}), of which {resolver['db_ms']:.0f} ms inside "
              "PostgreSQL (the rest: rows sent to Python and counted there). Statements per request, by time "
              "(pg_stat_statements; plans of one request by auto_explain in results/raw/w5-resolver-plans.log):", "",
              "| statement | calls | ms | rows per call |", "|---|---|---|---|"]
    for s in resolver["statements"]:
        if s["calls"] >= 0.5:
            lines.append(f"| `{s['query'].replace('|', '/')}` | {s['calls']:.1f} | {s['ms']:.1f} | {s['rows']:,.0f} |")
    with open(args.output, "w") as f:
        f.write("\n".join(lines) + "\n")


if __name__ == "__main__":
    asyncio.run(main())
