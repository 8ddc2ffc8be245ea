from tortoise import migrations

from kinerja.core.isolation import TenantTable, secure_tenant_tables


class Migration(migrations.Migration):
    dependencies = [("kinerja", "0007_training")]

    operations = [
        secure_tenant_tables(
            TenantTable("training_event"),
            TenantTable("training_record", {"employee_id": "employee", "event_id": "training_event",
                                            "recorded_by_id": "app_user", "verified_by_id": "app_user"}),
            TenantTable("training_registration", {"event_id": "training_event", "employee_id": "employee",
                                                  "record_id": "training_record"}),
            TenantTable("training_recommendation_rule"),
        ),
    ]
