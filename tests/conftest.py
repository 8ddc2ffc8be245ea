"""Test fixtures: a real database (PostgreSQL, or the embedded SQLite mode), migrated and seeded
with the demo tenants once per session, and an HTTP client talking to the ASGI app."""

from __future__ import annotations

import asyncio
import contextlib
import copy
import dataclasses
import json
import logging
import os
import re
import socket
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

import httpx
import hypothesis
import pytest

from kinerja.core.config import Settings
from kinerja.core.paths import tenants_dir

# No test asserts on time, hypothesis's per-example deadline included (a loaded machine misses it).
hypothesis.settings.register_profile("kinerja", deadline=None)
hypothesis.settings.load_profile("kinerja")

BACKEND = os.environ.get("KINERJA_TEST_BACKEND", "postgres")
ADMIN_URL = os.environ.get("TEST_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/postgres")
DEMO_PASSWORD = "kinerja-demo"
# Access tokens are cached for the whole session (Api.token) and reads are replayed with the token they
# were sent with (test_read_parity): they must outlive the suite, which takes longer than the default
# 15 minutes on a loaded machine. Tests of expiry set their own lifetime.
os.environ.setdefault("KINERJA_ACCESS_TOKEN_SECONDS", "7200")


def pytest_report_header(config):
    return f"kinerja backend: {BACKEND}" + (f" ({ADMIN_URL})" if BACKEND == "postgres" else "")


@pytest.fixture(scope="session", autouse=True)
async def database():
    from kinerja.cli import migrate
    from kinerja.core.db import close_db, init_db
    from kinerja.demo.seed import seed_demo

    if BACKEND == "postgres":
        from kinerja.core.dbadmin import create_database

        name = f"kinerja_test_{os.getpid()}"
        app_url, owner_url = await create_database(ADMIN_URL, name, drop_existing=True)
        connections = {"database_url": app_url, **_through_pooler(app_url)}
        settings = Settings.from_env(mode="test", migration_database_url=owner_url,
                                     upload_dir=tempfile.mkdtemp(prefix="kinerja-uploads-"), **connections)
    else:
        tmp = tempfile.mkdtemp(prefix="kinerja-test-")
        settings = Settings.from_env(mode="test", database_url="", sqlite_path=str(Path(tmp) / "test.sqlite3"),
                                     upload_dir=str(Path(tmp) / "uploads"))
    await migrate(settings)
    await init_db(settings)
    await seed_demo(sorted(tenants_dir().glob("*.toml")), log=lambda _msg: None)
    yield settings
    await close_db()
    if BACKEND == "postgres":
        import asyncpg

        from kinerja.core.dbadmin import on_database

        conn = await asyncpg.connect(on_database(ADMIN_URL, "postgres"))
        await conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        await conn.close()


def _through_pooler(app_url: str) -> dict:
    """KINERJA_TEST_POOLER=host:port (a PgBouncer in transaction mode in front of the test server, as
    tests/test_scale.py starts one): the app's connections go through it, LISTEN stays direct."""
    pooler = os.environ.get("KINERJA_TEST_POOLER", "")
    if not pooler:
        return {}
    from urllib.parse import urlparse

    parsed = urlparse(app_url)
    pooled = parsed._replace(netloc=f"{parsed.username}:{parsed.password}@{pooler}").geturl()
    return {"database_url": pooled, "db_pooler": "transaction", "listen_url": app_url}


@pytest.fixture(scope="session")
def app(database):
    from kinerja.app import create_app

    return create_app(database, manage_db=False)


@pytest.fixture
async def client(app):
    transport = httpx.ASGITransport(app=app, client=("10.1.2.3", 1234))
    async with httpx.AsyncClient(transport=transport, base_url="http://test") as c:
        yield c


# Every read the suite sends through Api (document, variables, token): replayed at the end by
# tests/test_read_parity.py through both read paths.
READS: list[tuple[str, dict, str | None]] = []


def is_read(query: str) -> bool:
    from graphql import GraphQLError, OperationDefinitionNode, OperationType, parse

    try:
        operations = [d for d in parse(query).definitions if isinstance(d, OperationDefinitionNode)]
    except GraphQLError:
        return False
    return len(operations) == 1 and operations[0].operation is OperationType.QUERY


class Api:
    """A GraphQL client over HTTP, as a frontend would use it."""

    def __init__(self, client: httpx.AsyncClient, record: bool = True):
        self.client = client
        self.record = record
        self._tokens: dict[tuple[str, str], tuple[str, float]] = {}

    async def post(self, query: str, variables: dict | None = None, token: str | None = None) -> dict:
        if self.record and is_read(query):
            READS.append((query, variables or {}, token))
        headers = {"authorization": f"Bearer {token}"} if token else {}
        response = await self.client.post("/graphql", json={"query": query, "variables": variables or {}},
                                          headers=headers)
        assert response.status_code == 200, response.text
        return response.json()

    async def ok(self, query: str, variables: dict | None = None, token: str | None = None) -> dict:
        body = await self.post(query, variables, token)
        assert "errors" not in body, body["errors"]
        return body["data"]

    async def login(self, tenant: str, username: str, password: str = DEMO_PASSWORD) -> dict:
        data = await self.ok(
            "mutation($i: LoginInput!) { login(input: $i) { accessToken refreshToken expiresAt "
            "userErrors { field code message } } }",
            {"i": {"tenant": tenant, "username": username, "password": password}},
        )
        return data["login"]

    async def token(self, tenant: str, username: str) -> str:
        """A signed-in user's access token, reused across tests until a minute before it expires (a
        loaded machine can take longer than a token's life to run the suite)."""
        key = (tenant, username)
        cached = self._tokens.get(key)
        if cached is None or time.monotonic() - cached[1] > TOKEN_REUSE_SECONDS:
            result = await self.login(tenant, username)
            assert result["accessToken"], result["userErrors"]
            self._tokens[key] = (result["accessToken"], time.monotonic())
            TOKEN_OWNERS[result["accessToken"]] = key
        return self._tokens[key][0]


# Access tokens live 15 minutes; a suite slowed down by a loaded machine outlives them: tokens are
# reused for 10 minutes, then their user logs in again.
TOKEN_REUSE_SECONDS = 600
_TOKENS: dict = {}  # (tenant, username) -> (access token, when it was obtained)
TOKEN_OWNERS: dict[str, tuple[str, str]] = {}  # access token -> (tenant, username), for replays


@pytest.fixture
async def api(client):
    api = Api(client)
    api._tokens = _TOKENS  # tokens outlive a test; the app is the same for the whole session
    return api


@pytest.fixture(scope="session")
def resolver_app(database):
    """The app with compiled whole operations off: every read runs through the schema, whose
    described fields still read compiled answers field by field (resolver mode)."""
    from kinerja.app import create_app

    return create_app(dataclasses.replace(database, compiled_operations=False), manage_db=False)


@pytest.fixture
async def resolvers(resolver_app):
    transport = httpx.ASGITransport(app=resolver_app, client=("10.1.2.3", 1234))
    async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
        api = Api(client, record=False)
        api._tokens = _TOKENS
        yield api


def normalised(body: dict) -> dict:
    """An answer as compared between the two read paths: request ids aside, errors in path order."""
    body = copy.deepcopy(body)
    for error in body.get("errors") or []:
        (error.get("extensions") or {}).pop("requestId", None)
        error["message"] = re.sub(r"request id \w+", "request id -", error["message"])
    if body.get("errors"):
        body["errors"].sort(key=lambda e: (json.dumps(e.get("path")), e["message"]))
    return body


class Reads:
    """Knows whether the last read was compiled whole (from the compiler's debug line)."""

    def __init__(self):
        self.lines: list[str] = []

    def compiled(self) -> bool | None:
        for line in reversed(self.lines):
            if line.startswith("read "):
                return line.endswith(": compiled")
        return None

    def sent_as_text(self) -> bool:
        """The last answer was the statement's JSON text, sent unparsed."""
        return bool(self.lines) and self.lines[-1].startswith("answer ") and self.lines[-1].endswith("statement's text")


@pytest.fixture
def read_paths():
    reads = Reads()

    class Handler(logging.Handler):
        def emit(self, record: logging.LogRecord) -> None:
            reads.lines.append(record.getMessage())

    logger, handler = logging.getLogger("kinerja.graph"), Handler(logging.DEBUG)
    previous = logger.level
    logger.setLevel(logging.DEBUG)
    logger.addHandler(handler)
    yield reads
    logger.removeHandler(handler)
    logger.setLevel(previous)


def pytest_collection_modifyitems(config, items):
    """The replay of the suite's reads runs last, when every other test has sent its reads."""
    last = [i for i in items if i.name.startswith("test_every_read_of_the_suite")]
    items[:] = [i for i in items if i not in last] + last


def error_codes(body: dict) -> list[str]:
    return [e["extensions"]["code"] for e in body.get("errors", [])]


def is_binding(statement: str) -> bool:
    """The statement that opens an operation's transaction: it binds the tenant and checks the
    caller's account (``core/db.py``; on SQLite the account check alone)."""
    return ("kinerja_bind" in statement or "set_config" in statement
            or statement.startswith("SELECT active FROM app_user WHERE tenant_id"))


def is_rate_limit_write(statement: str) -> bool:
    """The one write a public read that spends a rate limit sends before its data statement, in the
    same bound transaction (``core/ratelimit.py: SPEND``, the conditional upsert of ``spend``): an
    INSERT into ``rate_counter`` that adds only while the count is under the limit. Nothing else
    sends it (``hit`` and the shared counters add without a condition)."""
    return (statement.startswith("INSERT INTO rate_counter ")
            and "DO UPDATE SET count = rate_counter.count + 1\nWHERE rate_counter.count < " in statement)


class StatementCounter(logging.Handler):
    """Counts the SQL statements the ORM sends (each is logged once at DEBUG)."""

    def __init__(self):
        super().__init__(logging.DEBUG)
        self.statements: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        statement = record.getMessage()
        if not is_origin_index_refresh(statement):
            self.statements.append(statement)


def is_origin_index_refresh(statement: str) -> bool:
    """The browser-origin index (``tenancy/origins.py``) reloads all tenants at most once a minute, in
    whichever request finds it stale: a cache refresh, not a statement of that operation."""
    return '"settings" "2" FROM "tenant"' in statement and "WHERE" not in statement


@pytest.fixture
def count_statements():
    """Statements sent by the ORM and by the compiled handlers (api/trusted.py)."""
    loggers = [logging.getLogger("tortoise.db_client"), logging.getLogger("kinerja.sql")]
    counter = StatementCounter()
    previous = [logger.level for logger in loggers]
    for logger in loggers:
        logger.setLevel(logging.DEBUG)
        logger.addHandler(counter)
    yield counter
    for logger, level in zip(loggers, previous, strict=True):
        logger.removeHandler(counter)
        logger.setLevel(level)


async def rows(model, tenant_id: uuid.UUID | None = None, **filters):
    """Direct read for assertions, inside a transaction bound to ``tenant_id``."""
    from kinerja.core.db import tenant_transaction

    async with tenant_transaction(tenant_id):
        query = model.filter(**filters)
        if tenant_id is not None:
            query = query.filter(tenant_id=tenant_id)
        return await query


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextlib.asynccontextmanager
async def running_server(settings: Settings, workers: int, log_path: Path, *, ready_path: str = "/readyz",
                         env: dict | None = None):
    """`kinerja serve` in a subprocess on the test database; yields its base URL once ``ready_path``
    answers 200."""
    port = _free_port()
    env = {**os.environ, "DATABASE_URL": settings.database_url, "KINERJA_SQLITE_PATH": settings.sqlite_path,
           "KINERJA_SECRET_KEY": settings.secret_key, "KINERJA_MODE": "test", "KINERJA_LOG_LEVEL": "WARNING",
           "KINERJA_UPLOAD_DIR": settings.upload_dir, "KINERJA_DB_POOLER": settings.db_pooler,
           "KINERJA_LISTEN_URL": settings.listen_url, **(env or {})}
    with open(log_path, "w") as log:
        server = subprocess.Popen([sys.executable, "-m", "kinerja", "serve", "--port", str(port),
                                   "--workers", str(workers)], env=env, stdout=log, stderr=subprocess.STDOUT)
        base = f"http://127.0.0.1:{port}"
        try:
            deadline = time.monotonic() + 60  # a loaded CI machine starts slowly
            async with httpx.AsyncClient() as probe:
                while True:
                    try:
                        if (await probe.get(f"{base}{ready_path}")).status_code == 200:
                            break
                    except httpx.TransportError:
                        pass
                    assert time.monotonic() < deadline, log_path.read_text()
                    await asyncio.sleep(0.2)
            await asyncio.sleep(1.0)  # every worker up, listeners connected
            yield base
        finally:
            server.terminate()
            server.wait(timeout=10)



CLIENTS_DIR = Path(__file__).parent / "clients"


@pytest.fixture(scope="session")
def node_clients() -> Path:
    """tests/clients/ with its npm packages installed exactly as package-lock.json pins them (`npm ci`),
    once: a stamp of the lockfile's hash in node_modules skips the install while it is current."""
    import hashlib
    import shutil

    npm = shutil.which("npm")
    if npm is None or shutil.which("node") is None:
        message = "Node.js and npm are needed for the standard-client tests (tests/clients/)"
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    digest = hashlib.sha256((CLIENTS_DIR / "package-lock.json").read_bytes()).hexdigest()
    stamp = CLIENTS_DIR / "node_modules" / ".kinerja-lock-sha256"
    if not (stamp.exists() and stamp.read_text() == digest):
        done = subprocess.run([npm, "ci", "--ignore-scripts", "--no-audit", "--no-fund"], cwd=CLIENTS_DIR,
                              capture_output=True, text=True, timeout=600)
        assert done.returncode == 0, f"npm ci failed in tests/clients:\n{done.stdout}\n{done.stderr}"
        stamp.write_text(digest)
    return CLIENTS_DIR


async def approved_plans(tenant_id: uuid.UUID, employee_ids, year: int) -> None:
    """An approved SKP of the year (approved by the direct supervisor), with one main RHK and its indicator,
    for each of these employees that has none yet: evaluating a period needs one (PermenPANRB 6/2022; the tenant rule
    evaluation_requires_approved_plan)."""
    from decimal import Decimal

    from kinerja.core import clock
    from kinerja.core.db import tenant_transaction
    from kinerja.org.models import Employee
    from kinerja.plans.models import Indicator, PerformancePlan, ResultTarget
    from kinerja.plans.rules import Approach, Aspect, PlanStatus, ResultKind

    async with tenant_transaction(tenant_id):
        have = set(await PerformancePlan.filter(tenant_id=tenant_id, year=year, employee_id__in=list(employee_ids),
                                                status__in=[PlanStatus.APPROVED, PlanStatus.CLOSED])
                   .values_list("employee_id", flat=True))
        revisions = {e: r for e, r in await PerformancePlan.filter(tenant_id=tenant_id, year=year).order_by("revision")
                     .values_list("employee_id", "revision")}
        supervisors = dict(await Employee.filter(tenant_id=tenant_id, id__in=list(employee_ids))
                           .values_list("id", "supervisor_id"))
        plans = [PerformancePlan(id=uuid.uuid4(), tenant_id=tenant_id, employee_id=e, year=year,
                                 revision=revisions.get(e, 0) + 1, approach=Approach.KUANTITATIF,
                                 status=PlanStatus.APPROVED, approver_id=supervisors.get(e), approved_at=clock.now())
                 for e in dict.fromkeys(employee_ids) if e not in have]
        results = [ResultTarget(id=uuid.uuid4(), tenant_id=tenant_id, plan_id=p.id, kind=ResultKind.UTAMA,
                                description="Tersusunnya laporan kinerja unit") for p in plans]
        await PerformancePlan.bulk_create(plans)
        await ResultTarget.bulk_create(results)
        await Indicator.bulk_create([Indicator(tenant_id=tenant_id, result_id=r.id, aspect=Aspect.KUANTITAS,
                                               description="Jumlah laporan", target_value=Decimal(12),
                                               target_unit="laporan") for r in results])


# --- headless Chromium (Debian's chromium and chromium-driver) through Selenium ----------------------

CHROMIUM, CHROMEDRIVER = "/usr/bin/chromium", "/usr/bin/chromedriver"


@pytest.fixture
def chromium():
    if not (os.access(CHROMIUM, os.X_OK) and os.access(CHROMEDRIVER, os.X_OK)):
        pytest.skip(f"{CHROMIUM} and {CHROMEDRIVER} are needed (Debian packages chromium and chromium-driver, "
                    "which .ci/run installs): could not be installed on this machine")
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for argument in ("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--disable-gpu",
                     "--window-size=1400,900"):
        options.add_argument(argument)
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    driver = webdriver.Chrome(service=Service(executable_path=CHROMEDRIVER), options=options)
    yield driver
    driver.quit()
