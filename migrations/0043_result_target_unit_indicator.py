"""A unit head's RHK names the IKU (or the sasaran) it intervenes (the cascade from the RPJMD into the SKP)."""

from tortoise import fields, migrations
from tortoise.migrations import operations as ops
from tortoise.migrations.operations import RunPython


async def _composite_key(_apps, schema_editor) -> None:
    client = schema_editor.client
    await client.execute_script(
        'CREATE INDEX IF NOT EXISTS "idx_result_target_unit_indicator" ON "result_target" (tenant_id, unit_indicator_id)')
    if client.capabilities.dialect != "postgres":
        return
    await client.execute_script(
        'ALTER TABLE "result_target" ADD CONSTRAINT "result_target_unit_indicator_id_tenant_fk" '
        'FOREIGN KEY (tenant_id, unit_indicator_id) REFERENCES "unit_indicator" (tenant_id, id)')
    await client.execute_script(
        'ALTER TABLE "result_target" ADD CONSTRAINT "result_target_goal_id_tenant_fk" '
        'FOREIGN KEY (tenant_id, goal_id) REFERENCES "strategic_goal" (tenant_id, id)')


async def _drop(_apps, schema_editor) -> None:
    client = schema_editor.client
    if client.capabilities.dialect == "postgres":
        await client.execute_script(
            'ALTER TABLE "result_target" DROP CONSTRAINT IF EXISTS "result_target_unit_indicator_id_tenant_fk"')
        await client.execute_script('ALTER TABLE "result_target" DROP CONSTRAINT IF EXISTS "result_target_goal_id_tenant_fk"')
    await client.execute_script('DROP INDEX IF EXISTS "idx_result_target_unit_indicator"')


class Migration(migrations.Migration):
    dependencies = [("kinerja", "0042_goal_rules")]

    operations = [
        ops.AddField(model_name="ResultTarget", name="unit_indicator_id", field=fields.UUIDField(null=True)),
        ops.AddField(model_name="ResultTarget", name="goal_id", field=fields.UUIDField(null=True)),
        RunPython(_composite_key, _drop),
    ]
