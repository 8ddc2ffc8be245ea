"""Live events over graphql-transport-ws, from a real server: across two worker processes on
PostgreSQL (LISTEN/NOTIFY), in-process on SQLite; never across tenants or beyond permissions."""

from __future__ import annotations

import asyncio
import json

import httpx
import pytest
import websockets
from conftest import BACKEND, DEMO_PASSWORD, running_server

WORKERS = 2 if BACKEND == "postgres" else 1


@pytest.fixture(scope="module")
async def server(database, tmp_path_factory):
    async with running_server(database, WORKERS, tmp_path_factory.mktemp("sub") / "server.log") as base:
        yield base


async def _post(base, query, variables=None, token=None):
    async with httpx.AsyncClient(base_url=base) as client:
        headers = {"authorization": f"Bearer {token}"} if token else {}
        return (await client.post("/graphql", json={"query": query, "variables": variables or {}},
                                  headers=headers)).json()


async def _login(base, tenant, username):
    body = await _post(base, "mutation($i: LoginInput!) { login(input: $i) { accessToken } }",
                       {"i": {"tenant": tenant, "username": username, "password": DEMO_PASSWORD}})
    return body["data"]["login"]["accessToken"]


def _text(frame) -> dict:
    assert isinstance(frame, str), f"graphql-transport-ws messages are text frames, got {type(frame).__name__}"
    return json.loads(frame)


class Subscriber:
    def __init__(self, base, token, query, variables=None):
        self.url = base.replace("http://", "ws://") + "/graphql"
        self.token, self.query, self.variables = token, query, variables or {}

    async def __aenter__(self):
        self.ws = await websockets.connect(self.url, subprotocols=["graphql-transport-ws"])
        await self.ws.send(json.dumps({"type": "connection_init", "payload": {"Authorization": f"Bearer {self.token}"}}))
        ack = _text(await asyncio.wait_for(self.ws.recv(), 5))
        assert ack["type"] == "connection_ack", ack
        await self.ws.send(json.dumps({"id": "1", "type": "subscribe",
                                       "payload": {"query": self.query, "variables": self.variables}}))
        await asyncio.sleep(0.3)  # the subscription is registered before anything is published
        return self

    async def next(self, timeout=5.0):
        message = _text(await asyncio.wait_for(self.ws.recv(), timeout))
        assert message["type"] == "next", message
        return message["payload"]

    async def nothing_within(self, seconds):
        try:
            message = await asyncio.wait_for(self.ws.recv(), seconds)
        except TimeoutError:
            return True
        raise AssertionError(f"unexpected message {message}")

    async def __aexit__(self, *exc):
        await self.ws.close()


PLAN_EVENTS = "subscription($p: ID!) { planEvents(planId: $p) { kind planId subjectId status } }"
MY_EVENTS = "subscription { myEvents { kind planId } }"


async def _pegawai_plan(base, token):
    body = await _post(base, "{ performancePlans(filter: {status: APPROVED}) { nodes { id } } }", token=token)
    return body["data"]["performancePlans"]["nodes"][0]["id"]


async def _feedback(base, token, plan_id, text):
    body = await _post(base, "mutation($i: GiveFeedbackInput!) { giveFeedback(input: $i) { feedback { id } "
                             "userErrors { code } } }", {"i": {"planId": plan_id, "body": text}}, token)
    assert body["data"]["giveFeedback"]["userErrors"] == [], body
    return body["data"]["giveFeedback"]["feedback"]["id"]


async def test_feedback_reaches_every_subscriber_whatever_worker_serves_it(server):
    pegawai = await _login(server, "tangerang-selatan", "pegawai")
    atasan = await _login(server, "tangerang-selatan", "atasan")
    plan_id = await _pegawai_plan(server, pegawai)
    subscribers = [Subscriber(server, pegawai, PLAN_EVENTS, {"p": plan_id}) for _ in range(4)]
    for s in subscribers:
        await s.__aenter__()
    try:
        feedback_id = await _feedback(server, atasan, plan_id, "Mohon lengkapi bukti dukung")
        for s in subscribers:
            payload = await s.next()
            assert payload["data"]["planEvents"]["kind"] == "FEEDBACK_GIVEN"
            assert payload["data"]["planEvents"]["status"] is None  # feedback leaves the plan as it is
            assert payload["data"]["planEvents"]["subjectId"] == feedback_id
    finally:
        for s in subscribers:
            await s.__aexit__()


async def test_other_tenants_and_other_teams_receive_nothing(server):
    pegawai = await _login(server, "tebingtinggi", "pegawai")
    atasan = await _login(server, "tebingtinggi", "atasan")
    plan_id = await _pegawai_plan(server, pegawai)
    outsider = await _login(server, "samarinda", "admin")  # another tenant, tenant-wide rights there
    admin = await _login(server, "tebingtinggi", "admin")
    created = await _post(server, 'mutation { createUser(input: {username: "rekan-kerja", password: '
                                  '"rekan-kerja-password", roles: ["pegawai"]}) { userErrors { code } } }', token=admin)
    assert created["data"]["createUser"]["userErrors"] in ([], [{"code": "CONFLICT"}])
    body = await _post(server, "mutation { login(input: {tenant: \"tebingtinggi\", username: \"rekan-kerja\", "
                               "password: \"rekan-kerja-password\"}) { accessToken } }")
    colleague = body["data"]["login"]["accessToken"]  # same tenant, no rights over this plan
    async with Subscriber(server, pegawai, MY_EVENTS) as mine, \
            Subscriber(server, outsider, MY_EVENTS) as foreign, \
            Subscriber(server, colleague, MY_EVENTS) as other:
        await _feedback(server, atasan, plan_id, "Umpan balik rahasia tim")
        assert (await mine.next())["data"]["myEvents"]["planId"] == plan_id
        assert await foreign.nothing_within(1.5)
        assert await other.nothing_within(0.5)


async def test_subscribing_to_a_plan_out_of_reach_is_refused(server):
    pegawai = await _login(server, "tebingtinggi", "pegawai")
    plan_id = await _pegawai_plan(server, pegawai)
    outsider = await _login(server, "samarinda", "pegawai")
    async with Subscriber(server, outsider, PLAN_EVENTS, {"p": plan_id}) as s:
        message = _text(await asyncio.wait_for(s.ws.recv(), 5))
        assert message["type"] == "error" or message["payload"]["errors"][0]["extensions"]["code"] == "NOT_FOUND"


async def test_connection_without_a_valid_token_is_rejected(server):
    url = server.replace("http://", "ws://") + "/graphql"
    async with websockets.connect(url, subprotocols=["graphql-transport-ws"]) as ws:
        await ws.send(json.dumps({"type": "connection_init", "payload": {"Authorization": "Bearer forged"}}))
        with pytest.raises(websockets.ConnectionClosed) as closed:
            await asyncio.wait_for(ws.recv(), 5)
        assert closed.value.rcvd.code == 4403


async def test_revoked_permission_stops_delivery(server):
    admin = await _login(server, "nanggalo", "admin")
    pegawai = await _login(server, "nanggalo", "pegawai")
    atasan = await _login(server, "nanggalo", "atasan")
    plan_id = await _pegawai_plan(server, pegawai)
    await _post(server, 'mutation { createRole(input: {name: "pengamat", permissions: ["plan:read:tenant"]}) '
                        "{ userErrors { code } } }", token=admin)
    created = await _post(server, 'mutation { createUser(input: {username: "pengamat-kinerja", password: '
                                  '"pengamat-password"}) { user { id } userErrors { code } } }', token=admin)
    user_id = created["data"]["createUser"]["user"]["id"]
    assign = "mutation($i: RoleAssignmentInput!) { %s(input: $i) { userErrors { code } } }"
    await _post(server, assign % "assignRole", {"i": {"userId": user_id, "role": "pengamat"}}, admin)
    await asyncio.sleep(1.0)
    body = await _post(server, "mutation { login(input: {tenant: \"nanggalo\", username: \"pengamat-kinerja\", "
                               "password: \"pengamat-password\"}) { accessToken } }")
    watcher = body["data"]["login"]["accessToken"]
    async with Subscriber(server, watcher, PLAN_EVENTS, {"p": plan_id}) as s:
        await _feedback(server, atasan, plan_id, "Sebelum dicabut")
        assert (await s.next())["data"]["planEvents"]["kind"] == "FEEDBACK_GIVEN"
        await _post(server, assign % "revokeRole", {"i": {"userId": user_id, "role": "pengamat"}}, admin)
        await asyncio.sleep(1.0)
        await _feedback(server, atasan, plan_id, "Sesudah dicabut")
        try:
            message = _text(await asyncio.wait_for(s.ws.recv(), 2))
            assert message["type"] == "complete", message
        except TimeoutError:
            pass


async def test_a_query_over_the_websocket_is_compiled_like_one_over_http(server):
    token = await _login(server, "bungo", "atasan")
    query = ("query($n: Int) { viewer { username } employees(first: $n) { totalCount edges { cursor node { id name "
             "orgUnit { code } } } } bad: node(id: \"nope\") { id } }")
    over_http = await _post(server, query, {"n": 3}, token)
    async with Subscriber(server, token, query, {"n": 3}) as websocket:
        over_websocket = await websocket.next()
    assert over_websocket == over_http
    assert over_http["data"]["viewer"]["username"] == "atasan" and len(over_http["data"]["employees"]["edges"]) == 3
    assert [e["extensions"]["code"] for e in over_http["errors"]] == ["NOT_FOUND"]
