"""Fixed-window rate limits kept in the database, so they hold across worker processes.

Two ways of counting:
- ``hit``: one upsert per request, exact; for low-volume operations that must be strict (logins,
  refresh-token exchanges, public submissions). It runs in the caller's transaction.
- ``spend``: the same count for a public read, as one conditional upsert of its own (it adds only
  while the window is under the limit, so a refusal writes nothing) in the read's bound transaction,
  before the read's one data statement (``sql.NamedTenant.spends``).
- ``SharedWindowCounter``: counts in-process and merges each bucket's local increments into the same
  table with one upsert per bucket at most every ``sync_seconds``, reading back the global count; for
  every authenticated request, where a database round trip per request would cost too much.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import logging
import time
import uuid
from collections import defaultdict
from collections.abc import Awaitable, Callable, Iterable
from typing import Any

from kinerja.core import clock, metrics
from kinerja.core.db import connection, tenant_transaction
from kinerja.core.errors import RateLimited
from kinerja.core.sql import fetch_all, uuid_param

log = logging.getLogger("kinerja.ratelimit")

_ADD = """
INSERT INTO rate_counter (id, tenant_id, bucket, window_start, count, created_at)
VALUES {rows}
ON CONFLICT (tenant_id, bucket, window_start) DO UPDATE SET count = rate_counter.count + excluded.count
RETURNING bucket, count
"""


def _window_start(timestamp: float, window_seconds: int) -> dt.datetime:
    return dt.datetime.fromtimestamp(int(timestamp) // window_seconds * window_seconds, dt.UTC)


async def _add(tenant_id: uuid.UUID, bucket: str, start: dt.datetime, amount: int) -> int:
    return (await _add_all(tenant_id, [bucket[:120]], start, amount)).get(bucket[:120], 0)


async def _add_all(tenant_id: uuid.UUID, buckets: list[str], start: dt.datetime, amount: int) -> dict[str, int]:
    """Add ``amount`` to each bucket's window in one statement; the counts after it, by bucket."""
    now = clock.now()
    postgres = connection().capabilities.dialect == "postgres"
    params: list[Any] = [uuid_param(tenant_id), start if postgres else start.isoformat(),
                    now if postgres else now.isoformat(), amount]
    rows = []
    for bucket in buckets:
        params += [uuid_param(uuid.uuid4()), bucket]
        rows.append(f"(${len(params) - 1}, $1, ${len(params)}, $2, $4, $3)")
    found = await fetch_all(_ADD.format(rows=", ".join(rows)), params)
    return {row["bucket"]: row["count"] for row in found}


def _refusal(retry_after: int, limit: str) -> RateLimited:
    """``limit`` names the limit in the refusal counter of core/metrics.py (a fixed name, no key)."""
    metrics.rate_limit_refused(limit)
    return RateLimited(f"Too many requests; try again in {retry_after} seconds", retry_after=retry_after)


async def hit(tenant_id: uuid.UUID, bucket: str, limit: int, window_seconds: int = 3600) -> None:
    """Count one request in the current window; RATE_LIMITED (with seconds to wait) past ``limit``.
    A limit of 0 disables the check."""
    await hit_all(tenant_id, [(bucket, limit)], window_seconds)


async def hit_all(tenant_id: uuid.UUID, limits: Iterable[tuple[str, int]], window_seconds: int = 3600) -> None:
    """``hit`` for several (bucket, limit) pairs of one request, counted with one upsert; RATE_LIMITED
    when any is past its limit (the first in the order given)."""
    limits = [(bucket[:120], limit) for bucket, limit in limits if limit > 0]
    if not limits:
        return
    now = clock.now()
    start = _window_start(now.timestamp(), window_seconds)
    counts = await _add_all(tenant_id, [bucket for bucket, _limit in limits], start, 1)
    for bucket, limit in limits:
        if counts.get(bucket, 0) > limit:
            retry_after = int((start + dt.timedelta(seconds=window_seconds) - now).total_seconds()) + 1
            raise _refusal(retry_after, bucket.split(":", 1)[0])


# The write a public read spends its limit with (``spend``); tests tell it apart from the read's
# statements by its first words (tests/conftest.py: is_rate_limit_write).
SPEND = """INSERT INTO rate_counter (id, tenant_id, bucket, window_start, count, created_at)
VALUES ({id}, {tenant}, {bucket}, {start}, 1, {now})
ON CONFLICT (tenant_id, bucket, window_start) DO UPDATE SET count = rate_counter.count + 1
WHERE rate_counter.count < {limit}
RETURNING count"""


async def spend(fetch: Callable[[str, list[Any]], Awaitable[list[Any]]], postgres: bool, tenant_id: uuid.UUID, bucket: str,
                limit: int, window_seconds: int) -> None:
    """Count one request in the current window with the statement ``fetch`` sends (in a transaction
    bound to the tenant): RATE_LIMITED, with the same refusal as ``hit``, once ``limit`` requests were
    counted, and then nothing is written. A limit of 0 disables the check (and sends nothing)."""
    if limit <= 0:
        return
    now = clock.now()
    start = _window_start(now.timestamp(), window_seconds)
    marks = [f"${n}" if postgres else "?" for n in range(1, 7)]
    text = SPEND.format(**dict(zip(("id", "tenant", "bucket", "start", "now", "limit"), marks, strict=True)))
    params: list[Any] = [uuid.uuid4(), tenant_id, bucket[:120], start, now, limit]
    if not postgres:
        params = [str(params[0]), str(tenant_id), bucket[:120], start.isoformat(), now.isoformat(), limit]
    if not await fetch(text, params):
        retry_after = int((start + dt.timedelta(seconds=window_seconds) - now).total_seconds()) + 1
        raise _refusal(retry_after, bucket.split(":", 1)[0])


class _Count:
    __slots__ = ("in_flight", "pending", "shared")

    def __init__(self) -> None:
        self.shared = 0  # the global count last read back (our own flushed increments included)
        self.in_flight = 0  # local increments being written right now
        self.pending = 0  # local increments not yet written


class SharedWindowCounter:
    """Per-window counters shared by every worker process through ``rate_counter``.

    A worker admits a request while global + local count stays within the limit. Increments reach
    the table at most ``sync_seconds`` (plus one round trip) after they happen, so across all
    workers a limit can be exceeded by at most the requests admitted during one sync interval.
    """

    def __init__(self, window_seconds: int = 60, sync_seconds: float = 0.5):
        self.window_seconds = window_seconds
        self.sync_seconds = sync_seconds
        self._window = -1
        self._counts: dict[tuple[uuid.UUID, str, object], _Count] = {}
        self._last_sync = time.monotonic()
        self._sync_task: asyncio.Task[Any] | None = None

    def admit(self, tenant_id: uuid.UUID, limits: Iterable[tuple[str, object, int]]) -> None:
        """Count one request against every (kind, key, limit) of the tenant, e.g. ("user", user_id,
        600), or raise RATE_LIMITED (counting nothing). A limit of 0 is not counted at all. The
        bucket is named ``kind:key`` (``kind`` alone for a key of None) in the table."""
        now = time.time()
        window = int(now) // self.window_seconds
        if window != self._window:
            # A new window starts at zero everywhere; increments of the old one no longer matter.
            self._window, self._counts = window, {}
        all_counts, counts = self._counts, []
        for kind, key, limit in limits:
            if limit <= 0:
                continue
            count = all_counts.get((tenant_id, kind, key))
            if count is None:
                count = all_counts[(tenant_id, kind, key)] = _Count()
            if count.shared + count.in_flight + count.pending >= limit:
                raise _refusal(int((window + 1) * self.window_seconds - now) + 1, f"request-{kind}")
            counts.append(count)
        if counts:
            for count in counts:
                count.pending += 1
            self._maybe_sync()

    def _maybe_sync(self) -> None:
        if self._sync_task is not None or time.monotonic() - self._last_sync < self.sync_seconds:
            return
        self._last_sync = time.monotonic()
        self._sync_task = asyncio.get_running_loop().create_task(self.sync())
        self._sync_task.add_done_callback(self._synced)

    def _synced(self, _task: asyncio.Task[Any]) -> None:
        self._sync_task = None

    async def sync(self) -> None:
        """Write every bucket's pending increments (one upsert each) and read the global counts."""
        window, counts = self._window, self._counts
        start = _window_start(window * self.window_seconds, self.window_seconds)
        by_tenant: dict[uuid.UUID, list[tuple[str, _Count]]] = defaultdict(list)
        for (tenant_id, kind, key), count in counts.items():
            if count.pending:
                count.in_flight, count.pending = count.pending, 0
                by_tenant[tenant_id].append((kind if key is None else f"{kind}:{key}", count))
        for tenant_id, buckets in by_tenant.items():
            try:
                async with tenant_transaction(tenant_id):
                    totals = [await _add(tenant_id, bucket, start, count.in_flight) for bucket, count in buckets]
            except Exception:  # noqa: BLE001 - a failed sync is retried with the next one
                log.warning("rate counter sync failed", exc_info=True)
                for _bucket, count in buckets:
                    count.pending += count.in_flight
                    count.in_flight = 0
                continue
            for (_bucket, count), total in zip(buckets, totals, strict=True):
                count.shared, count.in_flight = total, 0
