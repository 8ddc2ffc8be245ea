"""``/metrics`` and what feeds it per request: the request middleware and the operation label.

The operation label names only operations the server knows, so a client cannot grow the number of
series: a registered trusted document's name (``schema/operations/``), else the one root field of the
executed document (``login``, ``recordRealisation``, ``employees``: fields of the schema), else
``other`` (several root fields, or a document that never executed: malformed, invalid, refused).
"""

from __future__ import annotations

import asyncio
import hmac
import logging
import os
import time
from collections.abc import Iterable

from graphql import FieldNode, OperationDefinitionNode
from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, generate_latest, multiprocess
from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response
from starlette.types import ASGIApp, Receive, Scope, Send
from strawberry.extensions import SchemaExtension

from kinerja.core import metrics
from kinerja.core.config import Settings
from kinerja.core.db import bound_tenant
from kinerja.core.logging import operation_var, tenant_var
from kinerja.core.paths import operations_dir
from kinerja.tenancy.models import Tenant

log = logging.getLogger("kinerja.metrics")

OTHER = "other"
# Probes and scrapes are not traffic.
UNCOUNTED_PATHS = frozenset({"/metrics", "/healthz", "/readyz"})


def known_operations() -> frozenset[str]:
    """The names of the registered trusted documents (``schema/operations/<Name>.graphql``)."""
    return frozenset(path.stem for path in operations_dir().glob("*.graphql"))


def operation_label(document, operation_name: str | None, known: Iterable[str]) -> str:
    if operation_name and operation_name in known:
        return operation_name
    roots = set()
    for definition in getattr(document, "definitions", ()):
        if isinstance(definition, OperationDefinitionNode) and (
                operation_name is None or definition.name is None or definition.name.value == operation_name):
            for selection in definition.selection_set.selections:
                roots.add(selection.name.value if isinstance(selection, FieldNode) else OTHER)
            break
    return roots.pop() if len(roots) == 1 else OTHER


class OperationLabel(SchemaExtension):
    """Names the request's operation once its document has been validated (a schema extension, so
    every executed document is labelled, whatever sent it)."""

    def __init__(self, *, known: frozenset[str], execution_context=None):
        self.known = known
        if execution_context is not None:
            self.execution_context = execution_context

    def on_execute(self):
        execution = self.execution_context
        metrics.label_operation(operation_label(execution.graphql_document, execution.operation_name, self.known))
        yield


class TenantSlugs:
    """Tenant id -> slug for the optional tenant label: the registry is read again on a miss, at most
    every ``refresh_seconds``."""

    def __init__(self, refresh_seconds: float = 30.0):
        self.refresh_seconds = refresh_seconds
        self._slugs: dict[str, str] = {}
        self._loaded_at = float("-inf")

    async def slug(self, tenant_id: str) -> str:
        if not tenant_id:
            return ""
        if tenant_id not in self._slugs and time.monotonic() - self._loaded_at >= self.refresh_seconds:
            self._loaded_at = time.monotonic()
            try:
                self._slugs = {str(i): s for i, s in await Tenant.all().values_list("id", "slug")}
            except Exception:  # noqa: BLE001 - a label is not worth failing anything for
                log.warning("tenant slugs for metrics could not be read", exc_info=True)
        return self._slugs.get(tenant_id, OTHER)


class RequestMetrics:
    """Times every HTTP request and counts its statements, by route, operation and status; counts open
    websocket connections."""

    def __init__(self, app: ASGIApp, settings: Settings):
        self.app = app
        self.settings = settings
        self.known = known_operations()
        self.slugs = TenantSlugs() if settings.metrics_tenant_label else None

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "websocket":
            await self._websocket(scope, receive, send)
            return
        if scope["type"] != "http" or scope["path"] in UNCOUNTED_PATHS:
            await self.app(scope, receive, send)
            return
        stats = metrics.RequestStats()
        token = metrics.current_request.set(stats)
        started = time.perf_counter()
        status = 500

        async def send_status(message):
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
            await send(message)

        try:
            await self.app(scope, receive, send_status)
        finally:
            elapsed = time.perf_counter() - started
            metrics.current_request.reset(token)
            await self._record(scope, stats, status, elapsed)

    async def _record(self, scope: Scope, stats: metrics.RequestStats, status: int, elapsed: float) -> None:
        # The statement counter runs from callbacks asyncpg schedules on the loop: let the ones of the
        # last statements run first.
        await asyncio.sleep(0)
        route = scope.get("route")
        route = getattr(route, "path", OTHER) if route is not None else OTHER
        operation = ""
        if route == "/graphql":
            trusted = operation_var.get()  # set by the compiled path, which runs no schema extension
            operation = stats.operation or (trusted if trusted in self.known else OTHER)
        tenant = ""
        if self.slugs is not None:
            bound = bound_tenant.get()
            tenant = await self.slugs.slug(tenant_var.get() or (str(bound) if bound else ""))
        metrics.REQUEST_SECONDS.labels(route, operation, str(status), tenant).observe(elapsed)
        if self.settings.uses_postgres:
            metrics.REQUEST_STATEMENTS.labels(route, operation, tenant).observe(stats.statements)

    async def _websocket(self, scope: Scope, receive: Receive, send: Send) -> None:
        accepted = False

        async def send_accept(message):
            nonlocal accepted
            if message["type"] == "websocket.accept" and not accepted:
                accepted = True
                metrics.WEBSOCKETS.inc()
            await send(message)

        try:
            await self.app(scope, receive, send_accept)
        finally:
            if accepted:
                metrics.WEBSOCKETS.dec()


def multiprocess_dir() -> str | None:
    """Where the workers of `kinerja serve` keep their values (None: one process, in memory)."""
    return os.environ.get("PROMETHEUS_MULTIPROC_DIR") or None


def worker_stopped() -> None:
    """A worker's live gauges (pool, websockets) leave the sum when it stops."""
    if multiprocess_dir():
        multiprocess.mark_process_dead(os.getpid())


def metrics_endpoint(settings: Settings):
    """``GET /metrics``: off (404) unless ``KINERJA_METRICS_TOKEN`` is set; then only for requests that
    send it as a bearer token (401 otherwise)."""
    expected = f"Bearer {settings.metrics_token}".encode()

    async def endpoint(request: Request) -> Response:
        if not settings.metrics_token:
            return PlainTextResponse("Not Found", status_code=404)
        sent = request.headers.get("authorization", "").encode()
        if not hmac.compare_digest(sent, expected):
            return PlainTextResponse("Unauthorized", status_code=401, headers={"WWW-Authenticate": "Bearer"})
        if multiprocess_dir():
            registry = CollectorRegistry()
            multiprocess.MultiProcessCollector(registry)
        else:
            registry = metrics.REGISTRY
        return Response(generate_latest(registry), media_type=CONTENT_TYPE_LATEST)

    return endpoint
