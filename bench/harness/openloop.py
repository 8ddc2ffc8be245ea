"""Open-loop constant-rate load: requests start on a fixed schedule whether or not earlier ones have
answered, and each latency is measured from its scheduled start (no coordinated omission).

    python bench/harness/openloop.py --url URL --rate 100 --seconds 10 [--token T] < body.json

Prints {"rate", "sent", "errors", "unanswered", "p50", "p90", "p99", "max"} (milliseconds) as JSON; a
percentile that falls among unanswered requests (more than 64 waiting, or no answer 5 s after the last
start) is null: the server does not sustain the rate.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
import time

import httpx

GRACE = 5.0
MAX_IN_FLIGHT = 64  # more than this waiting means the server cannot sustain the rate


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
    errors = shed = in_flight = 0

    async with httpx.AsyncClient(limits=httpx.Limits(max_connections=MAX_IN_FLIGHT,
                                                     max_keepalive_connections=MAX_IN_FLIGHT), timeout=GRACE) as client:
        async def one(scheduled: float) -> None:
            nonlocal errors, shed, in_flight
            if in_flight >= MAX_IN_FLIGHT:  # the server is not keeping up: this request is not answered
                shed += 1
                return
            in_flight += 1
            try:
                r = await client.post(args.url, content=body, headers=headers)
                if r.status_code != 200 or b'"errors"' in r.content:
                    errors += 1
            except httpx.HTTPError:
                errors += 1
            finally:
                in_flight -= 1
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
        unanswered = len(pending) + shed
    latencies.sort()
    answered = len(latencies)

    def pct(p: float) -> float | None:
        """Over every scheduled request; None when it falls among the unanswered ones."""
        index = int(p / 100 * total)
        return round(1000 * latencies[index], 2) if index < answered else None

    print(json.dumps({"rate": args.rate, "sent": total, "errors": errors + unanswered, "unanswered": unanswered,
                      "p50": pct(50), "p90": pct(90), "p99": pct(99),
                      "max": round(1000 * latencies[-1], 2) if latencies else None}))


if __name__ == "__main__":
    asyncio.run(main())
