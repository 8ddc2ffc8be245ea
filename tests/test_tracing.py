"""OpenTelemetry tracing (the `tracing` extra): one request's spans, exported in memory, nest as
HTTP server span -> GraphQL operation -> resolved field -> SQL statement."""

from __future__ import annotations

import dataclasses

import httpx
import pytest
from conftest import BACKEND, DEMO_PASSWORD

pytest.importorskip("opentelemetry.sdk", reason="the tracing extra is not installed")

from opentelemetry.sdk.trace import TracerProvider  # noqa: E402
from opentelemetry.sdk.trace.export import SimpleSpanProcessor  # noqa: E402
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter  # noqa: E402

from kinerja.api import tracing  # noqa: E402
from kinerja.core.config import ConfigError  # noqa: E402

LOGIN = "mutation($i: LoginInput!) { login(input: $i) { accessToken } }"


@pytest.fixture
def traced(database):
    from kinerja.app import create_app

    exporter = InMemorySpanExporter()
    provider = TracerProvider()
    provider.add_span_processor(SimpleSpanProcessor(exporter))
    traces = tracing.Tracing(provider)
    app = create_app(dataclasses.replace(database), manage_db=False, traces=traces)
    try:
        yield app, exporter
    finally:
        traces.shutdown()


def _ancestors(span, by_id) -> list:
    chain = []
    while span.parent is not None and span.parent.span_id in by_id:
        span = by_id[span.parent.span_id]
        chain.append(span)
    return chain


@pytest.mark.skipif(BACKEND != "postgres", reason="SQL spans come from the asyncpg instrumentation")
async def test_one_request_has_nested_http_graphql_and_sql_spans(traced):
    app, exporter = traced
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://test") as client:
        login = await client.post("/graphql", json={"query": LOGIN, "variables": {
            "i": {"tenant": "bungo", "username": "pegawai", "password": DEMO_PASSWORD}}})
        token = login.json()["data"]["login"]["accessToken"]
        exporter.clear()
        response = await client.post("/graphql", json={"query": "query Me { viewer { username } }"},
                                     headers={"authorization": f"Bearer {token}"})
        assert response.json() == {"data": {"viewer": {"username": "pegawai"}}}
    spans = exporter.get_finished_spans()
    by_id = {s.context.span_id: s for s in spans}
    assert len({s.context.trace_id for s in spans}) == 1  # one request, one trace
    [server] = [s for s in spans if s.parent is None]
    assert server.name == "POST /graphql" and server.kind.name == "SERVER"
    [operation] = [s for s in spans if s.name == "GraphQL Me"]
    assert operation.parent.span_id == server.context.span_id
    # The read is compiled before the schema executes it (no span per field): its statements are
    # traced within the request's span.
    sql = [s for s in spans if s.kind.name == "CLIENT" and s.attributes.get("db.system") == "postgresql"]
    assert sql
    assert all(server in _ancestors(s, by_id) for s in sql)


async def test_spans_carry_no_document_text_or_argument_values(traced):
    app, exporter = traced
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://test") as client:
        await client.post("/graphql", json={"query": 'mutation { login(input: {tenant: "bungo", username: '
                                                     '"pegawai", password: "secret-literal-123"}) { accessToken } }'})
    spans = exporter.get_finished_spans()
    assert any(s.name == "GraphQL Resolving: login" for s in spans)
    for span in spans:
        assert "secret-literal-123" not in repr(dict(span.attributes or {})) + span.name


def test_tracing_is_off_by_default_and_configured_by_otel_variables(monkeypatch):
    monkeypatch.delenv("OTEL_TRACES_EXPORTER", raising=False)
    assert tracing.from_environment() is None
    monkeypatch.setenv("OTEL_TRACES_EXPORTER", "none")
    assert tracing.from_environment() is None
    monkeypatch.setenv("OTEL_TRACES_EXPORTER", "no-such-exporter")
    with pytest.raises(ConfigError, match="no-such-exporter"):
        tracing.from_environment()
    monkeypatch.setenv("OTEL_TRACES_EXPORTER", "otlp")
    monkeypatch.setenv("OTEL_SERVICE_NAME", "kinerja-test")
    configured = tracing.from_environment()
    try:
        assert configured.provider.resource.attributes["service.name"] == "kinerja-test"
    finally:
        configured.shutdown()
    monkeypatch.setenv("OTEL_SDK_DISABLED", "true")
    assert tracing.from_environment() is None
