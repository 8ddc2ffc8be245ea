"""Propagation of policy changes to every worker process.

The writer sends ``pg_notify('kinerja_policy', tenant_id)`` inside its transaction, so the
notification is delivered only if the change commits. Each process keeps one dedicated listening
connection; on a notification it rebuilds that tenant's enforcer and swaps it in. After a lost
connection it reconnects and rebuilds every cached tenant, since notifications may have been missed.
"""

from __future__ import annotations

import asyncio
import logging
import uuid

from kinerja.auth.enforcer import registry
from kinerja.core.context import RequestContext
from kinerja.core.db import connection, is_postgres, tenant_transaction

CHANNEL = "kinerja_policy"
LISTENER_NAME = "kinerja-policy-listener"
log = logging.getLogger("kinerja.policy")


async def announce_policy_change(ctx: RequestContext, tenant_id: uuid.UUID) -> None:
    """Call inside the writing transaction."""
    if is_postgres():
        await connection().execute_query(f"SELECT pg_notify('{CHANNEL}', $1)", [str(tenant_id)])
    ctx.after_commit.append(lambda: registry.invalidate(tenant_id))


async def rebuild(tenant_id: uuid.UUID) -> None:
    async with tenant_transaction(tenant_id):
        await registry.reload(tenant_id)


class PolicyListener:
    def __init__(self, dsn: str, *, retry_seconds: float = 0.5):
        self.dsn = dsn.replace("postgres://", "postgresql://", 1)
        self.retry_seconds = retry_seconds
        self._task: asyncio.Task | None = None
        self._pending: set[uuid.UUID] = set()
        self._wake = asyncio.Event()
        self.connected = asyncio.Event()

    def start(self) -> None:
        self._task = asyncio.create_task(self._run(), name="policy-listener")

    async def stop(self) -> None:
        if self._task:
            self._task.cancel()
            try:
                await self._task
            except asyncio.CancelledError:
                pass

    def _on_notify(self, _conn, _pid, _channel, payload: str) -> None:
        try:
            self._pending.add(uuid.UUID(payload))
        except ValueError:
            return
        self._wake.set()

    async def _run(self) -> None:
        import asyncpg

        first = True
        while True:
            conn = None
            try:
                conn = await asyncpg.connect(self.dsn, server_settings={"application_name": LISTENER_NAME})
                lost = asyncio.Event()
                conn.add_termination_listener(lambda _c: lost.set())
                await conn.add_listener(CHANNEL, self._on_notify)
                if not first:  # notifications may have been missed while disconnected
                    self._pending.update(registry.cached_tenants())
                    self._wake.set()
                first = False
                self.connected.set()
                while not lost.is_set():
                    waiter = asyncio.create_task(self._wake.wait())
                    dead = asyncio.create_task(lost.wait())
                    await asyncio.wait({waiter, dead}, return_when=asyncio.FIRST_COMPLETED)
                    waiter.cancel()
                    dead.cancel()
                    await self._drain()
            except asyncio.CancelledError:
                if conn is not None:
                    await conn.close()
                raise
            except Exception as exc:  # noqa: BLE001 - keep listening whatever happened
                log.warning("policy listener disconnected: %s", exc)
            finally:
                self.connected.clear()
                if conn is not None and not conn.is_closed():
                    conn.terminate()
            await asyncio.sleep(self.retry_seconds)

    async def _drain(self) -> None:
        self._wake.clear()
        while self._pending:
            tenant_id = self._pending.pop()
            try:
                await rebuild(tenant_id)
            except Exception as exc:  # noqa: BLE001 - the next request rebuilds lazily instead
                log.warning("policy rebuild for %s failed: %s", tenant_id, exc)
                registry.invalidate(tenant_id)
