"""Isolation of the employee assignment history (0070)."""

from tortoise import migrations

from kinerja.core.isolation import TenantTable, secure_tenant_tables


class Migration(migrations.Migration):
    dependencies = [("kinerja", "0070_employee_assignment")]

    operations = [
        secure_tenant_tables(
            TenantTable("employee_assignment", {"employee_id": "employee", "org_unit_id": "org_unit",
                                                "position_id": "position", "supervisor_id": "employee"}),
        ),
    ]
