"""Notifications: a user's mail address, the inbox of each user (message kind and parameters, rendered in the reader's
language; read and mailed times; a unique key for reminders sent once) and per-user preferences."""

from uuid import uuid4

from tortoise import fields, migrations
from tortoise.fields.base import OnDelete
from tortoise.indexes import Index
from tortoise.migrations import operations as ops


class Migration(migrations.Migration):
    dependencies = [("kinerja", "0076_issued_documents_isolation")]

    operations = [
        ops.AddField(
            model_name='User',
            name='email',
            field=fields.CharField(null=True, max_length=254),
        ),
        ops.CreateModel(
            name='Notification',
            fields=[
                ('id', fields.UUIDField(primary_key=True, default=uuid4, unique=True, db_index=True)),
                ('tenant', fields.ForeignKeyField('kinerja.Tenant', source_field='tenant_id', db_constraint=True, to_field='id', related_name=False, on_delete=OnDelete.RESTRICT)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
                ('recipient', fields.ForeignKeyField('kinerja.User', source_field='recipient_id', db_constraint=True, to_field='id', related_name=False, on_delete=OnDelete.CASCADE)),
                ('kind', fields.CharField(max_length=40)),
                ('subject_type', fields.CharField(max_length=40)),
                ('subject_id', fields.UUIDField()),
                ('params', fields.JSONField(default=dict)),
                ('once_key', fields.CharField(null=True, max_length=200)),
                ('read_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('emailed_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('digested_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'notification', 'app': 'kinerja', 'unique_together': (('tenant', 'once_key'),), 'indexes': [Index(fields=['tenant_id', 'recipient_id', 'created_at'])], 'pk_attr': 'id', 'table_description': 'One message in a user inbox: its kind and parameters (rendered in the reader language), the object it is about, when it was read and mailed.'},
            bases=['TenantModel'],
        ),
        ops.CreateModel(
            name='NotificationPreference',
            fields=[
                ('id', fields.UUIDField(primary_key=True, default=uuid4, unique=True, db_index=True)),
                ('tenant', fields.ForeignKeyField('kinerja.Tenant', source_field='tenant_id', db_constraint=True, to_field='id', related_name=False, on_delete=OnDelete.RESTRICT)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
                ('user', fields.ForeignKeyField('kinerja.User', source_field='user_id', db_constraint=True, to_field='id', related_name=False, on_delete=OnDelete.CASCADE)),
                ('kind', fields.CharField(max_length=40)),
                ('in_app', fields.BooleanField(default=True)),
                ('email', fields.BooleanField(default=False)),
                ('digest', fields.BooleanField(default=False)),
            ],
            options={'table': 'notification_preference', 'app': 'kinerja', 'unique_together': (('tenant', 'user', 'kind'),), 'pk_attr': 'id', 'table_description': 'How one user wants one kind of notification: in the inbox, by mail, in the daily digest.'},
            bases=['TenantModel'],
        ),
    ]
