"""Sessions end with their account; refresh tokens remember their successor.

- ``kinerja_bind(tenant, actor)``: binds the transaction to its tenant (as ``set_config`` did) and, for
  a signed-in caller, checks in the same statement that the account exists and is active, raising
  SQLSTATE KN401 otherwise. Every operation's transaction opens with it: no extra round trip.
- ``refresh_token.replaced_by_id``: the token a rotation issued, so that a second exchange of the
  same token within the grace window answers that successor (two browser tabs refreshing at once).
- Role assignments go with their user: deleting a user deletes its assignment rules (and tells every
  worker to reload the tenant's policy), whoever deletes it.
"""

from tortoise import fields, migrations
from tortoise.migrations import operations as ops
from tortoise.migrations.operations import RunPython

BIND = """
CREATE OR REPLACE FUNCTION kinerja_bind(tenant text, actor uuid) RETURNS void
LANGUAGE plpgsql AS $$
BEGIN
    PERFORM set_config('app.tenant_id', tenant, true);
    IF actor IS NOT NULL AND NOT EXISTS (
            SELECT 1 FROM app_user WHERE id = actor AND tenant_id = nullif(tenant, '')::uuid AND active) THEN
        RAISE EXCEPTION 'account no longer exists or is disabled' USING ERRCODE = 'KN401';
    END IF;
END
$$
"""

USER_DELETED_PG = """
CREATE OR REPLACE FUNCTION kinerja_user_deleted() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    DELETE FROM policy_rule
    WHERE tenant_id = OLD.tenant_id AND ptype = 'g' AND v0 = 'user:' || OLD.id::text;
    PERFORM pg_notify('kinerja_policy', OLD.tenant_id::text);
    RETURN OLD;
END
$$;
CREATE TRIGGER app_user_deleted AFTER DELETE ON app_user
    FOR EACH ROW EXECUTE FUNCTION kinerja_user_deleted();
"""

USER_DELETED_SQLITE = """
CREATE TRIGGER app_user_deleted AFTER DELETE ON app_user
BEGIN
    DELETE FROM policy_rule
    WHERE tenant_id = OLD.tenant_id AND ptype = 'g' AND v0 = 'user:' || OLD.id;
END;
"""

SUCCESSOR_FK = ('ALTER TABLE "refresh_token" ADD CONSTRAINT "refresh_token_replaced_by_id_tenant_fk" '
                'FOREIGN KEY (tenant_id, replaced_by_id) REFERENCES "refresh_token" (tenant_id, id)')


async def forward(_apps, schema_editor) -> None:
    client = schema_editor.client
    if client.capabilities.dialect == "postgres":
        await client.execute_script(BIND)
        await client.execute_script(USER_DELETED_PG)
        await client.execute_script(SUCCESSOR_FK)
    else:
        await client.execute_script(USER_DELETED_SQLITE)


class Migration(migrations.Migration):
    dependencies = [("kinerja", "0012_audit_isolation")]

    operations = [
        ops.AddField(
            model_name="RefreshToken",
            name="replaced_by_id",
            field=fields.UUIDField(null=True),
        ),
        RunPython(forward, RunPython.noop),
    ]
