"""Statistics of each composite tenant key's dependency (core/isolation.py), for the tables secured
before tables got them with their keys: every foreign key (tenant_id, parent_id) gets its
``CREATE STATISTICS ... (dependencies)``, and the tables are analysed so the planner has them at once.
PostgreSQL only."""

from tortoise import migrations
from tortoise.migrations.operations import RunPython

from kinerja.core.isolation import tenant_dependency_sql

# Every two-column foreign key whose first column is tenant_id, with its table and second column.
_KEYS = """
SELECT c.conrelid::regclass::text AS "table", a.attname AS "column"
FROM pg_constraint c
JOIN pg_attribute t ON t.attrelid = c.conrelid AND t.attnum = c.conkey[1]
JOIN pg_attribute a ON a.attrelid = c.conrelid AND a.attnum = c.conkey[2]
WHERE c.contype = 'f' AND array_length(c.conkey, 1) = 2 AND t.attname = 'tenant_id'
  AND c.connamespace = current_schema()::regnamespace
ORDER BY 1, 2
"""


async def create(_apps, schema_editor) -> None:
    client = schema_editor.client
    if client.capabilities.dialect != "postgres":
        return
    keys = (await client.execute_query(_KEYS))[1]
    for key in keys:
        await client.execute_script(tenant_dependency_sql(key["table"].strip('"'), key["column"]))
    for table in sorted({key["table"] for key in keys}):
        await client.execute_script(f"ANALYZE {table}")


async def drop(_apps, schema_editor) -> None:
    client = schema_editor.client
    if client.capabilities.dialect == "postgres":
        for row in (await client.execute_query(
                "SELECT stxname FROM pg_statistic_ext WHERE stxname LIKE '%\\_tenant\\_dep'"))[1]:
            await client.execute_script(f'DROP STATISTICS IF EXISTS "{row["stxname"]}"')


class Migration(migrations.Migration):
    dependencies = [("kinerja", "0078_notifications_isolation")]

    operations = [RunPython(create, drop)]
