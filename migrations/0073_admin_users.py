"""Tenant self-service of users and imports: the batches of bulk imports through the API, one-time
password reset codes, and where a session's refresh token was issued (shown in `mySessions`)."""

from uuid import uuid4

from orjson import loads
from tortoise import fields, migrations
from tortoise.fields.base import OnDelete
from tortoise.fields.data import JSON_DUMPS
from tortoise.indexes import Index
from tortoise.migrations import operations as ops

from kinerja.imports.rules import ImportKind, ImportStatus


class Migration(migrations.Migration):
    dependencies = [("kinerja", "0072_tenant_file_owned")]

    operations = [
        ops.CreateModel(
            name='ImportBatch',
            fields=[
                ('id', fields.UUIDField(primary_key=True, default=uuid4, unique=True, db_index=True)),
                ('tenant', fields.ForeignKeyField('kinerja.Tenant', source_field='tenant_id', db_constraint=True, to_field='id', related_name=False, on_delete=OnDelete.RESTRICT)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
                ('kind', fields.CharEnumField(description='EMPLOYEES: EMPLOYEES\nTRAINING: TRAINING', enum_type=ImportKind, max_length=10)),
                ('status', fields.CharEnumField(default=ImportStatus.DRY_RUN, description='DRY_RUN: DRY_RUN\nCOMMITTED: COMMITTED\nFAILED: FAILED', enum_type=ImportStatus, max_length=10)),
                ('filename', fields.CharField(default='', max_length=200)),
                ('row_count', fields.IntField(default=0)),
                ('valid_count', fields.IntField(default=0)),
                ('created_count', fields.IntField(default=0)),
                ('updated_count', fields.IntField(default=0)),
                ('problems', fields.JSONField(default=list, encoder=JSON_DUMPS, decoder=loads)),
                ('content', fields.TextField(unique=False)),
                ('created_by', fields.UUIDField(null=True)),
                ('committed_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'import_batch', 'app': 'kinerja', 'indexes': [Index(fields=['tenant_id', 'created_at'])], 'pk_attr': 'id', 'table_description': 'A CSV uploaded through the API with its dry-run report.'},
            bases=['TenantModel'],
        ),
        ops.CreateModel(
            name='PasswordResetCode',
            fields=[
                ('id', fields.UUIDField(primary_key=True, default=uuid4, unique=True, db_index=True)),
                ('tenant', fields.ForeignKeyField('kinerja.Tenant', source_field='tenant_id', db_constraint=True, to_field='id', related_name=False, on_delete=OnDelete.RESTRICT)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
                ('user', fields.ForeignKeyField('kinerja.User', source_field='user_id', db_constraint=True, to_field='id', related_name=False, on_delete=OnDelete.CASCADE)),
                ('code_hash', fields.CharField(max_length=200)),
                ('expires_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ('attempts', fields.IntField(default=0)),
                ('ended_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('issued_by', fields.UUIDField(null=True)),
            ],
            options={'table': 'password_reset_code', 'app': 'kinerja', 'indexes': [Index(fields=['tenant_id', 'user_id'])], 'pk_attr': 'id', 'table_description': 'A one-time password reset code, stored hashed.'},
            bases=['TenantModel'],
        ),
        ops.AddField(model_name='RefreshToken', name='user_agent', field=fields.CharField(default='', max_length=300)),
        ops.AddField(model_name='RefreshToken', name='ip', field=fields.CharField(default='', max_length=64)),
    ]
