"""A survey response's fingerprint is unique in its tenant.

The fingerprint is what makes a response a duplicate (``citizen/service.py: survey_duplicate_key``).
With it unique, ``submitSurveyResponse`` checks the service and inserts the response in one statement
(``INSERT ... SELECT ... ON CONFLICT DO NOTHING``): a duplicate inserts nothing, and two identical
requests arriving together are serialised by the index instead of an advisory lock and a lookup. The
unique index replaces the plain one on the same columns. Responses stored before were checked the same
way, so their fingerprints are already unique per tenant.
"""

from tortoise import migrations
from tortoise.migrations.operations import RunPython

INDEX = "survey_response_tenant_fingerprint_uniq"


async def _plain_index(client) -> str | None:
    """The name of the plain index on (tenant_id, fingerprint) the first citizen migration created."""
    if client.capabilities.dialect == "postgres":
        rows = await client.execute_query_dict(
            "SELECT indexname FROM pg_indexes WHERE tablename = 'survey_response' AND indexname <> $1 "
            "AND indexdef NOT LIKE '%UNIQUE%' AND indexdef LIKE '%(tenant_id, fingerprint)'", [INDEX])
    else:
        rows = await client.execute_query_dict(
            "SELECT name AS indexname FROM sqlite_master WHERE type = 'index' AND tbl_name = 'survey_response' "
            "AND sql LIKE '%\"tenant_id\", \"fingerprint\"%' AND sql NOT LIKE '%UNIQUE%'")
    return rows[0]["indexname"] if rows else None


async def create(_apps, schema_editor) -> None:
    client = schema_editor.client
    await client.execute_script(
        f'CREATE UNIQUE INDEX IF NOT EXISTS "{INDEX}" ON "survey_response" (tenant_id, fingerprint)')
    plain = await _plain_index(client)
    if plain is not None:
        await client.execute_script(f'DROP INDEX IF EXISTS "{plain}"')


async def drop(_apps, schema_editor) -> None:
    client = schema_editor.client
    await client.execute_script(
        'CREATE INDEX IF NOT EXISTS "idx_survey_resp_tenant__fingerprint" ON "survey_response" (tenant_id, fingerprint)')
    await client.execute_script(f'DROP INDEX IF EXISTS "{INDEX}"')


class Migration(migrations.Migration):
    dependencies = [("kinerja", "0061_citizen_counter_isolation")]

    operations = [RunPython(create, drop)]
