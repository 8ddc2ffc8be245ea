"""/metrics through HTTP: who may read it, what it counts and with which labels, and the sum over the
worker processes of `kinerja serve`."""

from __future__ import annotations

import asyncio
import dataclasses
import json

import httpx
import pytest
import websockets
from conftest import BACKEND, DEMO_PASSWORD, running_server
from prometheus_client.parser import text_string_to_metric_families

from kinerja.core.paths import operations_dir

TOKEN = "metrics-token-for-the-tests"
SCRAPE = {"authorization": f"Bearer {TOKEN}"}
LOGIN = "mutation($i: LoginInput!) { login(input: $i) { accessToken userErrors { code } } }"
REQUESTS = "kinerja_request_duration_seconds"


def samples(text: str) -> dict[tuple, float]:
    """Every sample of a scrape, keyed by (name, sorted labels)."""
    return {(s.name, tuple(sorted(s.labels.items()))): s.value
            for family in text_string_to_metric_families(text) for s in family.samples}


def value(scrape: dict, name: str, **labels) -> float:
    return scrape.get((name, tuple(sorted(labels.items()))), 0.0)


def requests(scrape: dict, operation: str, status: str = "200", route: str = "/graphql", tenant: str = "") -> float:
    return value(scrape, f"{REQUESTS}_count", route=route, operation=operation, status=status, tenant=tenant)


@pytest.fixture
async def served(database):
    """An HTTP client on an app of its own (settings overridden), and a scrape of its /metrics."""
    from kinerja.app import create_app

    clients = []

    async def make(**overrides):
        app = create_app(dataclasses.replace(database, metrics_token=TOKEN, **overrides), manage_db=False)
        client = httpx.AsyncClient(transport=httpx.ASGITransport(app=app, client=("10.9.8.7", 1234)),
                                   base_url="http://test")
        clients.append(client)

        async def scrape() -> dict:
            response = await client.get("/metrics", headers=SCRAPE)
            assert response.status_code == 200, response.text
            assert response.headers["content-type"].startswith("text/plain; version=")
            return samples(response.text)

        return client, scrape

    yield make
    for client in clients:
        await client.aclose()


async def _token(client, tenant="bungo", username="pegawai") -> str:
    body = (await client.post("/graphql", json={"query": LOGIN, "variables": {
        "i": {"tenant": tenant, "username": username, "password": DEMO_PASSWORD}}})).json()
    return body["data"]["login"]["accessToken"]


async def test_metrics_are_off_without_a_token_and_need_it_when_set(client, served):
    assert (await client.get("/metrics")).status_code == 404  # the session's app has no token
    metered, _scrape = await served()
    assert (await metered.get("/metrics")).status_code == 401
    wrong = await metered.get("/metrics", headers={"authorization": "Bearer not-the-token-at-all"})
    assert wrong.status_code == 401 and wrong.headers["www-authenticate"] == "Bearer"
    answer = await metered.get("/metrics", headers=SCRAPE)
    assert answer.status_code == 200 and "kinerja_request_duration_seconds" in answer.text


async def test_requests_count_by_known_operation_and_status(served):
    client, scrape = await served()
    token = await _token(client)
    auth = {"authorization": f"Bearer {token}"}
    before = await scrape()
    for _ in range(2):
        assert (await client.post("/graphql", json={"query": "query MyOwnName123 { viewer { username } }"},
                                  headers=auth)).status_code == 200
    await _token(client)
    await client.post("/graphql", json={"query": "{ viewer { username } roles { name } }"}, headers=auth)
    await client.post("/graphql", json={"query": "{ nonsense }"}, headers=auth)
    await client.post("/graphql", json={"query": "query {"}, headers=auth)
    await client.post("/graphql", content=b"query=1", headers={"content-type": "text/plain"})
    await client.get("/no/such/page")
    after = await scrape()

    def delta(operation, status="200", route="/graphql"):
        return requests(after, operation, status, route) - requests(before, operation, status, route)

    assert delta("viewer") == 2 and delta("login") == 1
    assert delta("other") == 3  # several root fields, an unknown field, a syntax error
    assert delta("other", "415") == 1
    assert delta("", "404", route="other") == 1
    text = (await client.get("/metrics", headers=SCRAPE)).text
    assert "MyOwnName123" not in text and "nonsense" not in text and "no/such" not in text
    # Latency buckets of the same series.
    bucket = value(after, f"{REQUESTS}_bucket", route="/graphql", operation="viewer", status="200", tenant="",
                   le="+Inf") - value(before, f"{REQUESTS}_bucket", route="/graphql", operation="viewer",
                                      status="200", tenant="", le="+Inf")
    assert bucket == 2


async def test_trusted_documents_are_labelled_by_their_name(served):
    client, scrape = await served()
    token = await _token(client, username="atasan")
    document = (operations_dir() / "EmployeeList.graphql").read_text()
    before = await scrape()
    response = await client.post("/graphql", json={"query": document, "variables": {"first": 5}},
                                 headers={"authorization": f"Bearer {token}"})
    assert response.status_code == 200 and "errors" not in response.json(), response.text
    after = await scrape()
    assert requests(after, "EmployeeList") - requests(before, "EmployeeList") == 1


@pytest.mark.skipif(BACKEND != "postgres", reason="statements are counted on PostgreSQL connections")
async def test_statements_per_request_are_counted(served, count_statements):
    client, scrape = await served()
    token = await _token(client)
    before = await scrape()
    count_statements.statements.clear()
    response = await client.post("/graphql", json={"query": "{ viewer { username employee { name } } }"},
                                 headers={"authorization": f"Bearer {token}"})
    assert "errors" not in response.json()
    orm_statements = len(count_statements.statements)
    after = await scrape()
    labels = {"route": "/graphql", "operation": "viewer", "tenant": ""}
    assert value(after, "kinerja_request_statements_count", **labels) - value(
        before, "kinerja_request_statements_count", **labels) == 1
    sent = value(after, "kinerja_request_statements_sum", **labels) - value(
        before, "kinerja_request_statements_sum", **labels)
    # Every logged statement went over the wire; so did the COMMIT, which nothing logs.
    assert orm_statements >= 2 and sent >= orm_statements + 1


@pytest.mark.skipif(BACKEND != "postgres", reason="the pool gauges belong to the PostgreSQL pool")
async def test_pool_gauges_follow_the_connections_lent(served):
    from kinerja.core.db import connection

    _client, scrape = await served()
    idle = await scrape()
    assert value(idle, "kinerja_db_pool_connections_max") >= 1
    async with connection().acquire_connection():
        held = await scrape()
    released = await scrape()
    in_use = "kinerja_db_pool_connections_in_use"
    assert value(held, in_use) == value(idle, in_use) + 1
    assert value(released, in_use) == value(idle, in_use)
    assert value(released, "kinerja_db_pool_waiting") == 0


async def test_rate_limit_refusals_are_counted(served):
    off = {"rate_user_per_minute": 1, "rate_tenant_per_minute": 0, "rate_ip_per_minute": 0}
    client, scrape = await served(**off)
    token = await _token(client, username="kepala")
    before = await scrape()
    statuses = [(await client.post("/graphql", json={"query": "{ viewer { username } }"},
                                   headers={"authorization": f"Bearer {token}"})).status_code for _ in range(3)]
    after = await scrape()
    refused = statuses.count(429)
    assert refused >= 2  # one request per minute per user
    assert value(after, "kinerja_rate_limit_refusals_total", limit="request-user") - value(
        before, "kinerja_rate_limit_refusals_total", limit="request-user") == refused
    # A request refused before its document was read has no operation name.
    assert requests(after, "other", "429") - requests(before, "other", "429") == refused


async def test_tenant_label_only_when_configured(served):
    client, scrape = await served(metrics_tenant_label=True)
    token = await _token(client, tenant="samarinda")
    before = await scrape()
    await client.post("/graphql", json={"query": "{ viewer { username } }"}, headers={"authorization": f"Bearer {token}"})
    await _token(client, tenant="nanggalo")
    after = await scrape()
    assert requests(after, "viewer", tenant="samarinda") - requests(before, "viewer", tenant="samarinda") == 1
    assert requests(after, "login", tenant="nanggalo") - requests(before, "login", tenant="nanggalo") == 1


@pytest.mark.skipif(BACKEND != "postgres", reason="two workers share the test database over PostgreSQL")
async def test_every_worker_reports_the_sum_of_all_workers(database, tmp_path):
    pool_size = 3
    env = {"KINERJA_METRICS_TOKEN": TOKEN, "KINERJA_DB_POOL_SIZE": str(pool_size)}
    async with running_server(database, 2, tmp_path / "server.log", env=env) as base:
        async def call(query: str) -> int:
            async with httpx.AsyncClient(base_url=base) as fresh:  # a new connection: any worker
                return (await fresh.post("/graphql", json={"query": query})).status_code

        assert set(await asyncio.gather(*[call("{ __typename }") for _ in range(30)])) == {200}
        # `__typename` is answered without the database: a public read opens each worker's pool.
        assert set(await asyncio.gather(*[call('{ publicServices(tenant: "bungo") { name } }')
                                          for _ in range(30)])) == {200}
        async with httpx.AsyncClient(base_url=base) as client:
            login = (await client.post("/graphql", json={"query": LOGIN, "variables": {"i": {
                "tenant": "bungo", "username": "pegawai", "password": DEMO_PASSWORD}}})).json()
        url = base.replace("http://", "ws://") + "/graphql"
        async with websockets.connect(url, subprotocols=["graphql-transport-ws"]) as ws:
            await ws.send(json.dumps({"type": "connection_init",
                                      "payload": {"Authorization": f"Bearer {login['data']['login']['accessToken']}"}}))
            assert json.loads(await ws.recv())["type"] == "connection_ack"
            open_scrapes = [await _scrape(base) for _ in range(6)]
        # The worker notices the closed socket a moment later (longer on a loaded machine).
        for _ in range(100):
            if value(await _scrape(base), "kinerja_websocket_connections") == 0:
                break
            await asyncio.sleep(0.1)
        closed_scrapes = [await _scrape(base) for _ in range(6)]
    for scrape in open_scrapes + closed_scrapes:
        # Both workers' pools, whichever worker answered the scrape.
        assert value(scrape, "kinerja_db_pool_connections_max") == 2 * pool_size
        assert requests(scrape, "__typename") == 30
    assert {value(s, "kinerja_websocket_connections") for s in open_scrapes} == {1}
    assert {value(s, "kinerja_websocket_connections") for s in closed_scrapes} == {0}


async def _scrape(base: str) -> dict:
    async with httpx.AsyncClient(base_url=base) as fresh:
        response = await fresh.get("/metrics", headers=SCRAPE)
        assert response.status_code == 200, response.text
        return samples(response.text)
