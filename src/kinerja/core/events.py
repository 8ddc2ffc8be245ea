"""Domain events for live subscriptions.

Writers publish inside their transaction: on PostgreSQL through ``pg_notify('kinerja_events')``,
so any worker can serve any subscriber and rolled-back work publishes nothing; in SQLite mode
(one process) the event goes to this process's hub after commit. Payloads carry ids only: each
subscriber re-checks, in its own tenant transaction, that it may see what the event is about.
"""

from __future__ import annotations

import asyncio
import functools
import inspect
import uuid
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, field
from typing import Any, Protocol

import orjson

from kinerja.core.db import connection, is_postgres
from kinerja.core.listener import Channel

CHANNEL = "kinerja_events"


@dataclass(frozen=True)
class Event:
    tenant_id: uuid.UUID
    kind: str
    subject_id: uuid.UUID  # the object the event is about (a plan, a realisation, ...)
    plan_id: uuid.UUID | None = None
    employee_id: uuid.UUID | None = None  # whose plan it is
    extra: dict[str, Any] = field(default_factory=dict)

    def encode(self) -> str:
        return orjson.dumps({
            "tenant": str(self.tenant_id), "kind": self.kind, "subject": str(self.subject_id),
            "plan": str(self.plan_id) if self.plan_id else None,
            "employee": str(self.employee_id) if self.employee_id else None, "extra": self.extra,
        }).decode()

    @classmethod
    def decode(cls, raw: str) -> Event:
        data = orjson.loads(raw)
        return cls(uuid.UUID(data["tenant"]), data["kind"], uuid.UUID(data["subject"]),
                   uuid.UUID(data["plan"]) if data["plan"] else None,
                   uuid.UUID(data["employee"]) if data["employee"] else None, data.get("extra") or {})


class EventHub:
    """Fans events out to this process's subscribers, per tenant."""

    def __init__(self) -> None:
        self._queues: dict[uuid.UUID, set[asyncio.Queue[Event]]] = {}

    def channel(self) -> Channel:
        return Channel(CHANNEL, lambda raw: self.dispatch(Event.decode(raw)))

    def dispatch(self, event: Event) -> None:
        for queue in self._queues.get(event.tenant_id, ()):
            if queue.qsize() < 1000:  # a stalled subscriber loses events rather than memory
                queue.put_nowait(event)

    async def subscribe(self, tenant_id: uuid.UUID) -> AsyncIterator[Event]:
        queue: asyncio.Queue[Event] = asyncio.Queue()
        self._queues.setdefault(tenant_id, set()).add(queue)
        try:
            while True:
                yield await queue.get()
        finally:
            self._queues[tenant_id].discard(queue)


hub = EventHub()


class CommitHooks(Protocol):
    """What runs things once the transaction commits: a request's context, an audit collector."""

    after_commit: list[Callable[[], Any]]


async def publish(owner: CommitHooks | None, event: Event) -> None:
    """Call inside the writing transaction. In SQLite mode (one process) the event goes to this
    process's hub once ``owner``'s transaction commits; without an owner (the command line, the
    worker) at once."""
    await publish_all(owner, [event])


async def publish_all(owner: CommitHooks | None, events: list[Event]) -> None:
    """``publish`` for several events, in their order, with one statement on PostgreSQL."""
    if not events:
        return
    if is_postgres():
        await connection().execute_query(f"SELECT pg_notify('{CHANNEL}', e) FROM unnest($1::text[]) AS e",  # noqa: S608 - a constant channel, values bound
                                         [[event.encode() for event in events]])
    elif owner is not None:
        owner.after_commit.extend(functools.partial(hub.dispatch, event) for event in events)
    else:
        for event in events:
            hub.dispatch(event)


async def committed(*owners: CommitHooks) -> None:
    """Run what the owners keep for after the commit, in order (once their transaction committed)."""
    for owner in owners:
        for callback in owner.after_commit:
            outcome = callback()
            if inspect.isawaitable(outcome):
                await outcome
