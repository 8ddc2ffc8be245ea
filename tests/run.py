"""The test command: run the whole suite on PostgreSQL, then in the embedded SQLite mode.

PostgreSQL is found at TEST_DATABASE_URL, else at 127.0.0.1:5432 (user postgres); if neither
answers, a throwaway cluster is started from the PostgreSQL binaries (initdb, pg_ctl) on PATH or
under /usr/lib/postgresql. Extra arguments go to pytest.
"""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys

from pgcluster import ThrowawayCluster

DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/postgres"


async def _answers(url: str) -> bool:
    import asyncpg

    try:
        conn = await asyncpg.connect(url.replace("postgres://", "postgresql://", 1), timeout=3)
    except (TimeoutError, OSError, asyncpg.PostgresError):
        return False
    await conn.close()
    return True


def _throwaway_cluster() -> tuple[str, callable]:
    try:
        cluster = ThrowawayCluster(55432).start()
    except RuntimeError:
        sys.exit("tests: no PostgreSQL answers at TEST_DATABASE_URL or 127.0.0.1:5432, and no initdb/pg_ctl "
                 "was found to start one. Install PostgreSQL or set TEST_DATABASE_URL.")
    return cluster.url, cluster.destroy


def main() -> int:
    url = os.environ.get("TEST_DATABASE_URL", DEFAULT_URL)
    stop = None
    if not asyncio.run(_answers(url)):
        if "TEST_DATABASE_URL" in os.environ:
            sys.exit(f"tests: TEST_DATABASE_URL={url} does not answer")
        print("tests: no PostgreSQL at 127.0.0.1:5432; starting a throwaway cluster", flush=True)
        url, stop = _throwaway_cluster()
    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    results = {}
    try:
        for backend in ("postgres", "sqlite"):
            print(f"\n=== test suite on {backend} ===", flush=True)
            env = {**os.environ, "KINERJA_TEST_BACKEND": backend, "TEST_DATABASE_URL": url}
            code = subprocess.run([sys.executable, "-m", "pytest", *sys.argv[1:]], cwd=root, env=env).returncode
            results[backend] = code
    finally:
        if stop:
            stop()
    failed = [b for b, code in results.items() if code != 0]
    print(f"\ntests: {', '.join(f'{b}={c}' for b, c in results.items())}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
