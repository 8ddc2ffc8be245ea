"""The side-by-side benchmark: Kinerja vs PostGraphile 5 and 4 vs hand-written SQL, in one command.

Starts (or reuses) a dedicated PostgreSQL cluster on port 55440, generates the dataset into it,
checks that the candidates return the same data, loads each in turn with wrk and an open-loop
generator on the registered workloads W1-W6, then runs the "any document" screens with every candidate
up, interleaved and repeated, and writes bench/results/workloads.md.

    .venv/bin/python bench/run.py [--scale 1.0] [--duration 10] [--workers 2] [--skip-dataset] [--only W1,W2]
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import json
import os
import platform
import re
import secrets
import subprocess
import sys
import time
import uuid
from importlib import metadata
from pathlib import Path

import asyncpg
import httpx

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from harness import anydocs, cases, cluster, load, report, servers  # noqa: E402
from harness.servers import BENCH, ROOT  # noqa: E402

DATABASE = "kinerja_bench"
APP_ROLE = "kinerja_app"
RAW = os.path.join(BENCH, "results", "raw")
# Transaction control, session settings, the tenant binding (with its account check) and the pool's
# connection reset (asyncpg runs CLOSE ALL, pg_advisory_unlock_all, UNLISTEN and RESET ALL when a
# connection goes back to its pool): not data statements, left out of statements per request.
CONTROL = re.compile(r"^\s*(begin|commit|rollback|start\s+transaction|end|savepoint|release|set|reset|show|discard|"
                     r"deallocate|close|listen|unlisten|select\s+set_config\s*\(|select\s+kinerja_bind\s*\(|"
                     r"select\s+pg_advisory_unlock_all\s*\()", re.IGNORECASE)
TENANT_SETTINGS = {"survey_per_ip": 1_000_000, "feedback_per_ip": 1_000_000, "public_per_tenant": 1_000_000,
                   "rate_window_seconds": 60}


def log(message: str) -> None:
    print(f"[{dt.datetime.now():%H:%M:%S}] {message}", flush=True)


def parse_args() -> argparse.Namespace:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--scale", type=float, default=1.0, help="dataset size as a fraction of the full one")
    p.add_argument("--duration", type=float, default=10, help="seconds of each wrk run")
    p.add_argument("--warmup", type=float, default=2, help="seconds of wrk warm-up before each workload")
    p.add_argument("--connections", default="8,32,64")
    p.add_argument("--workers", type=int, default=2, help="server processes of every candidate")
    p.add_argument("--rate", type=float, default=100, help="open-loop arrival rate (req/s)")
    p.add_argument("--rate-seconds", type=float, default=10)
    p.add_argument("--skip-dataset", action="store_true", help="reuse the generated databases")
    p.add_argument("--only", default="", help="registered workloads to run, e.g. W1,W2 (default: all; 'none': none)")
    p.add_argument("--screens", default=",".join(s.key for s in anydocs.SCREENS),
                   help="'any document' screens to run ('' for none)")
    p.add_argument("--any-connections", default="8,32", help="connections of the 'any document' runs")
    p.add_argument("--repeat", type=int, default=3, help="repetitions of each 'any document' run (median reported)")
    p.add_argument("--candidates", default=",".join(servers.CANDIDATES))
    p.add_argument("--tenant-counts", default="5,50,500", help="tenant counts for the W1/W2 flatness check ('' skips)")
    p.add_argument("--tenant-scale", type=float, default=None,
                   help="scale of the tenant-count databases (default: min(scale, 0.05))")
    p.add_argument("--load-cpus", default="1", help="CPUs the load generators are pinned to ('' for none)")
    p.add_argument("--server-cpus", default="", help="CPUs the servers are pinned to ('' for none)")
    p.add_argument("--output", default=os.path.join(BENCH, "results", "workloads.md"))
    p.add_argument("--report-only", action="store_true", help="rewrite the report from results/raw/results.json")
    return p.parse_args()


def admin_db(admin_url: str, database: str) -> str:
    return admin_url.rsplit("/", 1)[0] + "/" + database


def app_db(database: str) -> str:
    return f"postgres://{APP_ROLE}@127.0.0.1:{cluster.PORT}/{database}"


def generate(admin_url: str, database: str, scale: float, tenants: int = 50) -> dict:
    log(f"dataset {database}: scale {scale}, {tenants} tenants")
    done = subprocess.run([sys.executable, os.path.join(BENCH, "dataset.py"), "--admin-url", admin_url, "--database",
                           database, "--scale", str(scale), "--tenants", str(tenants)],
                          cwd=ROOT, capture_output=True, text=True)
    if done.returncode:
        sys.exit(f"dataset generation failed:\n{done.stdout}\n{done.stderr}")
    return json.loads(done.stdout)


async def prepare_database(admin_url: str, database: str) -> dict[str, int]:
    """pg_stat_statements, PostGraphile's bench functions, public rate limits out of the way; row counts."""
    conn = await asyncpg.connect(admin_db(admin_url, database).replace("postgres://", "postgresql://", 1))
    try:
        await conn.execute("CREATE EXTENSION IF NOT EXISTS pg_stat_statements")
        with open(os.path.join(BENCH, "postgraphile", "bench_schema.sql")) as f:
            await conn.execute(f.read())
        await conn.execute("UPDATE tenant SET settings = settings::jsonb || $1::jsonb WHERE slug = $2",
                           json.dumps(TENANT_SETTINGS), cases.TENANT)
        generated = await conn.fetchval("SELECT shobj_description(oid, 'pg_database') FROM pg_database "
                                        "WHERE datname = current_database()")
        tables = ["tenant", "employee", "org_unit", "performance_plan", "indicator", "realisation", "evidence",
                  "evaluation", "feedback", "training_record", "service_unit", "survey_response", "feedback_ticket",
                  "app_user"]
        return {"generated": generated or "?", "rows": {t: await conn.fetchval(f"SELECT count(*) FROM {t}") for t in tables}}
    finally:
        await conn.close()


async def database_exists(admin_url: str, database: str) -> bool:
    conn = await asyncpg.connect(admin_url.replace("postgres://", "postgresql://", 1))
    try:
        return bool(await conn.fetchval("SELECT 1 FROM pg_database WHERE datname = $1", database))
    finally:
        await conn.close()


class Statements:
    """Data statements the app role ran, from pg_stat_statements."""

    def __init__(self, admin_url: str, database: str):
        self.url = admin_db(admin_url, database).replace("postgres://", "postgresql://", 1)
        self.database = database

    async def reset(self) -> None:
        conn = await asyncpg.connect(self.url)
        try:
            await conn.execute("SELECT pg_stat_statements_reset()")
        finally:
            await conn.close()

    async def read(self) -> list[tuple[str, int]]:
        conn = await asyncpg.connect(self.url)
        try:
            rows = await conn.fetch(
                "SELECT query, calls FROM pg_stat_statements s JOIN pg_roles r ON r.oid = s.userid "
                "JOIN pg_database d ON d.oid = s.dbid WHERE r.rolname = $1 AND d.datname = $2 ORDER BY calls DESC",
                APP_ROLE, self.database)
        finally:
            await conn.close()
        return [(r["query"], r["calls"]) for r in rows if not CONTROL.match(r["query"])]


async def fetch(url: str, body: dict, token: str | None) -> dict:
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    async with httpx.AsyncClient(timeout=60) as client:
        r = await client.post(url, json=body, headers=headers)
    payload = r.json()
    if r.status_code != 200 or payload.get("errors") or payload.get("data") is None:
        raise RuntimeError(f"{url}: {r.status_code} {json.dumps(payload)[:500]}")
    return payload["data"]


def mint_token(secret: str, user_id: str, tenant_id: str) -> str:
    """The token Kinerja's login issues (same function, secret and claims), for runs without Kinerja up."""
    from kinerja.auth.tokens import issue_access_token

    return issue_access_token(secret, uuid.UUID(user_id), uuid.UUID(tenant_id), 15 * 60)[0]


async def user_ids(admin_url: str, database: str, tenant_id: str) -> dict[str, str]:
    conn = await asyncpg.connect(admin_db(admin_url, database).replace("postgres://", "postgresql://", 1))
    try:
        rows = await conn.fetch("SELECT username, id FROM app_user WHERE tenant_id = $1", uuid.UUID(tenant_id))
    finally:
        await conn.close()
    return {r["username"]: str(r["id"]) for r in rows}


async def wait_idle(server: servers.Server, limit: float = 30) -> None:
    """Until the server's processes use (almost) no CPU: what wrk left queued has been answered."""
    deadline = time.monotonic() + limit
    while time.monotonic() < deadline:
        before = servers.cpu_seconds(server.pids())
        await asyncio.sleep(0.3)
        if servers.cpu_delta(before, servers.cpu_seconds(server.pids())) < 0.02:
            return


class Run:
    def __init__(self, args: argparse.Namespace, admin_url: str):
        self.args, self.admin_url = args, admin_url
        self.secret = "bench-" + secrets.token_hex(24)
        self.load_cpus = args.load_cpus or None
        self.server_cpus = args.server_cpus or None
        self.connections = [int(c) for c in args.connections.split(",")]
        only = {w.strip() for w in args.only.split(",") if w.strip()}
        self.reads = [w for w in cases.READS if not only or w in only or w.split("-")[0] in only]
        self.writes = [w for w in cases.WRITES if not only or w in only]
        self.candidates = [c for c in args.candidates.split(",") if c]
        chosen = {k.strip() for k in args.screens.split(",") if k.strip()}
        self.screens = [screen for screen in anydocs.SCREENS if screen.key in chosen]
        self.tokens: dict[tuple[str, str], tuple[str, float]] = {}
        self.results: dict = {"reads": {}, "writes": {}, "statements": {}, "rss": {}, "tenants": {}, "notes": [],
                              "any": {"screens": {}, "skipped": {}, "failed": {}, "statements": {}, "rss": {}}}

    def start(self, name: str, database: str = DATABASE) -> servers.Server:
        log(f"start {name} ({self.args.workers} workers) on {database}")
        return servers.start(name, database_url=app_db(database), secret=self.secret, workers=self.args.workers,
                             log_dir=RAW, cpus=self.server_cpus)

    async def token(self, server: servers.Server, username: str, fx: cases.Fixture, users: dict) -> str:
        if server.name == "kinerja":
            return await cases.login(server.url, username)
        return mint_token(self.secret, users[username], fx.tenant_id)

    async def body(self, server: servers.Server, workload: str, fx: cases.Fixture, token: str) -> dict:
        if server.name.startswith("postgraphile"):
            return await cases.postgraphile_body(workload, fx, server.url, token)
        return cases.kinerja_body(workload, fx)

    # ---- same data ----
    async def check(self) -> None:
        if not self.reads:
            return
        log("same-data check: all candidates up")
        running = {name: self.start(name) for name in self.candidates}
        try:
            for variant in (0, 1):
                fx = await cases.load_fixture(admin_db(self.admin_url, DATABASE), variant)
                users = await user_ids(self.admin_url, DATABASE, fx.tenant_id)
                for workload in self.reads:
                    answers = {}
                    for name, server in running.items():
                        token = await self.token(server, cases.actor(workload, variant), fx, users)
                        data = await fetch(server.url, await self.body(server, workload, fx, token), token)
                        answers[name] = cases.normalise(workload, name, data)
                    self.compare(workload, variant, answers)
        finally:
            for server in running.values():
                server.stop()

    def compare(self, workload: str, variant: int, answers: dict) -> None:
        if workload == "W5" and "kinerja" in answers and all(row[3] is None for row in answers["kinerja"]):
            note = ("W5: Kinerja's tenantDashboard returns `ikm: null` for every unit at this commit; the IKM that "
                    "PostGraphile and the hand-written SQL compute is left out of the comparison (they still compute it).")
            if note not in self.results["notes"]:
                self.results["notes"].append(note)
            answers = {k: [row[:3] for row in v] for k, v in answers.items()}
        reference_name = next(iter(answers))
        reference = answers[reference_name]
        for name, answer in answers.items():
            if answer != reference:
                path = os.path.join(RAW, f"diff-{workload}-{variant}.json")
                with open(path, "w") as f:
                    json.dump({k: v for k, v in answers.items()}, f, indent=1, default=str)
                sys.exit(f"same-data check failed: {workload} (variant {variant}) {name} differs from {reference_name};"
                         f" all answers in {path}")
        size = len(reference["rows"]) if isinstance(reference, dict) else len(reference)
        log(f"  {workload} variant {variant}: {len(answers)} candidates agree ({size} items)")

    # ---- timing ----
    async def statements(self, stats: Statements, server, url, body, token, n: int = 20) -> dict:
        await stats.reset()
        for i in range(n):
            if body.get("operationName") == "SubmitSurvey":  # a distinct citizen each time, as under load
                varied = json.loads(json.dumps(body))
                varied["variables"]["input"]["scores"] = [secrets.choice([1, 2, 3, 4]) for _ in range(9)]
                await self.post_raw(url, varied, None, {"X-Forwarded-For": f"10.251.{i}.{secrets.randbelow(250)}"})
            else:
                await fetch(url, body, token)
        rows = await stats.read()
        return {"per_request": sum(c for _q, c in rows) / n,
                "list": [(" ".join(q.split())[:160], round(c / n, 2)) for q, c in rows]}

    async def post_raw(self, url, body, token, headers: dict | None = None) -> None:
        headers = {**(headers or {}), **({"Authorization": f"Bearer {token}"} if token else {})}
        async with httpx.AsyncClient(timeout=60) as client:
            r = await client.post(url, json=body, headers=headers)
        if b'"userErrors":[{' in r.content or b'"errors"' in r.content:
            raise RuntimeError(f"{url}: {r.text[:500]}")

    def measure(self, server: servers.Server, script: str, connections: int, seconds: float) -> dict:
        pg = servers.postgres_pids(cluster.DATA)
        before, db_before = servers.cpu_seconds(server.pids()), servers.cpu_seconds(pg)
        result = load.wrk(server.url, script, connections, seconds, self.load_cpus)
        after, db_after = servers.cpu_seconds(server.pids()), servers.cpu_seconds(servers.postgres_pids(cluster.DATA))
        requests = max(1, result["requests"])
        result["cpu_ms"] = 1000 * servers.cpu_delta(before, after) / requests
        result["db_cpu_ms"] = 1000 * servers.cpu_delta(db_before, db_after) / requests
        return result

    async def timed(self, server: servers.Server, workload: str, fx: cases.Fixture, users: dict,
                    stats: Statements) -> dict:
        username = cases.ACTORS.get(workload)
        token = await self.token(server, username, fx, users) if username else None  # a fresh token per run
        body = await self.body(server, workload, fx, token)
        script = os.path.join(RAW, f"{server.name}-{workload}.lua")
        if workload == "W4":
            template = json.loads(json.dumps(body))
            template["variables"]["input"].update(indicatorId="INDICATOR", periodId="PERIOD", value="VALUE")
            load.lua_script(script, template, token, kind="W4", indicators=fx.w4_indicators, periods=fx.w4_periods)
        elif workload == "W6":
            template = json.loads(json.dumps(body))
            template["variables"]["input"].update(serviceId="SERVICE", scores=[0])
            load.lua_script(script, template, None, kind="W6", services=fx.services)
            with open(script) as f:
                text = f.read().replace('"scores":[0]', '"scores":[SCORES]')
            with open(script, "w") as f:
                f.write(text)
        else:
            load.lua_script(script, body, token)
        load.wrk(server.url, script, max(self.connections), self.args.warmup, self.load_cpus)
        await wait_idle(server)  # requests queued when wrk stopped would be counted with the next phase
        out = {"statements": await self.statements(stats, server, server.url, body, token)}  # after the warm-up
        out["closed"] = {}
        for c in self.connections:
            await wait_idle(server)
            out["closed"][c] = self.measure(server, script, c, self.args.duration)
            r = out["closed"][c]
            log(f"  {server.name} {workload} c={c}: {r['rps']:.0f} req/s p50 {r['p50']:.1f} p99 {r['p99']:.1f} ms "
                f"cpu {r['cpu_ms']:.2f} ms/req errors {r['body_errors'] + r['non2xx'] + r['socket_errors']}")
        await wait_idle(server)
        if workload in ("W4", "W6"):  # varying bodies: the open-loop generator sends the fixed one, so skip it
            out["open"] = None
        else:
            out["open"] = load.open_loop(server.url, body, token, self.args.rate, self.args.rate_seconds, self.load_cpus)
            log(f"  {server.name} {workload} at {self.args.rate:.0f} req/s: p50 {out['open']['p50']} "
                f"p99 {out['open']['p99']} ms")
        out["rss"] = {"workers": [round(servers.rss_mb(p), 1) for p in server.workers()],
                      "root": round(servers.rss_mb(server.process.pid), 1)}
        return out

    async def timing(self) -> None:
        fx = await cases.load_fixture(admin_db(self.admin_url, DATABASE), 0)
        users = await user_ids(self.admin_url, DATABASE, fx.tenant_id)
        stats = Statements(self.admin_url, DATABASE)
        if not self.reads and not self.writes:
            return
        for name in self.candidates:
            server = self.start(name)
            try:
                workloads = self.reads + (self.writes if name == "kinerja" else [])
                for workload in workloads:
                    target = "writes" if workload in cases.WRITES else "reads"
                    for attempt in (1, 2):
                        if server.process.poll() is not None:  # it died (or was killed): start it again
                            log(f"  {name} is not running (exit {server.process.returncode}); starting it again")
                            server.stop()
                            server = self.start(name)
                        try:
                            self.results[target].setdefault(workload, {})[name] = await self.timed(
                                server, workload, fx, users, stats)
                            break
                        except (httpx.HTTPError, RuntimeError, subprocess.CalledProcessError) as exc:
                            log(f"  {name} {workload} failed (attempt {attempt}): {exc!r}"[:300])
                            if attempt == 2:
                                self.results["notes"].append(f"{name} {workload} failed twice and is missing: {exc!r}"[:300])
                self.results["rss"][name] = {"workers": [round(servers.rss_mb(p), 1) for p in server.workers()],
                                             "root": round(servers.rss_mb(server.process.pid), 1)}
            finally:
                server.stop()

    # ---- any document: every candidate up, runs interleaved and repeated ----
    async def any_token(self, name: str, server: servers.Server, username: str, fx: anydocs.Fixture, users: dict) -> str:
        """A token of the candidate for the user, renewed when older than 10 minutes (they last 15): Kinerja's
        from its login mutation (whose per-client limits a login per run would reach), the others' minted."""
        cached = self.tokens.get((name, username))
        if cached and time.monotonic() - cached[1] < 600:
            return cached[0]
        token = (await cases.login(server.url, username) if name == "kinerja"
                 else mint_token(self.secret, users[username], fx.tenant_id))
        self.tokens[(name, username)] = (token, time.monotonic())
        return token

    async def any_body(self, name: str, server: servers.Server, screen: anydocs.Screen, fx: anydocs.Fixture,
                       token: str, first: int = anydocs.DEFAULT_PAGE) -> dict:
        if name.startswith("postgraphile"):
            return await anydocs.postgraphile_body(screen, fx, server.url, token, first)
        return anydocs.kinerja_body(screen, fx, first)

    async def any_documents(self) -> None:
        if not self.screens:
            return
        section = self.results["any"]
        log("'any document' screens: all candidates up")
        running = {name: self.start(name) for name in self.candidates}
        try:
            fixtures = {v: await anydocs.load_fixture(admin_db(self.admin_url, DATABASE), v) for v in (0, 1)}
            users = await user_ids(self.admin_url, DATABASE, fixtures[0].tenant_id)
            who: dict[str, list[str]] = {}
            for screen in self.screens:
                problem = anydocs.kinerja_problem(screen) if "kinerja" in running else None
                if problem:
                    section["skipped"][screen.key] = problem
                    log(f"  {screen.key}: Kinerja skipped, its document does not validate: {problem}")
                who[screen.key] = [n for n in running if not (n == "kinerja" and problem)]
                await self.any_check(screen, running, who[screen.key], fixtures, users)
            for screen in self.screens:
                await self.any_statements(screen, running, who[screen.key], fixtures[0], users)
            for screen in self.screens:
                await self.any_timing(screen, running, who[screen.key], fixtures[0], users)
            section["rss"] = {name: {"workers": [round(servers.rss_mb(p), 1) for p in server.workers()],
                                     "root": round(servers.rss_mb(server.process.pid), 1)}
                              for name, server in running.items()}
        finally:
            for server in running.values():
                server.stop()

    async def any_check(self, screen, running, names: list[str], fixtures, users) -> None:
        """Same data by natural keys, two variants; a candidate that answers otherwise (or with errors) is
        left out of the screen's timing and its targets fail."""
        for variant in (0, 1):
            fx = fixtures[variant]
            answers = {}
            for name in list(names):
                server = running[name]
                try:
                    token = await self.any_token(name, server, anydocs.actor(screen, variant), fx, users)
                    data = await fetch(server.url, await self.any_body(name, server, screen, fx, token), token)
                    answers[name] = anydocs.normalise(screen, name, data)
                except (RuntimeError, KeyError, TypeError, httpx.HTTPError) as exc:
                    self.any_failed(screen, name, names, f"answered with an error: {exc!s}"[:400])
            if not answers:
                continue
            reference_name = next((n for n in ("handwritten", "postgraphile5") if n in answers), next(iter(answers)))
            for name, answer in answers.items():
                if answer != answers[reference_name] and name in names:
                    path = os.path.join(RAW, f"diff-any-{screen.key}-{variant}.json")
                    with open(path, "w") as f:
                        json.dump(answers, f, indent=1, default=str)
                    self.any_failed(screen, name, names, f"returned other data than {reference_name} (variant {variant}, "
                                                         f"all answers in results/raw/{os.path.basename(path)})")
            log(f"  {screen.key} variant {variant}: {', '.join(n for n in answers if n in names)} agree")

    def any_failed(self, screen, name: str, names: list[str], why: str) -> None:
        log(f"  {screen.key}: {name} {why}")
        self.results["any"]["failed"].setdefault(screen.key, {})[name] = why
        if name in names:
            names.remove(name)

    async def any_statements(self, screen, running, names: list[str], fx, users) -> None:
        stats = Statements(self.admin_url, DATABASE)
        sizes = anydocs.PAGE_SIZES if screen.paged else (anydocs.DEFAULT_PAGE,)
        out = self.results["any"]["statements"].setdefault(screen.key, {})
        for name in names:
            server = running[name]
            token = await self.any_token(name, server, screen.actor, fx, users)
            for first in sizes:
                body = await self.any_body(name, server, screen, fx, token, first)
                for _ in range(3):  # caches warm (policy, schema, prepared statements): not counted
                    await fetch(server.url, body, token)
                out.setdefault(name, {})[first] = await self.statements(stats, server, server.url, body, token)
            log(f"  {screen.key} {name} statements per request: "
                + ", ".join(f"{first}: {out[name][first]['per_request']:.1f}" for first in sizes))

    async def any_timing(self, screen, running, names: list[str], fx, users) -> None:
        connections = [int(c) for c in self.args.any_connections.split(",")]
        out = self.results["any"]["screens"].setdefault(screen.key, {})

        async def prepared(name: str) -> tuple[str, dict, str]:
            server = running[name]
            token = await self.any_token(name, server, screen.actor, fx, users)  # fresh: a run outlasts none
            body = await self.any_body(name, server, screen, fx, token)
            return token, body, load.lua_script(os.path.join(RAW, f"any-{screen.key}-{name}.lua"), body, token)

        async def idle() -> None:
            for server in running.values():
                await wait_idle(server)

        for name in names:  # warm-up
            _token, _body, script = await prepared(name)
            load.wrk(running[name].url, script, max(connections), self.args.warmup, self.load_cpus)
        for rep in range(self.args.repeat):
            order = names[rep % len(names):] + names[:rep % len(names)]
            for name in order:
                _token, _body, script = await prepared(name)
                for c in connections:
                    await idle()
                    r = self.measure(running[name], script, c, self.args.duration)
                    out.setdefault(name, {"closed": {}}).setdefault("closed", {}).setdefault(c, []).append(r)
                    log(f"  {screen.key} rep {rep + 1} {name} c={c}: {r['rps']:.0f} req/s p50 {r['p50']:.1f} "
                        f"p99 {r['p99']:.1f} ms errors {r['body_errors'] + r['non2xx'] + r['socket_errors']}")
        for name in names[len(names) // 2:] + names[:len(names) // 2]:
            token, body, _script = await prepared(name)
            await idle()
            out[name]["open"] = load.open_loop(running[name].url, body, token, self.args.rate, self.args.rate_seconds,
                                               self.load_cpus)
            log(f"  {screen.key} {name} at {self.args.rate:.0f} req/s: p50 {out[name]['open']['p50']} "
                f"p99 {out[name]['open']['p99']} ms")

    async def tenants(self, counts: list[int]) -> None:
        scale = self.args.tenant_scale if self.args.tenant_scale is not None else min(self.args.scale, 0.05)
        self.results["tenant_scale"] = scale
        for count in counts:
            database = DATABASE if (count == 50 and scale == self.args.scale) else f"{DATABASE}_t{count}"
            if database != DATABASE and (not self.args.skip_dataset or not await database_exists(self.admin_url, database)):
                generate(self.admin_url, database, scale, count)
                await prepare_database(self.admin_url, database)
            fx = await cases.load_fixture(admin_db(self.admin_url, database), 0)
            server = self.start("kinerja", database)
            try:
                for workload in [w for w in ("W1", "W2") if w in self.reads]:
                    token = await cases.login(server.url, cases.ACTORS[workload])
                    script = load.lua_script(os.path.join(RAW, f"tenants-{count}-{workload}.lua"),
                                             cases.kinerja_body(workload, fx), token)
                    load.wrk(server.url, script, 8, self.args.warmup, self.load_cpus)
                    r = load.wrk(server.url, script, 8, self.args.duration / 2, self.load_cpus)
                    self.results["tenants"].setdefault(workload, {})[count] = r
                    log(f"  {count} tenants {workload} c=8: {r['rps']:.0f} req/s p50 {r['p50']:.1f} p99 {r['p99']:.1f} ms")
            finally:
                server.stop()


def install_postgraphile() -> None:
    """npm ci from the committed lock files (PostGraphile 4, and 5 with its Node 22), unless node_modules
    already matches them."""
    for name in ("postgraphile", "postgraphile5"):
        folder = os.path.join(BENCH, name)
        installed = os.path.join(folder, "node_modules", ".package-lock.json")
        lock = os.path.join(folder, "package-lock.json")
        if os.path.exists(installed) and os.path.getmtime(installed) >= os.path.getmtime(lock):
            continue
        log(f"npm ci ({name})")
        subprocess.run(["npm", "ci", "--no-audit", "--no-fund", "--silent"], cwd=folder,
                       check=True)


def versions(admin_url: str) -> dict:
    def out(command):
        try:
            return subprocess.run(command, capture_output=True, text=True).stdout.strip().splitlines()[0]
        except (OSError, IndexError):
            return "?"

    def package(folder: str, name: str) -> str:
        with open(os.path.join(BENCH, folder, "node_modules", name, "package.json")) as f:
            return json.load(f)["version"]

    pg = asyncio.run(_pg_version(admin_url))
    return {"Python": platform.python_version(), "PostgreSQL": pg,
            "postgraphile 5": f"{package('postgraphile5', 'postgraphile')} on Node {out([servers.POSTGRAPHILE5_NODE, '--version'])}",
            "postgraphile 4": f"{package('postgraphile', 'postgraphile')} on Node {out(['node', '--version'])}",
            "strawberry-graphql": metadata.version("strawberry-graphql"),
            "uvicorn": metadata.version("uvicorn"), "asyncpg": metadata.version("asyncpg"),
            "wrk": out(["/usr/bin/wrk", "-v"]) or "wrk"}


async def _pg_version(admin_url: str) -> str:
    conn = await asyncpg.connect(admin_url.replace("postgres://", "postgresql://", 1))
    try:
        return await conn.fetchval("SHOW server_version")
    finally:
        await conn.close()


def machine() -> dict:
    cpuinfo = Path("/proc/cpuinfo").read_text().splitlines()
    model = next((line.split(":", 1)[1].strip() for line in cpuinfo if line.startswith("model name")), "?")
    mem = next(int(line.split()[1]) for line in Path("/proc/meminfo").read_text().splitlines() if line.startswith("MemTotal"))
    return {"nproc": os.cpu_count(), "cpu": model, "ram_gb": round(mem / 1024 / 1024, 1), "kernel": platform.release()}


def main() -> None:
    args = parse_args()
    if args.report_only:
        with open(os.path.join(RAW, "results.json")) as f:
            saved = json.load(f)
        context = saved.pop("context")
        for section in ("reads", "writes"):  # JSON turned the connection counts into strings
            for per in saved[section].values():
                for result in per.values():
                    result["closed"] = {int(c): r for c, r in result["closed"].items()}
        for per in saved["any"]["screens"].values():
            for result in per.values():
                result["closed"] = {int(c): r for c, r in result["closed"].items()}
        for per in saved["any"]["statements"].values():
            for name in per:
                per[name] = {int(first): r for first, r in per[name].items()}
        saved["tenants"] = {w: {int(c): r for c, r in per.items()} for w, per in saved["tenants"].items()}
        report.write(args.output, context, saved)
        return
    started = time.monotonic()
    os.makedirs(RAW, exist_ok=True)
    log(f"cluster {cluster.DATA} on port {cluster.PORT}")
    admin_url = cluster.ensure_running()
    dataset = None
    if not args.skip_dataset:
        dataset = generate(admin_url, DATABASE, args.scale)
        log(f"dataset generated in {dataset['seconds']} s")
    prepared = asyncio.run(prepare_database(admin_url, DATABASE))
    install_postgraphile()
    run = Run(args, admin_url)
    asyncio.run(run.check())
    asyncio.run(run.timing())
    asyncio.run(run.any_documents())
    counts = [int(c) for c in args.tenant_counts.split(",") if c.strip()]
    if counts:
        asyncio.run(run.tenants(counts))
    elapsed = time.monotonic() - started
    context = {"args": vars(args), "machine": machine(), "versions": versions(admin_url), "rows": prepared["rows"],
               "generated": prepared["generated"],
               "dataset_seconds": dataset and dataset["seconds"], "elapsed_s": round(elapsed),
               "cluster_settings": cluster.settings_text(), "date": f"{dt.datetime.now(dt.UTC):%Y-%m-%d %H:%M} UTC"}
    with open(os.path.join(RAW, "results.json"), "w") as f:
        json.dump({"context": context, **run.results}, f, indent=1, default=str)
    report.write(args.output, context, run.results)
    log(f"done in {elapsed / 60:.1f} min: {args.output}")


if __name__ == "__main__":
    main()
