"""An individual indicator may name how its periodic realisations make its year to date (SUM, LAST,
AVERAGE or MAX); without one, the default of its aspect applies."""

from tortoise import fields, migrations
from tortoise.migrations import operations as ops

from kinerja.plans.rules import Aggregation


class Migration(migrations.Migration):
    dependencies = [("kinerja", "0043_result_target_unit_indicator")]

    operations = [
        ops.AddField(model_name="Indicator", name="aggregation",
                     field=fields.CharEnumField(enum_type=Aggregation, max_length=10, null=True)),
    ]
