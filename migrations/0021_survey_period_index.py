"""Survey responses of a period, for the whole tenant, from the index alone.

The tenant dashboard (and any tenant-wide IKM: the public report, the citizen summary per unit) sums the
nine scores of every response of a period. The index on (tenant_id, service_unit_id, created_at) cannot
bound such a scan by time, and each row it finds is then read from the table. This one is ordered by
time and carries the columns those sums need, so a period's responses are one range of the index with
no table access (bench/results/w5.md). PostgreSQL only: SQLite has no INCLUDE, and the embedded demo's
few responses need no index.
"""

from tortoise import migrations
from tortoise.migrations.operations import RunPython

INDEX = "survey_response_tenant_created_cover"


async def create(_apps, schema_editor) -> None:
    client = schema_editor.client
    if client.capabilities.dialect == "postgres":
        await client.execute_script(
            f'CREATE INDEX IF NOT EXISTS "{INDEX}" ON "survey_response" (tenant_id, created_at) '
            "INCLUDE (service_unit_id, u1, u2, u3, u4, u5, u6, u7, u8, u9)")


async def drop(_apps, schema_editor) -> None:
    client = schema_editor.client
    if client.capabilities.dialect == "postgres":
        await client.execute_script(f'DROP INDEX IF EXISTS "{INDEX}"')


class Migration(migrations.Migration):
    dependencies = [("kinerja", "0020_sessions")]

    operations = [RunPython(create, drop)]
