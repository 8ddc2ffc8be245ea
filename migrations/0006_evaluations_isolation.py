from tortoise import migrations

from kinerja.core.isolation import TenantTable, secure_tenant_tables


class Migration(migrations.Migration):
    dependencies = [("kinerja", "0005_evaluations")]

    operations = [
        secure_tenant_tables(
            TenantTable("evaluation_rule"),
            TenantTable("evaluation", {"employee_id": "employee", "period_id": "period",
                                       "plan_id": "performance_plan", "assessor_id": "employee",
                                       "previous_version_id": "evaluation"}),
            TenantTable("unit_performance", {"org_unit_id": "org_unit", "period_id": "period",
                                             "set_by_id": "app_user"}),
        ),
    ]
