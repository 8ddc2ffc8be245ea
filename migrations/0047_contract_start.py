"""The contract start of a PPPK employee: the contract years of the JP cap (PP 49/2018 art. 40) count
from it."""

from tortoise import fields, migrations
from tortoise.migrations import operations as ops


class Migration(migrations.Migration):
    dependencies = [("kinerja", "0046_evaluation_objection")]

    operations = [
        ops.AddField(model_name="Employee", name="contract_starts_on",
                     field=fields.DateField(null=True)),
    ]
