"""Database setup and the tenant transaction every request runs in.

PostgreSQL enforces tenant isolation with row-level security keyed on the transaction-local
setting ``app.tenant_id``; the services scope every query by tenant as well, so the embedded
SQLite mode (no RLS) stays isolated too.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable
from contextvars import ContextVar
from typing import TYPE_CHECKING, Any, cast

import asyncpg
from tortoise import Tortoise, connections
from tortoise.backends.base.client import BaseDBAsyncClient
from tortoise.transactions import in_transaction

from kinerja.core import replicas, storage
from kinerja.core.config import Settings
from kinerja.core.errors import BadUserInput, Unauthenticated
from kinerja.core.faults import Fault, classify, seen_recently
from kinerja.core.logging import tenant_var

if TYPE_CHECKING:
    from kinerja.core.pgclient import BoundedAsyncpgClient, FirstStatement, Proxy

APP_LABEL = "kinerja"
REPLICA = "replica"  # the connection compiled reads use when a replica is configured
APPLICATION_NAME = "kinerja"
MODEL_MODULES = [
    "kinerja.tenancy.models",
    "kinerja.org.models",
    "kinerja.auth.models",
    "kinerja.plans.models",
    "kinerja.goals.models",
    "kinerja.evaluations.models",
    "kinerja.training.models",
    "kinerja.citizen.models",
    "kinerja.documents.models",
    "kinerja.imports.models",
    "kinerja.notifications.models",
    "kinerja.core.audit_models",
]

# The tenant the current transaction is bound to (RLS follows it); the audit trail writes there.
log = logging.getLogger("kinerja.db")
bound_tenant: ContextVar[uuid.UUID | None] = ContextVar("bound_tenant", default=None)


def tortoise_config(settings: Settings, *, owner: bool = False, statement_timeout: bool = False) -> dict[str, Any]:
    """``statement_timeout``: the serving app's connections stop any statement running longer than
    an operation may (set once per connection, no extra round trip per request)."""
    url = settings.owner_db_url if owner else settings.db_url
    replica = None
    if url.startswith("postgres://"):
        pooled = settings.behind_pooler and not owner
        credentials = _postgres_credentials(url, settings, pooled=pooled)
        if statement_timeout and not owner and not pooled:
            milliseconds = max(1, int(settings.effective_statement_timeout * 1000))
            credentials["credentials"]["server_settings"]["statement_timeout"] = str(milliseconds)
        if settings.replica_url and not owner:
            replica = _postgres_credentials(settings.replica_db_url, settings, pooled=settings.behind_pooler)
    else:
        credentials = {
            "engine": "tortoise.backends.sqlite",
            "credentials": {"file_path": url.removeprefix("sqlite://"), "journal_mode": "WAL"},
        }
    return {
        "connections": {"default": credentials, **({REPLICA: replica} if replica else {})},
        "apps": {
            APP_LABEL: {
                "models": MODEL_MODULES,
                "default_connection": "default",
                "migrations": "kinerja.migrations",
            }
        },
        "use_tz": True,
        "timezone": "UTC",
    }


async def _release_connection(conn: asyncpg.Connection[asyncpg.Record]) -> None:
    """What a pooled connection needs before its next request. asyncpg's default runs a reset query
    (unlock advisory locks, close cursors, UNLISTEN, RESET ALL): one more round trip on every request
    for state this app never leaves behind. Tenant bindings are transaction-local, LISTEN has its own
    connection, and there are no advisory locks or session settings; an unfinished transaction (a
    cancelled request) is the one thing to clear."""
    if conn.is_in_transaction():
        await conn.execute("ROLLBACK")


def _postgres_credentials(url: str, settings: Settings, *, pooled: bool = False) -> dict[str, Any]:
    """``pooled``: the URL is a transaction pooler (PgBouncer), which refuses startup parameters it does
    not track: only the application name is sent, and the statement timeout and plan cache mode come
    from the role's settings (``ALTER ROLE ... SET``, docs/scale.md)."""
    from urllib.parse import unquote, urlparse

    parsed = urlparse(url)
    server_settings = {"application_name": APPLICATION_NAME}
    if not pooled:
        # Tenants differ in size by orders of magnitude: a generic plan made for one tenant's
        # statistics can be 15x slower for another (seen on the benchmark's tenant-year summary),
        # so every execution is planned for its own parameters.
        server_settings["plan_cache_mode"] = "force_custom_plan"
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
            "server_settings": server_settings,
            # Named prepared statements live on one server connection: behind a transaction pooler
            # the next transaction may run on another one (docs/scale.md).
            "statement_cache_size": settings.statement_cache_size,
            "reset": _release_connection,
        },
    }


async def init_db(settings: Settings, *, owner: bool = False) -> None:
    await Tortoise.init(config=tortoise_config(settings, owner=owner), _enable_global_fallback=True)


async def close_db() -> None:
    await Tortoise.close_connections()


DATABASE_FAULTS = frozenset({Fault.UNREACHABLE, Fault.BUSY, Fault.READ_ONLY, Fault.DISK_FULL, Fault.OVERLOADED})


def is_database_unavailable(exc: BaseException | None) -> bool:
    """Whether ``exc`` (or what caused it) means the database cannot serve the request right now:
    unreachable (refused or timed-out connections, connections the server closed, a server starting
    up or shutting down), a pooled connection left broken, read-only (a hot standby or
    ``default_transaction_read_only``), out of disk or of resources. Errors in a query itself are
    not, and neither are file errors. See ``core/faults.py``."""
    return classify(exc) in DATABASE_FAULTS


async def expire_pooled_connections() -> None:
    """After a connection-level error: every idle pooled connection reconnects on its next use, so
    connections to a server that restarted do not fail one request each."""
    client = connection()
    expire = getattr(client, "expire_connections", None)
    if expire is not None:
        await expire()


def connection() -> BaseDBAsyncClient:
    client: BaseDBAsyncClient = connections.get("default")
    return client


def is_postgres() -> bool:
    return connection().capabilities.dialect == "postgres"


# The statement that binds a transaction to its tenant also checks, for a signed-in caller and in the
# same round trip, that the account still exists and is active (migration 0020, ``kinerja_bind``,
# raising this SQLSTATE otherwise).
INACTIVE_ACCOUNT_SQLSTATE = "KN401"
INACTIVE_ACCOUNT = "This account no longer exists or is disabled; sign in again"
SESSION_ENDED_SQLSTATE = "KN402"
SESSION_ENDED = "This session has ended; sign in again"
# A session (the ``sid`` of an access token, a refresh-token family) is live while it has a live token
# (migration 0074, the three-argument ``kinerja_bind``).
# One statement for both: the account's ``active`` (1 or 0), then 2 when the session is live (or none
# is named: no tokens then).
_SESSION_SQLITE = ("SELECT active FROM app_user WHERE tenant_id = ? AND id = ? UNION ALL SELECT 2 FROM "
                   "(SELECT count(*) AS tokens, sum(revoked_at IS NULL) AS live FROM refresh_token "
                   "WHERE tenant_id = ? AND family = ? AND user_id = ?) "
                   "WHERE tokens = 0 OR live > 0")  # unknown or live: see kinerja_bind
ONE_TENANT = ("One operation acts in one tenant: send operations that name different tenants, or a tenant "
              "and the signed-in user, as separate requests")


def _binding_refused(exc: BaseException) -> str | None:
    """The message of a binding the database refused: the account, or the session, is over."""
    return {INACTIVE_ACCOUNT_SQLSTATE: INACTIVE_ACCOUNT,
            SESSION_ENDED_SQLSTATE: SESSION_ENDED}.get(getattr(exc, "sqlstate", None) or "")


def _bind_sql(tenant_id: uuid.UUID | None, user_id: uuid.UUID | None, session_id: uuid.UUID | None = None) -> str:
    """The binding as literal SQL, for a simple-protocol batch (all are UUIDs: nothing to escape)."""
    tenant = str(uuid.UUID(str(tenant_id))) if tenant_id else ""
    user = f"'{uuid.UUID(str(user_id))}'::uuid" if user_id else "NULL"
    session = f"'{uuid.UUID(str(session_id))}'::uuid" if session_id else "NULL"
    return f"SELECT kinerja_bind('{tenant}', {user}, {session})"


async def _check_sqlite(client: BaseDBAsyncClient, tenant_id: uuid.UUID | None, user_id: uuid.UUID,
                        session_id: uuid.UUID | None) -> None:
    """SQLite's binding check: the account is active, and the session (if any) live."""
    session = str(session_id) if session_id is not None else None
    _count, rows = await client.execute_query(
        _SESSION_SQLITE, [str(tenant_id), str(user_id), str(tenant_id), session, str(user_id)])
    values = [row[0] for row in rows]
    if not values or values[0] not in (1, True):
        raise Unauthenticated(INACTIVE_ACCOUNT)
    if 2 not in values[1:]:
        raise Unauthenticated(SESSION_ENDED)


@contextlib.asynccontextmanager
async def tenant_transaction(tenant_id: uuid.UUID | None, *, user_id: uuid.UUID | None = None,
                             session_id: uuid.UUID | None = None) -> AsyncIterator[BaseDBAsyncClient]:
    """One transaction bound to one tenant (or to none: then RLS shows no tenant rows). With
    ``user_id`` (a signed-in caller of that tenant) it opens only while that account exists and is
    active, and with ``session_id`` only while that session of the user is live; it raises
    UNAUTHENTICATED otherwise: sessions end with their account, and when they are revoked."""
    async with in_transaction("default") as conn:
        token = bound_tenant.set(tenant_id)
        try:
            if conn.capabilities.dialect == "postgres":
                try:
                    await conn.execute_query("SELECT kinerja_bind($1, $2, $3)",
                                             [str(tenant_id) if tenant_id else "", user_id, session_id])
                except Exception as exc:
                    if refused := _binding_refused(exc):
                        raise Unauthenticated(refused) from None
                    raise
            elif user_id is not None:
                await _check_sqlite(conn, tenant_id, user_id, session_id)
            with storage.tracking_created_files():
                try:
                    yield conn
                except BaseException:
                    # Still inside the transaction: files it stored go before it rolls back.
                    await storage.discard_uncommitted()
                    raise
        finally:
            bound_tenant.reset(token)


Fetch = Callable[[str, list[Any]], Awaitable[list[Any]]]
sql_log = logging.getLogger("kinerja.sql")


@contextlib.asynccontextmanager
async def tenant_read(tenant_id: uuid.UUID, *, user_id: uuid.UUID | None = None,
                      session_id: uuid.UUID | None = None, generic: bool = False) -> AsyncIterator[Fetch]:
    """A read-only transaction bound to a tenant (and checked against the caller's account, as in
    ``tenant_transaction``), opened and bound in one round trip: what compiled reads run their
    statement in. Nothing it does is kept. A broken pooled connection is replaced before anything is
    read (``core/pgclient.py``). (SQLite has no row-level security and runs a single statement
    atomically: the statement itself is scoped to the tenant; the account is checked first.)"""
    client = connection()
    if client.capabilities.dialect != "postgres":
        if user_id is not None:
            await _check_sqlite(client, tenant_id, user_id, session_id)

        async def fetch_sqlite(sql: str, params: list[Any]) -> list[Any]:
            return list((await client.execute_query(sql, params))[1])

        yield fetch_sqlite
        return
    # ``generic``: a statement whose plan does not depend on its parameters (every row reached by a
    # key) keeps one generic plan per connection instead of being planned at each execution.
    plans = "SET LOCAL plan_cache_mode = force_generic_plan; " if generic else ""
    binding = f"BEGIN READ ONLY; {plans}{_bind_sql(tenant_id, user_id, session_id)}"

    async def begin(conn: Proxy) -> None:
        sql_log.debug(binding)
        await conn.execute(binding)

    try:
        client, raw = await _open_read(client, begin, user_id)
    except Exception as exc:
        if refused := _binding_refused(exc):
            raise Unauthenticated(refused) from None
        raise
    failure: BaseException | None = None
    try:
        async def fetch(sql: str, params: list[Any]) -> list[Any]:
            sql_log.debug("%s: %s", sql, params)
            return await raw.fetch(sql, *params)

        yield fetch
    except BaseException as exc:
        failure = exc
        raise
    finally:
        try:
            if failure is None or not raw.is_closed():
                await raw.execute("ROLLBACK")
        except Exception as exc:  # noqa: BLE001 - the connection is discarded below
            failure = failure or exc
        finally:
            await client.release_raw(raw, failure)


class Spending:
    """The statements of a public read that spends a rate limit (``tenant_spend``): called as a
    ``Fetch``. What they wrote is kept only when ``keep`` is set, once the operation answered without
    an error, as an operation's transaction commits only then (``api/extensions.py``)."""

    def __init__(self, fetch: Fetch) -> None:
        self._fetch = fetch
        self.keep = False

    async def __call__(self, sql: str, params: list[Any]) -> list[Any]:
        return await self._fetch(sql, params)


@contextlib.asynccontextmanager
async def tenant_spend(tenant_id: uuid.UUID) -> AsyncIterator[Spending]:
    """``tenant_read`` for nobody, for a read that also spends a rate limit (``ratelimit.spend``): a
    read-write transaction on the primary, still opened and bound in one round trip, that commits
    what it wrote only when the caller sets ``keep``. (On SQLite a transaction of the connection, with
    no statement of its own.)"""
    client = connection()
    if client.capabilities.dialect != "postgres":
        async with in_transaction("default") as conn:
            async def fetch_sqlite(sql: str, params: list[Any]) -> list[Any]:
                return list((await conn.execute_query(sql, params))[1])

            local = Spending(fetch_sqlite)
            yield local
            if not local.keep:
                await conn.rollback()
        return
    binding = f"BEGIN; {_bind_sql(tenant_id, None)}"

    async def begin(conn: Proxy) -> None:
        sql_log.debug(binding)
        await conn.execute(binding)

    primary = cast("BoundedAsyncpgClient", client)  # PostgreSQL's engine is core/pgclient.py's
    raw = await primary.open_raw(begin)
    failure: BaseException | None = None
    spending: Spending | None = None
    try:
        async def fetch(sql: str, params: list[Any]) -> list[Any]:
            sql_log.debug("%s: %s", sql, params)
            return list(await raw.fetch(sql, *params))

        spending = Spending(fetch)
        yield spending
    except BaseException as exc:
        failure = exc
        raise
    finally:
        try:
            if failure is None or not raw.is_closed():
                await raw.execute("COMMIT" if failure is None and spending is not None and spending.keep
                                  else "ROLLBACK")
        except Exception as exc:  # noqa: BLE001 - the connection is discarded below
            failure = failure or exc
        finally:
            await primary.release_raw(raw, failure)


async def _open_read(primary: BaseDBAsyncClient, begin: FirstStatement,
                     user_id: uuid.UUID | None) -> tuple[BoundedAsyncpgClient, Proxy]:
    """The client and connection a compiled read runs on: the replica when one is configured and the
    reader wrote nothing lately (``core/replicas.py``), else the primary. A replica that cannot take
    the read within ``KINERJA_REPLICA_WAIT_SECONDS`` (unreachable, starting, or a pooler waiting for it)
    hands it to the primary rather than failing it, and is left alone for a while."""
    wanted = REPLICA in connections.db_config and not replicas.writers.wrote_recently(user_id)
    if wanted and replicas.health.usable():
        replica: BoundedAsyncpgClient = connections.get(REPLICA)
        try:
            async with asyncio.timeout(replicas.health.wait_seconds):
                return replica, await replica.open_raw(begin)
        except Exception as exc:
            if not isinstance(exc, TimeoutError) and classify(exc) not in DATABASE_FAULTS:
                raise
            replicas.health.failed()
            log.warning("replica unavailable (%s: %s); reading from the primary for %.0f s",
                        type(exc).__name__, exc, replicas.health.rest_seconds)
    client = cast("BoundedAsyncpgClient", primary)  # PostgreSQL's engine is core/pgclient.py's
    return client, await client.open_raw(begin)


async def announce_write(user_id: uuid.UUID) -> None:
    """Inside a committing transaction that wrote for ``user_id``: every host sends that user's reads
    to the primary for a while (delivered when it commits)."""
    if replicas.writers.sticky_seconds > 0 and is_postgres():
        await connection().execute_query(f"SELECT pg_notify('{replicas.CHANNEL}', $1)", [str(user_id)])


async def readiness() -> str | None:
    """Why the database cannot take requests now (None when it can): unreachable, read-only (a hot
    standby, or ``default_transaction_read_only``), or out of disk as a request recently found."""
    client = connection()
    if client.capabilities.dialect == "postgres":
        pg = cast("BoundedAsyncpgClient", client)  # PostgreSQL's engine is core/pgclient.py's

        async def check(conn: Proxy) -> None:
            # In a transaction: an unnamed prepared statement and its execution stay on one server
            # connection behind a transaction pooler.
            async with conn.transaction():
                readonly = await conn.fetchval(
                    "SELECT pg_is_in_recovery() OR current_setting('transaction_read_only') = 'on'")
            if readonly:
                raise asyncpg.ReadOnlySQLTransactionError("read-only")

        try:
            raw = await pg.open_raw(check)
        except Exception as exc:  # noqa: BLE001 - any failure means not ready
            fault = classify(exc)
            return fault.value if fault is not None else f"database check failed ({type(exc).__name__})"
        await pg.release_raw(raw)
    else:
        try:
            await client.execute_query("SELECT 1")
        except Exception as exc:  # noqa: BLE001 - any failure means not ready
            fault = classify(exc)
            return fault.value if fault is not None else f"database check failed ({type(exc).__name__})"
    # PostgreSQL tells its read-only state; a full disk (and SQLite's state) shows only in failed writes.
    for fault in (Fault.DISK_FULL,) if client.capabilities.dialect == "postgres" else (Fault.DISK_FULL, Fault.READ_ONLY):
        age = seen_recently(fault)
        if age is not None:
            return f"{fault.value} (a request failed {age:.0f} s ago)"
    return None


async def switch_tenant(conn: BaseDBAsyncClient, tenant_id: uuid.UUID, *, rebind: bool = False) -> None:
    """Bind the current transaction to a tenant: an unbound one (login, refresh and public operations
    once they know the tenant they name), or, with ``rebind``, another one (provisioning, and the
    audit trail of a new tenant only). One operation acts in one tenant: anything else is refused."""
    current = bound_tenant.get()
    if current is not None and current != tenant_id and not rebind:
        raise BadUserInput(ONE_TENANT)
    if conn.capabilities.dialect == "postgres":
        await conn.execute_query("SELECT set_config('app.tenant_id', $1, true)", [str(tenant_id)])
    bound_tenant.set(tenant_id)
    tenant_var.set(str(tenant_id))  # the request's log line and metrics name the tenant it acted in
