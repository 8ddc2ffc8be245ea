"""Operational endpoints, configuration and error handling."""

from __future__ import annotations

import gc

import pytest
from conftest import error_codes

from kinerja.app import create_served_app
from kinerja.core.config import ConfigError, Settings


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


def test_a_server_process_keeps_what_it_built_at_start_out_of_the_garbage_collector(monkeypatch):
    """`kinerja serve` builds its application with ``create_served_app``: the schema and the rest of
    what lives as long as the process are frozen, so a full collection does not walk them."""
    monkeypatch.setenv("KINERJA_MODE", "demo")
    try:
        app = create_served_app()
        assert gc.get_freeze_count() > 100_000
        assert not any(o is app for o in gc.get_objects())
    finally:
        gc.unfreeze()


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


def test_the_pooler_replica_and_listen_settings(monkeypatch):
    """Behind a transaction pooler: no named prepared statements and no startup settings but the name,
    unless the cache size is given; LISTEN and the replica get their own URLs."""
    from kinerja.core.db import tortoise_config

    base = {"database_url": "postgres://app@pooler:6432/kinerja", "secret_key": "x" * 40}
    direct = Settings.from_env(mode="production", **base)
    pooled = Settings.from_env(mode="production", **base, db_pooler="transaction",
                               listen_url="postgres://app@primary:5432/kinerja",
                               replica_url="postgres://app@pooler:6432/kinerja_replica")
    assert (direct.statement_cache_size, pooled.statement_cache_size) == (100, 0)
    assert direct.listen_db_url == direct.db_url and pooled.listen_db_url == "postgres://app@primary:5432/kinerja"
    config = tortoise_config(pooled, statement_timeout=True)["connections"]
    assert config["default"]["credentials"]["server_settings"] == {"application_name": "kinerja"}
    assert config["default"]["credentials"]["statement_cache_size"] == 0
    assert config["replica"]["credentials"]["database"] == "kinerja_replica"
    assert "replica" not in tortoise_config(direct)["connections"]
    assert "replica" not in tortoise_config(pooled, owner=True)["connections"]  # migrations: the primary only
    monkeypatch.setenv("KINERJA_DB_STATEMENT_CACHE_SIZE", "50")
    assert Settings.from_env(mode="production", **base, db_pooler="transaction").statement_cache_size == 50
    for bad, match in (({"db_pooler": "session"}, "KINERJA_DB_POOLER"),
                       ({"replica_url": "mysql://replica/kinerja"}, "KINERJA_REPLICA_URL"),
                       ({"listen_url": "pooler:6432"}, "KINERJA_LISTEN_URL")):
        with pytest.raises(ConfigError, match=match):
            Settings.from_env(mode="production", **base, **bad)
    with pytest.raises(ConfigError, match="needs a PostgreSQL"):
        Settings.from_env(mode="production", secret_key="x" * 40, database_url="",
                          replica_url="postgres://app@replica/kinerja")


async def test_oversized_bodies_are_refused(client):
    response = await client.post("/graphql", content=b"{" + b" " * (9 * 1024 * 1024) + b"}",
                                 headers={"content-type": "application/json"})
    assert response.status_code == 413
    assert response.json()["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT"


async def test_document_limits(api):
    token = await api.token("bungo", "admin")
    def nested(levels: int) -> str:
        return "{ viewer { employee " + "{ supervisor " * levels + "{ name }" + " }" * levels + " } }"

    assert "errors" not in await api.post(nested(8), token=token)  # depth 11: within the limit
    body = await api.post(nested(12), token=token)
    assert error_codes(body) == ["BAD_USER_INPUT"] and "depth" in body["errors"][0]["message"]
    aliases = "{ " + " ".join(f"a{i}: viewer {{ id }}" for i in range(40)) + " }"
    body = await api.post(aliases, token=token)
    assert error_codes(body) == ["BAD_USER_INPUT"] and "aliases" in body["errors"][0]["message"]


async def test_introspection_follows_the_setting(database):
    import httpx

    from kinerja.app import create_app
    from kinerja.core.config import Settings

    query = {"query": "{ __schema { queryType { name } } }"}
    for allowed in (True, False):
        settings = Settings(**{**database.__dict__, "introspection": allowed, "graphiql": False})
        app = create_app(settings, manage_db=False)
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://test") as client:
            body = (await client.post("/graphql", json=query)).json()
        assert ("errors" not in body) is allowed, body
