from tortoise import migrations
from tortoise.migrations import operations as ops
from orjson import loads
from tortoise.fields.base import OnDelete
from tortoise.fields.data import JSON_DUMPS
from uuid import uuid4
from tortoise import fields
from tortoise.indexes import Index

class Migration(migrations.Migration):
    dependencies = [('kinerja', '0010_citizen_isolation')]

    initial = False

    operations = [
        ops.CreateModel(
            name='AuditLog',
            fields=[
                ('id', fields.UUIDField(primary_key=True, default=uuid4, unique=True, db_index=True)),
                ('tenant', fields.ForeignKeyField('kinerja.Tenant', source_field='tenant_id', db_constraint=True, to_field='id', related_name=False, on_delete=OnDelete.RESTRICT)),
                ('occurred_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ('actor_user_id', fields.UUIDField(null=True)),
                ('operation', fields.CharField(max_length=100)),
                ('object_type', fields.CharField(null=True, max_length=64)),
                ('object_id', fields.UUIDField(null=True)),
                ('changes', fields.JSONField(default=dict, encoder=JSON_DUMPS, decoder=loads)),
                ('request_id', fields.CharField(default='', max_length=64)),
                ('ip', fields.CharField(default='', max_length=64)),
            ],
            options={'table': 'audit_log', 'app': 'kinerja', 'indexes': [Index(fields=['tenant_id', 'occurred_at', 'id']), Index(fields=['tenant_id', 'object_id']), Index(fields=['tenant_id', 'actor_user_id', 'occurred_at']), Index(fields=['tenant_id', 'operation', 'occurred_at'])], 'pk_attr': 'id', 'table_description': 'One change an operation made to one object, or the operation alone when it changed nothing. Append-only: the application role may only insert and read.'},
            bases=['Model'],
        ),
    ]
