"""Test fixtures: a real database (PostgreSQL, or the embedded SQLite mode), migrated and seeded
with the demo tenants once per session, and an HTTP client talking to the ASGI app."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import socket
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

import httpx
import pytest

from kinerja.core.config import Settings
from kinerja.core.paths import tenants_dir

BACKEND = os.environ.get("KINERJA_TEST_BACKEND", "postgres")
ADMIN_URL = os.environ.get("TEST_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/postgres")
DEMO_PASSWORD = "kinerja-demo"


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
        settings = Settings.from_env(mode="test", database_url=app_url, migration_database_url=owner_url,
                                     upload_dir=tempfile.mkdtemp(prefix="kinerja-uploads-"))
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


@pytest.fixture(scope="session")
def app(database):
    from kinerja.app import create_app

    return create_app(database, manage_db=False)


@pytest.fixture
async def client(app):
    transport = httpx.ASGITransport(app=app, client=("10.1.2.3", 1234))
    async with httpx.AsyncClient(transport=transport, base_url="http://test") as c:
        yield c


class Api:
    """A GraphQL client over HTTP, as a frontend would use it."""

    def __init__(self, client: httpx.AsyncClient):
        self.client = client
        self._tokens: dict[tuple[str, str], str] = {}

    async def post(self, query: str, variables: dict | None = None, token: str | None = None) -> dict:
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
        key = (tenant, username)
        if key not in self._tokens:
            result = await self.login(tenant, username)
            assert result["accessToken"], result["userErrors"]
            self._tokens[key] = result["accessToken"]
        return self._tokens[key]


_TOKENS: dict = {}


@pytest.fixture
async def api(client):
    api = Api(client)
    api._tokens = _TOKENS  # tokens outlive a test; the app is the same for the whole session
    return api


def error_codes(body: dict) -> list[str]:
    return [e["extensions"]["code"] for e in body.get("errors", [])]


class StatementCounter(logging.Handler):
    """Counts the SQL statements the ORM sends (each is logged once at DEBUG)."""

    def __init__(self):
        super().__init__(logging.DEBUG)
        self.statements: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.statements.append(record.getMessage())


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
    for logger, level in zip(loggers, previous):
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
           "KINERJA_UPLOAD_DIR": settings.upload_dir, **(env or {})}
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

