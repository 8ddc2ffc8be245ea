"""The PostgreSQL engine tortoise uses: its asyncpg client, with a bounded wait for a pooled connection,
broken connections discarded, and one retry on a fresh connection when a transaction cannot start.

tortoise acquires pool connections without a timeout, so when every connection is stuck (a database
that stopped answering) requests would queue forever. Here every acquire gives up after
``acquire_timeout`` seconds with ``asyncio.TimeoutError``, which the API reports as the database
being unavailable. The connect timeout is asyncpg's own ``timeout`` credential.

A pooled connection can be dead without the pool knowing: its backend was terminated or the server
restarted, and the notice is still on its way, or left the connection's protocol half-way (asyncpg:
"another operation is in progress"). Such a connection fails on its first statement. When that
statement is the transaction's BEGIN, nothing of the request has reached the database yet: the
connection is thrown away, every idle one is renewed, and BEGIN is retried once on a fresh
connection. A connection that fails later in a transaction is thrown away too, and the request
fails (SERVICE_UNAVAILABLE): what it sent may or may not have been applied, so it is not replayed.
"""

from __future__ import annotations

import logging
from types import TracebackType
from typing import TYPE_CHECKING, Any, cast

import asyncpg
from tortoise.backends.asyncpg.client import AsyncpgDBClient, TransactionWrapper
from tortoise.backends.base.client import TransactionalDBClient, TransactionContextPooled
from tortoise.connection import get_connections
from tortoise.exceptions import TransactionManagementError

from kinerja.core.faults import breaks_connection

log = logging.getLogger("kinerja.db")

from kinerja.core import metrics  # noqa: E402 - after the logger, as the modules it loads expect

if TYPE_CHECKING:
    from collections.abc import Awaitable, Callable

    from asyncpg.pool import PoolConnectionProxy

    _Pool = asyncpg.Pool[asyncpg.Record]
    Proxy = PoolConnectionProxy[asyncpg.Record]
    FirstStatement = Callable[[Proxy], Awaitable[None]]
else:
    _Pool = asyncpg.Pool  # generic only in its stubs

# asyncpg.create_pool's defaults, which the Pool constructor does not repeat.
_POOL_DEFAULTS: dict[str, Any] = {"max_queries": 50_000, "max_inactive_connection_lifetime": 300.0, "record_class": asyncpg.Record}


class BoundedPool(_Pool):
    """Also keeps the pool gauges of core/metrics.py: connections lent out, requests waiting."""

    acquire_timeout: float | None = None
    _counted = False
    _lent: set[Proxy]

    def acquire(self, *, timeout: float | None = None) -> asyncpg.pool.PoolAcquireContext[asyncpg.Record]:
        return super().acquire(timeout=self.acquire_timeout if timeout is None else timeout)

    async def _acquire(self, timeout: float | None) -> Proxy:  # noqa: ASYNC109 - asyncpg's signature, overridden
        # asyncpg's one path for `await pool.acquire()` and `async with pool.acquire()`.
        waits = self._queue.empty()  # type: ignore[attr-defined]  # asyncpg's idle connections, private: not in its stubs
        if waits:
            metrics.POOL_WAITING.inc()
        try:
            proxy: Proxy = await super()._acquire(timeout)  # type: ignore[misc]  # private: not in asyncpg's stubs
        finally:
            if waits:
                metrics.POOL_WAITING.dec()
        self._lent.add(proxy)
        metrics.POOL_IN_USE.inc()
        return proxy

    async def release(self, connection: Proxy, *, timeout: float | None = None) -> None:  # noqa: ASYNC109 - asyncpg's signature, overridden
        if connection in self._lent:
            self._lent.discard(connection)
            metrics.POOL_IN_USE.dec()
        return await super().release(connection, timeout=timeout)

    def _forget(self) -> None:
        """A closed pool lends nothing and holds nothing."""
        if self._counted:
            self._counted = False
            metrics.POOL_IN_USE.dec(len(self._lent))
            metrics.POOL_MAX.dec(self.get_max_size())
            self._lent.clear()

    async def close(self) -> None:
        try:
            await super().close()
        finally:
            self._forget()

    def terminate(self) -> None:
        try:
            super().terminate()
        finally:
            self._forget()


async def discard_or_release(pool: _Pool, conn: Proxy, failure: BaseException | None = None) -> None:
    """Give ``conn`` back to the pool, or throw it away when ``failure`` broke it (or giving it back
    fails). Never raises: the outcome of the work done on it is already known."""
    if getattr(conn, "_con", True) is None:
        return  # asyncpg gave a connection that closed back to the pool by itself
    try:
        if failure is not None and breaks_connection(failure):
            conn.terminate()
            return  # terminating gives it back to the pool, which renews it on the next acquire
        await pool.release(conn)
    except Exception as exc:  # noqa: BLE001 - asyncpg has terminated the connection; the pool renews it
        log.info("pooled connection discarded: %s: %s", type(exc).__name__, exc)


async def open_on_fresh_retry(pool: _Pool, first_statement: FirstStatement) -> Proxy:
    """Acquire a connection and run ``first_statement(conn)`` on it; when the connection turns out to
    be broken, discard it, renew the idle ones and try once more on a fresh one."""
    for attempt in (1, 2):
        conn = await pool.acquire()
        try:
            await first_statement(conn)
            return conn
        except BaseException as exc:
            await discard_or_release(pool, conn, exc)
            if attempt == 2 or not breaks_connection(exc):
                raise
            log.warning("broken pooled connection discarded before use (%s: %s); retrying on a fresh one",
                        type(exc).__name__, exc)
            await pool.expire_connections()
    raise AssertionError("unreachable")


class ReleasingTransactionContext(TransactionContextPooled):
    """tortoise's pooled transaction, except that BEGIN is retried once on a fresh connection when the
    pooled one is broken, a broken connection is discarded instead of pooled again, and a failure to
    start never keeps the connection (tortoise keeps it bound to the task, losing a pool slot)."""

    async def __aenter__(self) -> TransactionalDBClient:
        await self.ensure_connection()
        pool = self.client._parent._pool

        async def begin(conn: Proxy) -> None:
            self.client._connection = conn
            self.client._finalized = False
            await self.client.begin()

        await open_on_fresh_retry(pool, begin)
        self.token = get_connections().set(self.connection_name, self.client)
        return self.client

    async def __aexit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                        tb: TracebackType | None) -> None:
        conn, pool = self.client._connection, self.client._parent._pool
        failure = exc
        try:
            if not self.client._finalized:
                if exc_type is None:
                    await self.client.commit()
                elif exc_type is not TransactionManagementError:
                    await self.client.rollback()
        except BaseException as ending:
            failure = ending
            raise
        finally:
            try:
                await discard_or_release(pool, conn, failure)
            finally:
                get_connections().reset(self.token)


class BoundedAsyncpgClient(AsyncpgDBClient):
    def __init__(self, *args: Any, acquire_timeout: float | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.acquire_timeout = acquire_timeout

    async def create_pool(self, **kwargs: Any) -> BoundedPool:
        pool = BoundedPool(None, **{**_POOL_DEFAULTS, "init": metrics.watch_connection, **kwargs})
        pool.acquire_timeout = self.acquire_timeout
        pool._lent = set()
        await pool
        pool._counted = True
        metrics.POOL_MAX.inc(pool.get_max_size())
        return pool

    def _in_transaction(self) -> ReleasingTransactionContext:
        return ReleasingTransactionContext(TransactionWrapper(self), self._pool_init_lock)

    async def expire_connections(self) -> None:
        """Reconnect every pooled connection on its next use (after the server was restarted)."""
        await self._expire_connections()

    async def open_raw(self, first_statement: FirstStatement) -> Proxy:
        """A pooled asyncpg connection on which ``first_statement`` ran (retried once on a fresh
        connection when the pooled one was broken); give it back with ``release_raw``."""
        if not self._pool:
            async with self._pool_init_lock:
                if not self._pool:
                    await self.create_connection(with_db=True)
        # create_connection made the pool (or raised).
        return await open_on_fresh_retry(cast(_Pool, self._pool), first_statement)

    async def release_raw(self, conn: Proxy, failure: BaseException | None = None) -> None:
        # The pool that lent ``conn`` (open_raw).
        await discard_or_release(cast(_Pool, self._pool), conn, failure)


client_class = BoundedAsyncpgClient
