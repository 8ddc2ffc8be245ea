from tortoise import migrations

from kinerja.core.isolation import TenantTable, grant_platform_tables, secure_tenant_tables


class Migration(migrations.Migration):
    dependencies = [("kinerja", "0001_initial")]

    operations = [
        grant_platform_tables("tenant"),
        secure_tenant_tables(
            TenantTable("org_unit", {"parent_id": "org_unit", "head_id": "employee"}),
            TenantTable("position"),
            TenantTable(
                "employee",
                {"org_unit_id": "org_unit", "position_id": "position", "supervisor_id": "employee"},
            ),
            TenantTable("period"),
            TenantTable("app_user", {"employee_id": "employee"}),
            TenantTable("refresh_token", {"user_id": "app_user"}),
            TenantTable("login_failure"),
            TenantTable("role"),
            TenantTable("policy_rule"),
        ),
    ]
