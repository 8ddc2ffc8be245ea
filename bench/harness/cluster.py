"""The benchmark's own PostgreSQL cluster (never the shared server): port 55440, data under
/var/tmp/kinerja-bench-pg, pg_stat_statements loaded, durability as PostgreSQL ships it."""

from __future__ import annotations

import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))), "tests"))
from pgcluster import ThrowawayCluster  # noqa: E402

DATA = "/var/tmp/kinerja-bench-pg"
PORT = 55440
ADMIN_URL = f"postgres://postgres@127.0.0.1:{PORT}/postgres"

# fsync, full_page_writes and synchronous_commit stay at their defaults (on).
SETTINGS = {
    "shared_preload_libraries": "pg_stat_statements",
    "pg_stat_statements.track": "top",
    "pg_stat_statements.max": "10000",
    "shared_buffers": "2GB",
    "effective_cache_size": "8GB",
    "work_mem": "32MB",
    "maintenance_work_mem": "512MB",
    "max_connections": "300",
    "max_wal_size": "8GB",
    "checkpoint_timeout": "30min",
    "random_page_cost": "1.1",
    "jit": "off",
}


def ensure_running() -> str:
    """Create the cluster the first time, start it if it is stopped; return the superuser URL."""
    cluster = ThrowawayCluster(PORT, data=DATA, settings=SETTINGS)
    if not cluster.running():
        cluster.start()
    return ADMIN_URL


def settings_text() -> str:
    return ", ".join(f"{k}={v}" for k, v in SETTINGS.items())
