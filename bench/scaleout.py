"""Scale-out across hosts, measured: the topology of tests/scaleout.py (app hosts in their own network
namespaces, PgBouncer in transaction pooling mode, a PostgreSQL primary and its streaming replica,
moto's S3 server), under a read-mostly load from this process (httpx): teamOverview 35 %, employee list
page 30 %, plan detail by node 30 %, giveFeedback 5 %, as the supervisor and HR of tangerang-selatan.

Runs, each for --duration seconds at --concurrency: the load on one host, then spread over all hosts,
then the reads alone spread over all hosts (the supervisor who writes feedback reads from the primary for
the sticky window after each write, so with writes most of his reads stay on the primary).
Reports per run throughput, p50/p99, errors, the requests each host answered, the transactions the
primary and the replica ran (pg_stat_database), PgBouncer's client and server connections (SHOW POOLS,
sampled), the replica's lag in bytes (sampled) and the CPU time of the app hosts, the primary, the
replica and PgBouncer per request. Writes bench/results/scaleout.md.

    .venv/bin/python bench/scaleout.py [--duration 20] [--concurrency 32] [--workers 1] [--hosts 2]

Needs root, the PostgreSQL 15 server binaries and pgbouncer (`apt-get install pgbouncer`).
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import datetime as dt
import random
import shutil
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

import httpx
import scaleout  # tests/, on the path through selfhost
from selfhost import ROOT, Outcome, build_mix, cpu_seconds, load_average, machine, ms, percentile, send

WEIGHTS = {"teamOverview": 0.35, "employees": 0.30, "planDetail": 0.30, "giveFeedback": 0.05}
TENANT = scaleout.TENANT_FILE.removesuffix(".toml")


@dataclass
class Run:
    name: str
    hosts: list[str]
    outcomes: list[tuple[str, Outcome]] = field(default_factory=list)
    seconds: float = 0.0
    transactions: dict[str, int] = field(default_factory=dict)
    pools: dict[str, int] = field(default_factory=dict)
    lag_bytes: list[int] = field(default_factory=list)
    cpu: dict[str, float] = field(default_factory=dict)
    weights: dict[str, float] | None = None


def tree_cpu(pid: int) -> float:
    """CPU seconds of a process and its descendants alive now."""
    total = cpu_seconds(pid)
    for task in Path(f"/proc/{pid}/task").glob("*/children"):
        with contextlib.suppress(OSError):
            for child in task.read_text().split():
                total += tree_cpu(int(child))
    return total


def postmaster(cluster) -> int:
    return int(Path(cluster.data, "postmaster.pid").read_text().split()[0])


def cpu_by_part(topology: scaleout.Topology) -> dict[str, float]:
    return {"app hosts": sum(tree_cpu(host.process.pid) for host in topology.servers),
            "primary": tree_cpu(postmaster(topology.primary)), "replica": tree_cpu(postmaster(topology.replica)),
            "pgbouncer": tree_cpu(topology.pgbouncer_process.pid)}


def transactions(topology: scaleout.Topology) -> dict[str, int]:
    sql = f"SELECT xact_commit + xact_rollback FROM pg_stat_database WHERE datname = '{scaleout.DATABASE}'"
    return {"primary": int(topology.psql(topology.primary.port, sql)),
            "replica": int(topology.psql(topology.replica.port, sql))}


def sample(topology: scaleout.Topology, run: Run) -> None:
    for row in topology.pgbouncer("SHOW POOLS"):
        database, user = row[0], row[1]
        if user != "kinerja_app":
            continue
        # database | user | cl_active | cl_waiting | ... | sv_active | sv_idle | sv_used | ...
        cl_active, cl_waiting, sv_active = int(row[2]), int(row[3]), int(row[6])
        for key, value in ((f"{database} clients active", cl_active), (f"{database} clients waiting", cl_waiting),
                           (f"{database} server connections active", sv_active)):
            run.pools[key] = max(run.pools.get(key, 0), value)
    primary = topology.psql(topology.primary.port, "SELECT pg_current_wal_lsn()")
    # Sampled one after the other: a replica that replayed past the primary's sample counts as no lag.
    run.lag_bytes.append(max(0, int(float(topology.psql(
        topology.replica.port, f"SELECT pg_wal_lsn_diff('{primary}', pg_last_wal_replay_lsn())")))))


async def drive(topology: scaleout.Topology, run: Run, mix, concurrency: int, duration: float) -> None:
    clients = {base: httpx.AsyncClient(base_url=base, timeout=30, limits=httpx.Limits(
        max_connections=concurrency, max_keepalive_connections=concurrency)) for base in run.hosts}
    before, cpu_before = transactions(topology), cpu_by_part(topology)
    deadline = time.monotonic() + duration
    started = time.monotonic()
    weights = run.weights or WEIGHTS

    async def user(index: int) -> None:
        rng = random.Random(index)
        base = run.hosts[index % len(run.hosts)]
        while time.monotonic() < deadline:
            kind = rng.choices(list(weights), weights=list(weights.values()))[0]
            outcome = await send(clients[base], mix, kind, rng, 30)
            run.outcomes.append((base, outcome))

    async def sampler() -> None:
        while time.monotonic() < deadline:
            await asyncio.to_thread(sample, topology, run)
            await asyncio.sleep(0.5)

    await asyncio.gather(sampler(), *(user(i) for i in range(concurrency)))
    run.seconds = time.monotonic() - started
    after, cpu_after = transactions(topology), cpu_by_part(topology)
    run.cpu = {part: cpu_after[part] - cpu_before[part] for part in cpu_after}
    run.transactions = {name: after[name] - before[name] for name in after}
    for client in clients.values():
        await client.aclose()


def report(topology: scaleout.Topology, runs: list[Run], args, started: str, loads: tuple[str, str]) -> str:
    lines = [
        "# Scale-out across hosts",
        "",
        f"Run {started} UTC. Machine: {machine()}; {topology.primary.version()}; {topology.pgbouncer_version}.",
        f"Load average (shared machine): {loads[0]} at start, {loads[1]} at the end.",
        f"Topology: {len(topology.servers)} app hosts on {topology.isolation}, `kinerja serve --workers "
        f"{args.workers}` each (test mode, rate limits off, pool {10} connections per worker), through PgBouncer "
        "(transaction pooling, default_pool_size 20) to a PostgreSQL primary, compiled reads to its streaming "
        "replica (through the same PgBouncer), LISTEN direct to the primary, files in moto's S3 server; "
        "everything on this one machine, so the hosts share its CPUs with PostgreSQL, PgBouncer and the load "
        "generator: the figures show the topology working and its overhead, not the capacity of separate machines.",
        f"Load: this process (httpx), concurrency {args.concurrency}, {args.duration:.0f} s per run: "
        + ", ".join(f"{k} {v:.0%}" for k, v in WEIGHTS.items()) + f", as atasan and bkpsdm of {TENANT}.",
        f"Command: `.venv/bin/python bench/scaleout.py --duration {args.duration:g} --concurrency {args.concurrency} "
        f"--workers {args.workers} --hosts {args.hosts}`",
        "",
        "| run | requests | req/s | p50 | p99 | errors | per host | transactions primary / replica | CPU-ms per "
        "request: app hosts / primary / replica / PgBouncer |",
        "|---|---|---|---|---|---|---|---|---|",
    ]
    for run in runs:
        latencies = [o.latency for _, o in run.outcomes if o.ok]
        errors = sum(1 for _, o in run.outcomes if not o.ok)
        per_host = " / ".join(str(sum(1 for base, _ in run.outcomes if base == host)) for host in run.hosts)
        lines.append(f"| {run.name} | {len(run.outcomes)} | {len(run.outcomes) / run.seconds:.1f} | "
                     f"{ms(percentile(latencies, 50))} | {ms(percentile(latencies, 99))} | {errors} | {per_host} | "
                     f"{run.transactions['primary']} / {run.transactions['replica']} | "
                     + " / ".join(f"{run.cpu[part] * 1000 / max(1, len(run.outcomes)):.1f}"
                                  for part in ("app hosts", "primary", "replica", "pgbouncer")) + " |")
    keys = sorted({k for r in runs for k in r.pools})
    lines += ["", "## PgBouncer and the replica during each run (sampled every 0.5 s, maxima)", "",
              "| run | " + " | ".join(keys) + " | replica lag (bytes, max / median) |",
              "|---|" + "---|" * (len(keys) + 1)]
    for run in runs:
        lag = sorted(run.lag_bytes) or [0]
        lines.append(f"| {run.name} | " + " | ".join(str(run.pools.get(k, 0)) for k in keys)
                     + f" | {lag[-1]} / {lag[len(lag) // 2]} |")
    kinds: dict[str, int] = {}
    for run in runs:
        for _, outcome in run.outcomes:
            if not outcome.ok:
                kinds[outcome.code] = kinds.get(outcome.code, 0) + 1
    lines += ["", f"Error codes: {kinds or 'none'}.", ""]
    return "\n".join(lines)


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--duration", type=float, default=20.0, help="seconds per run")
    parser.add_argument("--concurrency", type=int, default=32, help="requests in flight")
    parser.add_argument("--workers", type=int, default=1, help="server processes per host")
    parser.add_argument("--hosts", type=int, default=2, help="app hosts")
    args = parser.parse_args()
    if problem := scaleout.missing():
        sys.exit(f"bench/scaleout.py: {problem}")
    started = dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M")
    load_start = load_average()
    topology = scaleout.Topology(scaleout.workdir(), hosts=args.hosts, workers=args.workers)
    try:
        await asyncio.to_thread(topology.start)
        mix = await build_mix(topology.servers[0].base, WEIGHTS, tenant=TENANT)
        bases = [host.base for host in topology.servers]
        reads_only = {kind: weight for kind, weight in WEIGHTS.items() if kind != "giveFeedback"}
        runs = [Run("one host", bases[:1]), Run(f"{len(bases)} hosts", bases),
                Run(f"{len(bases)} hosts, reads only", bases, weights=reads_only)]
        for run in runs:
            await drive(topology, run, mix, args.concurrency, args.duration)
            print(f"{run.name}: {len(run.outcomes) / run.seconds:.1f} req/s", flush=True)
        text = report(topology, runs, args, started, (load_start, load_average()))
    finally:
        topology.stop()
        shutil.rmtree(topology.workdir, ignore_errors=True)
    path = ROOT / "bench" / "results" / "scaleout.md"
    path.write_text(text)
    print(text)


if __name__ == "__main__":
    asyncio.run(main())
