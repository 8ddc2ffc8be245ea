"""Operational endpoints, configuration and error handling."""

from __future__ import annotations

import pytest

from kinerja.core.config import ConfigError, Settings

from conftest import error_codes


async def test_health_and_readiness(client):
    assert (await client.get("/healthz")).json() == {"status": "ok"}
    ready = await client.get("/readyz")
    assert ready.status_code == 200 and ready.json()["database"] == "ok"


async def test_every_response_carries_a_request_id(client):
    response = await client.post("/graphql", json={"query": "{ __typename }"})
    assert len(response.headers["x-request-id"]) == 32
    response = await client.post("/graphql", json={"query": "{ __typename }"}, headers={"x-request-id": "abc123"})
    assert response.headers["x-request-id"] == "abc123"


async def test_invalid_documents_are_bad_user_input(api):
    token = await api.token("bungo", "admin")
    for query in ["{ nonsense }", "{ employees(first: \"ten\") { totalCount } }", "query {"]:
        body = await api.client.post("/graphql", json={"query": query}, headers={"authorization": f"Bearer {token}"})
        assert error_codes(body.json()) and set(error_codes(body.json())) == {"BAD_USER_INPUT"}


async def test_queries_over_get_are_refused(client):
    response = await client.get("/graphql", params={"query": "{ __typename }"})
    assert response.status_code in (400, 405)


def test_production_refuses_to_start_without_a_secret(monkeypatch):
    monkeypatch.delenv("KINERJA_SECRET_KEY", raising=False)
    with pytest.raises(ConfigError, match="KINERJA_SECRET_KEY"):
        Settings.from_env(mode="production")
    monkeypatch.setenv("KINERJA_SECRET_KEY", "short")
    with pytest.raises(ConfigError, match="at least 32"):
        Settings.from_env(mode="production")
    monkeypatch.setenv("KINERJA_SECRET_KEY", "x" * 40)
    settings = Settings.from_env(mode="production")
    assert not settings.graphiql and not settings.introspection
    assert Settings.from_env(mode="demo").graphiql
