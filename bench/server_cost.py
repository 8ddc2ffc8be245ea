"""What one request costs the Kinerja server itself, screen by screen, and what the tenant binding
costs the database.

The "any document" screens of run.py are sent to the application in this process, through its ASGI
stack (every middleware, the GraphQL view, the compiler, the database), one after another: the
process's CPU time per request is the server's own cost, without the load generator, the network or
other processes sharing the CPUs, so it is steadier than a throughput run and shows where a change in
the request path pays off. Also: the round trip of the tenant binding (``kinerja_bind`` with the
caller's account and session) against a bare ``set_config``, median of many, from one connection of
the application role that plans every statement for its parameters, as the server's do.

Needs run.py's dataset (``kinerja_bench`` in its cluster on port 55440). Writes
bench/results/server_cost.md.

    .venv/bin/python bench/server_cost.py [--requests 300] [--screens evaluations,staff]
"""

from __future__ import annotations

import argparse
import asyncio
import os
import platform
import statistics
import time
from pathlib import Path

import asyncpg
import orjson
from harness import anydocs, cases, cluster

SECRET = "server-cost-secret-of-thirty-two-characters"
DATABASE = "kinerja_bench"
APP_ROLE = "kinerja_app"  # as run.py


def _configure(app_url: str) -> None:
    os.environ.update({"DATABASE_URL": app_url, "KINERJA_SECRET_KEY": SECRET, "KINERJA_MODE": "production",
                       "KINERJA_LOG_LEVEL": "WARNING", "KINERJA_RATE_USER_PER_MINUTE": "0",
                       "KINERJA_RATE_TENANT_PER_MINUTE": "0", "KINERJA_RATE_IP_PER_MINUTE": "0",
                       "KINERJA_LOGIN_IP_MAX_ATTEMPTS": "0"})


class InProcess:
    """The served application, called as uvicorn calls it."""

    def __init__(self):
        from kinerja.app import create_served_app
        self.app = create_served_app()
        self.inbox: asyncio.Queue = asyncio.Queue()
        self.outbox: asyncio.Queue = asyncio.Queue()
        self.lifespan: asyncio.Task | None = None

    async def __aenter__(self) -> InProcess:
        self.lifespan = asyncio.create_task(self.app({"type": "lifespan", "asgi": {"version": "3.0"}, "state": {}},
                                                     self.inbox.get, self.outbox.put))
        await self.inbox.put({"type": "lifespan.startup"})
        started = await self.outbox.get()
        if started["type"] != "lifespan.startup.complete":
            raise RuntimeError(started)
        return self

    async def __aexit__(self, *exc) -> None:
        await self.inbox.put({"type": "lifespan.shutdown"})
        await self.lifespan

    async def post(self, body: bytes, token: str | None) -> tuple[int, bytes]:
        headers = [(b"host", b"127.0.0.1"), (b"content-type", b"application/json"),
                   (b"content-length", str(len(body)).encode())]
        if token:
            headers.append((b"authorization", f"Bearer {token}".encode()))
        scope = {"type": "http", "asgi": {"version": "3.0"}, "http_version": "1.1", "method": "POST",
                 "scheme": "http", "path": "/graphql", "raw_path": b"/graphql", "query_string": b"",
                 "root_path": "", "headers": headers, "client": ("127.0.0.1", 50000),
                 "server": ("127.0.0.1", 8000), "state": {}}
        sent: list[dict] = []

        async def receive() -> dict:
            return {"type": "http.request", "body": body, "more_body": False}

        async def send(message: dict) -> None:
            sent.append(message)
        await self.app(scope, receive, send)
        return sent[0]["status"], b"".join(m.get("body", b"") for m in sent[1:])

    async def login(self, username: str) -> str:
        status, answer = await self.post(orjson.dumps({"query": cases.LOGIN, "operationName": "Login", "variables": {
            "input": {"tenant": cases.TENANT, "username": username, "password": cases.PASSWORD}}}), None)
        token = orjson.loads(answer)["data"]["login"]["accessToken"]
        if status != 200 or not token:
            raise RuntimeError(f"login of {username} failed: {answer[:300]!r}")
        return token


async def screen_costs(app: InProcess, fixture, screens: list, requests: int) -> list[tuple]:
    rows = []
    for screen in screens:
        token = await app.login(screen.actor)
        body = orjson.dumps(anydocs.kinerja_body(screen, fixture))
        for _ in range(30):  # warm: the document is known, its statement prepared on the pooled connections
            status, answer = await app.post(body, token)
            if status != 200 or b'"errors"' in answer:
                raise RuntimeError(f"{screen.key}: {answer[:300]!r}")
        cpu, wall = time.process_time(), time.perf_counter()
        for _ in range(requests):
            await app.post(body, token)
        cpu, wall = time.process_time() - cpu, time.perf_counter() - wall
        rows.append((screen.key, screen.operation, len(answer), cpu / requests * 1000, wall / requests * 1000))
        print(f"{screen.key}: {rows[-1][3]:.2f} ms CPU per request")
    return rows


async def binding_cost(app_url: str, admin_url: str, rounds: int) -> dict[str, float]:
    admin = await asyncpg.connect(admin_url)
    try:
        tenant = await admin.fetchval("SELECT id FROM tenant WHERE slug = $1", cases.TENANT)
        user, session = await admin.fetchrow(
            "SELECT u.id, t.family FROM app_user u JOIN refresh_token t ON t.tenant_id = u.tenant_id AND t.user_id = u.id "
            "WHERE u.tenant_id = $1 ORDER BY t.created_at DESC LIMIT 1", tenant)
        settings = await admin.fetchval("SELECT proconfig FROM pg_proc WHERE proname = 'kinerja_bind' AND pronargs = 3")
    finally:
        await admin.close()
    conn = await asyncpg.connect(app_url, server_settings={"plan_cache_mode": "force_custom_plan"})
    statements = {"kinerja_bind(tenant, user, session)": ("SELECT kinerja_bind($1, $2, $3)", (str(tenant), user, session)),
                  "set_config only": ("SELECT set_config('app.tenant_id', $1, true)", (str(tenant),))}
    times: dict[str, list[float]] = {name: [] for name in statements}
    try:
        for _ in range(rounds):
            for name, (text, arguments) in statements.items():
                async with conn.transaction():
                    start = time.perf_counter()
                    await conn.fetchval(text, *arguments)
                    times[name].append(time.perf_counter() - start)
    finally:
        await conn.close()
    medians = {name: statistics.median(values) * 1000 for name, values in times.items()}
    medians["function settings"] = settings
    return medians


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=300, help="requests per screen, after 30 uncounted")
    parser.add_argument("--rounds", type=int, default=500, help="binding round trips")
    parser.add_argument("--screens", default=",".join(s.key for s in anydocs.SCREENS))
    parser.add_argument("--label", default="", help="what was measured, for the report's heading")
    args = parser.parse_args()
    admin_url = cluster.ensure_running()
    app_url = f"postgres://{APP_ROLE}@127.0.0.1:{cluster.PORT}/{DATABASE}"
    db_admin_url = admin_url.rsplit("/", 1)[0] + f"/{DATABASE}"
    _configure(app_url)
    fixture = await anydocs.load_fixture(db_admin_url)
    screens = [anydocs.BY_KEY[key] for key in args.screens.split(",") if key]
    async with InProcess() as app:
        rows = await screen_costs(app, fixture, screens, args.requests)
    binding = await binding_cost(app_url.replace("postgres://", "postgresql://", 1),
                                 db_admin_url.replace("postgres://", "postgresql://", 1), args.rounds)
    settings = binding.pop("function settings")
    lines = [f"# The server's own cost per request{(': ' + args.label) if args.label else ''}", "",
             f"Machine: {platform.machine()}, {os.cpu_count()} CPUs, Python {platform.python_version()}; dataset "
             f"`{DATABASE}` of run.py; one process, the screens' documents of bench/anydocs/kinerja/ sent one after "
             f"another through the whole ASGI application ({args.requests} per screen after 30 uncounted). CPU is "
             "the process's own (`time.process_time`); wall time includes waiting for PostgreSQL.", "",
             "| screen | document | answer bytes | CPU ms per request | wall ms per request |", "|---|---|---|---|---|"]
    lines += [f"| {key} | `{operation}` | {size:,} | {cpu:.2f} | {wall:.2f} |" for key, operation, size, cpu, wall in rows]
    lines += ["", f"Tenant binding, median round trip of {args.rounds} from one connection of the application role "
              f"(`plan_cache_mode = force_custom_plan`), each in its own transaction; `kinerja_bind`'s settings: "
              f"`{settings}`.", "", "| statement | median ms |", "|---|---|"]
    lines += [f"| `{name}` | {value:.3f} |" for name, value in binding.items()]
    lines += ["", "Command: `.venv/bin/python bench/server_cost.py" + (f" --label '{args.label}'" if args.label else "")
              + "`", ""]
    out = Path(__file__).parent / "results" / "server_cost.md"
    out.write_text("\n".join(lines))
    print(out.read_text())


if __name__ == "__main__":
    asyncio.run(main())
