"""The service while its database restarts under load: how fast requests fail, what /readyz says,
how soon the service recovers, and whether every acknowledged write is in the database.

Self-contained and loopback only: its own throwaway PostgreSQL cluster (port 55441, data under
/var/tmp), the demo tenants, `kinerja serve` with 2 workers, a mixed load at concurrency 16 (reads
and `giveFeedback` writes with a unique body each), and four database faults mid-load:
`pg_ctl restart -m fast`, `pg_ctl restart -m immediate` (a crash), a crash followed by 5 s down,
and every app backend terminated (`pg_terminate_backend`) with the server up all along.
Writes bench/results/faults.md; the cluster is destroyed at the end, also on error or Ctrl-C.

    .venv/bin/python bench/faults.py
"""

from __future__ import annotations

import argparse
import asyncio
import collections
import contextlib
import dataclasses
import datetime as dt
import json
import random
import shutil
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

import asyncpg
import httpx
from selfhost import (
    FEEDBACK_PREFIX,
    ROOT,
    Mix,
    Outcome,
    build_mix,
    load_average,
    machine,
    ms,
    own_cluster,
    percentile,
    prepare_database,
    send,
    serve,
)

CONCURRENCY = 16
WEIGHTS = {"teamOverview": 0.3, "employees": 0.2, "planDetail": 0.2, "giveFeedback": 0.3}
REQUEST_TIMEOUT = 10.0
PAUSE_AFTER_FAILURE = 0.05  # a client pausing briefly after an error, rather than spinning
SETTLE_SECONDS = 10.0
FAIL_FAST_SECONDS = 2.0
RECOVERY_SECONDS = 5.0


@dataclass
class Probe:
    at: float
    ok: bool
    latency: float
    status: int = 0


@dataclass
class Round:
    name: str
    started: float
    ended: float = 0.0
    db_down: float | None = None
    db_up: float | None = None
    listeners_back: float | None = None


@dataclass
class Recorder:
    outcomes: list[Outcome] = field(default_factory=list)
    readyz: list[Probe] = field(default_factory=list)
    database: list[Probe] = field(default_factory=list)
    listeners: list[tuple[float, int]] = field(default_factory=list)
    probe_errors: collections.Counter = field(default_factory=collections.Counter)


async def load(base: str, mix: Mix, recorder: Recorder, stop: asyncio.Event) -> None:
    limits = httpx.Limits(max_connections=CONCURRENCY, max_keepalive_connections=CONCURRENCY)
    async with httpx.AsyncClient(base_url=base, limits=limits) as client:
        async def worker(seed: int) -> None:
            rng = random.Random(seed)
            while not stop.is_set():
                outcome = await send(client, mix, mix.pick(rng), rng, REQUEST_TIMEOUT)
                recorder.outcomes.append(outcome)
                if not outcome.ok:
                    await asyncio.sleep(PAUSE_AFTER_FAILURE)

        await asyncio.gather(*[worker(i) for i in range(CONCURRENCY)])


async def sample_readyz(base: str, recorder: Recorder, stop: asyncio.Event) -> None:
    async with httpx.AsyncClient(base_url=base) as client:
        while not stop.is_set():
            started = time.monotonic()
            try:
                status = (await client.get("/readyz", timeout=5)).status_code
            except httpx.HTTPError:
                status = 0
            recorder.readyz.append(Probe(started, status == 200, time.monotonic() - started, status))
            await asyncio.sleep(max(0.0, 0.1 - (time.monotonic() - started)))


async def probe_database(admin_url: str, recorder: Recorder, stop: asyncio.Event) -> None:
    """Whether the server accepts connections, every 50 ms, and how many LISTEN connections it has."""
    dsn = admin_url.replace("postgres://", "postgresql://", 1)
    while not stop.is_set():
        started = time.monotonic()
        try:
            conn = await asyncpg.connect(dsn, timeout=0.5)
            try:
                listeners = await conn.fetchval(
                    "SELECT count(*) FROM pg_stat_activity WHERE application_name = 'kinerja-listener'")
            finally:
                await conn.close()
            recorder.database.append(Probe(started, True, time.monotonic() - started))
            recorder.listeners.append((started, listeners))
        except Exception as exc:  # noqa: BLE001 - any failure to connect and query is "down"
            recorder.database.append(Probe(started, False, time.monotonic() - started))
            recorder.probe_errors[type(exc).__name__] += 1
        await asyncio.sleep(max(0.0, 0.05 - (time.monotonic() - started)))


def locate_outage(recorder: Recorder, fault: Round, workers: int) -> None:
    probes = [p for p in recorder.database if fault.started <= p.at <= fault.ended]
    down = next((p for p in probes if not p.ok), None)
    if down is None:
        # The server stayed up (backends killed): the fault is an instant, "up" again at once.
        fault.db_down = fault.db_up = fault.started
        back = [at for at, count in recorder.listeners if at >= fault.started and count >= workers]
        fault.listeners_back = back[0] if back else None
        return
    fault.db_down = down.at
    after = [p for p in probes if p.ok and (down is None or p.at > down.at)]
    fault.db_up = after[0].at if after else None
    if fault.db_up is not None:
        back = [at for at, count in recorder.listeners if at >= fault.db_up and count >= workers]
        fault.listeners_back = back[0] if back else None


def terminate_app_backends(admin_url: str) -> None:
    """Kill every backend of the app (pooled connections and LISTEN), the server staying up."""
    from kinerja.core.dbadmin import on_database

    async def terminate() -> int:
        conn = await asyncpg.connect(on_database(admin_url, "kinerja"))
        try:
            return await conn.fetchval(
                "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity "
                "WHERE application_name LIKE 'kinerja%' AND pid <> pg_backend_pid()")
        finally:
            await conn.close()

    print(f"faults: {asyncio.run(terminate())} backends terminated", flush=True)


def crash_and_hold(cluster, seconds: float) -> None:
    cluster.stop("immediate")
    time.sleep(seconds)
    cluster.start()


async def run(args) -> dict:
    workdir = Path(tempfile.mkdtemp(prefix="kinerja-faults-", dir="/var/tmp"))
    try:
        return await measure(args, workdir)
    finally:
        if not args.keep:
            shutil.rmtree(workdir, ignore_errors=True)


async def measure(args, workdir: Path) -> dict:
    load_at_start = load_average()
    with own_cluster(args.pg_port) as cluster:
        print(f"faults: cluster on port {cluster.port} in {cluster.data}", flush=True)
        app_url = await prepare_database(cluster.url)
        print("faults: database migrated and seeded", flush=True)
        recorder = Recorder()
        rounds: list[Round] = []
        async with serve(app_url, args.workers, workdir / "server.log") as server:
            mix = await build_mix(server.base, WEIGHTS)
            stop = asyncio.Event()
            tasks = [asyncio.create_task(load(server.base, mix, recorder, stop)),
                     asyncio.create_task(sample_readyz(server.base, recorder, stop)),
                     asyncio.create_task(probe_database(cluster.url, recorder, stop))]
            try:
                await asyncio.sleep(args.warmup)
                for name, fault in (("restart -m fast", lambda: cluster.restart("fast")),
                                    ("restart -m immediate (crash)", lambda: cluster.restart("immediate")),
                                    ("crash, 5 s down, start", lambda: crash_and_hold(cluster, 5.0)),
                                    ("app backends terminated", lambda: terminate_app_backends(cluster.url))):
                    print(f"faults: {name}", flush=True)
                    rounds.append(Round(name, time.monotonic()))
                    await asyncio.to_thread(fault)
                    await asyncio.sleep(SETTLE_SECONDS)
                    rounds[-1].ended = time.monotonic()
            finally:
                stop.set()
                for task, outcome in zip(tasks, await asyncio.gather(*tasks, return_exceptions=True), strict=True):
                    if isinstance(outcome, BaseException):
                        print(f"faults: {task.get_coro().__name__} failed: {outcome!r}", flush=True)
                print(f"faults: database probes failed with {dict(recorder.probe_errors)}", flush=True)
            workers = len(server.workers)
        for fault in rounds:
            locate_outage(recorder, fault, workers)
        (workdir / "outcomes.json").write_text(json.dumps(
            {"outcomes": [dataclasses.asdict(o) for o in recorder.outcomes],
             "readyz": [dataclasses.asdict(p) for p in recorder.readyz],
             "rounds": [dataclasses.asdict(r) for r in rounds]}))
        if args.keep:
            print(f"faults: raw outcomes and server log in {workdir}", flush=True)
        integrity = await check_integrity(cluster.url, recorder.outcomes)
        return {"recorder": recorder, "rounds": rounds, "integrity": integrity, "postgres": cluster.version(),
                "workers": workers, "load": (load_at_start, load_average()), "baseline_until": rounds[0].started if rounds else time.monotonic()}


async def check_integrity(admin_url: str, outcomes: list[Outcome]) -> dict:
    """Every acknowledged write exists exactly once, with the id it was acknowledged with; an
    unacknowledged one exists at most once (committed, answer lost) or not at all; with an audit log,
    a write has audit rows exactly when it exists."""
    from kinerja.core.dbadmin import on_database
    from kinerja.core.ids import from_global_id

    writes = [o for o in outcomes if o.marker]
    conn = await asyncpg.connect(on_database(admin_url, "kinerja"))
    try:
        rows = await conn.fetch("SELECT id, body FROM feedback WHERE body LIKE $1", f"{FEEDBACK_PREFIX} %")
        has_audit = await conn.fetchval("SELECT to_regclass('audit_log') IS NOT NULL")
        audit = {}
        if has_audit:
            audit = dict(await conn.fetch(
                "SELECT request_id, count(*) FROM audit_log WHERE request_id = ANY($1::text[]) GROUP BY 1",
                [o.request_id for o in writes]))
    finally:
        await conn.close()
    by_body = collections.defaultdict(list)
    for row in rows:
        by_body[row["body"]].append(row["id"])
    problems, applied_unacknowledged = [], []
    attempted = {o.marker for o in writes}
    for o in writes:
        stored = by_body.get(o.marker, [])
        if o.write_id:
            if len(stored) != 1 or stored[0] != from_global_id(o.write_id)[1]:
                problems.append(f"acknowledged write {o.marker!r} stored {len(stored)} times")
        elif len(stored) > 1:
            problems.append(f"unacknowledged write {o.marker!r} stored {len(stored)} times")
        elif stored:
            applied_unacknowledged.append(f"{o.code} ({o.status})")
        if has_audit and bool(stored) != bool(audit.get(o.request_id)):
            problems.append(f"write {o.marker!r}: {len(stored)} rows but {audit.get(o.request_id, 0)} audit rows")
    strays = [body for body in by_body if body not in attempted]
    problems += [f"row {body!r} written by no request of this run" for body in strays]
    return {"attempted": len(writes), "acknowledged": sum(1 for o in writes if o.write_id),
            "rows": len(rows), "applied_unacknowledged": applied_unacknowledged,
            "audit_log": has_audit, "problems": problems}


def report(result: dict, command: str) -> str:
    recorder: Recorder = result["recorder"]
    rounds: list[Round] = result["rounds"]
    integrity = result["integrity"]
    outcomes = recorder.outcomes
    baseline = [o for o in outcomes if o.ended < result["baseline_until"]]
    lines = [
        "# Database faults under load",
        "",
        f"Run {dt.datetime.now(dt.UTC):%Y-%m-%d %H:%M} UTC. Machine: {machine()}; {result['postgres']}. "
        f"Load average (shared machine, other jobs running): {result['load'][0]} at start, "
        f"{result['load'][1]} at the end.",
        f"Setup: own PostgreSQL cluster on loopback, demo tenants, `kinerja serve --workers {result['workers']}`, "
        f"load from one Python process (httpx, concurrency {CONCURRENCY}): teamOverview 30 %, employees 20 %, "
        f"plan detail 20 %, giveFeedback 30 % (a new row each, unique body); each client pauses "
        f"{PAUSE_AFTER_FAILURE * 1000:.0f} ms after an error. /readyz sampled every 100 ms, the database "
        f"probed (connect + query) every 50 ms.",
        f"Command: `{command}`",
        "",
        f"Baseline before the first fault: {len(baseline)} requests, "
        f"{sum(1 for o in baseline if not o.ok)} errors, p50 {ms(percentile([o.latency for o in baseline], 50))}, "
        f"p99 {ms(percentile([o.latency for o in baseline], 99))}.",
        "",
        "| fault | database down | requests in round / failed | started while down: requests / failed, "
        "latency of those failed p50 / p99 | every failed request: latency p50 / p99 / max | error codes (HTTP status) "
        "| /readyz while down | /readyz slowest | DB up -> first success | failed, started after DB up "
        "| DB up -> full recovery | DB up -> /readyz 200 | DB up -> every LISTEN back |",
        "|---|---|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    verdict_fast, verdict_ready, verdict_recovery = True, True, True
    for fault in rounds:
        window = [o for o in outcomes if fault.started <= o.started < fault.ended]
        failed = [o for o in window if not o.ok]
        during = [o for o in window if fault.db_down and fault.db_up and fault.db_down <= o.started < fault.db_up]
        codes = collections.Counter(f"{o.code} ({o.status})" for o in failed)
        up = fault.db_up
        down_for = (up - fault.db_down) if (up and fault.db_down) else None
        first_ok = min((o.ended for o in window if o.ok and up and o.started >= up), default=None)
        failed_after_up = [o for o in failed if up and o.started >= up and o.ended < fault.ended]
        last_fail = max((o.ended for o in failed_after_up), default=None)
        recovery = last_fail - up if (last_fail and up) else 0.0
        ready = [p for p in recorder.readyz if fault.started <= p.at < fault.ended]
        ready_down = [p for p in ready if fault.db_down and up and fault.db_down <= p.at < up]
        ready_back = next((p.at + p.latency for p in ready if up and p.at >= up and p.ok), None)
        slowest_ready = max((p.latency for p in ready), default=None)
        fail_latencies = [o.latency for o in failed]
        down_latencies = [o.latency for o in during if not o.ok]
        p99 = percentile(down_latencies, 99)
        verdict_fast &= p99 is None or p99 <= FAIL_FAST_SECONDS
        verdict_ready &= (slowest_ready or 0) <= FAIL_FAST_SECONDS and ready_back is not None and (
            all(p.status == 503 for p in ready_down if fault.db_down + 0.5 <= p.at <= up - 0.5))
        verdict_recovery &= up is not None and recovery <= RECOVERY_SECONDS
        lines.append(
            f"| {fault.name} | {ms(down_for)} | {len(window)} / {len(failed)} | "
            f"{len(during)} / {sum(1 for o in during if not o.ok)}, {ms(percentile(down_latencies, 50))} / {ms(p99)} | "
            f"{ms(percentile(fail_latencies, 50))} / {ms(percentile(fail_latencies, 99))} / "
            f"{ms(max(fail_latencies, default=None))} | "
            f"{', '.join(f'{c} x{n}' for c, n in codes.most_common()) or '-'} | "
            f"{', '.join(f'{s} x{n}' for s, n in collections.Counter(p.status for p in ready_down).items()) or '-'} | "
            f"{ms(slowest_ready)} | {ms(first_ok - up if first_ok and up else None)} | {len(failed_after_up)} | "
            f"{ms(recovery)} | "
            f"{ms(ready_back - up if ready_back and up else None)} | "
            f"{ms(fault.listeners_back - up if fault.listeners_back and up else None)} |")
    lost = bool(integrity["problems"])
    lines += [
        "",
        "Definitions: *database down* is from the first failed probe to the first successful one (0 ms when "
        "the server stayed up and only the app's backends were killed); *full "
        "recovery* is from the database accepting connections again to the end of the last failed request "
        "started after that and ended before the next fault (0 when none failed); a request counts as failed when it got no "
        "answer, a non-200 status or any GraphQL error.",
        "",
        "## Writes",
        "",
        f"{integrity['attempted']} `giveFeedback` writes attempted, {integrity['acknowledged']} acknowledged with "
        f"an id; {integrity['rows']} rows with a bench body in the database; "
        f"{len(integrity['applied_unacknowledged'])} committed although their answer was an error "
        f"({', '.join(f'{c} x{n}' for c, n in collections.Counter(integrity['applied_unacknowledged']).items()) or '-'}"
        f": the connection was lost while COMMIT was on its way, so its outcome was unknown to the service; allowed "
        f"because such a write is applied whole, never half). "
        + ("The `audit_log` table exists: every write has audit rows exactly when its row exists."
           if integrity["audit_log"] and not lost else
           "No `audit_log` table in this build: the audit check was skipped." if not integrity["audit_log"] else ""),
        "",
        *(f"- PROBLEM: {p}" for p in integrity["problems"][:20]),
        "",
        "## Verdict",
        "",
        f"- Fail fast (p99 latency of the failed requests started while the database is down <= "
        f"{FAIL_FAST_SECONDS:.0f} s): {'PASS' if verdict_fast else 'FAIL'}",
        f"- /readyz answers within {FAIL_FAST_SECONDS:.0f} s, 503 while the database is down (0.5 s margins: "
        f"the probe itself lags on a loaded machine), 200 after: "
        f"{'PASS' if verdict_ready else 'FAIL'}",
        f"- Recovery <= {RECOVERY_SECONDS:.0f} s after the database accepts connections: "
        f"{'PASS' if verdict_recovery else 'FAIL'}",
        f"- Nothing lost (every acknowledged write stored exactly once, none half-applied): "
        f"{'FAIL' if lost else 'PASS'}",
        "",
    ]
    return "\n".join(lines)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--pg-port", type=int, default=55441)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--warmup", type=float, default=5.0, help="seconds of load before the first fault")
    parser.add_argument("--keep", action="store_true", help="keep the server log (and raw outcomes) under /var/tmp")
    parser.add_argument("--output", default=str(ROOT / "bench" / "results" / "faults.md"))
    args = parser.parse_args()
    try:
        result = asyncio.run(run(args))
    except KeyboardInterrupt:
        print("faults: interrupted; cluster stopped and removed", file=sys.stderr)
        return 130
    text = report(result, "  ".join(["python bench/faults.py", *sys.argv[1:]]).replace("  ", " "))
    Path(args.output).write_text(text)
    print(text)
    return 0


if __name__ == "__main__":
    with contextlib.suppress(BrokenPipeError):
        sys.exit(main())
