"""What checking the caller's account on every request costs.

Every operation's transaction opens with one statement that binds it to the tenant. With the account
check folded in (``kinerja_bind(tenant, user)``: set_config plus an index lookup of the user, raising
when the account is gone or disabled) it is still one statement and one round trip. This compares,
per request, inside a transaction on one pooled connection:

- the binding alone: ``SELECT set_config('app.tenant_id', $1, true)`` (before the check existed);
- the binding with the check: ``SELECT kinerja_bind($1, $2)`` (what runs now);
- the binding, then a separate lookup: the alternative of a second statement (one more round trip).

Writes bench/results/session_check.md.

    .venv/bin/python bench/session_check.py [--admin-url postgres://postgres@127.0.0.1:5432/postgres]
"""

from __future__ import annotations

import argparse
import asyncio
import platform
import statistics
import time
import uuid
from pathlib import Path

import asyncpg

ROUNDS, PER_ROUND = 20, 250
USERS = 10_000


async def prepare(admin_url: str, database: str) -> tuple[str, uuid.UUID, list[uuid.UUID]]:
    from kinerja.cli import migrate
    from kinerja.core.config import Settings
    from kinerja.core.dbadmin import create_database, on_database

    app_url, owner_url = await create_database(admin_url, database, drop_existing=True)
    await migrate(Settings.from_env(mode="test", database_url=app_url, migration_database_url=owner_url))
    conn = await asyncpg.connect(on_database(admin_url, database))  # superuser: bypasses RLS to bulk load
    tenant = uuid.uuid4()
    users = [uuid.uuid4() for _ in range(USERS)]
    try:
        await conn.execute("INSERT INTO tenant (id, slug, name, kind, settings, created_at, updated_at) "
                           "VALUES ($1, 'bench-session', 'Bench', 'KOTA', '{}', now(), now())", tenant)
        await conn.executemany(
            "INSERT INTO app_user (id, tenant_id, created_at, username, password_hash, active) "
            "VALUES ($1, $2, now(), $3, 'x', true)", [(u, tenant, f"u{i}") for i, u in enumerate(users)])
        await conn.execute("ANALYZE app_user")
    finally:
        await conn.close()
    return app_url, tenant, users


CASES = {
    "binding alone (before)": ["SELECT set_config('app.tenant_id', $1, true)"],
    "binding with the account check (now)": ["SELECT kinerja_bind($1, $2)"],
    "binding, then a separate lookup": ["SELECT set_config('app.tenant_id', $1, true)",
                                        "SELECT active FROM app_user WHERE tenant_id = $1::uuid AND id = $2"],
}


async def measure(app_url: str, tenant: uuid.UUID, users: list[uuid.UUID]) -> dict[str, list[float]]:
    conn = await asyncpg.connect(app_url.replace("postgres://", "postgresql://", 1))
    samples: dict[str, list[float]] = {name: [] for name in CASES}
    try:
        for round_ in range(ROUNDS):
            for name, statements in CASES.items():  # interleaved, so drift hits every case alike
                for i in range(PER_ROUND):
                    user = users[(round_ * PER_ROUND + i) % len(users)]
                    async with conn.transaction():
                        started = time.perf_counter()
                        for sql in statements:
                            if "$2" in sql:
                                await conn.fetchval(sql, str(tenant), user)
                            else:
                                await conn.fetchval(sql, str(tenant))
                        samples[name].append((time.perf_counter() - started) * 1e6)
    finally:
        await conn.close()
    return samples


def report(samples: dict[str, list[float]]) -> str:
    lines = [
        "# The account check on every request",
        "",
        f"Machine: {platform.machine()}, Python {platform.python_version()}, asyncpg {asyncpg.__version__}; "
        f"{USERS} users in the tenant; {ROUNDS * PER_ROUND} requests per case, interleaved in {ROUNDS} rounds, "
        "one connection over loopback. Microseconds per request for what the transaction sends before the "
        "operation's own statements.",
        "",
        "| what opens the transaction | statements | median µs | p90 µs | p99 µs |",
        "|---|---|---|---|---|",
    ]
    for name, values in samples.items():
        values = sorted(values)
        def pick(q: float, values=values) -> float:
            return values[min(len(values) - 1, int(q * len(values)))]
        lines.append(f"| {name} | {len(CASES[name])} | {statistics.median(values):.0f} | {pick(0.9):.0f} | "
                     f"{pick(0.99):.0f} |")
    lines += ["", "Command: `.venv/bin/python bench/session_check.py`", ""]
    return "\n".join(lines)


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--admin-url", default="postgres://postgres@127.0.0.1:5432/postgres")
    args = parser.parse_args()
    database = "kinerja_session_bench"
    app_url, tenant, users = await prepare(args.admin_url, database)
    try:
        text = report(await measure(app_url, tenant, users))
    finally:
        from kinerja.core.dbadmin import on_database

        conn = await asyncpg.connect(on_database(args.admin_url, "postgres"))
        await conn.execute(f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)')
        await conn.close()
    out = Path(__file__).parent / "results" / "session_check.md"
    out.write_text(text, encoding="utf-8")
    print(text)


if __name__ == "__main__":
    asyncio.run(main())
