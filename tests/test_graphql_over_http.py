"""GraphQL over HTTP (api/media.py): application/graphql-response+json for clients that ask for it
(request errors are 4xx without `data`), application/json kept for the others; the statuses of
rate limits and time limits carry `extensions.code` in both; subscriptions are refused over HTTP."""

from __future__ import annotations

import asyncio
import dataclasses
import time

import httpx
import pytest
from conftest import BACKEND

from kinerja.app import create_app

GRAPHQL_RESPONSE = "application/graphql-response+json"
PLANS = "query($n: Int) { performancePlans(first: $n) { nodes { id year } } }"


async def _post(client, body, accept=None, token=None):
    headers = {}
    if accept:
        headers["accept"] = accept
    if token:
        headers["authorization"] = f"Bearer {token}"
    return await client.post("/graphql", json=body, headers=headers)


def _codes(response):
    return [e["extensions"]["code"] for e in response.json()["errors"]]


REQUEST_ERRORS = [
    ({"query": "{ viewer { "}, "parse"),
    ({"query": "{ viewerz { id } }"}, "validation"),
    ({"query": PLANS, "variables": {"n": "ten"}}, "variable coercion"),
    ({"query": "query($n: Int!) { performancePlans(first: $n) { nodes { id } } }"}, "missing variable"),
]


@pytest.mark.parametrize("body,kind", REQUEST_ERRORS, ids=[k for _, k in REQUEST_ERRORS])
async def test_request_errors_are_400_without_data_for_graphql_response_json(api, client, body, kind):
    token = await api.token("bungo", "pegawai")
    # The known (compiled) path and the schema path answer alike: run the valid document first.
    assert (await _post(client, {"query": PLANS, "variables": {"n": 2}}, GRAPHQL_RESPONSE, token)).status_code == 200
    for accept in (GRAPHQL_RESPONSE, f"{GRAPHQL_RESPONSE}, application/json;q=0.9"):
        response = await _post(client, body, accept, token)
        assert response.status_code == 400, (kind, response.text)
        assert response.headers["content-type"] == f"{GRAPHQL_RESPONSE}; charset=utf-8"
        assert "data" not in response.json() and _codes(response) == ["BAD_USER_INPUT"]
    for accept in (None, "application/json", "*/*", f"application/json, {GRAPHQL_RESPONSE};q=0.5"):
        legacy = await _post(client, body, accept, token)
        assert legacy.status_code == 200 and legacy.headers["content-type"].startswith("application/json")
        assert legacy.json()["data"] is None and _codes(legacy) == ["BAD_USER_INPUT"]


async def test_execution_results_are_200_in_both_media_types(api, client):
    token = await api.token("bungo", "pegawai")
    for accept in (GRAPHQL_RESPONSE, "application/json"):
        ok = await _post(client, {"query": PLANS, "variables": {"n": 1}}, accept, token)
        assert ok.status_code == 200 and ok.headers["content-type"].startswith(accept)
        assert ok.json()["data"]["performancePlans"]["nodes"]
        # A field error is an execution result: 200, with `data` (null where the error is).
        unknown = await _post(client, {"query": "{ node(id: \"UGVyZm9ybWFuY2VQbGFuOjA\") { id } }"}, accept, token)
        assert unknown.status_code == 200 and "data" in unknown.json() and unknown.json()["errors"]
        # Without a token a user field is UNAUTHENTICATED at its path, also an execution result.
        anonymous = await _post(client, {"query": "{ viewer { id } }"}, accept)
        assert anonymous.status_code == 200 and _codes(anonymous) == ["UNAUTHENTICATED"]


async def test_a_subscription_over_http_is_a_clear_400(api, client):
    token = await api.token("bungo", "pegawai")
    for accept in (GRAPHQL_RESPONSE, "application/json"):
        response = await _post(client, {"query": "subscription { myEvents { kind } }"}, accept, token)
        assert response.status_code == 400 and _codes(response) == ["BAD_USER_INPUT"]
        assert "WebSocket (graphql-transport-ws)" in response.json()["errors"][0]["message"]
        assert "data" not in response.json()


async def test_variables_and_extensions_must_be_maps(client):
    for body in ({"query": "{ __typename }", "variables": 0}, {"query": "{ __typename }", "variables": "{}"},
                 {"query": "{ __typename }", "extensions": []}, {"query": "{ __typename }", "extensions": False}):
        for accept in (GRAPHQL_RESPONSE, "application/json"):
            response = await _post(client, body, accept)
            assert response.status_code == 400 and _codes(response) == ["BAD_USER_INPUT"], body
            assert "must be an object or null" in response.json()["errors"][0]["message"]


async def test_a_rate_limited_request_is_429_with_its_code(api, database):
    if 60 - time.time() % 60 < 5:
        await asyncio.sleep(60 - time.time() % 60 + 0.05)  # one fixed window for both requests
    app = create_app(dataclasses.replace(database, rate_ip_per_minute=1), manage_db=False)
    token = await api.token("bungo", "atasan")
    transport = httpx.ASGITransport(app=app, client=("10.30.0.9", 4321))
    async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
        assert (await _post(client, {"query": "{ viewer { id } }"}, GRAPHQL_RESPONSE, token)).status_code == 200
        for accept, data in ((GRAPHQL_RESPONSE, False), ("application/json", True)):
            refused = await _post(client, {"query": "{ viewer { id } }"}, accept, token)
            assert refused.status_code == 429 and _codes(refused) == ["RATE_LIMITED"]
            assert refused.headers["retry-after"] == str(refused.json()["errors"][0]["extensions"]["retryAfter"])
            assert refused.headers["content-type"].startswith(accept)
            assert ("data" in refused.json()) is data


async def test_a_timed_out_operation_is_503_with_its_code(api, database, monkeypatch):
    from kinerja.auth import roles
    from kinerja.core.db import connection

    original = roles.create_role

    async def slow_create_role(*args, **kwargs):
        view = await original(*args, **kwargs)
        if BACKEND == "postgres":
            await connection().execute_query("SELECT pg_sleep(5)")
        else:
            await asyncio.sleep(5)
        return view

    monkeypatch.setattr(roles, "create_role", slow_create_role)
    app = create_app(dataclasses.replace(database, request_timeout_seconds=0.5), manage_db=False)
    token = await api.token("samarinda", "admin")
    create = 'mutation { createRole(input: {name: "lambat-http", permissions: []}) { userErrors { code } } }'
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://test") as client:
        response = await _post(client, {"query": create}, GRAPHQL_RESPONSE, token)
    assert response.status_code == 503 and _codes(response) == ["TIMEOUT"]
    assert response.headers["content-type"] == f"{GRAPHQL_RESPONSE}; charset=utf-8"
    assert "data" not in response.json()
