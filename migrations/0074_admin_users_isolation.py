"""Isolation of the import batches and password reset codes (0073), and sessions that end on their
own: ``kinerja_bind(tenant, actor, session)`` checks, in the same statement as the account, that the
access token's session (its refresh-token family, the token's ``sid``) is not over (its tokens exist and
none is live), so a revoked session's access tokens stop working at once (SQLSTATE KN402)."""

from tortoise import migrations
from tortoise.migrations.operations import RunPython

from kinerja.core.isolation import TenantTable, secure_tenant_tables

BIND_SESSION = """
CREATE OR REPLACE FUNCTION kinerja_bind(tenant text, actor uuid, session uuid) RETURNS void
LANGUAGE plpgsql AS $$
BEGIN
    PERFORM kinerja_bind(tenant, actor);
    -- A session this server does not know yet (a replica behind a fresh sign-in) is not an ended one: the
    -- id comes from a signed token. It ends when its tokens exist and none is live.
    IF session IS NOT NULL AND EXISTS (
            SELECT 1 FROM refresh_token WHERE tenant_id = nullif(tenant, '')::uuid AND family = session
            AND user_id = actor) AND NOT EXISTS (
            SELECT 1 FROM refresh_token WHERE tenant_id = nullif(tenant, '')::uuid AND family = session
            AND user_id = actor AND revoked_at IS NULL) THEN
        RAISE EXCEPTION 'session ended' USING ERRCODE = 'KN402';
    END IF;
END
$$
"""


async def bind_session(_apps, schema_editor) -> None:
    client = schema_editor.client
    if client.capabilities.dialect == "postgres":
        await client.execute_script(BIND_SESSION)


class Migration(migrations.Migration):
    dependencies = [("kinerja", "0073_admin_users")]

    operations = [
        secure_tenant_tables(
            TenantTable("import_batch"),
            TenantTable("password_reset_code", {"user_id": "app_user"}),
        ),
        RunPython(bind_session, RunPython.noop),
    ]
