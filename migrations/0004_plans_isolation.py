from tortoise import migrations

from kinerja.core.isolation import TenantTable, secure_tenant_tables


class Migration(migrations.Migration):
    dependencies = [("kinerja", "0003_plans")]

    operations = [
        secure_tenant_tables(
            TenantTable("performance_plan", {"employee_id": "employee", "approver_id": "employee",
                                             "previous_revision_id": "performance_plan"}),
            TenantTable("result_target", {"plan_id": "performance_plan", "parent_id": "result_target"}),
            TenantTable("indicator", {"result_id": "result_target"}),
            TenantTable("realisation", {"indicator_id": "indicator", "period_id": "period",
                                        "recorded_by_id": "app_user"}),
            TenantTable("evidence", {"realisation_id": "realisation"}),
            TenantTable("feedback", {"plan_id": "performance_plan", "realisation_id": "realisation",
                                     "author_id": "app_user", "author_employee_id": "employee",
                                     "reply_to_id": "feedback"}),
        ),
    ]
