"""The service when the database fails under it: fast 503 SERVICE_UNAVAILABLE with Retry-After (never
INTERNAL_SERVER_ERROR), /readyz 503 with the reason, recovery once connections come back, nothing
acknowledged that is not committed. Each fault is made for real: an unreachable server, backends killed
under load, pooled connections broken unnoticed (a proxy), a statement timeout racing the request
timeout (a table lock), a read-only database (default_transaction_read_only) and a full disk (a
tablespace on a small tmpfs)."""

from __future__ import annotations

import asyncio
import collections
import concurrent.futures
import dataclasses
import os
import socket
import subprocess
import sys
import threading
import time
import uuid
from pathlib import Path

import httpx
import pytest
from conftest import ADMIN_URL, BACKEND, _free_port, running_server
from filesystems import fill, tiny_filesystem

from kinerja.auth.tokens import issue_access_token

pytestmark = pytest.mark.skipif(BACKEND != "postgres",
                                reason="the embedded SQLite database is a local file: it cannot become unreachable")

ROLES = "{ roles { name } }"
CREATE_ROLE = ("mutation($i: CreateRoleInput!) { createRole(input: $i) { role { name } "
               "userErrors { field code message } } }")
UNAVAILABLE = {"message": "Database unavailable, retry shortly", "code": "SERVICE_UNAVAILABLE"}


def _assert_unavailable(response: httpx.Response) -> None:
    assert response.status_code == 503, response.text
    assert response.headers["retry-after"].isdigit()
    body = response.json()
    assert list(body) == ["errors"] and len(body["errors"]) == 1, body
    error = body["errors"][0]
    assert {"message": error["message"], "code": error["extensions"]["code"]} == UNAVAILABLE
    assert error["extensions"]["requestId"] == response.headers["x-request-id"]


async def _timed(call):
    started = time.monotonic()
    response = await call
    return response, time.monotonic() - started


async def _superuser(database: str):
    import asyncpg

    from kinerja.core.dbadmin import on_database

    return await asyncpg.connect(on_database(ADMIN_URL, database))


def _database_name(settings) -> str:
    return settings.database_url.rsplit("/", 1)[1]


@pytest.mark.parametrize("target", ["closed port", "server that never answers"])
async def test_unreachable_database_answers_503_fast_and_readyz_reports_it(database, tmp_path, target):
    with socket.socket() as silent:
        if target == "closed port":
            port = _free_port()
        else:  # the kernel completes the TCP handshake, nobody ever speaks: only the timeouts help
            silent.bind(("127.0.0.1", 0))
            silent.listen(64)
            port = silent.getsockname()[1]
        settings = dataclasses.replace(database, database_url=f"postgres://kinerja_app@127.0.0.1:{port}/nowhere")
        env = {"KINERJA_DB_CONNECT_TIMEOUT": "0.5", "KINERJA_DB_ACQUIRE_TIMEOUT": "1"}
        async with running_server(settings, 1, tmp_path / "server.log", ready_path="/healthz", env=env) as base:
            # A signed-in caller: a read needs the database for the caller's policy and rows. Issued once
            # the server is up: a loaded machine takes longer than the token's 5 s to start one.
            token, _ = issue_access_token(settings.secret_key, uuid.uuid4(), uuid.uuid4(), 5)
            async with httpx.AsyncClient(base_url=base, timeout=10) as client:
                for query in (ROLES, CREATE_ROLE):
                    response, elapsed = await _timed(client.post("/graphql", json={
                        "query": query, "variables": {"i": {"name": "x", "permissions": []}}},
                        headers={"authorization": f"Bearer {token}"}))
                    _assert_unavailable(response)
                    assert elapsed < 3.0  # the connect timeout bounds it (asyncpg waits 60 s by default)
                ready, elapsed = await _timed(client.get("/readyz"))
                assert ready.status_code == 503 and ready.json()["status"] == "unavailable"
                assert elapsed < 3.0


async def _terminate_app_connections(settings) -> int:
    from kinerja.core.db import APPLICATION_NAME

    superuser = await _superuser(_database_name(settings))
    try:
        return await superuser.fetchval(
            "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity "
            "WHERE application_name = $1 AND datname = current_database() AND pid <> pg_backend_pid()",
            APPLICATION_NAME)
    finally:
        await superuser.close()


async def test_requests_succeed_again_after_the_pooled_connections_are_terminated(database, api):
    token = await api.token("samarinda", "admin")
    warm = await asyncio.gather(*[api.client.post("/graphql", json={"query": ROLES},
                                                  headers={"authorization": f"Bearer {token}"}) for _ in range(8)])
    assert {r.status_code for r in warm} == {200}
    assert await _terminate_app_connections(database) >= 1

    statuses = []
    deadline = time.monotonic() + 5
    while time.monotonic() < deadline:
        response = await api.client.post("/graphql", json={"query": ROLES},
                                         headers={"authorization": f"Bearer {token}"})
        statuses.append(response.status_code)
        if response.status_code == 503:
            _assert_unavailable(response)
        if statuses[-3:] == [200, 200, 200]:
            break
        await asyncio.sleep(0.1)
    assert statuses[-3:] == [200, 200, 200], statuses
    assert statuses.count(503) == 0, statuses  # a closed connection is replaced before the request uses it


async def test_a_mutation_whose_connection_dies_in_flight_is_not_acknowledged_nor_committed(database, api):
    token = await api.token("samarinda", "admin")
    variables = {"i": {"name": "in-flight", "permissions": ["role:read:tenant"]}}
    superuser = await _superuser(_database_name(database))
    try:
        # Holding the tenant row makes the role INSERT wait on its foreign-key check, inside the
        # mutation's transaction: that is where its connection is cut.
        blocker = superuser.transaction()
        await blocker.start()
        await superuser.execute("SELECT 1 FROM tenant WHERE slug = 'samarinda' FOR UPDATE")
        mutation = asyncio.create_task(api.client.post(
            "/graphql", json={"query": CREATE_ROLE, "variables": variables},
            headers={"authorization": f"Bearer {token}"}))
        from kinerja.core.db import APPLICATION_NAME

        for _ in range(100):
            waiting = await superuser.fetchval(
                "SELECT pid FROM pg_stat_activity WHERE application_name = $1 AND datname = current_database() "
                "AND wait_event = 'transactionid'", APPLICATION_NAME)
            if waiting:
                break
            await asyncio.sleep(0.05)
        assert waiting, "the mutation never waited for the tenant row"
        assert await superuser.fetchval("SELECT pg_terminate_backend($1)", waiting)
        response = await asyncio.wait_for(mutation, 5)
        await blocker.rollback()
    finally:
        await superuser.close()

    _assert_unavailable(response)
    names = (await api.ok(ROLES, token=token))["roles"]
    assert "in-flight" not in [r["name"] for r in names]
    retried = await api.ok(CREATE_ROLE, variables, token=token)
    assert retried["createRole"] == {"role": {"name": "in-flight"}, "userErrors": []}


# --- broken pooled connections ---------------------------------------------------------------------

def _codes(response: httpx.Response) -> tuple:
    try:
        body = response.json()
    except ValueError:
        return ("not JSON",)
    return tuple(e.get("extensions", {}).get("code") for e in body.get("errors") or [])


async def test_backends_killed_under_load_answer_200_or_503_never_internal(database, api, tmp_path):
    """Every app connection is terminated every 150 ms while 8 clients read and write: each answer is
    a success or 503 SERVICE_UNAVAILABLE, and every acknowledged write is stored."""
    token = await api.token("samarinda", "admin")
    seen: collections.Counter = collections.Counter()
    acknowledged: list[str] = []
    async with running_server(database, 1, tmp_path / "server.log", env={"KINERJA_DB_POOL_SIZE": "4"}) as base:
        async with httpx.AsyncClient(base_url=base, timeout=20, headers={"authorization": f"Bearer {token}"}) as c:
            stop = asyncio.Event()

            async def client(number: int) -> None:
                sent = 0
                while not stop.is_set():
                    sent += 1
                    name = f"kill{number}x{sent}"
                    if sent % 2:
                        response = await c.post("/graphql", json={"query": ROLES})
                    else:
                        response = await c.post("/graphql", json={"query": CREATE_ROLE, "variables": {
                            "i": {"name": name, "permissions": []}}})
                    codes = _codes(response)
                    seen[(response.status_code, codes)] += 1
                    if response.status_code == 503:
                        _assert_unavailable(response)
                    elif sent % 2 == 0 and response.status_code == 200 and not codes:
                        acknowledged.append(name)

            async def killer() -> int:
                killed = 0
                for _ in range(20):
                    killed += await _terminate_app_connections(database)
                    await asyncio.sleep(0.15)
                stop.set()
                return killed

            killed, *_ = await asyncio.gather(killer(), *[client(n) for n in range(8)])
            after = [await c.post("/graphql", json={"query": ROLES}) for _ in range(3)]
    print(f"\nkilled {killed} backends; answers: {dict(seen)}")
    assert killed >= 20
    assert set(seen) <= {(200, ()), (503, ("SERVICE_UNAVAILABLE",))}, seen
    assert seen[(200, ())] > 0
    assert [r.status_code for r in after] == [200, 200, 200]
    stored = {r["name"] for r in (await api.ok(ROLES, token=token))["roles"]}
    assert set(acknowledged) <= stored


class BreakableProxy:
    """A TCP proxy in front of PostgreSQL, in a thread of its own (the test's loop blocks while it
    stops the server). ``break_connections`` closes every current connection's server side but
    leaves its client side open and silent, so the client's pool still holds it as healthy; the
    client's next bytes on it are answered with a reset. That is a pooled connection whose server
    went away unnoticed, every time, unlike a race with the termination notice."""

    def __init__(self, target_port: int):
        self.target_port = target_port
        self.connections: list[dict] = []
        self.loop = asyncio.new_event_loop()
        self.thread = threading.Thread(target=self.loop.run_forever, daemon=True)

    def start(self) -> int:
        self.thread.start()
        self.server = asyncio.run_coroutine_threadsafe(
            asyncio.start_server(self._serve, "127.0.0.1", 0), self.loop).result(10)
        return self.server.sockets[0].getsockname()[1]

    async def _serve(self, reader, writer) -> None:
        up_reader, up_writer = await asyncio.open_connection("127.0.0.1", self.target_port)
        connection = {"broken": False, "client": writer, "server": up_writer}
        self.connections.append(connection)

        async def pump(source, sink, from_client: bool) -> None:
            try:
                while data := await source.read(65536):
                    if connection["broken"]:
                        if from_client:
                            writer.transport.abort()
                        return
                    sink.write(data)
                    await sink.drain()
            except (ConnectionError, OSError):
                pass
            if not connection["broken"]:
                sink.close()

        await asyncio.gather(pump(reader, up_writer, True), pump(up_reader, writer, False))

    def _break(self) -> int:
        live = [c for c in self.connections if not c["broken"]]
        for connection in live:
            connection["broken"] = True
            connection["server"].transport.abort()
        return len(live)

    def break_connections(self) -> int:
        return self._call(self._break)

    def _call(self, function):
        future = concurrent.futures.Future()

        def run() -> None:
            future.set_result(function())

        self.loop.call_soon_threadsafe(run)
        return future.result(10)

    def close(self) -> None:
        def stop() -> None:
            self.server.close()
            for connection in self.connections:
                connection["client"].transport.abort()
                connection["server"].transport.abort()
            self.loop.stop()

        self.loop.call_soon_threadsafe(stop)
        self.thread.join(10)


async def test_a_broken_pooled_connection_is_replaced_before_anything_is_sent(database, api, tmp_path):
    from urllib.parse import urlparse

    token = await api.token("samarinda", "admin")
    url = urlparse(database.database_url)
    proxy = BreakableProxy(url.port or 5432)
    port = proxy.start()
    settings = dataclasses.replace(database, database_url=url._replace(netloc=f"{url.username}@127.0.0.1:{port}").geturl())
    employee_list = (Path(__file__).parent.parent / "schema" / "operations" / "EmployeeList.graphql").read_text()
    log = tmp_path / "server.log"
    try:
        async with running_server(settings, 1, log, env={"KINERJA_DB_POOL_SIZE": "4"}) as base:
            async with httpx.AsyncClient(base_url=base, timeout=20, headers={"authorization": f"Bearer {token}"}) as c:
                warm = await asyncio.gather(*[c.post("/graphql", json={"query": ROLES}) for _ in range(6)])
                assert {r.status_code for r in warm} == {200}
                answers = []
                for round_ in range(3):
                    assert proxy.break_connections() >= 1
                    answers.append(await c.post("/graphql", json={"query": ROLES}))
                    answers.append(await c.post("/graphql", json={"query": employee_list,
                                                                  "variables": {"first": 5}}))  # compiled read
                    answers.append(await c.post("/graphql", json={"query": CREATE_ROLE, "variables": {
                        "i": {"name": f"fresh-{round_}", "permissions": []}}}))
    finally:
        proxy.close()
    assert [(r.status_code, _codes(r)) for r in answers] == [(200, ())] * 9, [r.text[:200] for r in answers]
    retries = log.read_text().count("retrying on a fresh one")
    print(f"\nbroken connections replaced before use: {retries}")
    assert retries >= 3
    stored = [r["name"] for r in (await api.ok(ROLES, token=token))["roles"]]
    assert sorted(n for n in stored if n.startswith("fresh-")) == ["fresh-0", "fresh-1", "fresh-2"]


# --- timeouts ----------------------------------------------------------------------------------------

@pytest.mark.parametrize(("request_seconds", "statement_seconds"), [(5, 1), (1, 5), (1, 1)],
                         ids=["statement timeout first", "request timeout first", "both at once"])
async def test_a_statement_timeout_racing_the_request_timeout_is_always_timeout(database, api, tmp_path,
                                                                                request_seconds, statement_seconds):
    """A table lock held elsewhere makes the operation wait until one of the two limits cuts it."""
    token = await api.token("samarinda", "admin")
    org_unit = (await api.ok("{ orgUnits { id } }", token=token))["orgUnits"][0]["id"]
    period = (await api.ok("{ periods(year: 2026) { id } }", token=token))["periods"][0]["id"]
    employee_list = (Path(__file__).parent.parent / "schema" / "operations" / "EmployeeList.graphql").read_text()
    env = {"KINERJA_REQUEST_TIMEOUT_SECONDS": str(request_seconds),
           "KINERJA_STATEMENT_TIMEOUT_SECONDS": str(statement_seconds)}
    superuser = await _superuser(_database_name(database))
    answers = {}
    try:
        async with running_server(database, 1, tmp_path / "server.log", env=env) as base:
            async with httpx.AsyncClient(base_url=base, timeout=30, headers={"authorization": f"Bearer {token}"}) as c:
                locker = superuser.transaction()
                await locker.start()
                await superuser.execute("LOCK TABLE role, employee IN ACCESS EXCLUSIVE MODE")
                answers["mutation"] = await c.post("/graphql", json={"query": CREATE_ROLE, "variables": {
                    "i": {"name": "never-stored", "permissions": []}}})
                answers["query"] = await c.post("/graphql", json={"query": ROLES})
                answers["compiled read"] = await c.post("/graphql", json={"query": employee_list,
                                                                          "variables": {"first": 5}})
                document = await c.get(f"/documents/units/{org_unit}/predicates.csv", params={"periodId": period})
                await locker.rollback()
                after = await c.post("/graphql", json={"query": ROLES})
    finally:
        await superuser.close()
    print(f"\n{request_seconds} s request / {statement_seconds} s statement: "
          + ", ".join(f"{k} {r.status_code} {_codes(r)}" for k, r in answers.items()) + f", document {document.status_code}")
    for what, response in answers.items():
        assert response.status_code == 503, (what, response.text)
        body = response.json()
        assert list(body) == ["errors"] and _codes(response) == ("TIMEOUT",), (what, body)
        assert body["errors"][0]["extensions"]["requestId"] == response.headers["x-request-id"]
        assert "retry-after" not in response.headers
    # Plain endpoints have no request time limit: the statement timeout cuts them.
    assert document.status_code == 503 and document.json()["code"] == "TIMEOUT", document.text
    assert after.status_code == 200 and "never-stored" not in {r["name"] for r in after.json()["data"]["roles"]}


# --- a read-only database, a full disk ---------------------------------------------------------------

SEED_ONE_TENANT = """
import asyncio, sys
from kinerja.cli import migrate
from kinerja.core.config import Settings
from kinerja.core.db import close_db, init_db
from kinerja.core.paths import tenants_dir
from kinerja.demo.seed import seed_demo

async def main():
    settings = Settings.from_env(mode="test", database_url=sys.argv[1], migration_database_url=sys.argv[2])
    await migrate(settings)
    await init_db(settings)
    await seed_demo([tenants_dir() / "nanggalo.toml"], log=lambda message: None)
    await close_db()

asyncio.run(main())
"""
LOGIN = ('mutation { login(input: {tenant: "nanggalo", username: "admin", password: "kinerja-demo"}) '
         '{ accessToken userErrors { code } } }')


@pytest.fixture(scope="module")
async def spare_database(database):
    """A second database with one seeded tenant (nanggalo), for faults that would disturb the session's."""
    from kinerja.core.dbadmin import create_database, on_database

    name = f"kinerja_fault_{os.getpid()}"
    app_url, owner_url = await create_database(ADMIN_URL, name, drop_existing=True)
    seeded = await asyncio.to_thread(subprocess.run, [sys.executable, "-c", SEED_ONE_TENANT, app_url, owner_url],
                                     capture_output=True, text=True)
    assert seeded.returncode == 0, seeded.stderr[-2000:]
    yield dataclasses.replace(database, database_url=app_url, migration_database_url=owner_url)
    import asyncpg

    conn = await asyncpg.connect(on_database(ADMIN_URL, "postgres"))
    try:
        await conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    finally:
        await conn.close()


async def _admin_execute(sql: str, database: str = "postgres") -> None:
    import asyncpg

    from kinerja.core.dbadmin import on_database

    conn = await asyncpg.connect(on_database(ADMIN_URL, database))
    try:
        await conn.execute(sql)
    finally:
        await conn.close()


async def test_a_read_only_database_answers_503_and_readyz_says_why(spare_database, tmp_path):
    name = _database_name(spare_database)
    async with running_server(spare_database, 1, tmp_path / "writable.log") as base:
        async with httpx.AsyncClient(base_url=base, timeout=20) as client:
            token = (await client.post("/graphql", json={"query": LOGIN})).json()["data"]["login"]["accessToken"]
    await _admin_execute(f'ALTER DATABASE "{name}" SET default_transaction_read_only = on')
    try:
        async with running_server(spare_database, 1, tmp_path / "read-only.log", ready_path="/healthz") as base:
            async with httpx.AsyncClient(base_url=base, timeout=20, headers={"authorization": f"Bearer {token}"}) as c:
                read = await c.post("/graphql", json={"query": ROLES})
                write = await c.post("/graphql", json={"query": CREATE_ROLE, "variables": {
                    "i": {"name": "on-a-standby", "permissions": []}}})
                login = await c.post("/graphql", json={"query": LOGIN})
                ready = await c.get("/readyz")
    finally:
        await _admin_execute(f'ALTER DATABASE "{name}" RESET default_transaction_read_only')
    print(f"\nread-only database: read {read.status_code}, write {write.status_code} {_codes(write)}, "
          f"login {login.status_code} {_codes(login)}, /readyz {ready.status_code} {ready.json()}")
    assert read.status_code == 200 and _codes(read) == ()
    for response in (write, login):
        _assert_unavailable(response)
    assert ready.status_code == 503 and ready.json()["database"] == "database read-only"


async def test_a_full_database_disk_answers_503_and_readyz_says_why(spare_database, tmp_path):
    name, tablespace = _database_name(spare_database), f"kinerja_tiny_{os.getpid()}"
    with tiny_filesystem(96 * 1024, owner="postgres") as disk:
        await _admin_execute(f"CREATE TABLESPACE {tablespace} LOCATION '{disk}'")
        try:
            await _admin_execute(f'ALTER DATABASE "{name}" SET TABLESPACE {tablespace}')
            async with running_server(spare_database, 1, tmp_path / "server.log", ready_path="/healthz") as base:
                async with httpx.AsyncClient(base_url=base, timeout=20) as client:
                    token = (await client.post("/graphql", json={"query": LOGIN})).json()["data"]["login"]["accessToken"]
                    client.headers["authorization"] = f"Bearer {token}"
                    filler = fill(disk)
                    # Writes land in free room of existing pages until a table must grow.
                    answers = []
                    for number in range(400):
                        answers.append(await client.post("/graphql", json={"query": CREATE_ROLE, "variables": {
                            "i": {"name": f"full-{number}", "permissions": []}}}))
                        if answers[-1].status_code != 200:
                            break
                    full = [answers[-1]] + [await client.post("/graphql", json={"query": CREATE_ROLE, "variables": {
                        "i": {"name": f"still-full-{n}", "permissions": []}}}) for n in range(2)]
                    ready_full = await client.get("/readyz")
                    filler.unlink()
                    after = await client.post("/graphql", json={"query": CREATE_ROLE, "variables": {
                        "i": {"name": "room-again", "permissions": []}}})
        finally:
            await _admin_execute(f'ALTER DATABASE "{name}" SET TABLESPACE pg_default')
            await _admin_execute(f"DROP TABLESPACE IF EXISTS {tablespace}")
    print(f"\nfull database disk: {len(answers) - 1} writes fitted in existing pages, then "
          f"{[(r.status_code, _codes(r)) for r in full]}; /readyz {ready_full.status_code} {ready_full.json()}; "
          f"space freed: {after.status_code} {_codes(after)}")
    assert all(r.status_code == 200 and _codes(r) == () for r in answers[:-1])
    for response in full:
        _assert_unavailable(response)
    assert ready_full.status_code == 503 and ready_full.json()["database"].startswith("database disk full")
    assert after.status_code == 200 and after.json()["data"]["createRole"]["userErrors"] == []
