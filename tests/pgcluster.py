"""Local PostgreSQL clusters from the server binaries (initdb, pg_ctl): the test runner's throwaway
cluster and the benchmark's dedicated one."""

from __future__ import annotations

import glob
import os
import shutil
import subprocess


def binary(name: str) -> str | None:
    found = shutil.which(name)
    if found:
        return found
    candidates = sorted(glob.glob(f"/usr/lib/postgresql/*/bin/{name}"))
    return candidates[-1] if candidates else None


def _as_postgres(data: str) -> list[str]:
    """initdb and the server refuse to run as root: run them as the postgres user, owning the data."""
    if os.geteuid() != 0:
        return []
    shutil.chown(data, "postgres")
    return ["runuser", "-u", "postgres", "--"]


def initdb(data: str) -> None:
    os.makedirs(data, exist_ok=True)
    subprocess.run([*_as_postgres(data), binary("initdb"), "-D", data, "-U", "postgres", "--auth=trust", "-E", "UTF8"],
                   check=True, stdout=subprocess.DEVNULL)


def is_running(data: str) -> bool:
    return subprocess.run([*_as_postgres(data), binary("pg_ctl"), "-D", data, "status"],
                          stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL).returncode == 0


def start(data: str, port: int, settings: dict[str, str] | None = None) -> str:
    """Start the cluster on 127.0.0.1:port (socket in the data directory); return the superuser URL."""
    options = [f"-p {port}", f"-k {data}", "-c listen_addresses=127.0.0.1"]
    options += [f"-c {key}={value}" for key, value in (settings or {}).items()]
    subprocess.run([*_as_postgres(data), binary("pg_ctl"), "-D", data, "-o", " ".join(options), "-w", "start",
                    "-l", os.path.join(data, "log")], check=True, stdout=subprocess.DEVNULL)
    return f"postgres://postgres@127.0.0.1:{port}/postgres"


def stop(data: str, mode: str = "fast") -> None:
    subprocess.run([*_as_postgres(data), binary("pg_ctl"), "-D", data, "-m", mode, "stop"], stdout=subprocess.DEVNULL)
