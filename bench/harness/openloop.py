"""Open-loop constant-rate load: requests start on a fixed schedule whether or not earlier ones have
answered, and each latency is measured from its scheduled start (no coordinated omission).

    python bench/harness/openloop.py --url URL --rate 100 --seconds 10 [--token T] < body.json

Prints {"rate", "sent", "errors", "p50", "p90", "p99", "max"} (milliseconds) as JSON.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
import time

import httpx

GRACE = 10.0


async def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--url", required=True)
    parser.add_argument("--rate", type=float, default=100)
    parser.add_argument("--seconds", type=float, default=10)
    parser.add_argument("--token")
    args = parser.parse_args()
    body = sys.stdin.buffer.read()
    headers = {"Content-Type": "application/json"}
    if args.token:
        headers["Authorization"] = f"Bearer {args.token}"
    latencies: list[float] = []
    errors = 0

    async with httpx.AsyncClient(limits=httpx.Limits(max_connections=256, max_keepalive_connections=64),
                                 timeout=10) as client:
        async def one(scheduled: float) -> None:
            nonlocal errors
            try:
                r = await client.post(args.url, content=body, headers=headers)
                if r.status_code != 200 or b'"errors"' in r.content:
                    errors += 1
            except httpx.HTTPError:
                errors += 1
            latencies.append(time.perf_counter() - scheduled)

        for _ in range(5):  # open the first connections before the clock starts
            await one(time.perf_counter())
        latencies.clear()
        total = int(args.rate * args.seconds)
        start = time.perf_counter() + 0.05
        tasks = []
        for n in range(total):
            scheduled = start + n / args.rate
            delay = scheduled - time.perf_counter()
            if delay > 0:
                await asyncio.sleep(delay)
            tasks.append(asyncio.create_task(one(scheduled)))
        # A server that cannot keep up would make this run for ever: give up GRACE seconds after the
        # last start; what is unanswered then is an error, its latency counted up to that moment.
        _done, pending = await asyncio.wait(tasks, timeout=GRACE)
        for task in pending:
            task.cancel()
        unanswered = len(pending)
        errors += unanswered
        latencies.extend([time.perf_counter() - start - args.seconds] * unanswered)
    latencies.sort()

    def pct(p: float) -> float:
        return round(1000 * latencies[min(len(latencies) - 1, int(p / 100 * len(latencies)))], 2)

    print(json.dumps({"rate": args.rate, "sent": total, "errors": errors, "unanswered": unanswered,
                      "p50": pct(50), "p90": pct(90),
                      "p99": pct(99), "max": round(1000 * latencies[-1], 2)}))


if __name__ == "__main__":
    asyncio.run(main())
