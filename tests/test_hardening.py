"""HTTP hardening: query cost and directive limits, no schema hints in production, the operation time
limit, JSON-only transport, security headers, CORS by tenant (HTTP and websockets)."""

from __future__ import annotations

import asyncio
import dataclasses
import json
from pathlib import Path

import httpx
import pytest
import websockets
from conftest import BACKEND, DEMO_PASSWORD, error_codes, running_server
from graphql import parse

from kinerja.api.schema import schema
from kinerja.app import create_app
from kinerja.core.config import LOCAL_ORIGINS
from kinerja.graph.limits import MAX_DIRECTIVES, query_cost

ROOT = Path(__file__).parent.parent
WORKLOADS = sorted([*(ROOT / "bench" / "workloads").glob("*.graphql"), *(ROOT / "schema" / "operations").glob("*.graphql")])
BUNGO = "https://kinerja.bungo.go.id"  # tenants/bungo.toml allowed_origins
EVIL = "https://kinerja-bungo.example.net"
DEEP_PLANS = ("query($n: Int) { performancePlans(first: $n) { nodes { results { indicators { realisations "
              "{ evidence { fileName sha256 downloadPath } } } } } } }")


def _app(database, **overrides):
    return create_app(dataclasses.replace(database, **overrides), manage_db=False)


@pytest.fixture
async def production(database):
    """A client of the app configured as production mode configures it."""
    app = _app(database, mode="production", introspection=False, graphiql=False, cors_origins=())
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://test") as client:
        yield client


async def _gql(client, query, variables=None, token=None, origin=None):
    headers = {}
    if token:
        headers["authorization"] = f"Bearer {token}"
    if origin:
        headers["origin"] = origin
    return await client.post("/graphql", json={"query": query, "variables": variables or {}}, headers=headers)


# --- query cost and directives -------------------------------------------------------------------

async def test_a_too_costly_document_is_refused_before_anything_runs(api, count_statements):
    token = await api.token("bungo", "admin")
    count_statements.statements.clear()
    body = await api.post(DEEP_PLANS, {"n": 100}, token)
    assert error_codes(body) == ["QUERY_TOO_COMPLEX"] and body["data"] is None
    error = body["errors"][0]
    assert error["extensions"]["cost"] > error["extensions"]["maxCost"]
    assert str(error["extensions"]["cost"]) in error["message"]
    assert count_statements.statements == []  # no transaction opened, no resolver ran
    # The same document with a small page is cheap enough, and runs.
    assert "errors" not in await api.post(DEEP_PLANS, {"n": 2}, token)


async def test_aliases_multiply_cost_too(api):
    token = await api.token("bungo", "admin")
    page = "p%d: performancePlans(first: 100) { nodes { results { indicators { id description } } } }"
    body = await api.post("{ " + " ".join(page % i for i in range(20)) + " }", token=token)
    assert error_codes(body) == ["QUERY_TOO_COMPLEX"]


@pytest.mark.parametrize("path", WORKLOADS, ids=lambda p: p.stem)
async def test_benchmark_workloads_are_within_the_limits(api, database, path):
    document = path.read_text()
    variables = {"first": 100, "id": "x", "periodId": "x", "input": {}}
    assert query_cost(schema._schema, parse(document), None, variables) <= database.max_query_cost
    body = await api.post(document, variables, await api.token("bungo", "admin"))
    assert "QUERY_TOO_COMPLEX" not in error_codes(body)
    assert not any("depth" in e["message"] or "aliases" in e["message"] for e in body.get("errors", []))


async def test_too_many_directives_are_refused_with_one_error(api):
    token = await api.token("bungo", "admin")
    fields = " ".join(f"f{i}: id @include(if: true)" for i in range(MAX_DIRECTIVES + 1))
    body = await api.post("{ viewer { " + fields + " } }", token=token)
    assert error_codes(body) == ["QUERY_TOO_COMPLEX"] and "directives" in body["errors"][0]["message"]
    fields = " ".join(f"f{i}: id @include(if: true)" for i in range(MAX_DIRECTIVES))
    assert "errors" not in await api.post("{ viewer { " + fields + " } }", token=token)


async def test_a_directive_repeated_on_one_location_is_refused(api):
    token = await api.token("bungo", "admin")
    body = await api.post("{ viewer { id " + "@skip(if: false) " * 5 + "} }", token=token)
    assert error_codes(body) == ["BAD_USER_INPUT"] and "@skip" in body["errors"][0]["message"]


# --- no schema hints in production ---------------------------------------------------------------

async def test_production_errors_suggest_no_names(api, production):
    typo = "{ viewr { id } }"
    shown = await api.post(typo)
    assert "Did you mean" in shown["errors"][0]["message"]  # test mode: introspection, hints on
    body = (await _gql(production, typo)).json()
    assert error_codes(body) == ["BAD_USER_INPUT"]
    assert "viewr" in body["errors"][0]["message"] and "Did you mean" not in body["errors"][0]["message"]
    login = await api.token("bungo", "admin")
    enum_typo = "query($s: PlanStatus) { performancePlans(filter: {status: $s}) { totalCount } }"
    body = (await _gql(production, enum_typo, {"s": "APROVED"}, token=login)).json()
    assert body["errors"] and not any("Did you mean" in e["message"] for e in body["errors"])
    assert "Did you mean" in (await api.post(enum_typo, {"s": "APROVED"}, login))["errors"][0]["message"]


# --- time limit ----------------------------------------------------------------------------------

async def test_a_slow_operation_times_out_and_keeps_nothing(api, database, monkeypatch):
    from kinerja.auth import roles
    from kinerja.core.db import connection

    original = roles.create_role

    async def slow_create_role(*args, **kwargs):
        view = await original(*args, **kwargs)  # written inside the operation's transaction
        if BACKEND == "postgres":
            await connection().execute_query("SELECT pg_sleep(5)")
        else:
            await asyncio.sleep(5)
        return view

    monkeypatch.setattr(roles, "create_role", slow_create_role)
    app = _app(database, request_timeout_seconds=0.5)
    token = await api.token("samarinda", "admin")
    create = 'mutation { createRole(input: {name: "lambat", permissions: []}) { userErrors { code } } }'
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://test") as client:
        response = await _gql(client, create, token=token)
        assert response.status_code == 503, response.text
        body = response.json()
        assert error_codes(body) == ["TIMEOUT"] and body["errors"][0]["extensions"]["requestId"]
        # The connection went back to the pool usable; the role was rolled back.
        names = (await _gql(client, "{ roles { name } }", token=token)).json()["data"]["roles"]
    assert "lambat" not in {r["name"] for r in names}


async def test_a_slow_trusted_document_times_out_too(api, database, monkeypatch):
    from kinerja.graph.compiler.runtime import Compiler

    run = Compiler.run_text  # every compiled statement goes through it

    async def slow_run(self, *args, **kwargs):
        await asyncio.sleep(5)
        return await run(self, *args, **kwargs)

    monkeypatch.setattr(Compiler, "run_text", slow_run)
    app = _app(database, request_timeout_seconds=0.3)
    document = (Path(__file__).parent.parent / "schema" / "operations" / "EmployeeList.graphql").read_text()
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://test") as client:
        response = await _gql(client, document, {"first": 5}, token=await api.token("bungo", "admin"))
    assert response.status_code == 503 and error_codes(response.json()) == ["TIMEOUT"]


@pytest.mark.skipif(BACKEND != "postgres", reason="statement_timeout is a PostgreSQL setting")
async def test_the_serving_connections_carry_a_statement_timeout(database):
    import asyncpg

    from kinerja.core.db import tortoise_config

    settings = dataclasses.replace(database, request_timeout_seconds=7)
    credentials = dict(tortoise_config(settings, statement_timeout=True)["connections"]["default"]["credentials"])
    for pool_only in ("minsize", "maxsize", "acquire_timeout", "reset"):
        credentials.pop(pool_only)
    conn = await asyncpg.connect(**credentials)
    try:
        assert await conn.fetchval("SHOW statement_timeout") == "7s"
    finally:
        await conn.close()
    owner = tortoise_config(settings, owner=True, statement_timeout=True)["connections"]["default"]["credentials"]
    assert "statement_timeout" not in owner["server_settings"]  # migrations are not cut short


# --- transport -----------------------------------------------------------------------------------

@pytest.mark.parametrize("content_type, body", [
    ("application/x-www-form-urlencoded", "query=%7B+viewer+%7B+id+%7D+%7D"),
    ("multipart/form-data; boundary=x", '--x\r\nContent-Disposition: form-data; name="query"\r\n\r\n{ viewer { id } }\r\n--x--'),
    ("text/plain", '{"query": "{ viewer { id } }"}'),
    (None, '{"query": "{ viewer { id } }"}'),
])
async def test_operations_only_travel_as_json(client, content_type, body):
    headers = {"content-type": content_type} if content_type else {}
    response = await client.post("/graphql", content=body.encode(), headers=headers)
    assert response.status_code == 415
    assert error_codes(response.json()) == ["UNSUPPORTED_MEDIA_TYPE"]


async def test_malformed_json_answers_a_json_error(client):
    response = await client.post("/graphql", content=b'{"query": ', headers={"content-type": "application/json"})
    assert response.status_code == 400 and error_codes(response.json()) == ["BAD_USER_INPUT"]


async def test_json_with_the_graphql_response_type_is_accepted(client):
    response = await client.post("/graphql", content=b'{"query": "{ __typename }"}',
                                 headers={"content-type": "application/json; charset=utf-8",
                                          "accept": "application/graphql-response+json"})
    assert response.status_code == 200 and response.json()["data"] == {"__typename": "Query"}


async def test_get_serves_graphiql_only_where_enabled(database, production):
    for accept in ("text/html", "application/json"):
        response = await production.get("/graphql?query=%7B__typename%7D", headers={"accept": accept})
        assert response.status_code == 405 and "graphiql" not in response.text.lower()
        assert response.json()["errors"][0]["extensions"]["code"] == "METHOD_NOT_ALLOWED"
    app = _app(database, graphiql=True)
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://test") as demo:
        page = await demo.get("/graphql", headers={"accept": "text/html"})
        assert page.status_code == 200 and "graphiql" in page.text.lower()
        policy = page.headers["content-security-policy"]
        assert "http" not in policy and "script-src 'self';" in policy and "frame-ancestors 'none'" in policy
        query = await demo.get("/graphql?query=%7B__typename%7D", headers={"accept": "application/json"})
        assert query.status_code == 405
        # The IDE's files come from the package, served by the app itself.
        script = await demo.get("/static/graphiql/graphiql.min.js")
        assert script.status_code == 200 and script.headers["content-type"].startswith("text/javascript")
        assert (await demo.get("/static/graphiql/../view.py")).status_code == 404
    for path in ("/static/graphiql/index.html", "/static/graphiql/graphiql.min.js"):
        assert (await production.get(path)).status_code == 404


# --- security headers ----------------------------------------------------------------------------

async def test_security_headers_on_every_response(client, production, database):
    for response in (await client.post("/graphql", json={"query": "{ __typename }"}),
                     await client.get("/healthz"),
                     await client.post("/graphql", content=b"x", headers={"content-type": "text/plain"}),
                     await client.get("/evidence/nothing-here")):
        assert response.headers["x-content-type-options"] == "nosniff"
        assert response.headers["referrer-policy"] == "no-referrer"
        assert response.headers["x-frame-options"] == "DENY"
        assert response.headers["content-security-policy"] == "default-src 'none'; frame-ancestors 'none'"
        assert response.headers["cache-control"] == "no-store"
        assert "strict-transport-security" not in response.headers
    download = await client.get("/documents/units/x/predicates.csv")
    assert download.headers["cross-origin-resource-policy"] == "same-origin"
    assert "cross-origin-resource-policy" not in (await client.get("/healthz")).headers
    app = _app(database, hsts=True)
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://test") as https:
        hsts = (await https.get("/healthz")).headers["strict-transport-security"]
    assert hsts.startswith("max-age=31536000")


# --- CORS by tenant ------------------------------------------------------------------------------

def _preflight(origin):
    return {"origin": origin, "access-control-request-method": "POST",
            "access-control-request-headers": "authorization, content-type"}


async def test_preflight_is_answered_for_known_origins_only(production):
    allowed = await production.options("/graphql", headers=_preflight(BUNGO))
    assert allowed.status_code == 204
    assert allowed.headers["access-control-allow-origin"] == BUNGO
    assert "Authorization" in allowed.headers["access-control-allow-headers"]
    assert "POST" in allowed.headers["access-control-allow-methods"]
    assert int(allowed.headers["access-control-max-age"]) > 0
    assert "access-control-allow-credentials" not in allowed.headers
    refused = await production.options("/graphql", headers=_preflight(EVIL))
    assert refused.status_code == 403 and "access-control-allow-origin" not in refused.headers
    local = await production.options("/graphql", headers=_preflight(LOCAL_ORIGINS[0]))
    assert local.status_code == 403  # localhost is allowed in demo and test mode only


async def test_a_token_is_served_only_from_its_own_tenants_origins(api, production):
    bungo = await api.token("bungo", "admin")
    tangsel = await api.token("tangerang-selatan", "admin")
    own = await _gql(production, "{ viewer { id } }", token=bungo, origin=BUNGO)
    assert own.status_code == 200 and own.headers["access-control-allow-origin"] == BUNGO
    assert "errors" not in own.json()
    foreign = await _gql(production, "{ viewer { id } }", token=tangsel, origin=BUNGO)
    assert foreign.status_code == 403 and "access-control-allow-origin" not in foreign.headers
    assert error_codes(foreign.json()) == ["FORBIDDEN"]
    unknown = await _gql(production, "{ __typename }", origin=EVIL)
    assert unknown.status_code == 403 and "access-control-allow-origin" not in unknown.headers
    # Servers and curl send no Origin: unaffected.
    assert (await _gql(production, "{ viewer { id } }", token=tangsel)).json()["data"]["viewer"]["id"]


async def test_operations_naming_a_tenant_check_that_tenants_origins(production):
    login = ("mutation($i: LoginInput!) { login(input: $i) { accessToken userErrors { code } } }")
    credentials = {"tenant": "bungo", "username": "admin", "password": DEMO_PASSWORD}
    own = await _gql(production, login, {"i": credentials}, origin=BUNGO)
    assert own.status_code == 200 and own.headers["access-control-allow-origin"] == BUNGO
    assert own.json()["data"]["login"]["accessToken"]
    other = await _gql(production, login, {"i": {**credentials, "tenant": "samarinda"}}, origin=BUNGO)
    assert other.status_code == 403 and "access-control-allow-origin" not in other.headers
    assert other.json()["data"]["login"]["accessToken"] is None
    public = "query($t: String!) { publicServices(tenant: $t) { name } }"
    assert (await _gql(production, public, {"t": "bungo"}, origin=BUNGO)).status_code == 200
    refused = await _gql(production, public, {"t": "nanggalo"}, origin=BUNGO)
    assert refused.status_code == 403 and error_codes(refused.json()) == ["FORBIDDEN"]
    assert "access-control-allow-origin" not in refused.headers


async def test_deployment_wide_origins_serve_every_tenant(api, database):
    app = _app(database, mode="production", cors_origins=("https://portal.kinerja.example",))
    token = await api.token("samarinda", "pegawai")
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://test") as client:
        response = await _gql(client, "{ viewer { id } }", token=token, origin="https://portal.kinerja.example")
    assert response.status_code == 200
    assert response.headers["access-control-allow-origin"] == "https://portal.kinerja.example"


async def test_the_apis_own_host_is_not_cross_origin(api, production):
    token = await api.token("samarinda", "pegawai")
    response = await _gql(production, "{ viewer { id } }", token=token, origin="http://test")
    assert response.status_code == 200 and "access-control-allow-origin" not in response.headers


async def test_applying_a_tenant_file_updates_the_origins_at_once(production, tmp_path):
    from kinerja.provisioning.apply import apply_spec
    from kinerja.tenancy.spec import load_tenant_file

    origin = "https://kinerja.kotacors.go.id"
    assert (await production.options("/graphql", headers=_preflight(origin))).status_code == 403
    path = tmp_path / "kota-cors.toml"
    path.write_text(f'slug = "kota-cors"\nname = "Kota Cors"\nkind = "KOTA"\n\n[settings]\n'
                    f'allowed_origins = ["{origin}"]\n', encoding="utf-8")
    await apply_spec(load_tenant_file(path))
    allowed = await production.options("/graphql", headers=_preflight(origin))
    assert allowed.status_code == 204 and allowed.headers["access-control-allow-origin"] == origin


async def test_the_demo_serves_local_frontends_on_any_port(api, database):
    """A Vite page on :5173 (or any port) of localhost or 127.0.0.1 may call the demo; production
    keeps its rules, and look-alike hosts are never local."""
    token = await api.token("bungo", "pegawai")
    demo = _app(database, mode="demo", cors_origins=())
    production = _app(database, mode="production", cors_origins=())
    local = ("http://localhost:5173", "http://127.0.0.1:3000", "https://localhost:8443", "http://localhost")
    impostors = ("http://localhost.evil.example:5173", "http://127.0.0.1.nip.io:5173", "http://10.0.0.1:5173")
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=demo), base_url="http://test") as client:
        for origin in local:
            preflight = await client.options("/graphql", headers=_preflight(origin))
            assert preflight.status_code == 204 and preflight.headers["access-control-allow-origin"] == origin
            answer = await _gql(client, "{ viewer { id } }", token=token, origin=origin)
            assert answer.status_code == 200 and answer.headers["access-control-allow-origin"] == origin
            assert answer.json()["data"]["viewer"]["id"]
        for origin in impostors:
            assert (await client.options("/graphql", headers=_preflight(origin))).status_code == 403
            assert (await _gql(client, "{ viewer { id } }", token=token, origin=origin)).status_code == 403
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=production), base_url="http://test") as client:
        for origin in local:
            assert (await client.options("/graphql", headers=_preflight(origin))).status_code == 403
            refused = await _gql(client, "{ viewer { id } }", token=token, origin=origin)
            assert refused.status_code == 403 and "access-control-allow-origin" not in refused.headers


def test_deployment_origins_are_checked_at_start(monkeypatch):
    from kinerja.core.config import ConfigError, Settings

    secret = "s" * 40
    monkeypatch.setenv("KINERJA_CORS_ORIGINS", "https://portal.kinerja.example, https://app.kinerja.example:8443")
    settings = Settings.from_env(mode="production", secret_key=secret)
    assert settings.cors_origins == ("https://portal.kinerja.example", "https://app.kinerja.example:8443")
    assert Settings.from_env(mode="demo", secret_key=secret).cors_origins[-2:] == LOCAL_ORIGINS
    for bad in ("*", "https://portal.kinerja.example/", "portal.kinerja.example"):
        monkeypatch.setenv("KINERJA_CORS_ORIGINS", bad)
        with pytest.raises(ConfigError, match="KINERJA_CORS_ORIGINS"):
            Settings.from_env(mode="production", secret_key=secret)


def test_allowed_origins_in_tenant_files_are_checked(tmp_path):
    from kinerja.tenancy.spec import SpecError, load_tenant_file

    for bad in ('["https://kinerja.example.go.id/app"]', '["*"]', '["https://*.example.go.id"]',
                '"https://kinerja.example.go.id"', '["ftp://kinerja.example.go.id"]'):
        path = tmp_path / "kota-uji.toml"
        path.write_text(f'slug = "kota-uji"\nname = "Kota Uji"\nkind = "KOTA"\n\n[settings]\n'
                        f'period_scheme = "QUARTERLY"\nallowed_origins = {bad}\n', encoding="utf-8")
        with pytest.raises(SpecError) as failed:
            load_tenant_file(path)
        assert str(failed.value).startswith(f"{path}:7: settings.allowed_origins: ")
    path.write_text('slug = "kota-uji"\nname = "Kota Uji"\nkind = "KOTA"\n\n[settings]\n'
                    'allowed_origins = ["https://kinerja.kotauji.go.id", "http://127.0.0.1:8080"]\n')
    assert load_tenant_file(path).settings.allowed_origins == ("https://kinerja.kotauji.go.id",
                                                               "http://127.0.0.1:8080")


# --- websockets ----------------------------------------------------------------------------------

@pytest.fixture(scope="module")
async def server(database, tmp_path_factory):
    async with running_server(database, 1, tmp_path_factory.mktemp("ws") / "server.log") as base:
        yield base


async def _login(base, tenant, username):
    async with httpx.AsyncClient(base_url=base) as client:
        body = (await client.post("/graphql", json={
            "query": "mutation($i: LoginInput!) { login(input: $i) { accessToken } }",
            "variables": {"i": {"tenant": tenant, "username": username, "password": DEMO_PASSWORD}}})).json()
    return body["data"]["login"]["accessToken"]


async def _init(base, token, origin):
    url = base.replace("http://", "ws://") + "/graphql"
    ws = await websockets.connect(url, subprotocols=["graphql-transport-ws"], origin=origin)
    await ws.send(json.dumps({"type": "connection_init", "payload": {"Authorization": f"Bearer {token}"}}))
    return ws


async def test_websocket_origins_follow_the_same_rules(server):
    bungo = await _login(server, "bungo", "pegawai")
    tangsel = await _login(server, "tangerang-selatan", "pegawai")
    with pytest.raises(websockets.InvalidStatus) as refused:
        await _init(server, bungo, EVIL)
    assert refused.value.response.status_code == 403
    ws = await _init(server, bungo, BUNGO)
    try:
        assert json.loads(await asyncio.wait_for(ws.recv(), 5))["type"] == "connection_ack"
    finally:
        await ws.close()
    ws = await _init(server, tangsel, BUNGO)  # a known origin, but not this tenant's
    try:
        with pytest.raises(websockets.ConnectionClosed) as closed:
            await asyncio.wait_for(ws.recv(), 5)
        assert closed.value.rcvd.code == 4403
    finally:
        await ws.close()
