"""A throwaway database for the microbenchmarks: migrated as the application's is, with one tenant and
its logins loaded directly (as superuser, past RLS), dropped at the end."""

from __future__ import annotations

import uuid

import asyncpg


async def tenant_with_logins(admin_url: str, database: str, slug: str,
                             logins: int) -> tuple[str, str, uuid.UUID, list[uuid.UUID]]:
    """Create and migrate ``database``, then add a tenant ``slug`` with ``logins`` users: the app
    role's URL, the superuser's URL, the tenant and the users."""
    from kinerja.cli import migrate
    from kinerja.core.config import Settings
    from kinerja.core.dbadmin import create_database, on_database

    app_url, owner_url = await create_database(admin_url, database, drop_existing=True)
    await migrate(Settings.from_env(mode="test", database_url=app_url, migration_database_url=owner_url))
    superuser_url = on_database(admin_url, database)
    conn = await asyncpg.connect(superuser_url)
    tenant = uuid.uuid4()
    users = [uuid.uuid4() for _ in range(logins)]
    try:
        await conn.execute("INSERT INTO tenant (id, slug, name, kind, settings, created_at, updated_at) "
                           "VALUES ($1, $2, 'Bench', 'KOTA', '{}', now(), now())", tenant, slug)
        await conn.executemany(
            "INSERT INTO app_user (id, tenant_id, created_at, username, password_hash, active) "
            "VALUES ($1, $2, now(), $3, 'x', true)", [(u, tenant, f"u{i}") for i, u in enumerate(users)])
        await conn.execute("ANALYZE app_user")
    finally:
        await conn.close()
    return app_url, superuser_url, tenant, users


async def drop(admin_url: str, database: str) -> None:
    from kinerja.core.dbadmin import on_database

    conn = await asyncpg.connect(on_database(admin_url, "postgres"))
    try:
        await conn.execute(f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)')
    finally:
        await conn.close()
