"""A local PostgreSQL cluster from the binaries (initdb, pg_ctl) on PATH or under /usr/lib/postgresql:
a throwaway one for the test command when no server answers and for the benchmarks that restart
their own database, or a kept one in a fixed directory (the workload benchmark's). Run as user
postgres when root (initdb refuses root)."""

from __future__ import annotations

import glob
import os
import shutil
import subprocess
import tempfile


def binary(name: str) -> str | None:
    found = shutil.which(name)
    if found:
        return found
    candidates = sorted(glob.glob(f"/usr/lib/postgresql/*/bin/{name}"))
    return candidates[-1] if candidates else None


class ThrowawayCluster:
    def __init__(self, port: int, *, parent_dir: str | None = None, settings: dict | None = None,
                 data: str | None = None):
        """``data``: a fixed directory, kept between runs; by default a fresh temporary one."""
        self.initdb, self.pg_ctl = binary("initdb"), binary("pg_ctl")
        if not (self.initdb and self.pg_ctl):
            raise RuntimeError("no initdb/pg_ctl found: install PostgreSQL")
        self.port = port
        if data is not None:
            os.makedirs(data, exist_ok=True)
        self.data = data or tempfile.mkdtemp(prefix="kinerja-pg-", dir=parent_dir)
        self.settings = {"listen_addresses": "127.0.0.1", **(settings or {})}
        self.as_user: list[str] = []
        if os.geteuid() == 0:
            shutil.chown(self.data, "postgres")
            self.as_user = ["runuser", "-u", "postgres", "--"]

    @property
    def url(self) -> str:
        return f"postgres://postgres@127.0.0.1:{self.port}/postgres"

    def version(self) -> str:
        return subprocess.run([self.pg_ctl, "--version"], capture_output=True, text=True).stdout.strip()

    def _ctl(self, *args: str) -> None:
        subprocess.run([*self.as_user, self.pg_ctl, "-D", self.data, *args], check=True, stdout=subprocess.DEVNULL)

    def start(self) -> ThrowawayCluster:
        if not os.path.exists(os.path.join(self.data, "PG_VERSION")):
            subprocess.run([*self.as_user, self.initdb, "-D", self.data, "-U", "postgres", "--auth=trust",
                            "-E", "UTF8"], check=True, stdout=subprocess.DEVNULL)
        self._ctl("-o", self._options(), "-w", "start", "-l", os.path.join(self.data, "log"))
        return self

    def _options(self) -> str:
        return " ".join([f"-p {self.port}", f"-k {self.data}", *(f"-c {k}={v}" for k, v in self.settings.items())])

    def running(self) -> bool:
        return subprocess.run([*self.as_user, self.pg_ctl, "-D", self.data, "status"],
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL).returncode == 0

    def stop(self, mode: str = "fast") -> None:
        self._ctl("-m", mode, "-w", "stop")

    def restart(self, mode: str = "fast") -> None:
        self._ctl("-m", mode, "-o", self._options(), "-w", "restart")

    def destroy(self) -> None:
        subprocess.run([*self.as_user, self.pg_ctl, "-D", self.data, "-m", "immediate", "stop"],
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        shutil.rmtree(self.data, ignore_errors=True)
