"""Fixed-window rate limits kept in the database, so they hold across worker processes."""

from __future__ import annotations

import datetime as dt
import uuid

from kinerja.core import clock
from kinerja.core.db import connection
from kinerja.core.errors import RateLimited
from kinerja.core.sql import fetch_all, uuid_param

_HIT = """
INSERT INTO rate_counter (id, tenant_id, bucket, window_start, count, created_at)
VALUES ($1, $2, $3, $4, 1, $5)
ON CONFLICT (tenant_id, bucket, window_start) DO UPDATE SET count = rate_counter.count + 1
RETURNING count
"""


async def hit(tenant_id: uuid.UUID, bucket: str, limit: int, window_seconds: int = 3600) -> None:
    """Count one request in the current window; RATE_LIMITED (with seconds to wait) past ``limit``."""
    now = clock.now()
    start = dt.datetime.fromtimestamp(int(now.timestamp()) // window_seconds * window_seconds, dt.timezone.utc)
    postgres = connection().capabilities.dialect == "postgres"
    stamp = start if postgres else start.isoformat()
    rows = await fetch_all(_HIT, [uuid_param(uuid.uuid4()), uuid_param(tenant_id), bucket[:120], stamp,
                                  now if postgres else now.isoformat()])
    if rows and rows[0]["count"] > limit:
        retry_after = int((start + dt.timedelta(seconds=window_seconds) - now).total_seconds()) + 1
        raise RateLimited(f"Too many requests; try again in {retry_after} seconds", retry_after=retry_after)
