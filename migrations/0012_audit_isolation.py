from tortoise import migrations

from kinerja.core.isolation import APPEND_ONLY, TenantTable, secure_tenant_tables


class Migration(migrations.Migration):
    dependencies = [("kinerja", "0011_audit")]

    operations = [
        # Append-only: the application role may add and read entries, never change or remove them.
        secure_tenant_tables(TenantTable("audit_log", privileges=APPEND_ONLY)),
    ]
