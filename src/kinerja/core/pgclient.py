"""The PostgreSQL engine tortoise uses: its asyncpg client, with a bounded wait for a pooled connection
and no pool slot lost when a transaction cannot start.

tortoise acquires pool connections without a timeout, so when every connection is stuck (a database
that stopped answering) requests would queue forever. Here every acquire gives up after
``acquire_timeout`` seconds with ``asyncio.TimeoutError``, which the API reports as the database
being unavailable. The connect timeout is asyncpg's own ``timeout`` credential.
"""

from __future__ import annotations

import asyncpg
from tortoise.backends.asyncpg.client import AsyncpgDBClient, TransactionWrapper
from tortoise.backends.base.client import TransactionContextPooled
from tortoise.connection import get_connections

from kinerja.core import metrics

# asyncpg.create_pool's defaults, which the Pool constructor does not repeat.
_POOL_DEFAULTS = {"max_queries": 50_000, "max_inactive_connection_lifetime": 300.0, "record_class": asyncpg.Record}


class BoundedPool(asyncpg.Pool):
    """Also keeps the pool gauges of core/metrics.py: connections lent out, requests waiting."""

    acquire_timeout: float | None = None
    _counted = False

    def acquire(self, *, timeout: float | None = None):
        return super().acquire(timeout=self.acquire_timeout if timeout is None else timeout)

    async def _acquire(self, timeout):
        # asyncpg's one path for `await pool.acquire()` and `async with pool.acquire()`.
        waits = self._queue.empty()  # every connection is lent out: this request queues
        if waits:
            metrics.POOL_WAITING.inc()
        try:
            proxy = await super()._acquire(timeout)
        finally:
            if waits:
                metrics.POOL_WAITING.dec()
        self._lent.add(proxy)
        metrics.POOL_IN_USE.inc()
        return proxy

    async def release(self, connection, *, timeout=None):
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

    async def close(self):
        try:
            await super().close()
        finally:
            self._forget()

    def terminate(self):
        try:
            super().terminate()
        finally:
            self._forget()


class ReleasingTransactionContext(TransactionContextPooled):
    """tortoise's pooled transaction, except that a failed BEGIN (a connection the server just
    closed) gives the connection back to the pool and unbinds it from the task; tortoise keeps both,
    which loses one pool slot per failure until the pool is exhausted."""

    async def __aenter__(self) -> TransactionWrapper:
        await self.ensure_connection()
        pool = self.client._parent._pool
        self.client._connection = await pool.acquire()
        self.token = get_connections().set(self.connection_name, self.client)
        try:
            await self.client.begin()
        except BaseException:
            try:
                await pool.release(self.client._connection)
            finally:
                get_connections().reset(self.token)
            raise
        return self.client


class BoundedAsyncpgClient(AsyncpgDBClient):
    def __init__(self, *args, acquire_timeout: float | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.acquire_timeout = acquire_timeout

    async def create_pool(self, **kwargs) -> asyncpg.Pool:
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


client_class = BoundedAsyncpgClient
