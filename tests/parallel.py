"""Helpers for tests against a running server: a GraphQL client over real HTTP, requests fired at
once behind a barrier, graphql-transport-ws sockets, and live plan events counted in commit order."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Awaitable, Callable

import httpx
import websockets
from conftest import DEMO_PASSWORD

LOGIN = ("mutation($i: LoginInput!) { login(input: $i) { accessToken refreshToken expiresAt "
         "userErrors { field code message } } }")


class Client:
    """GraphQL over HTTP against a server, as a frontend would use it (one connection per request
    in flight, so requests sent together really run together)."""

    def __init__(self, base: str):
        self.base = base
        self.http = httpx.AsyncClient(base_url=base, timeout=60,
                                      limits=httpx.Limits(max_connections=100, max_keepalive_connections=100))
        self.tokens: dict[tuple[str, str], str] = {}

    async def close(self) -> None:
        await self.http.aclose()

    async def post(self, query: str, variables: dict | None = None, token: str | None = None,
                   ip: str | None = None) -> dict:
        """``ip``: the client address the server sees (it trusts X-Forwarded-For from 127.0.0.1)."""
        headers = {"authorization": f"Bearer {token}"} if token else {}
        if ip:
            headers["x-forwarded-for"] = ip
        response = await self.http.post("/graphql", json={"query": query, "variables": variables or {}},
                                        headers=headers)
        assert response.status_code in (200, 429), response.text
        return response.json()

    async def ok(self, query: str, variables: dict | None = None, token: str | None = None) -> dict:
        body = await self.post(query, variables, token)
        assert "errors" not in body, body["errors"]
        return body["data"]

    async def login(self, tenant: str, username: str, password: str = DEMO_PASSWORD) -> dict:
        return (await self.ok(LOGIN, {"i": {"tenant": tenant, "username": username, "password": password}}))["login"]

    async def token(self, tenant: str, username: str) -> str:
        key = (tenant, username)
        if key not in self.tokens:
            session = await self.login(tenant, username)
            assert session["accessToken"], session["userErrors"]
            self.tokens[key] = session["accessToken"]
        return self.tokens[key]


async def together(n: int, request: Callable[[int], Awaitable[dict]]) -> list[dict]:
    """Send ``n`` requests at once: every one waits at a barrier until all are ready."""
    gate = asyncio.Event()
    ready = 0

    async def one(index: int) -> dict:
        nonlocal ready
        ready += 1
        await gate.wait()
        return await request(index)

    tasks = [asyncio.create_task(one(i)) for i in range(n)]
    while ready < n:
        await asyncio.sleep(0.01)
    gate.set()
    return list(await asyncio.gather(*tasks))


def payloads(answers: list[dict], field: str) -> list[dict]:
    return [answer["data"][field] for answer in answers]


def outcome(answers: list[dict], field: str) -> tuple[int, list[str]]:
    """(successes, the codes of the refusals) of mutation answers."""
    found = payloads(answers, field)
    successes = sum(1 for p in found if not p["userErrors"])
    codes = [e["code"] for p in found for e in p["userErrors"]]
    return successes, codes


class Socket:
    """One graphql-transport-ws connection to a running server."""

    def __init__(self, base: str, token: str):
        self.url = base.replace("http://", "ws://") + "/graphql"
        self.token = token
        self.next_id = 0
        self.close_code: int | None = None

    async def __aenter__(self) -> Socket:
        await self.open()
        await self.send({"type": "connection_init", "payload": {"Authorization": f"Bearer {self.token}"}})
        ack = await self.receive()
        assert ack["type"] == "connection_ack", ack
        return self

    async def __aexit__(self, *exc) -> None:
        await self.close()

    async def open(self) -> None:
        self.ws = await websockets.connect(self.url, subprotocols=["graphql-transport-ws"])

    async def close(self) -> None:
        await self.ws.close()

    async def send(self, message: dict) -> None:
        await self.ws.send(json.dumps(message))

    async def receive(self, timeout: float = 10.0) -> dict:
        try:
            frame = await asyncio.wait_for(self.ws.recv(), timeout)
        except websockets.ConnectionClosed as closed:
            self.close_code = closed.rcvd.code if closed.rcvd else 1006
            raise ConnectionClosed(self.close_code) from None
        assert isinstance(frame, str), "graphql-transport-ws messages are text frames"
        return json.loads(frame)

    async def closed_with(self, timeout: float = 10.0) -> int:
        """Wait for the server to close the socket (if it has not yet); its close code."""
        try:
            while self.close_code is None:
                await self.receive(timeout)
        except ConnectionClosed:
            pass
        return self.close_code

    async def subscribe(self, query: str, variables: dict | None = None) -> str:
        self.next_id += 1
        operation_id = str(self.next_id)
        await self.send({"id": operation_id, "type": "subscribe",
                         "payload": {"query": query, "variables": variables or {}}})
        return operation_id

    async def execute(self, query: str, variables: dict | None = None) -> dict:
        """A query or mutation over the socket: its one result (``next``, or the ``error`` payload)."""
        operation_id = await self.subscribe(query, variables)
        while True:
            message = await self.receive()
            if message.get("id") != operation_id:
                continue
            if message["type"] == "next":
                result = message["payload"]
                try:
                    complete = await self.receive()
                except ConnectionClosed:
                    return result  # the server answered, then ended the session
                assert complete == {"id": operation_id, "type": "complete"}, complete
                return result
            if message["type"] == "error":
                return {"errors": message["payload"]}
            raise AssertionError(message)


class AsgiSocket(Socket):
    """The same, to an application in this process (so a test can give it its own settings)."""

    def __init__(self, app, token: str):
        super().__init__("http://test", token)
        self.app = app

    async def open(self) -> None:
        self.to_app: asyncio.Queue = asyncio.Queue()
        self.from_app: asyncio.Queue = asyncio.Queue()
        scope = {"type": "websocket", "asgi": {"version": "3.0"}, "scheme": "ws", "path": "/graphql",
                 "raw_path": b"/graphql", "query_string": b"", "root_path": "", "client": ("10.1.2.3", 1234),
                 "server": ("test", 80), "subprotocols": ["graphql-transport-ws"],
                 "headers": [(b"host", b"test"), (b"sec-websocket-protocol", b"graphql-transport-ws")]}
        self.task = asyncio.create_task(self.app(scope, self.to_app.get, self.from_app.put))
        await self.to_app.put({"type": "websocket.connect"})
        accepted = await asyncio.wait_for(self.from_app.get(), 10)
        assert accepted["type"] == "websocket.accept", accepted

    async def close(self) -> None:
        await self.to_app.put({"type": "websocket.disconnect", "code": 1000})
        await asyncio.wait_for(self.task, 10)

    async def send(self, message: dict) -> None:
        await self.to_app.put({"type": "websocket.receive", "text": json.dumps(message)})

    async def receive(self, timeout: float = 10.0) -> dict:
        if self.close_code is not None:
            raise ConnectionClosed(self.close_code)
        message = await asyncio.wait_for(self.from_app.get(), timeout)
        if message["type"] == "websocket.close":
            self.close_code = message.get("code", 1000)
            raise ConnectionClosed(self.close_code)
        assert message.get("bytes") is None, "graphql-transport-ws messages are text frames"
        return json.loads(message["text"])


class ConnectionClosed(Exception):
    def __init__(self, code: int):
        super().__init__(code)
        self.code = code


PLAN_EVENTS = "subscription($p: ID!) { planEvents(planId: $p) { kind planId subjectId status } }"


class PlanEvents:
    """Live events of one plan, counted up to a sentinel event: events of a plan arrive in the order
    their transactions committed, so whatever the burst published has arrived once the sentinel has."""

    def __init__(self, base: str, token: str, plan_id: str):
        self.socket = Socket(base, token)
        self.plan_id = plan_id

    async def __aenter__(self) -> PlanEvents:
        await self.socket.__aenter__()
        await self.socket.subscribe(PLAN_EVENTS, {"p": self.plan_id})
        await asyncio.sleep(0.5)  # the subscription is registered before anything is published
        return self

    async def __aexit__(self, *exc) -> None:
        await self.socket.__aexit__(*exc)

    async def until(self, sentinel_kind: str) -> list[str]:
        """The kinds of the events before the first ``sentinel_kind`` event."""
        kinds = []
        while True:
            message = await self.socket.receive(timeout=30)
            assert message["type"] == "next", message
            kind = message["payload"]["data"]["planEvents"]["kind"]
            if kind == sentinel_kind:
                return kinds
            kinds.append(kind)
