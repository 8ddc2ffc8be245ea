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
from scratch import drop, tenant_with_logins

ROUNDS, PER_ROUND = 20, 250
USERS = 10_000


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
    app_url, _superuser_url, tenant, users = await tenant_with_logins(args.admin_url, database, "bench-session", USERS)
    try:
        text = report(await measure(app_url, tenant, users))
    finally:
        await drop(args.admin_url, database)
    out = Path(__file__).parent / "results" / "session_check.md"
    out.write_text(text, encoding="utf-8")
    print(text)


if __name__ == "__main__":
    asyncio.run(main())
