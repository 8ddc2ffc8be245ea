"""Tenant isolation in PostgreSQL, as migration operations.

Every tenant-owned table gets:
- ``UNIQUE (tenant_id, id)`` so children can reference it with a composite key;
- composite foreign keys ``(tenant_id, parent_id) -> parent (tenant_id, id)`` (plain foreign keys
  bypass RLS, so a row of tenant B could otherwise point at a parent of tenant A);
- beside each such key, statistics that tell the planner the parent decides the tenant (without them
  it multiplies the two columns' selectivities and expects a tenant's rows of one parent to be as
  few as the tenants are many, which turns a period's evaluations from 2,000 rows into 200);
- row-level security, ENABLED and FORCED (the owner obeys it too), with one policy on
  ``app.tenant_id``;
- exactly the listed privileges for the application role, which is neither owner nor superuser
  and lacks BYPASSRLS (the audit trail gets SELECT and INSERT only: it is append-only).

SQLite has none of this; there the services' tenant scoping is the only layer.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from tortoise.migrations.operations import RunPython
from tortoise.migrations.schema_editor.base import BaseSchemaEditor
from tortoise.migrations.schema_generator.state_apps import StateApps

APP_ROLE = "kinerja_app"
TENANT_PREDICATE = "tenant_id = nullif(current_setting('app.tenant_id', true), '')::uuid"


@dataclass(frozen=True)
class TenantTable:
    name: str
    # column -> parent table, for every foreign key to another tenant-owned table
    parents: dict[str, str] = field(default_factory=dict)
    privileges: str = "SELECT, INSERT, UPDATE, DELETE"


APPEND_ONLY = "SELECT, INSERT"


def secure_sql(table: TenantTable) -> list[str]:
    t = table.name
    statements = [
        f'ALTER TABLE "{t}" ADD CONSTRAINT "{t}_tenant_id_id_key" UNIQUE (tenant_id, id)',
        f'ALTER TABLE "{t}" ENABLE ROW LEVEL SECURITY',
        f'ALTER TABLE "{t}" FORCE ROW LEVEL SECURITY',
        f'CREATE POLICY tenant_isolation ON "{t}" USING ({TENANT_PREDICATE}) '
        f"WITH CHECK ({TENANT_PREDICATE})",
        f'REVOKE ALL ON "{t}" FROM {APP_ROLE}',
        f'GRANT {table.privileges} ON "{t}" TO {APP_ROLE}',
    ]
    return statements


def composite_fk_sql(table: TenantTable) -> list[str]:
    statements = []
    for column, parent in table.parents.items():
        statements.append(f'ALTER TABLE "{table.name}" ADD CONSTRAINT "{table.name}_{column}_tenant_fk" '
                          f'FOREIGN KEY (tenant_id, {column}) REFERENCES "{parent}" (tenant_id, id)')
        statements.append(tenant_dependency_sql(table.name, column))
    return statements


def tenant_dependency_sql(table: str, column: str) -> str:
    """Statistics of the functional dependency tenant_id <- ``column`` (a parent's id)."""
    return (f'CREATE STATISTICS IF NOT EXISTS "{table}_{column}_tenant_dep" (dependencies) '
            f'ON tenant_id, {column} FROM "{table}"')


def secure_tenant_tables(*tables: TenantTable) -> RunPython:
    """Migration operation: isolate these tables (PostgreSQL only; a no-op on SQLite)."""

    async def forward(_apps: StateApps, schema_editor: BaseSchemaEditor) -> None:
        client = schema_editor.client
        if client.capabilities.dialect != "postgres":
            return
        for table in tables:
            for sql in secure_sql(table):
                await client.execute_script(sql)
        # Composite keys after every table has its (tenant_id, id) key.
        for table in tables:
            for sql in composite_fk_sql(table):
                await client.execute_script(sql)

    return RunPython(forward, RunPython.noop)


def grant_platform_tables(*tables: str, privileges: str = "SELECT, INSERT, UPDATE") -> RunPython:
    """Grants on tables that are not tenant-owned (the tenant registry itself)."""

    async def forward(_apps: StateApps, schema_editor: BaseSchemaEditor) -> None:
        client = schema_editor.client
        if client.capabilities.dialect != "postgres":
            return
        for name in tables:
            await client.execute_script(f'GRANT {privileges} ON "{name}" TO {APP_ROLE}')

    return RunPython(forward, RunPython.noop)
