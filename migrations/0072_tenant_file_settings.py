"""The settings keys a tenant file declared: the file owns them, the API owns the others."""

from tortoise import fields, migrations
from tortoise.migrations import operations as ops


class Migration(migrations.Migration):
    dependencies = [("kinerja", "0071_employee_assignment_isolation")]

    operations = [
        ops.AddField(model_name="Tenant", name="file_settings", field=fields.JSONField(null=True)),
    ]
