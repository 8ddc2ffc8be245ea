"""Isolation of the counter tables (0060), and a composite key for the kiosk a response names."""

from tortoise import migrations
from tortoise.migrations.operations import RunPython

from kinerja.core.isolation import TenantTable, composite_fk_sql, secure_tenant_tables


async def response_kiosk_key(_apps, schema_editor) -> None:
    # survey_response is secured already (0010): only its new reference needs a composite key.
    client = schema_editor.client
    if client.capabilities.dialect == "postgres":
        for statement in composite_fk_sql(TenantTable("survey_response", {"kiosk_id": "survey_kiosk"})):
            await client.execute_script(statement)


class Migration(migrations.Migration):
    dependencies = [("kinerja", "0060_citizen_counter")]

    operations = [
        secure_tenant_tables(
            TenantTable("survey_kiosk", {"service_unit_id": "service_unit"}),
            TenantTable("survey_code_batch", {"service_id": "public_service", "service_unit_id": "service_unit"}),
            TenantTable("survey_code", {"batch_id": "survey_code_batch", "service_id": "public_service"}),
            TenantTable("ticket_event", {"ticket_id": "feedback_ticket", "staff_id": "employee"}),
            TenantTable("follow_up_plan", {"service_unit_id": "service_unit"}),
            TenantTable("follow_up_action", {"plan_id": "follow_up_plan", "owner_id": "position"}),
        ),
        RunPython(response_kiosk_key, RunPython.noop),
    ]
