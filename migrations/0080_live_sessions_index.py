"""A user's live sessions from an index.

`mySessions`, and every way a user's sessions end (`auth/sessions.py: end_sessions`), look for the
user's refresh tokens that are not revoked. Only the binding's lookup by family had an index; a user's
tokens were found by reading every token of the tenant, and a token is kept after its rotation. The
index holds the live tokens only (one per session), by user and in the order `mySessions` lists them.
"""

from tortoise import migrations
from tortoise.migrations.operations import RunPython

INDEX = "refresh_token_live_by_user"


async def create(_apps, schema_editor) -> None:
    await schema_editor.client.execute_script(
        f'CREATE INDEX IF NOT EXISTS "{INDEX}" ON "refresh_token" (tenant_id, user_id, created_at) '
        "WHERE revoked_at IS NULL")


async def drop(_apps, schema_editor) -> None:
    await schema_editor.client.execute_script(f'DROP INDEX IF EXISTS "{INDEX}"')


class Migration(migrations.Migration):
    dependencies = [("kinerja", "0079_tenant_dependency_statistics")]

    operations = [RunPython(create, drop)]
