"""Isolation of the issued documents (0075)."""

from tortoise import migrations

from kinerja.core.isolation import TenantTable, secure_tenant_tables


class Migration(migrations.Migration):
    dependencies = [("kinerja", "0075_issued_documents")]

    operations = [
        secure_tenant_tables(TenantTable("issued_document", {"issued_by_id": "app_user"})),
    ]
