"""Propagation of policy changes to every worker process.

The writer sends ``pg_notify('kinerja_policy', tenant_id)`` inside its transaction; each process
rebuilds that tenant's enforcer on the notification and swaps it in whole. After a lost listener
connection every cached tenant is rebuilt.
"""

from __future__ import annotations

import asyncio
import logging
import uuid

from kinerja.auth.enforcer import registry
from kinerja.core.context import RequestContext
from kinerja.core.db import connection, is_postgres, tenant_transaction
from kinerja.core.listener import Channel

CHANNEL = "kinerja_policy"
log = logging.getLogger("kinerja.policy")


async def announce_policy_change(ctx: RequestContext, tenant_id: uuid.UUID) -> None:
    """Call inside the writing transaction."""
    if is_postgres():
        await connection().execute_query(f"SELECT pg_notify('{CHANNEL}', $1)", [str(tenant_id)])
    ctx.after_commit.append(lambda: registry.invalidate(tenant_id))


async def rebuild(tenant_id: uuid.UUID) -> None:
    async with tenant_transaction(tenant_id):
        await registry.reload(tenant_id)


class PolicyReloader:
    """Coalesces notifications and rebuilds each affected tenant once."""

    def __init__(self) -> None:
        self._pending: set[uuid.UUID] = set()
        self._running: asyncio.Task | None = None

    def channel(self) -> Channel:
        return Channel(CHANNEL, self._on_message, self._on_reconnect)

    def _on_message(self, payload: str) -> None:
        try:
            tenant_id = uuid.UUID(payload)
        except ValueError:
            return
        registry.changed(tenant_id)
        self._pending.add(tenant_id)
        self._kick()

    def _on_reconnect(self) -> None:
        for tenant_id in registry.cached_tenants():
            registry.changed(tenant_id)
            self._pending.add(tenant_id)
        self._kick()

    def _kick(self) -> None:
        if self._running is None or self._running.done():
            self._running = asyncio.get_running_loop().create_task(self._drain())

    async def _drain(self) -> None:
        while self._pending:
            tenant_id = self._pending.pop()
            try:
                await rebuild(tenant_id)
            except Exception as exc:  # noqa: BLE001 - the next request rebuilds lazily instead
                log.warning("policy rebuild for %s failed: %s", tenant_id, exc)
                registry.invalidate(tenant_id)
