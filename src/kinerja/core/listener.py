"""One dedicated LISTEN connection per process, shared by every channel the process follows.

PostgreSQL delivers a NOTIFY only when the sending transaction commits, so listeners never see
changes that were rolled back. After a lost connection the listener reconnects and calls each
channel's ``on_reconnect``, since notifications may have been missed in between.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, cast

log = logging.getLogger("kinerja.listener")
LISTENER_NAME = "kinerja-listener"


@dataclass
class Channel:
    name: str
    on_message: Callable[[str], None]
    on_reconnect: Callable[[], None] | None = None


class NotificationListener:
    def __init__(self, dsn: str, channels: list[Channel], *, retry_seconds: float = 0.5):
        self.dsn = dsn.replace("postgres://", "postgresql://", 1)
        self.channels = channels
        self.retry_seconds = retry_seconds
        self.connected = asyncio.Event()
        self._task: asyncio.Task[Any] | None = None

    def start(self) -> None:
        self._task = asyncio.create_task(self._run(), name="notification-listener")

    async def stop(self) -> None:
        if self._task:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task

    async def _run(self) -> None:
        import asyncpg

        first = True
        while True:
            conn = None
            try:
                conn = await asyncpg.connect(self.dsn, server_settings={"application_name": LISTENER_NAME})
                lost = asyncio.Event()
                conn.add_termination_listener(lambda _c, lost=lost: lost.set())
                for channel in self.channels:
                    await conn.add_listener(channel.name, self._callback(channel))
                if not first:
                    for channel in self.channels:
                        if channel.on_reconnect:
                            channel.on_reconnect()
                first = False
                self.connected.set()
                await lost.wait()
            except asyncio.CancelledError:
                if conn is not None:
                    await conn.close()
                raise
            except Exception as exc:  # noqa: BLE001 - keep listening whatever happened
                log.warning("listener disconnected: %s", exc)
            finally:
                self.connected.clear()
                if conn is not None and not conn.is_closed():
                    conn.terminate()
            await asyncio.sleep(self.retry_seconds)

    @staticmethod
    def _callback(channel: Channel) -> Callable[[object, int, str, object], None]:
        def deliver(_conn: object, _pid: int, _name: str, payload: object) -> None:
            try:
                channel.on_message(cast(str, payload))  # a notification's payload is text
            except Exception:  # noqa: BLE001 - one bad message must not stop the listener
                log.exception("handler of %s failed", channel.name)

        return deliver
