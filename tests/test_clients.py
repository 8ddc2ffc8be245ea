"""Standard clients against a real server, as a frontend team would use them: graphql-ws (npm, the
client of Apollo, urql and GraphiQL) and Python's gql over graphql-transport-ws, and graphql-http's
GraphQL-over-HTTP audit. The npm packages are pinned in tests/clients/package-lock.json."""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import subprocess

import httpx
import pytest
from conftest import DEMO_PASSWORD, running_server

PLAN_EVENTS = "subscription($p: ID!) { planEvents(planId: $p) { kind planId subjectId } }"


@pytest.fixture(scope="module")
async def server(database, tmp_path_factory):
    async with running_server(database, 1, tmp_path_factory.mktemp("clients") / "server.log") as base:
        yield base


async def _post(base, query, variables=None, token=None):
    async with httpx.AsyncClient(base_url=base) as client:
        headers = {"authorization": f"Bearer {token}"} if token else {}
        response = await client.post("/graphql", json={"query": query, "variables": variables or {}}, headers=headers)
        return response.json()


async def _login(base, tenant, username):
    body = await _post(base, "mutation($i: LoginInput!) { login(input: $i) { accessToken } }",
                       {"i": {"tenant": tenant, "username": username, "password": DEMO_PASSWORD}})
    return body["data"]["login"]["accessToken"]


async def _plan_and_tokens(base, tenant="bungo"):
    pegawai = await _login(base, tenant, "pegawai")
    atasan = await _login(base, tenant, "atasan")
    body = await _post(base, "{ performancePlans(filter: {status: APPROVED}) { nodes { id } } }", token=pegawai)
    return body["data"]["performancePlans"]["nodes"][0]["id"], pegawai, atasan


async def _feedback_until(base, atasan, plan_id, arrived: asyncio.Future) -> str:
    """Give feedback until the subscriber has its event (a subscription is registered a moment after
    the client sends it, and the protocol does not say when): the event's feedback id."""
    given = []
    for attempt in range(5):
        body = await _post(base, "mutation($i: GiveFeedbackInput!) { giveFeedback(input: $i) { feedback { id } "
                                 "userErrors { code } } }", {"i": {"planId": plan_id, "body": f"Umpan balik {attempt}"}},
                           atasan)
        assert body["data"]["giveFeedback"]["userErrors"] == [], body
        given.append(body["data"]["giveFeedback"]["feedback"]["id"])
        try:
            event = await asyncio.wait_for(asyncio.shield(arrived), 3)
        except TimeoutError:
            continue
        assert event["planEvents"]["subjectId"] in given
        return event["planEvents"]["subjectId"]
    raise AssertionError("no event reached the subscriber")


# --- graphql-ws (npm) ----------------------------------------------------------------------------

async def _graphql_ws(node_clients, url, token, query, variables):
    spec = json.dumps({"url": url, "token": token, "query": query, "variables": variables})
    return await asyncio.create_subprocess_exec("node", str(node_clients / "subscribe.mjs"), spec,
                                                stdout=subprocess.PIPE, stderr=subprocess.PIPE)


async def _events(process):
    while line := await asyncio.wait_for(process.stdout.readline(), 40):
        yield json.loads(line)


async def test_graphql_ws_receives_a_live_event_after_a_mutation(server, node_clients):
    plan_id, pegawai, atasan = await _plan_and_tokens(server)
    process = await _graphql_ws(node_clients, server.replace("http", "ws") + "/graphql", pegawai, PLAN_EVENTS,
                                {"p": plan_id})
    events = _events(process)
    try:
        first = await anext(events)
        assert first == {"event": "connected"}, (first, await process.stderr.read())
        arrived = asyncio.get_running_loop().create_future()

        async def read_next():
            async for event in events:
                if event["event"] == "next":
                    arrived.set_result(event["payload"]["data"])
                    return
                raise AssertionError(event)

        reader = asyncio.create_task(read_next())
        subject = await _feedback_until(server, atasan, plan_id, arrived)
        await reader
        assert arrived.result()["planEvents"] == {"kind": "FEEDBACK_GIVEN", "planId": plan_id, "subjectId": subject}
    finally:
        if process.returncode is None:
            with contextlib.suppress(ProcessLookupError):
                process.kill()
            await process.wait()


async def test_graphql_ws_is_refused_with_a_bad_token(server, node_clients):
    plan_id, pegawai, _ = await _plan_and_tokens(server)
    forged = pegawai[:-4] + ("AAAA" if not pegawai.endswith("AAAA") else "BBBB")
    process = await _graphql_ws(node_clients, server.replace("http", "ws") + "/graphql", forged, PLAN_EVENTS,
                                {"p": plan_id})
    try:
        events = [event async for event in _events(process)]
    finally:
        if process.returncode is None:
            with contextlib.suppress(ProcessLookupError):
                process.kill()
        await process.wait()
    assert {"event": "connected"} not in events
    closed = [e for e in events if e["event"] == "closed"]
    assert closed and closed[0]["code"] == 4403, events
    assert [e["event"] for e in events][-1] == "error"  # the subscription failed with the refusal


# --- gql (Python) --------------------------------------------------------------------------------

def _gql_client(server, token):
    from gql import Client
    from gql.transport.websockets import WebsocketsTransport

    transport = WebsocketsTransport(url=server.replace("http", "ws") + "/graphql",
                                    init_payload={"Authorization": f"Bearer {token}"},
                                    subprotocols=[WebsocketsTransport.GRAPHQLWS_SUBPROTOCOL])
    return Client(transport=transport)


async def test_gql_receives_a_live_event_after_a_mutation(server):
    from gql import gql

    plan_id, pegawai, atasan = await _plan_and_tokens(server, "samarinda")
    arrived = asyncio.get_running_loop().create_future()
    async with _gql_client(server, pegawai) as session:
        request = gql(PLAN_EVENTS)
        request.variable_values = {"p": plan_id}

        async def first_event():
            async for result in session.subscribe(request):
                arrived.set_result(result)
                return

        reader = asyncio.create_task(first_event())
        subject = await _feedback_until(server, atasan, plan_id, arrived)
        await reader
        # A query on the same socket works too.
        viewer = await session.execute(gql("{ viewer { username } }"))
    assert arrived.result()["planEvents"] == {"kind": "FEEDBACK_GIVEN", "planId": plan_id, "subjectId": subject}
    assert viewer == {"viewer": {"username": "pegawai"}}


async def test_gql_is_refused_with_a_bad_token(server):
    from gql.transport.exceptions import TransportClosed, TransportError

    _, pegawai, _ = await _plan_and_tokens(server, "samarinda")
    with pytest.raises((TransportError, TransportClosed)) as refused:
        async with _gql_client(server, pegawai + "x"):
            pass
    closed = refused.value.__cause__  # websockets' ConnectionClosed: the server's close frame
    assert closed is not None and closed.rcvd is not None and closed.rcvd.code == 4403, repr(closed)


# --- GraphQL over HTTP ---------------------------------------------------------------------------

async def test_graphql_http_audit_has_no_error_and_no_warning(server, node_clients):
    """graphql-http's auditServer: every MUST and SHOULD holds. Notices (MAY) stay for GET, which is
    refused on purpose: a GET needs no preflight, so a page on another site could send one."""
    process = await asyncio.create_subprocess_exec("node", str(node_clients / "audit.mjs"), server + "/graphql",
                                                   stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    out, err = await asyncio.wait_for(process.communicate(), 120)
    assert out.strip(), err.decode()
    report = json.loads(out)
    problems = [p for p in report["problems"] if p["status"] in ("warn", "error")]
    assert report["counts"]["error"] == 0 and report["counts"]["warn"] == 0, problems
    assert report["counts"]["ok"] >= 50
    assert all("GET" in p["name"] for p in report["problems"]), json.dumps(report["problems"], indent=0)


# --- GraphiQL, offline, in headless Chromium -----------------------------------------------------

def test_the_graphiql_page_loads_only_from_this_server():
    from kinerja.api.http_security import GRAPHIQL_ASSETS, GRAPHIQL_CSP

    page = (GRAPHIQL_ASSETS / "index.html").read_text()
    assert "://" not in page and "<script>" not in page  # no other host, no inline script
    assert "http" not in GRAPHIQL_CSP and "script-src 'self';" in GRAPHIQL_CSP
    for referenced in ("react.production.min.js", "react-dom.production.min.js", "graphiql.min.js",
                       "graphiql.min.css", "plugin-explorer.umd.js", "kinerja-graphiql.js"):
        assert f"/static/graphiql/{referenced}" in page and (GRAPHIQL_ASSETS / referenced).is_file()
    assert {p.name for p in (GRAPHIQL_ASSETS / "licenses").iterdir()} >= {"graphiql.LICENSE", "react.LICENSE"}


@pytest.fixture(scope="module")
async def demo_server(database, tmp_path_factory):
    async with running_server(database, 1, tmp_path_factory.mktemp("demo") / "server.log",
                              env={"KINERJA_MODE": "demo"}) as base:
        yield base


def test_graphiql_opens_offline_and_runs_a_query(demo_server, chromium):
    """The demo's /graphql in headless Chromium: the editor appears and a query returns data, with
    every file served by the app (the policy would block any other host; the console shows none)."""
    from urllib.parse import quote

    from selenium.webdriver.common.by import By
    from selenium.webdriver.support import expected_conditions as seen
    from selenium.webdriver.support.ui import WebDriverWait

    query = '{ publicServices(tenant: "bungo") { name } }'
    chromium.get(f"{demo_server}/graphql?q={quote(query)}")
    wait = WebDriverWait(chromium, 60)
    wait.until(seen.presence_of_element_located((By.CSS_SELECTOR, ".graphiql-query-editor .CodeMirror")))
    assert "Loading..." not in chromium.find_element(By.ID, "graphiql").text
    chromium.find_element(By.CSS_SELECTOR, ".graphiql-execute-button").click()
    response = wait.until(lambda d: (text := d.execute_script(
        "return document.querySelector('.graphiql-response .CodeMirror').CodeMirror.getValue()")) and text)
    answer = json.loads(response)
    assert "errors" not in answer and answer["data"]["publicServices"], answer
    resources = chromium.execute_script("return performance.getEntriesByType('resource').map(e => e.name)")
    assert resources and all(r.startswith(demo_server) for r in resources), resources
    problems = [entry["message"] for entry in chromium.get_log("browser") if entry["level"] == "SEVERE"]
    assert not problems, problems
    if shot := os.environ.get("KINERJA_GRAPHIQL_SCREENSHOT"):
        chromium.save_screenshot(shot)


# --- codegen: typed documents and the persisted-documents manifest --------------------------------

def test_codegen_output_type_checks_and_its_manifest_is_the_servers(node_clients, tmp_path):
    """docs/codegen.ts run by graphql-codegen (client preset, persistedDocuments sha256) over
    schema/schema.graphql and schema/operations/, then `tsc --noEmit` over the output and a small
    usage; the manifest it writes is the one the server ships (schema/persisted-documents.json)."""
    import shutil

    from kinerja.core.paths import persisted_manifest

    root = node_clients.parent.parent
    generated = node_clients / "generated"
    shutil.rmtree(generated, ignore_errors=True)
    env = {**os.environ, "KINERJA_CODEGEN_OUT": "generated/",
           "KINERJA_CODEGEN_SCHEMA": str(root / "schema" / "schema.graphql"),
           "KINERJA_CODEGEN_DOCUMENTS": str(root / "schema" / "operations" / "*.graphql")}
    codegen = subprocess.run([str(node_clients / "node_modules" / ".bin" / "graphql-codegen"), "--config",
                              str(root / "docs" / "codegen.ts")], cwd=node_clients, env=env,
                             capture_output=True, text=True, timeout=300)
    assert codegen.returncode == 0, codegen.stdout + codegen.stderr
    tsc = subprocess.run([str(node_clients / "node_modules" / ".bin" / "tsc"), "-p", "tsconfig.json"],
                         cwd=node_clients, capture_output=True, text=True, timeout=300)
    assert tsc.returncode == 0, tsc.stdout + tsc.stderr
    written = json.loads((generated / "persisted-documents.json").read_text())
    shipped = json.loads(persisted_manifest().read_text())
    assert written == shipped, ("schema/persisted-documents.json is stale: copy tests/clients/generated/"
                                "persisted-documents.json over it")
    types = (generated / "graphql.ts").read_text()
    for scalar in ("Date", "DateTime", "Decimal"):
        assert f"{scalar}: {{ input: string; output: string; }}" in types
