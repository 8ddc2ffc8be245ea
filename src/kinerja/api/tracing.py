"""OpenTelemetry traces: the optional ``tracing`` extra (``pip install 'kinerja[tracing]'``).

Off unless ``OTEL_TRACES_EXPORTER`` names an exporter (``otlp``, ``console``, or any installed
``opentelemetry_traces_exporter`` entry point; ``OTEL_SDK_DISABLED=true`` turns it off again). The
rest is OpenTelemetry's own configuration: ``OTEL_SERVICE_NAME`` (default ``kinerja``),
``OTEL_RESOURCE_ATTRIBUTES``, ``OTEL_TRACES_SAMPLER`` / ``_ARG``, ``OTEL_EXPORTER_OTLP_ENDPOINT`` /
``_HEADERS`` / ``_TIMEOUT``, ``OTEL_BSP_*``. ``otlp`` is OTLP over HTTP (protobuf), the exporter the
extra installs.

Each HTTP request or websocket is one server span (ASGI instrumentation); its GraphQL operation is a
child span with one span per resolved field (strawberry's extension); every SQL statement is a span
under the field that sent it (asyncpg instrumentation). A compiled read resolves no field: its
statement is a span directly under the request. Spans carry no document text, no argument
values and no SQL parameters: a document may hold a password literal.
"""

from __future__ import annotations

import functools
import os
from importlib.metadata import entry_points

from kinerja.core.config import ConfigError


def exporter_names() -> list[str]:
    if os.environ.get("OTEL_SDK_DISABLED", "").strip().lower() == "true":
        return []
    raw = os.environ.get("OTEL_TRACES_EXPORTER", "")
    return [name.strip().lower() for name in raw.split(",") if name.strip() and name.strip().lower() != "none"]


def _exporter(name: str):
    found = {e.name: e for e in entry_points(group="opentelemetry_traces_exporter")}
    entry = found.get(name) or (found.get("otlp_proto_http") if name == "otlp" else None)
    if entry is None:
        raise ConfigError(f"OTEL_TRACES_EXPORTER: no span exporter named {name!r} is installed "
                          f"(installed: {', '.join(sorted(found)) or 'none'})")
    return entry.load()()


class Tracing:
    """One tracer provider and the three instrumentations that report to it."""

    def __init__(self, provider):
        from opentelemetry.instrumentation.asyncpg import AsyncPGInstrumentor

        self.provider = provider
        self._asyncpg = AsyncPGInstrumentor()  # statements, not their parameters
        self._asyncpg.instrument(tracer_provider=provider)

    def schema_extension(self):
        return functools.partial(_graphql_spans_class(), tracer_provider=self.provider, arg_filter=_no_arguments)

    def wrap(self, app):
        from opentelemetry.instrumentation.asgi import OpenTelemetryMiddleware

        return OpenTelemetryMiddleware(app, tracer_provider=self.provider, exclude_spans=["receive", "send"])

    def shutdown(self) -> None:
        self._asyncpg.uninstrument()
        self.provider.shutdown()


def from_environment() -> Tracing | None:
    names = exporter_names()
    if not names:
        return None
    try:
        from opentelemetry.sdk.resources import Resource
        from opentelemetry.sdk.trace import TracerProvider
        from opentelemetry.sdk.trace.export import BatchSpanProcessor
    except ImportError:
        raise ConfigError("OTEL_TRACES_EXPORTER is set, but the tracing extra is not installed: "
                          "pip install 'kinerja[tracing]'") from None
    # The sampler comes from OTEL_TRACES_SAMPLER (default: parent-based, always on).
    provider = TracerProvider(resource=Resource.create({"service.name": os.environ.get("OTEL_SERVICE_NAME")
                                                        or "kinerja"}))
    for name in names:
        provider.add_span_processor(BatchSpanProcessor(_exporter(name)))
    return Tracing(provider)


def _no_arguments(_args: dict, _info) -> dict:
    return {}


def _graphql_spans_class():
    """Defined on first use: strawberry's extension imports opentelemetry, which only the extra installs."""
    from opentelemetry import trace
    from strawberry.extensions import LifecycleStep
    from strawberry.extensions.tracing import OpenTelemetryExtension

    class GraphQLSpans(OpenTelemetryExtension):
        """strawberry's extension, minus the document text it would record on the operation span."""

        def on_operation(self):
            span = self._tracer.start_span("GraphQL", kind=trace.SpanKind.INTERNAL)
            span.set_attribute("component", "graphql")
            self._span_holder[LifecycleStep.OPERATION] = span
            yield
            name = self.execution_context.operation_name
            if name:
                span.update_name(f"GraphQL {name}")
                span.set_attribute("graphql.operation.name", name)
            span.end()

    return GraphQLSpans
