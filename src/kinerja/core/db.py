"""Database setup and the tenant transaction every request runs in.

PostgreSQL enforces tenant isolation with row-level security keyed on the transaction-local
setting ``app.tenant_id``; the services scope every query by tenant as well, so the embedded
SQLite mode (no RLS) stays isolated too.
"""

from __future__ import annotations

import contextlib
import errno
import logging
import socket
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable
from contextvars import ContextVar

from tortoise import Tortoise, connections
from tortoise.backends.base.client import BaseDBAsyncClient
from tortoise.exceptions import DBConnectionError
from tortoise.transactions import in_transaction

from kinerja.core.config import Settings

APP_LABEL = "kinerja"
APPLICATION_NAME = "kinerja"
MODEL_MODULES = [
    "kinerja.tenancy.models",
    "kinerja.org.models",
    "kinerja.auth.models",
    "kinerja.plans.models",
    "kinerja.evaluations.models",
    "kinerja.training.models",
    "kinerja.citizen.models",
    "kinerja.core.audit_models",
]

# The tenant the current transaction is bound to (RLS follows it); the audit trail writes there.
bound_tenant: ContextVar[uuid.UUID | None] = ContextVar("bound_tenant", default=None)


def tortoise_config(settings: Settings, *, owner: bool = False, statement_timeout: bool = False) -> dict:
    """``statement_timeout``: the serving app's connections stop any statement running longer than
    an operation may (set once per connection, no extra round trip per request)."""
    url = settings.owner_db_url if owner else settings.db_url
    if url.startswith("postgres://"):
        credentials = _postgres_credentials(url, settings)
        if statement_timeout and not owner:
            milliseconds = max(1, int(settings.request_timeout_seconds * 1000))
            credentials["credentials"]["server_settings"]["statement_timeout"] = str(milliseconds)
    else:
        credentials = {
            "engine": "tortoise.backends.sqlite",
            "credentials": {"file_path": url.removeprefix("sqlite://"), "journal_mode": "WAL"},
        }
    return {
        "connections": {"default": credentials},
        "apps": {
            APP_LABEL: {
                "models": MODEL_MODULES,
                "default_connection": "default",
                "migrations": "migrations",
            }
        },
        "use_tz": True,
        "timezone": "UTC",
    }


async def _release_connection(conn) -> None:
    """What a pooled connection needs before its next request. asyncpg's default runs a reset query
    (unlock advisory locks, close cursors, UNLISTEN, RESET ALL): one more round trip on every request
    for state this app never leaves behind. Tenant bindings are transaction-local, LISTEN has its own
    connection, and there are no advisory locks or session settings; an unfinished transaction (a
    cancelled request) is the one thing to clear."""
    if conn.is_in_transaction():
        await conn.execute("ROLLBACK")


def _postgres_credentials(url: str, settings: Settings) -> dict:
    from urllib.parse import unquote, urlparse

    parsed = urlparse(url)
    return {
        "engine": "kinerja.core.pgclient",
        "credentials": {
            "host": parsed.hostname or "127.0.0.1",
            "port": parsed.port or 5432,
            "user": unquote(parsed.username or "postgres"),
            "password": unquote(parsed.password or ""),
            "database": (parsed.path or "/postgres").lstrip("/"),
            "minsize": 1,
            "maxsize": settings.pool_size,
            # Fail fast when the server is gone: bounded connect and bounded wait for a pooled connection.
            "timeout": settings.db_connect_timeout,
            "acquire_timeout": settings.db_acquire_timeout,
            # Tenants differ in size by orders of magnitude: a generic plan made for one tenant's
            # statistics can be 15x slower for another (seen on the benchmark's tenant-year summary),
            # so every execution is planned for its own parameters.
            "server_settings": {"plan_cache_mode": "force_custom_plan", "application_name": APPLICATION_NAME},
            "reset": _release_connection,
        },
    }


async def init_db(settings: Settings, *, owner: bool = False) -> None:
    await Tortoise.init(config=tortoise_config(settings, owner=owner), _enable_global_fallback=True)


async def close_db() -> None:
    await Tortoise.close_connections()


_UNREACHABLE_ERRNOS = {errno.ECONNREFUSED, errno.ECONNRESET, errno.ECONNABORTED, errno.EHOSTUNREACH,
                       errno.ENETUNREACH, errno.ETIMEDOUT, errno.EPIPE}


def is_database_unavailable(exc: BaseException | None) -> bool:
    """Whether ``exc`` (or what caused it) means the database cannot be reached right now: refused or
    timed-out connections, connections the server closed or is closing, a server starting up or
    full. Errors in a query itself are not, and neither are file errors."""
    import asyncpg

    for _ in range(10):
        if exc is None:
            return False
        if isinstance(exc, (asyncpg.PostgresConnectionError, asyncpg.CannotConnectNowError,
                            asyncpg.AdminShutdownError, asyncpg.CrashShutdownError,
                            asyncpg.TooManyConnectionsError, DBConnectionError,
                            ConnectionError, socket.gaierror, TimeoutError)):
            return True
        if isinstance(exc, OSError) and (exc.errno in _UNREACHABLE_ERRNOS
                                         or str(exc).startswith(("Connect call failed", "Multiple exceptions"))):
            return True
        # A connection the server closed is released to the pool under the request's feet.
        if isinstance(exc, asyncpg.InterfaceError) and any(
                sign in str(exc) for sign in ("connection is closed", "released back to the pool", "pool is closing")):
            return True
        exc = exc.__cause__ or exc.__context__
    return False


async def expire_pooled_connections() -> None:
    """After a connection-level error: every idle pooled connection reconnects on its next use, so
    connections to a server that restarted do not fail one request each."""
    client = connection()
    expire = getattr(client, "expire_connections", None)
    if expire is not None:
        await expire()


def connection() -> BaseDBAsyncClient:
    return connections.get("default")


def is_postgres() -> bool:
    return connection().capabilities.dialect == "postgres"


@contextlib.asynccontextmanager
async def tenant_transaction(tenant_id: uuid.UUID | None) -> AsyncIterator[BaseDBAsyncClient]:
    """One transaction bound to one tenant (or to none: then RLS shows no tenant rows)."""
    async with in_transaction("default") as conn:
        if conn.capabilities.dialect == "postgres":
            await conn.execute_query(
                "SELECT set_config('app.tenant_id', $1, true)",
                [str(tenant_id) if tenant_id else ""],
            )
        bound_tenant.set(tenant_id)
        yield conn


Fetch = Callable[[str, list], Awaitable[list]]
sql_log = logging.getLogger("kinerja.sql")


@contextlib.asynccontextmanager
async def tenant_read(tenant_id: uuid.UUID) -> AsyncIterator[Fetch]:
    """A read-only transaction bound to a tenant, opened and bound in one round trip: what compiled
    reads run their statement in. Nothing it does is kept. (SQLite has no row-level security and runs a
    single statement atomically: the statement itself is scoped to the tenant.)"""
    client = connection()
    if client.capabilities.dialect != "postgres":
        async def fetch_sqlite(sql: str, params: list) -> list:
            return (await client.execute_query(sql, params))[1]

        yield fetch_sqlite
        return
    async with client.acquire_connection() as raw:
        binding = "BEGIN READ ONLY; SELECT set_config('app.tenant_id', '%s', true)" % uuid.UUID(str(tenant_id))
        sql_log.debug(binding)
        await raw.execute(binding)
        try:
            async def fetch(sql: str, params: list) -> list:
                sql_log.debug("%s: %s", sql, params)
                return await raw.fetch(sql, *params)

            yield fetch
        finally:
            await raw.execute("ROLLBACK")


async def switch_tenant(conn: BaseDBAsyncClient, tenant_id: uuid.UUID) -> None:
    """Re-bind the current transaction to another tenant (provisioning and platform work only)."""
    if conn.capabilities.dialect == "postgres":
        await conn.execute_query("SELECT set_config('app.tenant_id', $1, true)", [str(tenant_id)])
    bound_tenant.set(tenant_id)
