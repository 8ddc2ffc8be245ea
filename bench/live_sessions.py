"""A user's live sessions, with and without migration 0080's index.

`mySessions` reads the acting user's refresh tokens that are neither revoked nor expired, newest
first, each with the first token of its family. A token is kept after its rotation, so a tenant
holds many more tokens than sessions. This loads one tenant of ``--users`` logins with ``--tokens``
tokens each, one in ``--live-every`` still live, and runs EXPLAIN ANALYZE of the statement's rows
(the shape the compiler sends for `{ mySessions { id createdAt lastUsedAt current } }`) with the
index and after dropping it, on the migrated schema.

Writes bench/results/live_sessions.md.

    .venv/bin/python bench/live_sessions.py [--admin-url postgres://postgres@127.0.0.1:5432/postgres]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import platform
import statistics
import uuid
from pathlib import Path

import asyncpg
from scratch import drop, tenant_with_logins

INDEX = "refresh_token_live_by_user"
STATEMENT = """
SELECT t1.family, t1.created_at, t1.user_agent, t1.ip, t1.family IS NOT DISTINCT FROM $3::uuid,
       (SELECT min(f.created_at) FROM refresh_token f
        WHERE f.tenant_id = $1::uuid AND f.user_id = t1.user_id AND f.family = t1.family)
FROM refresh_token t1
WHERE t1.tenant_id = $1::uuid AND t1.user_id = $2::uuid AND t1.revoked_at IS NULL AND t1.expires_at > now()
ORDER BY t1.created_at DESC, t1.family DESC
"""


async def prepare(admin_url: str, database: str, users: int, tokens: int, live_every: int) -> tuple[str, uuid.UUID, list]:
    _app_url, url, tenant, logins = await tenant_with_logins(admin_url, database, "bench-sessions", users)
    conn = await asyncpg.connect(url)  # superuser: bypasses RLS to bulk load
    try:
        await conn.execute(
            "INSERT INTO refresh_token (id, tenant_id, user_id, family, created_at, expires_at, revoked_at, "
            "secret_hash, user_agent, ip) "
            "SELECT gen_random_uuid(), $1, u.id, gen_random_uuid(), now() - g * interval '1 minute', "
            "now() + interval '14 days', CASE WHEN g % $3 = 0 THEN NULL ELSE now() END, md5(g::text), 'bench', '' "
            "FROM app_user u CROSS JOIN generate_series(1, $2) g WHERE u.tenant_id = $1", tenant, tokens, live_every)
        await conn.execute("ANALYZE refresh_token")
    finally:
        await conn.close()
    return url, tenant, logins


async def measure(url: str, tenant: uuid.UUID, logins: list, samples: int) -> tuple[str, float]:
    conn = await asyncpg.connect(url)
    try:
        times = []
        for user in logins[:samples]:
            rows = await conn.fetch("EXPLAIN (ANALYZE, COSTS OFF, FORMAT JSON) " + STATEMENT, tenant, user, None)
            plan = json.loads(rows[0][0])[0]
            times.append(plan["Planning Time"] + plan["Execution Time"])
        text = "\n".join(r[0] for r in await conn.fetch("EXPLAIN (ANALYZE, COSTS OFF) " + STATEMENT,
                                                          tenant, logins[0], None))
        return text, statistics.median(times)
    finally:
        await conn.close()


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--admin-url", default="postgres://postgres@127.0.0.1:5432/postgres")
    parser.add_argument("--users", type=int, default=2000)
    parser.add_argument("--tokens", type=int, default=150, help="tokens per login")
    parser.add_argument("--live-every", type=int, default=50, help="one token in this many is live")
    parser.add_argument("--samples", type=int, default=50, help="logins measured")
    args = parser.parse_args()
    database = "kinerja_bench_sessions"
    url, tenant, logins = await prepare(args.admin_url, database, args.users, args.tokens, args.live_every)
    try:
        with_index = await measure(url, tenant, logins, args.samples)
        conn = await asyncpg.connect(url)
        await conn.execute(f'DROP INDEX "{INDEX}"')
        await conn.close()
        without = await measure(url, tenant, logins, args.samples)
    finally:
        await drop(args.admin_url, database)
    total = args.users * args.tokens
    lines = [
        "# A user's live sessions (`mySessions`), with and without migration 0080's index", "",
        f"Machine: {platform.machine()}, Python {platform.python_version()}, asyncpg {asyncpg.__version__}; "
        f"one tenant, {args.users} logins x {args.tokens} tokens = {total:,} tokens, one in {args.live_every} live. "
        f"Median planning + execution of {args.samples} logins' reads, from EXPLAIN ANALYZE.", "",
        "| index | median ms |", "|---|---|",
        f"| `{INDEX}` (migration 0080) | {with_index[1]:.2f} |",
        f"| none (only `(tenant_id, family)`) | {without[1]:.2f} |", "",
        "Command: `.venv/bin/python bench/live_sessions.py`", "",
        "## Plan with the index", "", "```", with_index[0], "```", "",
        "## Plan without it", "", "```", without[0], "```", ""]
    out = Path(__file__).parent / "results" / "live_sessions.md"
    out.write_text("\n".join(lines))
    print(out.read_text())


if __name__ == "__main__":
    asyncio.run(main())
