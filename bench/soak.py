"""A soak test: a read-mostly load for minutes on 2 workers, with the workers' memory sampled.

Self-contained and loopback only: its own throwaway PostgreSQL cluster (port 55442, data under
/var/tmp), the demo tenants, `kinerja serve --workers 2`, and a load at concurrency 64 from this
process (httpx): teamOverview 35 %, employee list page 30 %, plan detail by node 30 %,
giveFeedback 5 %. Zero errors are expected. Every 10 s the RSS of each worker (VmRSS) is sampled;
the report gives the series, throughput and latency per minute, and how the 2 cores were shared
between the load generator, the workers and PostgreSQL. Writes bench/results/soak.md.

    .venv/bin/python bench/soak.py [--minutes 10]
"""

from __future__ import annotations

import argparse
import asyncio
import collections
import contextlib
import datetime as dt
import os
import random
import resource
import shutil
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

import httpx
from selfhost import (
    ROOT,
    Mix,
    Outcome,
    build_mix,
    cpu_seconds,
    load_average,
    login,
    machine,
    ms,
    own_cluster,
    percentile,
    prepare_database,
    rss_kib,
    send,
    serve,
    worker_pids,
)

WEIGHTS = {"teamOverview": 0.35, "employees": 0.30, "planDetail": 0.30, "giveFeedback": 0.05}
SAMPLE_SECONDS = 10.0
REQUEST_TIMEOUT = 30.0
RELOGIN_SECONDS = 300.0  # access tokens live 15 minutes


@dataclass
class Sample:
    at: float
    rss: dict[int, int]  # worker pid -> KiB


@dataclass
class Soak:
    outcomes: list[Outcome] = field(default_factory=list)
    samples: list[Sample] = field(default_factory=list)
    started: float = 0.0
    ended: float = 0.0


def postgres_pids(data_dir: str) -> list[int]:
    with contextlib.suppress(OSError, ValueError):
        master = int(Path(data_dir, "postmaster.pid").read_text().split()[0])
        return [master, *worker_pids(master)]
    return []


async def drive(base: str, mix: Mix, concurrency: int, seconds: float, soak: Soak) -> None:
    limits = httpx.Limits(max_connections=concurrency, max_keepalive_connections=concurrency)
    deadline = time.monotonic() + seconds
    async with httpx.AsyncClient(base_url=base, limits=limits) as client:
        async def worker(seed: int) -> None:
            rng = random.Random(seed)
            while time.monotonic() < deadline:
                soak.outcomes.append(await send(client, mix, mix.pick(rng), rng, REQUEST_TIMEOUT))

        async def relogin() -> None:
            while time.monotonic() < deadline:
                await asyncio.sleep(min(RELOGIN_SECONDS, max(0.0, deadline - time.monotonic())))
                if time.monotonic() >= deadline:
                    return
                try:
                    mix.supervisor = await login(client, "samarinda", "atasan", timeout=REQUEST_TIMEOUT)
                    mix.hr = await login(client, "samarinda", "bkpsdm", timeout=REQUEST_TIMEOUT)
                except (httpx.HTTPError, RuntimeError) as exc:  # the old tokens still have minutes to live
                    print(f"soak: re-login failed ({exc!r}), retrying in 10 s", flush=True)
                    await asyncio.sleep(10)

        refresher = asyncio.create_task(relogin())
        await asyncio.gather(*[worker(i) for i in range(concurrency)])
        refresher.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await refresher


async def sample_memory(server, soak: Soak, stop: asyncio.Event) -> None:
    while not stop.is_set():
        soak.samples.append(Sample(time.monotonic(), {pid: rss_kib(pid) or 0 for pid in server.workers}))
        with contextlib.suppress(asyncio.TimeoutError):
            await asyncio.wait_for(stop.wait(), SAMPLE_SECONDS)
    soak.samples.append(Sample(time.monotonic(), {pid: rss_kib(pid) or 0 for pid in server.workers}))


async def run(args) -> dict:
    workdir = Path(tempfile.mkdtemp(prefix="kinerja-soak-", dir="/var/tmp"))
    try:
        return await measure(args, workdir)
    finally:
        if not args.keep:
            shutil.rmtree(workdir, ignore_errors=True)


async def measure(args, workdir: Path) -> dict:
    load_at_start = load_average()
    with own_cluster(args.pg_port) as cluster:
        app_url = await prepare_database(cluster.url)
        print(f"soak: cluster on port {cluster.port}, database seeded", flush=True)
        # Every request holds a pooled connection for its whole transaction, and the kernel does not
        # spread the client connections evenly over the workers: a pool as large as the whole
        # concurrency keeps requests from waiting (and timing out) for a connection.
        pool = str(args.concurrency)
        async with serve(app_url, args.workers, workdir / "server.log", {"KINERJA_DB_POOL_SIZE": pool}) as server:
            mix = await build_mix(server.base, WEIGHTS)
            workers = server.workers
            pg = postgres_pids(cluster.data)
            cpu_before = {"load generator": _own_cpu(), "workers": sum(map(cpu_seconds, workers)),
                          "postgres": sum(map(cpu_seconds, pg))}
            soak = Soak(started=time.monotonic())
            stop = asyncio.Event()
            sampler = asyncio.create_task(sample_memory(server, soak, stop))
            print(f"soak: {args.minutes} minutes at concurrency {args.concurrency}", flush=True)
            try:
                await drive(server.base, mix, args.concurrency, args.minutes * 60, soak)
            finally:
                stop.set()
                await sampler
            soak.ended = time.monotonic()
            pg = sorted(set(pg) | set(postgres_pids(cluster.data)))
            cpu_after = {"load generator": _own_cpu(), "workers": sum(map(cpu_seconds, server.workers)),
                         "postgres": sum(map(cpu_seconds, pg))}
            final_workers = server.workers
        return {"soak": soak, "workers": workers, "final_workers": final_workers,
                "cpu": {k: cpu_after[k] - cpu_before[k] for k in cpu_before}, "postgres": cluster.version(),
                "load": (load_at_start, load_average())}


def _own_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def slope_per_minute(points: list[tuple[float, float]]) -> float | None:
    """Least-squares slope of (seconds, MiB) points, in MiB per minute."""
    if len(points) < 2:
        return None
    n = len(points)
    mean_x = sum(x for x, _ in points) / n
    mean_y = sum(y for _, y in points) / n
    var = sum((x - mean_x) ** 2 for x, _ in points)
    return None if var == 0 else sum((x - mean_x) * (y - mean_y) for x, y in points) / var * 60


def report(result: dict, args, command: str) -> str:
    soak: Soak = result["soak"]
    outcomes = soak.outcomes
    seconds = soak.ended - soak.started
    errors = collections.Counter(f"{o.kind}: {o.code} ({o.status})" for o in outcomes if not o.ok)
    lines = [
        "# Soak",
        "",
        f"Run {dt.datetime.now(dt.UTC):%Y-%m-%d %H:%M} UTC. Machine: {machine()}; {result['postgres']}. "
        f"Load average (shared machine, other jobs running): {result['load'][0]} at start, "
        f"{result['load'][1]} at the end.",
        f"Setup: own PostgreSQL cluster on loopback, demo tenants, `kinerja serve --workers {args.workers}` "
        f"(production mode, rate limits off, `KINERJA_DB_POOL_SIZE={args.concurrency}`: a request holds a "
        f"pooled connection for its whole transaction, and a worker may get most of the client connections), load from this Python process (httpx, concurrency "
        f"{args.concurrency}, keep-alive): teamOverview 35 %, employee list page 30 %, plan detail by node 30 %, "
        f"giveFeedback 5 %, as the supervisor and HR of one demo tenant.",
        f"Command: `{command}`",
        "",
        f"**{len(outcomes)} requests in {seconds / 60:.1f} min: {len(outcomes) / seconds:.1f} req/s, "
        f"p50 {ms(percentile([o.latency for o in outcomes], 50))}, p99 {ms(percentile([o.latency for o in outcomes], 99))}, "
        f"{sum(errors.values())} errors.**" + (" Errors: " + ", ".join(f"{k} x{n}" for k, n in errors.most_common())
                                               if errors else ""),
        "",
        "## Per minute",
        "",
        "| minute | requests | req/s | p50 | p99 | errors |",
        "|---|---|---|---|---|---|",
    ]
    for minute in range(max(1, round(args.minutes))):
        lo, hi = soak.started + minute * 60, soak.started + (minute + 1) * 60
        chunk = [o for o in outcomes if lo <= o.ended < hi]
        span = min(hi, soak.ended) - lo
        latencies = [o.latency for o in chunk]
        lines.append(f"| {minute + 1} | {len(chunk)} | {len(chunk) / span:.1f} | {ms(percentile(latencies, 50))} | "
                     f"{ms(percentile(latencies, 99))} | {sum(1 for o in chunk if not o.ok)} |")
    lines += ["", "## Worker memory (VmRSS, MiB, every 10 s)", ""]
    pids = sorted({pid for s in soak.samples for pid in s.rss})
    lines += ["| t (s) | " + " | ".join(f"worker {pid}" for pid in pids) + " |",
              "|---|" + "---|" * len(pids)]
    for sample in soak.samples:
        lines.append(f"| {sample.at - soak.started:.0f} | " + " | ".join(
            f"{sample.rss[pid] / 1024:.1f}" if sample.rss.get(pid) else "-" for pid in pids) + " |")
    lines += ["", "| worker | start | max | end | slope, whole run | slope, second half |", "|---|---|---|---|---|---|"]
    for pid in pids:
        points = [(s.at - soak.started, s.rss[pid] / 1024) for s in soak.samples if s.rss.get(pid)]
        second_half = [p for p in points if p[0] >= seconds / 2]
        whole, late = slope_per_minute(points), slope_per_minute(second_half)
        lines.append(f"| {pid} | {points[0][1]:.1f} | {max(y for _, y in points):.1f} | {points[-1][1]:.1f} | "
                     f"{'-' if whole is None else f'{whole:+.2f} MiB/min'} | "
                     f"{'-' if late is None else f'{late:+.2f} MiB/min'} |")
    restarted = set(result["workers"]) != set(result["final_workers"])
    cpu = result["cpu"]
    capacity = seconds * (os.cpu_count() or 1)
    lines += [
        "",
        f"Workers restarted during the run: {'yes' if restarted else 'no'} "
        f"(pids {result['workers']} at start, {result['final_workers']} at the end).",
        "",
        "## Who used the CPU",
        "",
        f"CPU seconds over the run, as a share of the machine's {os.cpu_count()} cores x {seconds:.0f} s "
        "(the rest went to other jobs on the shared machine, or idle):",
        "",
        "| process | CPU s | share of the machine |",
        "|---|---|---|",
        *(f"| {name} | {value:.0f} | {value / capacity * 100:.0f} % |" for name, value in cpu.items()),
        "",
        "The load generator runs on the same 2 cores as the server and PostgreSQL: the throughput above is "
        "what is left to the service, not its ceiling on a dedicated machine.",
        "",
        "## Verdict",
        "",
        f"- Zero errors: {'PASS' if not errors else 'FAIL'}",
        f"- Worker memory flat (second-half slope under 1 MiB/min for every worker): "
        f"{'PASS' if all((slope_per_minute([(s.at - soak.started, s.rss[p] / 1024) for s in soak.samples if s.rss.get(p) and s.at - soak.started >= seconds / 2]) or 0) < 1 for p in pids) else 'FAIL'}",
        "",
    ]
    return "\n".join(lines)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--minutes", type=float, default=10.0)
    parser.add_argument("--concurrency", type=int, default=64)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--pg-port", type=int, default=55442)
    parser.add_argument("--keep", action="store_true", help="keep the server log (and raw outcomes) under /var/tmp")
    parser.add_argument("--output", default=str(ROOT / "bench" / "results" / "soak.md"))
    args = parser.parse_args()
    try:
        result = asyncio.run(run(args))
    except KeyboardInterrupt:
        print("soak: interrupted; cluster stopped and removed", file=sys.stderr)
        return 130
    text = report(result, args, " ".join(["python bench/soak.py", *sys.argv[1:]]))
    Path(args.output).write_text(text)
    print(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
