"""Quick read throughput and server CPU per request of `kinerja serve` (one worker, PostgreSQL, demo
data) with wrk: the trusted
documents EmployeeList (first 50) and PlanDetail, and the same screens asked by documents registered
nowhere (one more field each). With ``--other-src DIR`` the same runs go against another revision of
the code (its ``src/``) on the same database, interleaved, for a before/after comparison.

    .venv/bin/python bench/read_throughput.py --seconds 10 --rounds 2 [--other-src /path/to/old/src]

Creates (and at the end drops) the database ``kinerja_readbench`` on the server of ``--admin-url``.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DATABASE = "kinerja_readbench"
EMPLOYEE_LIST = (ROOT / "schema/operations/EmployeeList.graphql").read_text()
PLAN_DETAIL = (ROOT / "schema/operations/PlanDetail.graphql").read_text()
CASES = {
    "EmployeeList (trusted, first 50)": (EMPLOYEE_LIST, {"first": 50}),
    "employee list, any document": (EMPLOYEE_LIST.replace("orgUnit { id name }", "orgUnit { id name } supervisor { name }")
                                    .replace("query EmployeeList", "query MyList"), {"first": 50}),
    "PlanDetail (trusted)": (PLAN_DETAIL, None),
    "plan detail, any document": (PLAN_DETAIL.replace("id year status", "id year status approver { name }")
                                  .replace("query PlanDetail", "query MyPlan"), None),
}


async def _prepare(admin_url: str) -> str:
    from kinerja.cli import migrate
    from kinerja.core.config import Settings
    from kinerja.core.db import close_db, init_db
    from kinerja.core.dbadmin import create_database
    from kinerja.core.paths import tenants_dir
    from kinerja.demo.seed import seed_demo

    app_url, owner_url = await create_database(admin_url, DATABASE, drop_existing=True)
    settings = Settings.from_env(mode="test", database_url=app_url, migration_database_url=owner_url)
    await migrate(settings)
    await init_db(settings)
    await seed_demo(sorted(tenants_dir().glob("*.toml")), log=lambda _msg: None)
    await close_db()
    import asyncpg

    from kinerja.core.dbadmin import on_database

    conn = await asyncpg.connect(on_database(admin_url, DATABASE))
    await conn.execute("ANALYZE")  # planner statistics, as a database in use has them
    await conn.close()
    return app_url


async def _drop(admin_url: str) -> None:
    import asyncpg

    from kinerja.core.dbadmin import on_database

    conn = await asyncpg.connect(on_database(admin_url, "postgres"))
    await conn.execute(f'DROP DATABASE IF EXISTS "{DATABASE}" WITH (FORCE)')
    await conn.close()


def _port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _cpu_seconds(pid: int) -> float:
    """User and system CPU of the server process and its children (the uvicorn worker)."""
    total = 0.0
    for process in [pid, *_children(pid)]:
        fields = Path(f"/proc/{process}/stat").read_text().rsplit(")", 1)[1].split()
        total += (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    return total


def _children(pid: int) -> list[int]:
    try:
        return [int(c) for c in Path(f"/proc/{pid}/task/{pid}/children").read_text().split()]
    except OSError:
        return []


def _post(base: str, body: dict, token: str | None = None) -> dict:
    headers = {"content-type": "application/json", **({"authorization": f"Bearer {token}"} if token else {})}
    request = urllib.request.Request(base + "/graphql", data=json.dumps(body).encode(), headers=headers)
    return json.loads(urllib.request.urlopen(request).read())


def run(label: str, src: str | None, database_url: str, seconds: int, workdir: Path) -> None:
    port = _port()
    env = {**os.environ, "DATABASE_URL": database_url, "KINERJA_SECRET_KEY": "read-throughput-" + "x" * 32,
           "KINERJA_MODE": "production", "KINERJA_LOG_LEVEL": "WARNING", "KINERJA_RATE_USER_PER_MINUTE": "0",
           "KINERJA_RATE_TENANT_PER_MINUTE": "0", "KINERJA_RATE_IP_PER_MINUTE": "0"}
    if src:
        env["PYTHONPATH"] = src
    with open(workdir / f"{label}.log", "w") as log:
        server = subprocess.Popen([sys.executable, "-m", "kinerja", "serve", "--port", str(port), "--workers", "1"],
                                  env=env, cwd=workdir, stdout=log, stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(300):
            try:
                urllib.request.urlopen(base + "/healthz")
                break
            except OSError:
                time.sleep(0.2)
        token = _post(base, {"query": 'mutation { login(input: {tenant: "bungo", username: "bkpsdm", '
                                      'password: "kinerja-demo"}) { accessToken } }'})["data"]["login"]["accessToken"]
        plan = _post(base, {"query": "{ performancePlans(first: 1, filter: {status: APPROVED}) { nodes { id } } }"},
                     token)["data"]["performancePlans"]["nodes"][0]["id"]
        for name, (query, variables) in CASES.items():
            body = {"query": query, "variables": variables or {"id": plan}}
            assert "errors" not in _post(base, body, token), name
            script = workdir / "request.lua"
            script.write_text(f'wrk.method = "POST"\nwrk.body = {json.dumps(json.dumps(body))}\n'
                              f'wrk.headers["Content-Type"] = "application/json"\n'
                              f'wrk.headers["Authorization"] = "Bearer {token}"\n')
            subprocess.run(["wrk", "-t1", "-c8", "-d2s", "-s", str(script), base + "/graphql"], capture_output=True)
            cpu = _cpu_seconds(server.pid)
            out = subprocess.run(["wrk", "-t1", "-c8", f"-d{seconds}s", "--latency", "-s", str(script), base + "/graphql"],
                                 capture_output=True, text=True).stdout
            cpu = _cpu_seconds(server.pid) - cpu
            rate = next(line for line in out.splitlines() if "Requests/sec" in line).split()[-1]
            done = int(next(line for line in out.splitlines() if "requests in" in line).split()[0])
            p50 = next(line for line in out.splitlines() if line.strip().startswith("50%")).split()[-1]
            print(f"{label:8s} {name:34s} {float(rate):8.0f} req/s   p50 {p50:>9s}   "
                  f"server CPU {1000 * cpu / max(done, 1):5.2f} ms/request", flush=True)
    finally:
        server.terminate()
        server.wait()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--admin-url", default="postgres://postgres@127.0.0.1:5432/postgres")
    parser.add_argument("--other-src", help="src/ of another revision, run interleaved as 'other'")
    parser.add_argument("--seconds", type=int, default=10)
    parser.add_argument("--rounds", type=int, default=2)
    args = parser.parse_args()
    workdir = Path(f"/tmp/{DATABASE}")
    workdir.mkdir(exist_ok=True)
    database_url = asyncio.run(_prepare(args.admin_url))
    try:
        for _ in range(args.rounds):
            if args.other_src:
                run("other", args.other_src, database_url, args.seconds, workdir)
            run("this", None, database_url, args.seconds, workdir)
    finally:
        asyncio.run(_drop(args.admin_url))


if __name__ == "__main__":
    main()
