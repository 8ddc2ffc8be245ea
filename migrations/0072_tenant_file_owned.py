"""What a tenant file declared at its last apply (settings keys, org unit codes, position names): the file
owns them, the API owns the rest."""

from tortoise import fields, migrations
from tortoise.migrations import operations as ops


class Migration(migrations.Migration):
    dependencies = [("kinerja", "0071_employee_assignment_isolation")]

    operations = [
        ops.AddField(model_name="Tenant", name="file_owned", field=fields.JSONField(null=True)),
    ]
