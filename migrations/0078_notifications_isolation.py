"""Isolation of the notification tables (0077)."""

from tortoise import migrations

from kinerja.core.isolation import TenantTable, secure_tenant_tables


class Migration(migrations.Migration):
    dependencies = [("kinerja", "0077_notifications")]

    operations = [
        secure_tenant_tables(
            TenantTable("notification", {"recipient_id": "app_user"}),
            TenantTable("notification_preference", {"user_id": "app_user"}),
        ),
    ]
