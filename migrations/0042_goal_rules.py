"""The rules of organisation performance per tenant and year (achievement cap, aggregation per IKU
kind, suggested rating thresholds), applied from the tenant files."""

from uuid import uuid4

from orjson import loads
from tortoise import fields, migrations
from tortoise.fields.base import OnDelete
from tortoise.fields.data import JSON_DUMPS
from tortoise.migrations import operations as ops

from kinerja.core.isolation import TenantTable, secure_tenant_tables


class Migration(migrations.Migration):
    dependencies = [('kinerja', '0041_goals_isolation')]

    initial = False

    operations = [
        ops.CreateModel(
            name='GoalRule',
            fields=[
                ('id', fields.UUIDField(primary_key=True, default=uuid4, unique=True, db_index=True)),
                ('tenant', fields.ForeignKeyField('kinerja.Tenant', source_field='tenant_id', db_constraint=True,
                                                  to_field='id', related_name=False, on_delete=OnDelete.RESTRICT)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
                ('year', fields.SmallIntField()),
                ('rules', fields.JSONField(default=dict, encoder=JSON_DUMPS, decoder=loads)),
                ('source', fields.CharField(max_length=300)),
            ],
            options={'table': 'goal_rule', 'app': 'kinerja', 'unique_together': (('tenant', 'year'),), 'pk_attr': 'id',
                     'table_description': 'The rules of organisation performance of a tenant for a year.'},
            bases=['TenantModel'],
        ),
        secure_tenant_tables(TenantTable("goal_rule")),
    ]
