"""Create the PostgreSQL roles and database a deployment needs (run once, as a superuser).

Two roles: ``kinerja_owner`` owns the schema and runs migrations; ``kinerja_app`` is what the
application connects as: LOGIN, NOSUPERUSER, NOBYPASSRLS, owner of nothing, so row-level
security applies to every query it makes.
"""

from __future__ import annotations

from urllib.parse import urlparse, urlunparse

import asyncpg

from kinerja.core.isolation import APP_ROLE

OWNER_ROLE = "kinerja_owner"


def _quote_ident(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _quote_literal(value: str) -> str:
    return "'" + value.replace("'", "''") + "'"


def with_credentials(admin_url: str, user: str, password: str, database: str) -> str:
    parsed = urlparse(admin_url.replace("postgresql://", "postgres://", 1))
    host = parsed.hostname or "127.0.0.1"
    port = f":{parsed.port}" if parsed.port else ""
    netloc = f"{user}:{password}@{host}{port}" if password else f"{user}@{host}{port}"
    return urlunparse(("postgres", netloc, f"/{database}", "", "", ""))


def on_database(url: str, database: str) -> str:
    parsed = urlparse(url.replace("postgres://", "postgresql://", 1))
    return urlunparse(parsed._replace(path=f"/{database}"))


async def ensure_roles(conn: asyncpg.Connection, app_password: str, owner_password: str) -> None:
    for role, password, extra in (
        (OWNER_ROLE, owner_password, ""),
        (APP_ROLE, app_password, ""),
    ):
        exists = await conn.fetchval("SELECT 1 FROM pg_roles WHERE rolname = $1", role)
        verb = "ALTER" if exists else "CREATE"
        pw = f" PASSWORD {_quote_literal(password)}" if password else ""
        await conn.execute(
            f"{verb} ROLE {_quote_ident(role)} LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE "
            f"NOBYPASSRLS{pw}{extra}"
        )


async def create_database(
    admin_url: str,
    database: str,
    *,
    app_password: str = "",
    owner_password: str = "",
    drop_existing: bool = False,
) -> tuple[str, str]:
    """Create roles and the database; return (app_url, owner_url)."""
    conn = await asyncpg.connect(on_database(admin_url, urlparse(admin_url).path.lstrip("/") or "postgres"))
    try:
        await ensure_roles(conn, app_password, owner_password)
        exists = await conn.fetchval("SELECT 1 FROM pg_database WHERE datname = $1", database)
        if exists and drop_existing:
            await conn.execute(f"DROP DATABASE {_quote_ident(database)} WITH (FORCE)")
            exists = False
        if not exists:
            await conn.execute(
                f"CREATE DATABASE {_quote_ident(database)} OWNER {_quote_ident(OWNER_ROLE)}"
            )
    finally:
        await conn.close()
    # The schema belongs to the owner, and nobody else may create objects in it.
    conn = await asyncpg.connect(on_database(admin_url, database))
    try:
        await conn.execute(f"ALTER SCHEMA public OWNER TO {_quote_ident(OWNER_ROLE)}")
        await conn.execute("REVOKE CREATE ON SCHEMA public FROM PUBLIC")
        await conn.execute(f"GRANT USAGE ON SCHEMA public TO {_quote_ident(APP_ROLE)}")
    finally:
        await conn.close()
    return (
        with_credentials(admin_url, APP_ROLE, app_password, database),
        with_credentials(admin_url, OWNER_ROLE, owner_password, database),
    )
