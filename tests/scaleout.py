"""A scale-out topology on one machine, for tests/test_scale.py and bench/scaleout.py:

- two (or more) app hosts, each `kinerja serve` in its own network namespace (`ip netns`), joined to
  the services by veth pairs on a bridge; where namespaces cannot be made, servers on different ports
  of the loopback (the reason is printed);
- a PostgreSQL primary and a streaming read replica (a second cluster made with pg_basebackup);
- PgBouncer in transaction pooling mode in front of both (databases `kinerja` and `kinerja_replica`,
  and any other name to the primary);
- moto's S3-compatible server for uploaded files.

The hosts reach PostgreSQL through PgBouncer, LISTEN on a direct connection to the primary, read from
the replica and store files in the bucket (docs/scale.md). Needs root (namespaces, and PostgreSQL and
PgBouncer run as user postgres) and the PostgreSQL and PgBouncer binaries.
"""

from __future__ import annotations

import contextlib
import ipaddress
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

from pgcluster import ThrowawayCluster, binary

DATABASE = "kinerja_scale"
BUCKET = "kinerja-scale"
SECRET = "scale-out-test-secret-key-0123456789abcdef"
AWS = {"AWS_ACCESS_KEY_ID": "kinerja-scale", "AWS_SECRET_ACCESS_KEY": "kinerja-scale-secret",
       "AWS_DEFAULT_REGION": "us-east-1"}
TENANT_FILE = "tangerang-selatan.toml"


def missing() -> str | None:
    """Why the topology cannot be started here (None when it can)."""
    if os.geteuid() != 0:
        return "needs root (PostgreSQL and PgBouncer run as user postgres; hosts in network namespaces)"
    for name in ("initdb", "pg_ctl", "pg_basebackup", "psql"):
        if not binary(name):
            return f"no {name}: install PostgreSQL"
    if not shutil.which("pgbouncer"):
        return "no pgbouncer: install Debian's pgbouncer (.ci/run does when it runs as root)"
    return None


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _run(*args: str) -> None:
    subprocess.run(args, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)


class Network:
    """A bridge with the services' address and one network namespace per app host (veth pairs)."""

    def __init__(self, hosts: int):
        tag = f"{os.getpid() % 100000}"
        self.bridge = f"knb{tag}"
        self.namespaces = [f"kn{tag}h{i}" for i in range(hosts)]
        self.subnet = self._free_subnet()
        addresses = list(self.subnet.hosts())
        self.gateway = str(addresses[0])
        self.host_addresses = [str(a) for a in addresses[1:1 + hosts]]
        self.made: list[tuple[str, str]] = []

    @staticmethod
    def _free_subnet() -> ipaddress.IPv4Network:
        used = subprocess.run(["ip", "-4", "-o", "addr"], capture_output=True, text=True).stdout
        routes = subprocess.run(["ip", "-4", "route"], capture_output=True, text=True).stdout
        for third in range(os.getpid() % 200, os.getpid() % 200 + 200):
            subnet = ipaddress.IPv4Network(f"10.211.{third % 250}.0/24")
            if str(subnet.network_address)[:-1] not in used + routes:
                return subnet
        raise RuntimeError("no free 10.211.x.0/24 subnet")

    def create(self) -> None:
        prefix = self.subnet.prefixlen
        _run("ip", "link", "add", self.bridge, "type", "bridge")
        self.made.append(("link", self.bridge))
        _run("ip", "addr", "add", f"{self.gateway}/{prefix}", "dev", self.bridge)
        _run("ip", "link", "set", self.bridge, "up")
        for index, (namespace, address) in enumerate(zip(self.namespaces, self.host_addresses, strict=False)):
            outside, inside = f"{self.bridge}v{index}", f"{self.bridge}p{index}"
            _run("ip", "netns", "add", namespace)
            self.made.append(("netns", namespace))
            _run("ip", "link", "add", outside, "type", "veth", "peer", "name", inside)
            self.made.append(("link", outside))
            _run("ip", "link", "set", inside, "netns", namespace)
            _run("ip", "link", "set", outside, "master", self.bridge)
            _run("ip", "link", "set", outside, "up")
            _run("ip", "netns", "exec", namespace, "ip", "addr", "add", f"{address}/{prefix}", "dev", inside)
            _run("ip", "netns", "exec", namespace, "ip", "link", "set", inside, "up")
            _run("ip", "netns", "exec", namespace, "ip", "link", "set", "lo", "up")

    def destroy(self) -> None:
        for kind, name in reversed(self.made):
            cmd = ["ip", "netns", "del", name] if kind == "netns" else ["ip", "link", "del", name]
            subprocess.run(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        self.made.clear()


@dataclass
class Host:
    name: str
    base: str
    process: subprocess.Popen
    log: Path


@dataclass
class Topology:
    workdir: Path
    hosts: int = 2
    workers: int = 1
    sticky_seconds: float = 2.0
    host_env: dict = field(default_factory=dict)
    log: callable = print

    def start(self) -> Topology:
        self.started: list = []
        try:
            self._start()
        except BaseException:
            self.stop()
            raise
        return self

    def _start(self) -> None:
        self.network = None
        self.isolation = "network namespaces"
        try:
            network = Network(self.hosts)
            network.create()
            self.network = network
            self.service_address = network.gateway
        except (subprocess.CalledProcessError, RuntimeError, OSError) as exc:
            if isinstance(exc, subprocess.CalledProcessError) and network.made:
                network.destroy()
            reason = exc.stderr.decode().strip() if isinstance(exc, subprocess.CalledProcessError) else str(exc)
            self.isolation = f"loopback ports (no network namespaces here: {reason})"
            self.log(f"scale-out: hosts on {self.isolation}")
            self.service_address = "127.0.0.1"
        listen = "127.0.0.1" if self.network is None else f"127.0.0.1,{self.service_address}"
        self.workdir.mkdir(parents=True, exist_ok=True)
        shutil.chown(self.workdir, "postgres")
        hba = self.workdir / "pg_hba.conf"
        subnet = str(self.network.subnet) if self.network else "127.0.0.1/32"
        hba.write_text("local all all trust\nlocal replication all trust\n"
                       "host all all 127.0.0.1/32 trust\nhost replication all 127.0.0.1/32 trust\n"
                       f"host all all {subnet} trust\n")
        settings = {"listen_addresses": f"'{listen}'", "hba_file": str(hba), "max_connections": "300",
                    "fsync": "off", "synchronous_commit": "off", "full_page_writes": "off"}
        self.primary = ThrowawayCluster(_free_port(), parent_dir=str(self.workdir), settings=settings).start()
        self.started.append(self.primary.destroy)
        self.log(f"scale-out: primary {self.primary.version()} on port {self.primary.port}")
        self._create_database()
        self._start_replica(settings)
        self._start_pgbouncer()
        self._start_s3()
        self.wait_for_replica()
        self.servers: list[Host] = []
        for index in range(self.hosts):
            self.servers.append(self._start_host(index))
        for host in self.servers:
            self._wait_ready(host)

    # -- PostgreSQL
    def _create_database(self) -> None:
        script = f"""
import asyncio, sys
from kinerja.cli import migrate
from kinerja.core.config import Settings
from kinerja.core.db import close_db, init_db
from kinerja.core.dbadmin import create_database
from kinerja.core.paths import tenants_dir
from kinerja.demo.seed import seed_demo

async def main():
    app_url, owner_url = await create_database({self.primary.url!r}, {DATABASE!r}, drop_existing=True)
    settings = Settings.from_env(mode="test", database_url=app_url, migration_database_url=owner_url)
    await migrate(settings)
    await init_db(settings)
    await seed_demo([tenants_dir() / {TENANT_FILE!r}], log=lambda _m: None)
    await close_db()
    print(app_url)

asyncio.run(main())
"""
        done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True)
        if done.returncode != 0:
            raise RuntimeError(f"scale-out: creating the database failed:\n{done.stderr[-3000:]}")
        self.app_url = done.stdout.strip().splitlines()[-1]
        # Behind a transaction pooler the app sends no startup settings but its name: the role carries
        # the statement timeout and the plan cache mode (docs/scale.md).
        self.psql(self.primary.port, "ALTER ROLE kinerja_app SET statement_timeout = '15s'; "
                                     "ALTER ROLE kinerja_app SET plan_cache_mode = 'force_custom_plan'")

    def psql(self, port: int, sql: str, database: str = "postgres", host: str = "127.0.0.1") -> str:
        done = subprocess.run([binary("psql"), "-X", "-q", "-At", "-h", host, "-p", str(port), "-U", "postgres",
                               "-d", database, "-c", sql], capture_output=True, text=True)
        if done.returncode != 0:
            raise RuntimeError(f"psql on port {port}: {done.stderr.strip()}")
        return done.stdout.strip()

    def _start_replica(self, settings: dict) -> None:
        data = self.workdir / "replica"
        subprocess.run(["runuser", "-u", "postgres", "--", binary("pg_basebackup"), "-h", "127.0.0.1", "-p",
                        str(self.primary.port), "-U", "postgres", "-D", str(data), "-R", "-X", "stream",
                        "-c", "fast"], check=True, capture_output=True)
        self.replica = ThrowawayCluster(_free_port(), settings={**settings, "hot_standby": "on"},
                                        data=str(data)).start()
        self.started.append(self.replica.destroy)
        if self.psql(self.replica.port, "SELECT pg_is_in_recovery()") != "t":
            raise RuntimeError("scale-out: the replica is not in recovery")
        self.log(f"scale-out: streaming replica on port {self.replica.port}")

    def wait_for_replica(self, timeout: float = 30) -> None:
        """Until the replica has replayed everything the primary has written so far."""
        target = self.psql(self.primary.port, "SELECT pg_current_wal_lsn()")
        deadline = time.monotonic() + timeout
        while self.psql(self.replica.port, f"SELECT pg_last_wal_replay_lsn() >= '{target}'::pg_lsn") != "t":
            if time.monotonic() > deadline:
                raise RuntimeError("scale-out: the replica did not catch up")
            time.sleep(0.05)

    def pause_replay(self) -> None:
        self.psql(self.replica.port, "SELECT pg_wal_replay_pause()")

    def resume_replay(self) -> None:
        self.psql(self.replica.port, "SELECT pg_wal_replay_resume()")

    # -- PgBouncer
    def _start_pgbouncer(self) -> None:
        directory = self.workdir / "pgbouncer"
        directory.mkdir()
        self.pgbouncer_port = _free_port()
        listen = "127.0.0.1" if self.network is None else f"127.0.0.1,{self.service_address}"
        (directory / "users.txt").write_text('"kinerja_app" ""\n"kinerja_owner" ""\n"postgres" ""\n')
        (directory / "pgbouncer.ini").write_text(f"""[databases]
kinerja = host=127.0.0.1 port={self.primary.port} dbname={DATABASE}
kinerja_replica = host=127.0.0.1 port={self.replica.port} dbname={DATABASE}
* = host=127.0.0.1 port={self.primary.port}

[pgbouncer]
listen_addr = {listen}
listen_port = {self.pgbouncer_port}
unix_socket_dir = {directory}
auth_type = trust
auth_file = {directory}/users.txt
admin_users = postgres
pool_mode = transaction
max_client_conn = 1000
default_pool_size = 20
logfile = {directory}/pgbouncer.log
pidfile = {directory}/pgbouncer.pid
""")
        for path in directory.iterdir():
            shutil.chown(path, "postgres")
        shutil.chown(directory, "postgres")
        log = open(directory / "stdout.log", "w")  # noqa: SIM115 - PgBouncer writes to it while it runs
        process = subprocess.Popen(["runuser", "-u", "postgres", "--", shutil.which("pgbouncer"),
                                    str(directory / "pgbouncer.ini")], stdout=log, stderr=subprocess.STDOUT)
        self.started.append(lambda: _stop(process))
        self.pgbouncer_process = process
        deadline = time.monotonic() + 15
        while True:
            try:
                self.psql(self.pgbouncer_port, "SHOW VERSION", database="pgbouncer")
                break
            except RuntimeError:
                if process.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError(f"scale-out: pgbouncer did not start:\n"
                                       f"{(directory / 'pgbouncer.log').read_text()[-2000:]}") from None
                time.sleep(0.1)
        self.pgbouncer_version = self.psql(self.pgbouncer_port, "SHOW VERSION", database="pgbouncer")
        self.log(f"scale-out: {self.pgbouncer_version} (transaction pooling) on port {self.pgbouncer_port}")

    def pgbouncer(self, command: str) -> list[list[str]]:
        """An admin console command's rows (SHOW STATS, SHOW POOLS...)."""
        text = subprocess.run([binary("psql"), "-X", "-At", "-F", "|", "-h", "127.0.0.1", "-p",
                               str(self.pgbouncer_port), "-U", "postgres", "-d", "pgbouncer", "-c", command],
                              capture_output=True, text=True, check=True).stdout
        return [line.split("|") for line in text.splitlines() if line]

    # -- object storage
    def _start_s3(self) -> None:
        import logging

        from moto.server import ThreadedMotoServer

        logging.getLogger("werkzeug").setLevel(logging.ERROR)  # no line per request

        self.s3_port = _free_port()
        self.s3 = ThreadedMotoServer(ip_address=self.service_address, port=self.s3_port, verbose=False)
        self.s3.start()
        self.started.append(self.s3.stop)
        self.s3_endpoint = f"http://{self.service_address}:{self.s3_port}"
        import boto3

        boto3.client("s3", endpoint_url=self.s3_endpoint, region_name="us-east-1", aws_access_key_id=AWS[
            "AWS_ACCESS_KEY_ID"], aws_secret_access_key=AWS["AWS_SECRET_ACCESS_KEY"]).create_bucket(Bucket=BUCKET)

    # -- app hosts
    def url(self, port: int, database: str) -> str:
        """The app role's URL at the services' address."""
        from urllib.parse import urlparse

        parsed = urlparse(self.app_url)
        return f"postgres://{parsed.username}:{parsed.password}@{self.service_address}:{port}/{database}"

    def environment(self) -> dict:
        return {
            **os.environ, **AWS,
            "DATABASE_URL": self.url(self.pgbouncer_port, "kinerja"),
            "KINERJA_DB_POOLER": "transaction",
            "KINERJA_LISTEN_URL": self.url(self.primary.port, DATABASE),
            "KINERJA_REPLICA_URL": self.url(self.pgbouncer_port, "kinerja_replica"),
            "KINERJA_REPLICA_STICKY_SECONDS": str(self.sticky_seconds),
            "KINERJA_STORAGE": "s3", "KINERJA_S3_BUCKET": BUCKET, "KINERJA_S3_ENDPOINT_URL": self.s3_endpoint,
            "KINERJA_S3_REGION": "us-east-1",
            "KINERJA_SECRET_KEY": SECRET, "KINERJA_MODE": "test", "KINERJA_LOG_LEVEL": "WARNING",
            "KINERJA_UPLOAD_DIR": str(self.workdir / "unused-uploads"),
            "FORWARDED_ALLOW_IPS": "*",
            **self.host_env,
        }

    def _start_host(self, index: int) -> Host:
        if self.network is not None:
            address, port = self.network.host_addresses[index], 8000
            prefix = ["ip", "netns", "exec", self.network.namespaces[index]]
        else:
            address, port = "127.0.0.1", _free_port()
            prefix = []
        log_path = self.workdir / f"host{index}.log"
        with open(log_path, "w") as log:
            process = subprocess.Popen([*prefix, sys.executable, "-m", "kinerja", "serve", "--host", address,
                                        "--port", str(port), "--workers", str(self.workers)],
                                       env=self.environment(), stdout=log, stderr=subprocess.STDOUT)
        self.started.append(lambda: _stop(process))
        return Host(f"host{index}", f"http://{address}:{port}", process, log_path)

    def _wait_ready(self, host: Host) -> None:
        import httpx

        deadline = time.monotonic() + 60
        while True:
            with contextlib.suppress(httpx.TransportError):
                if httpx.get(f"{host.base}/readyz", timeout=2).status_code == 200:
                    break
            if host.process.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"scale-out: {host.name} did not start:\n{host.log.read_text()[-3000:]}")
            time.sleep(0.2)
        time.sleep(0.5)  # its listener connected
        self.log(f"scale-out: {host.name} at {host.base}")

    def stop(self) -> None:
        for stop in reversed(getattr(self, "started", [])):
            with contextlib.suppress(Exception):
                stop()
        self.started = []
        if getattr(self, "network", None) is not None:
            self.network.destroy()


def _stop(process: subprocess.Popen) -> None:
    if process.poll() is None:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def workdir() -> Path:
    return Path(tempfile.mkdtemp(prefix="kinerja-scale-"))
