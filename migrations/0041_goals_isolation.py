from tortoise import migrations

from kinerja.core.isolation import TenantTable, secure_tenant_tables


class Migration(migrations.Migration):
    dependencies = [("kinerja", "0040_goals")]

    operations = [
        secure_tenant_tables(
            TenantTable("strategic_goal", {"parent_id": "strategic_goal"}),
            TenantTable("unit_indicator", {"org_unit_id": "org_unit", "goal_id": "strategic_goal"}),
            TenantTable("unit_indicator_target", {"indicator_id": "unit_indicator", "period_id": "period"}),
            TenantTable("unit_indicator_realisation", {"indicator_id": "unit_indicator", "period_id": "period",
                                                       "recorded_by_id": "app_user"}),
            TenantTable("performance_agreement", {"org_unit_id": "org_unit", "head_id": "employee",
                                                  "superior_id": "employee"}),
        ),
    ]
