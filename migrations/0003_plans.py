from tortoise import migrations
from tortoise.migrations import operations as ops
from kinerja.plans.rules import Approach, Aspect, PlanStatus, ResultKind
from orjson import loads
from tortoise.fields.base import OnDelete
from tortoise.fields.data import JSON_DUMPS
from uuid import uuid4
from tortoise import fields
from tortoise.indexes import Index

class Migration(migrations.Migration):
    dependencies = [('kinerja', '0002_tenant_isolation')]

    initial = False

    operations = [
        ops.CreateModel(
            name='PerformancePlan',
            fields=[
                ('id', fields.UUIDField(primary_key=True, default=uuid4, unique=True, db_index=True)),
                ('tenant', fields.ForeignKeyField('kinerja.Tenant', source_field='tenant_id', db_constraint=True, to_field='id', related_name=False, on_delete=OnDelete.RESTRICT)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
                ('employee', fields.ForeignKeyField('kinerja.Employee', source_field='employee_id', db_constraint=True, to_field='id', related_name=False, on_delete=OnDelete.RESTRICT)),
                ('year', fields.SmallIntField()),
                ('revision', fields.SmallIntField(default=1)),
                ('previous_revision', fields.ForeignKeyField('kinerja.PerformancePlan', source_field='previous_revision_id', null=True, db_constraint=True, to_field='id', related_name=False, on_delete=OnDelete.RESTRICT)),
                ('approach', fields.CharEnumField(description='KUANTITATIF: KUANTITATIF\nKUALITATIF: KUALITATIF', enum_type=Approach, max_length=12)),
                ('status', fields.CharEnumField(default=PlanStatus.DRAFT, description='DRAFT: DRAFT\nSUBMITTED: SUBMITTED\nRETURNED: RETURNED\nAPPROVED: APPROVED\nSUPERSEDED: SUPERSEDED\nCLOSED: CLOSED', enum_type=PlanStatus, max_length=12)),
                ('approver', fields.ForeignKeyField('kinerja.Employee', source_field='approver_id', null=True, db_constraint=True, to_field='id', related_name=False, on_delete=OnDelete.RESTRICT)),
                ('return_reason', fields.TextField(null=True, unique=False)),
                ('behaviour_expectations', fields.JSONField(default=dict, encoder=JSON_DUMPS, decoder=loads)),
                ('resource_support', fields.TextField(default='', unique=False)),
                ('accountability_scheme', fields.TextField(default='', unique=False)),
                ('consequences', fields.TextField(default='', unique=False)),
                ('submitted_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('approved_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('updated_at', fields.DatetimeField(auto_now=True, auto_now_add=False)),
            ],
            options={'table': 'performance_plan', 'app': 'kinerja', 'unique_together': (('tenant', 'employee', 'year', 'revision'),), 'indexes': [Index(fields=['tenant_id', 'year', 'status']), Index(fields=['tenant_id', 'approver_id', 'status'])], 'pk_attr': 'id', 'table_description': 'SKP: one employee, one year, one approver (the direct supervisor at submission).'},
            bases=['TenantModel'],
        ),
        ops.CreateModel(
            name='ResultTarget',
            fields=[
                ('id', fields.UUIDField(primary_key=True, default=uuid4, unique=True, db_index=True)),
                ('tenant', fields.ForeignKeyField('kinerja.Tenant', source_field='tenant_id', db_constraint=True, to_field='id', related_name=False, on_delete=OnDelete.RESTRICT)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
                ('plan', fields.ForeignKeyField('kinerja.PerformancePlan', source_field='plan_id', db_constraint=True, to_field='id', related_name=False, on_delete=OnDelete.CASCADE)),
                ('kind', fields.CharEnumField(description='UTAMA: UTAMA\nTAMBAHAN: TAMBAHAN', enum_type=ResultKind, max_length=10)),
                ('description', fields.TextField(unique=False)),
                ('parent', fields.ForeignKeyField('kinerja.ResultTarget', source_field='parent_id', null=True, db_constraint=True, to_field='id', related_name=False, on_delete=OnDelete.RESTRICT)),
                ('position', fields.SmallIntField(default=0)),
            ],
            options={'table': 'result_target', 'app': 'kinerja', 'indexes': [Index(fields=['tenant_id', 'plan_id', 'position']), Index(fields=['tenant_id', 'parent_id'])], 'pk_attr': 'id', 'table_description': 'RHK (rencana hasil kerja), main or additional, optionally under a supervisor RHK (intervensi).'},
            bases=['TenantModel'],
        ),
        ops.CreateModel(
            name='Indicator',
            fields=[
                ('id', fields.UUIDField(primary_key=True, default=uuid4, unique=True, db_index=True)),
                ('tenant', fields.ForeignKeyField('kinerja.Tenant', source_field='tenant_id', db_constraint=True, to_field='id', related_name=False, on_delete=OnDelete.RESTRICT)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
                ('result', fields.ForeignKeyField('kinerja.ResultTarget', source_field='result_id', db_constraint=True, to_field='id', related_name=False, on_delete=OnDelete.CASCADE)),
                ('aspect', fields.CharEnumField(description='KUANTITAS: KUANTITAS\nKUALITAS: KUALITAS\nWAKTU: WAKTU\nBIAYA: BIAYA', enum_type=Aspect, max_length=10)),
                ('description', fields.TextField(unique=False)),
                ('target_value', fields.DecimalField(null=True, max_digits=18, decimal_places=4)),
                ('target_unit', fields.CharField(null=True, max_length=40)),
                ('target_text', fields.CharField(null=True, max_length=500)),
                ('position', fields.SmallIntField(default=0)),
            ],
            options={'table': 'indicator', 'app': 'kinerja', 'indexes': [Index(fields=['tenant_id', 'result_id', 'position'])], 'pk_attr': 'id', 'table_description': 'Indikator kinerja individu with its aspect and target.'},
            bases=['TenantModel'],
        ),
        ops.CreateModel(
            name='Realisation',
            fields=[
                ('id', fields.UUIDField(primary_key=True, default=uuid4, unique=True, db_index=True)),
                ('tenant', fields.ForeignKeyField('kinerja.Tenant', source_field='tenant_id', db_constraint=True, to_field='id', related_name=False, on_delete=OnDelete.RESTRICT)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
                ('indicator', fields.ForeignKeyField('kinerja.Indicator', source_field='indicator_id', db_constraint=True, to_field='id', related_name=False, on_delete=OnDelete.CASCADE)),
                ('period', fields.ForeignKeyField('kinerja.Period', source_field='period_id', db_constraint=True, to_field='id', related_name=False, on_delete=OnDelete.RESTRICT)),
                ('value', fields.DecimalField(null=True, max_digits=18, decimal_places=4)),
                ('narrative', fields.TextField(default='', unique=False)),
                ('recorded_by', fields.ForeignKeyField('kinerja.User', source_field='recorded_by_id', db_constraint=True, to_field='id', related_name=False, on_delete=OnDelete.RESTRICT)),
                ('updated_at', fields.DatetimeField(auto_now=True, auto_now_add=False)),
            ],
            options={'table': 'realisation', 'app': 'kinerja', 'unique_together': (('tenant', 'indicator', 'period'),), 'indexes': [Index(fields=['tenant_id', 'period_id'])], 'pk_attr': 'id', 'table_description': 'Realisasi of one indicator in one period, with evidence (bukti dukung).'},
            bases=['TenantModel'],
        ),
        ops.CreateModel(
            name='Evidence',
            fields=[
                ('id', fields.UUIDField(primary_key=True, default=uuid4, unique=True, db_index=True)),
                ('tenant', fields.ForeignKeyField('kinerja.Tenant', source_field='tenant_id', db_constraint=True, to_field='id', related_name=False, on_delete=OnDelete.RESTRICT)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
                ('realisation', fields.ForeignKeyField('kinerja.Realisation', source_field='realisation_id', db_constraint=True, to_field='id', related_name=False, on_delete=OnDelete.CASCADE)),
                ('url', fields.CharField(null=True, max_length=2000)),
                ('file_name', fields.CharField(null=True, max_length=255)),
                ('content_type', fields.CharField(null=True, max_length=100)),
                ('size', fields.IntField(null=True)),
                ('sha256', fields.CharField(null=True, max_length=64)),
            ],
            options={'table': 'evidence', 'app': 'kinerja', 'indexes': [Index(fields=['tenant_id', 'realisation_id'])], 'pk_attr': 'id', 'table_description': 'A link or a stored file (content-addressed by SHA-256) supporting a realisation.'},
            bases=['TenantModel'],
        ),
        ops.CreateModel(
            name='Feedback',
            fields=[
                ('id', fields.UUIDField(primary_key=True, default=uuid4, unique=True, db_index=True)),
                ('tenant', fields.ForeignKeyField('kinerja.Tenant', source_field='tenant_id', db_constraint=True, to_field='id', related_name=False, on_delete=OnDelete.RESTRICT)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
                ('plan', fields.ForeignKeyField('kinerja.PerformancePlan', source_field='plan_id', db_constraint=True, to_field='id', related_name=False, on_delete=OnDelete.CASCADE)),
                ('realisation', fields.ForeignKeyField('kinerja.Realisation', source_field='realisation_id', null=True, db_constraint=True, to_field='id', related_name=False, on_delete=OnDelete.CASCADE)),
                ('author', fields.ForeignKeyField('kinerja.User', source_field='author_id', db_constraint=True, to_field='id', related_name=False, on_delete=OnDelete.RESTRICT)),
                ('author_employee', fields.ForeignKeyField('kinerja.Employee', source_field='author_employee_id', null=True, db_constraint=True, to_field='id', related_name=False, on_delete=OnDelete.RESTRICT)),
                ('reply_to', fields.ForeignKeyField('kinerja.Feedback', source_field='reply_to_id', null=True, db_constraint=True, to_field='id', related_name=False, on_delete=OnDelete.CASCADE)),
                ('body', fields.TextField(unique=False)),
            ],
            options={'table': 'feedback', 'app': 'kinerja', 'indexes': [Index(fields=['tenant_id', 'plan_id', 'created_at'])], 'pk_attr': 'id', 'table_description': 'Umpan balik: a comment on a plan or on one realisation, with replies forming an ordered thread.'},
            bases=['TenantModel'],
        ),
    ]
