"""What the self-contained benchmarks (faults.py, soak.py) share: their own throwaway PostgreSQL
cluster, a migrated database with the demo tenants, `kinerja serve` with several workers, the
GraphQL operations of the load mix, and the figures (percentiles, machine description)."""

from __future__ import annotations

import asyncio
import contextlib
import os
import platform
import random
import secrets
import signal
import socket
import subprocess
import sys
import time
import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))

from pgcluster import ThrowawayCluster  # noqa: E402

DEMO_PASSWORD = "kinerja-demo"
OPERATIONS = ROOT / "schema" / "operations"
FEEDBACK_PREFIX = "bench-write"


def operation(name: str) -> str:
    """A trusted document, as frontend teams send it."""
    return (OPERATIONS / f"{name}.graphql").read_text()


TEAM_OVERVIEW = operation("TeamDashboard")
EMPLOYEES = operation("EmployeeList")
PLAN_DETAIL = operation("PlanDetail")
GIVE_FEEDBACK = ("mutation GiveFeedback($input: GiveFeedbackInput!) { giveFeedback(input: $input) { "
                 "feedback { id } userErrors { field code message } } }")


def machine() -> str:
    cpu = "unknown CPU"
    with contextlib.suppress(OSError):
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    return f"{os.cpu_count()} CPUs (`nproc`), {cpu}; Python {platform.python_version()}"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextlib.contextmanager
def own_cluster(port: int):
    """A throwaway cluster under /var/tmp, destroyed on the way out whatever happened."""
    cluster = ThrowawayCluster(port, parent_dir="/var/tmp",
                               settings={"max_connections": "200", "shared_buffers": "128MB"})
    try:
        cluster.start()
        yield cluster
    finally:
        cluster.destroy()


async def prepare_database(admin_url: str, database: str = "kinerja") -> str:
    """Roles, database, migrations and the demo tenants (as `kinerja db-init`, `migrate` and the demo
    seed do); returns the application role's URL."""
    from kinerja.cli import migrate
    from kinerja.core.config import Settings
    from kinerja.core.db import close_db, init_db
    from kinerja.core.dbadmin import create_database
    from kinerja.core.paths import tenants_dir
    from kinerja.demo.seed import seed_demo

    app_url, owner_url = await create_database(admin_url, database, drop_existing=True)
    settings = Settings.from_env(mode="test", database_url=app_url, migration_database_url=owner_url)
    await migrate(settings)
    await init_db(settings)
    try:
        await seed_demo(sorted(tenants_dir().glob("*.toml")), log=lambda _msg: None)
    finally:
        await close_db()
    return app_url


def worker_pids(master: int) -> list[int]:
    """The server's worker processes (children of the master, not multiprocessing's resource tracker)."""
    children = []
    for task in Path(f"/proc/{master}/task").glob("*/children"):
        for pid in task.read_text().split():
            with contextlib.suppress(OSError):
                if b"resource_tracker" not in Path(f"/proc/{pid}/cmdline").read_bytes():
                    children.append(int(pid))
    return sorted(children)


def load_average() -> str:
    return " ".join(Path("/proc/loadavg").read_text().split()[:3])


def rss_kib(pid: int) -> int | None:
    with contextlib.suppress(OSError):
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    return None


def cpu_seconds(pid: int) -> float:
    """User + system CPU time of a process (0 once it is gone)."""
    with contextlib.suppress(OSError):
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    return 0.0


@dataclass
class Server:
    process: subprocess.Popen
    base: str
    log_path: Path

    @property
    def workers(self) -> list[int]:
        return worker_pids(self.process.pid)


@contextlib.asynccontextmanager
async def serve(database_url: str, workers: int, log_path: Path, env: dict | None = None) -> AsyncIterator[Server]:
    """`kinerja serve` in production mode on a free port, rate limits off; stopped on the way out."""
    extra = env or {}
    port = free_port()
    env = {**os.environ, "DATABASE_URL": database_url, "KINERJA_SECRET_KEY": secrets.token_urlsafe(48),
           "KINERJA_MODE": "production", "KINERJA_LOG_LEVEL": "WARNING",
           "KINERJA_UPLOAD_DIR": str(log_path.parent / "uploads"),
           "KINERJA_RATE_USER_PER_MINUTE": "0", "KINERJA_RATE_TENANT_PER_MINUTE": "0",
           "KINERJA_RATE_IP_PER_MINUTE": "0", **extra}
    with open(log_path, "w") as log:
        process = subprocess.Popen([sys.executable, "-m", "kinerja", "serve", "--port", str(port),
                                    "--workers", str(workers)], env=env, stdout=log, stderr=subprocess.STDOUT)
    server = Server(process, f"http://127.0.0.1:{port}", log_path)
    try:
        deadline = time.monotonic() + 60
        async with httpx.AsyncClient() as probe:
            while True:
                with contextlib.suppress(httpx.TransportError):
                    if (await probe.get(f"{server.base}/readyz")).status_code == 200:
                        break
                if process.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError(f"the server did not start:\n{log_path.read_text()[-3000:]}")
                await asyncio.sleep(0.2)
        await asyncio.sleep(1.5)  # every worker up
        yield server
    finally:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


@dataclass
class Outcome:
    """One request as the client saw it."""

    kind: str
    started: float
    ended: float
    status: int  # 0: no HTTP answer (connection refused, timeout)
    code: str  # OK, or the first error's extensions.code, or the transport error's name
    write_id: str | None = None  # the acknowledged feedback's global id
    marker: str | None = None  # the write's unique body
    request_id: str | None = None

    @property
    def ok(self) -> bool:
        return self.code == "OK"

    @property
    def latency(self) -> float:
        return self.ended - self.started


@dataclass
class Mix:
    """The operations of the load, with what they need: tokens, the period, the team's plans."""

    supervisor: str
    hr: str
    period_id: str
    plan_ids: list[str]
    org_unit_id: str | None
    weights: dict[str, float] = field(default_factory=dict)

    def pick(self, rng: random.Random) -> str:
        return rng.choices(list(self.weights), weights=list(self.weights.values()))[0]

    def request(self, kind: str, rng: random.Random) -> tuple[dict, str, str | None]:
        """(body, token, marker) of one request of this kind."""
        if kind == "teamOverview":
            return {"query": TEAM_OVERVIEW, "variables": {"periodId": self.period_id}}, self.supervisor, None
        if kind == "employees":
            variables = {"first": 50, "filter": {"orgUnitId": self.org_unit_id} if self.org_unit_id else None}
            return {"query": EMPLOYEES, "variables": variables}, self.hr, None
        if kind == "planDetail":
            return {"query": PLAN_DETAIL, "variables": {"id": rng.choice(self.plan_ids)}}, self.supervisor, None
        if kind == "giveFeedback":
            marker = f"{FEEDBACK_PREFIX} {uuid.uuid4().hex}"
            variables = {"input": {"planId": rng.choice(self.plan_ids), "body": marker}}
            return {"query": GIVE_FEEDBACK, "variables": variables}, self.supervisor, marker
        raise ValueError(kind)


async def graphql(client: httpx.AsyncClient, body: dict, token: str | None = None, *, timeout: float = 30) -> dict:
    headers = {"authorization": f"Bearer {token}"} if token else {}
    response = await client.post("/graphql", json=body, headers=headers, timeout=timeout)
    response.raise_for_status()
    data = response.json()
    if data.get("errors"):
        raise RuntimeError(f"{body['query'][:60]}: {data['errors']}")
    return data["data"]


async def login(client: httpx.AsyncClient, tenant: str, username: str, *, timeout: float = 30) -> str:
    data = await graphql(client, {
        "query": "mutation($i: LoginInput!) { login(input: $i) { accessToken userErrors { message } } }",
        "variables": {"i": {"tenant": tenant, "username": username, "password": DEMO_PASSWORD}}}, timeout=timeout)
    if not data["login"]["accessToken"]:
        raise RuntimeError(f"login {tenant}/{username}: {data['login']['userErrors']}")
    return data["login"]["accessToken"]


async def build_mix(base: str, weights: dict[str, float], tenant: str = "samarinda") -> Mix:
    """Logs in the tenant's supervisor and HR, and finds a period where the team has plans."""
    async with httpx.AsyncClient(base_url=base, timeout=30) as client:
        supervisor = await login(client, tenant, "atasan")
        hr = await login(client, tenant, "bkpsdm")
        periods = (await graphql(client, {"query": "{ periods { id year kind name } }"}, supervisor))["periods"]
        best: tuple[str, list[str]] | None = None
        for period in sorted(periods, key=lambda p: (-p["year"], p["kind"] != "ANNUAL")):
            team = (await graphql(client, {"query": TEAM_OVERVIEW, "variables": {"periodId": period["id"]}},
                                  supervisor))["teamOverview"]["members"]
            plans = [m["plan"]["id"] for m in team if m["plan"]]
            if plans:
                best = (period["id"], plans)
                break
        if best is None:
            raise RuntimeError(f"no period with team plans in {tenant}")
        units = (await graphql(client, {"query": "{ orgUnits { id name } }"}, hr)).get("orgUnits") or []
    return Mix(supervisor, hr, best[0], best[1], units[0]["id"] if units else None, weights)


async def send(client: httpx.AsyncClient, mix: Mix, kind: str, rng: random.Random, timeout: float) -> Outcome:
    body, token, marker = mix.request(kind, rng)
    request_id = uuid.uuid4().hex
    started = time.monotonic()
    try:
        response = await client.post("/graphql", json=body, timeout=timeout,
                                     headers={"authorization": f"Bearer {token}", "x-request-id": request_id})
    except httpx.HTTPError as exc:
        return Outcome(kind, started, time.monotonic(), 0, type(exc).__name__, marker=marker, request_id=request_id)
    ended = time.monotonic()
    try:
        payload = response.json()
    except ValueError:
        return Outcome(kind, started, ended, response.status_code, "NOT_JSON", marker=marker, request_id=request_id)
    errors = payload.get("errors") or []
    code = errors[0].get("extensions", {}).get("code", "NO_CODE") if errors else "OK"
    write_id = None
    if kind == "giveFeedback" and code == "OK":
        result = payload["data"]["giveFeedback"]
        if result["userErrors"]:
            code = result["userErrors"][0]["code"]
        else:
            write_id = result["feedback"]["id"]
    return Outcome(kind, started, ended, response.status_code, code, write_id, marker, request_id)


def percentile(values: list[float], q: float) -> float | None:
    if not values:
        return None
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(q / 100 * (len(ordered) - 1))))]


def ms(seconds: float | None) -> str:
    return "-" if seconds is None else f"{seconds * 1000:.0f} ms"
