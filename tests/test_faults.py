"""The service when the database goes away: fast 503 SERVICE_UNAVAILABLE with Retry-After, /readyz 503
within a bound, recovery once connections come back, and nothing acknowledged that is not committed."""

from __future__ import annotations

import asyncio
import dataclasses
import socket
import time
import uuid

import httpx
import pytest
from conftest import ADMIN_URL, BACKEND, _free_port, running_server

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
        # A signed-in caller: a read needs the database for the caller's policy and rows.
        token, _ = issue_access_token(settings.secret_key, uuid.uuid4(), uuid.uuid4(), 5)
        async with running_server(settings, 1, tmp_path / "server.log", ready_path="/healthz", env=env) as base:
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
    assert statuses.count(503) <= 1, statuses  # a closed connection is dropped, not handed out again


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
