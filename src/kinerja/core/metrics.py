"""Prometheus metrics: what the server counts, and the small hooks that count it.

Exposition (``/metrics``) and the per-request middleware are in ``api/metrics.py``. Under
``kinerja serve`` the values live in prometheus-client's multi-process files
(``PROMETHEUS_MULTIPROC_DIR``, which the command sets before any worker starts), so a scrape answered
by any worker reports the sum over all of them; gauges count the live workers only ("livesum").

Labels are bounded: the route template, the operation (see ``api/metrics.py``), the HTTP status, and
the tenant slug only where ``KINERJA_METRICS_TENANT_LABEL`` asks for it (otherwise the label is empty,
which Prometheus treats as absent).
"""

from __future__ import annotations

from contextvars import ContextVar
from dataclasses import dataclass
from typing import TYPE_CHECKING

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram

if TYPE_CHECKING:
    import asyncpg

REGISTRY = CollectorRegistry()

REQUEST_SECONDS = Histogram(
    "kinerja_request_duration_seconds",
    "HTTP requests by route, GraphQL operation and status, and how long they took (the _count is the "
    "number of requests)",
    ("route", "operation", "status", "tenant"),
    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 15.0),
    registry=REGISTRY,
)
REQUEST_STATEMENTS = Histogram(
    "kinerja_request_statements",
    "SQL statements one HTTP request sent to PostgreSQL (BEGIN and COMMIT included)",
    ("route", "operation", "tenant"),
    buckets=(0, 1, 2, 3, 4, 6, 8, 12, 16, 24, 32, 64, 128),
    registry=REGISTRY,
)
POOL_IN_USE = Gauge("kinerja_db_pool_connections_in_use", "Pooled database connections lent to a request",
                    multiprocess_mode="livesum", registry=REGISTRY)
POOL_WAITING = Gauge("kinerja_db_pool_waiting", "Requests waiting for a pooled database connection",
                     multiprocess_mode="livesum", registry=REGISTRY)
POOL_MAX = Gauge("kinerja_db_pool_connections_max", "Largest number of pooled database connections",
                 multiprocess_mode="livesum", registry=REGISTRY)
RATE_LIMIT_REFUSALS = Counter(
    "kinerja_rate_limit_refusals",
    "Requests refused by a rate limit: request-user, request-tenant, request-ip (authenticated requests per "
    "minute), login-user, login-ip, refresh-ip (logins and token refreshes), tenant, ip (public operations)",
    ("limit",), registry=REGISTRY,
)
WEBSOCKETS = Gauge("kinerja_websocket_connections", "Open websocket connections (GraphQL subscriptions)",
                   multiprocess_mode="livesum", registry=REGISTRY)


@dataclass
class RequestStats:
    """What the hooks learn about the current HTTP request."""

    operation: str = ""
    statements: int = 0


current_request: ContextVar[RequestStats | None] = ContextVar("metrics_request", default=None)


def label_operation(name: str) -> None:
    """Name the current request's operation (a bounded name: see api/metrics.py); the first one stays."""
    stats = current_request.get()
    if stats is not None and not stats.operation:
        stats.operation = name


def _statement_sent(_query: object) -> None:
    stats = current_request.get()
    if stats is not None:
        stats.statements += 1


async def watch_connection(connection: asyncpg.Connection) -> None:
    """asyncpg pool ``init``: count every statement a pooled connection sends for the current request.
    asyncpg calls the logger with a copy of the sending task's context, so the count lands on the
    request that sent it."""
    connection.add_query_logger(_statement_sent)


def rate_limit_refused(limit: str) -> None:
    RATE_LIMIT_REFUSALS.labels(limit).inc()
