from tortoise import migrations

from kinerja.core.isolation import TenantTable, secure_tenant_tables


class Migration(migrations.Migration):
    dependencies = [("kinerja", "0009_citizen")]

    operations = [
        secure_tenant_tables(
            TenantTable("service_unit", {"org_unit_id": "org_unit"}),
            TenantTable("public_service", {"service_unit_id": "service_unit"}),
            TenantTable("survey_response", {"service_id": "public_service", "service_unit_id": "service_unit"}),
            TenantTable("feedback_ticket", {"service_id": "public_service", "service_unit_id": "service_unit",
                                            "assigned_to_id": "employee"}),
            TenantTable("rate_counter"),
        ),
    ]
