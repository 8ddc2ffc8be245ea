"""Policy changes reach every worker process: two uvicorn workers, a revoke, and a lost listener."""

from __future__ import annotations

import asyncio

import httpx
import pytest
from conftest import ADMIN_URL, BACKEND, DEMO_PASSWORD, running_server

pytestmark = pytest.mark.skipif(BACKEND != "postgres", reason="cross-process propagation uses PostgreSQL NOTIFY")


@pytest.fixture
async def two_workers(database, tmp_path):
    async with running_server(database, 2, tmp_path / "server.log") as base:
        yield base


async def _post(base, query, variables=None, token=None):
    # A fresh connection per request, so the kernel spreads them over both workers.
    async with httpx.AsyncClient(base_url=base) as client:
        headers = {"authorization": f"Bearer {token}"} if token else {}
        response = await client.post("/graphql", json={"query": query, "variables": variables or {}},
                                     headers=headers)
        return response.json()


async def _login(base, tenant, username):
    body = await _post(base, "mutation($i: LoginInput!) { login(input: $i) { accessToken } }",
                       {"i": {"tenant": tenant, "username": username, "password": DEMO_PASSWORD}})
    return body["data"]["login"]["accessToken"]


async def _codes(base, token, rounds=40):
    answers = await asyncio.gather(*[_post(base, "{ roles { name } }", token=token) for _ in range(rounds)])
    return {(a.get("errors") or [{"extensions": {"code": "OK"}}])[0]["extensions"]["code"] for a in answers}


async def _assign(base, admin, user_id, role, verb="assignRole"):
    body = await _post(base, f"mutation($i: RoleAssignmentInput!) {{ {verb}(input: $i) {{ userErrors {{ code }} }} }}",
                       {"i": {"userId": user_id, "role": role}}, admin)
    assert body["data"][verb]["userErrors"] == [], body


async def test_revoke_reaches_every_worker_within_a_second(two_workers):
    base = two_workers
    admin = await _login(base, "samarinda", "admin")
    user = await _login(base, "samarinda", "kepala")
    created = await _post(base, 'mutation { createRole(input: {name: "auditor", permissions: ["role:read:tenant"]}) '
                                "{ userErrors { code } } }", token=admin)
    assert created["data"]["createRole"]["userErrors"] == []
    users = await _post(base, '{ users(filter: {search: "kepala"}) { nodes { id username } } }', token=admin)
    user_id = next(u["id"] for u in users["data"]["users"]["nodes"] if u["username"] == "kepala")

    assert await _codes(base, user) == {"FORBIDDEN"}  # every worker caches the policy without the grant
    await _assign(base, admin, user_id, "auditor")
    await asyncio.sleep(1.0)
    assert await _codes(base, user) == {"OK"}

    await _assign(base, admin, user_id, "auditor", verb="revokeRole")
    await asyncio.sleep(1.0)
    assert await _codes(base, user) == {"FORBIDDEN"}


async def test_listener_reconnects_and_reloads_after_losing_its_connection(two_workers):
    import asyncpg

    from kinerja.core.listener import LISTENER_NAME

    base = two_workers
    admin = await _login(base, "samarinda", "admin")
    user = await _login(base, "samarinda", "bkpsdm")
    await _post(base, 'mutation { createRole(input: {name: "pembaca", permissions: ["role:read:tenant"]}) '
                      "{ userErrors { code } } }", token=admin)
    users = await _post(base, '{ users(filter: {search: "bkpsdm"}) { nodes { id username } } }', token=admin)
    user_id = next(u["id"] for u in users["data"]["users"]["nodes"] if u["username"] == "bkpsdm")
    assert await _codes(base, user) == {"FORBIDDEN"}

    superuser = await asyncpg.connect(ADMIN_URL.replace("postgres://", "postgresql://", 1))
    try:
        killed = await superuser.fetchval(
            "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity WHERE application_name = $1",
            LISTENER_NAME)
    finally:
        await superuser.close()
    assert killed >= 2  # one listener per worker (other test servers may be listening too)
    await asyncio.sleep(1.0)  # reconnected
    await _assign(base, admin, user_id, "pembaca")
    await asyncio.sleep(1.0)
    assert await _codes(base, user) == {"OK"}
