"""Acknowledgement (a read receipt) of a final evaluation, and objections (keberatan, PP 30/2019
art. 59) decided by the assessor's superior."""

from uuid import uuid4

from tortoise import fields, migrations
from tortoise.fields.base import OnDelete
from tortoise.indexes import Index
from tortoise.migrations import operations as ops

from kinerja.core.isolation import TenantTable, secure_tenant_tables
from kinerja.evaluations.rules import ObjectionStatus


class Migration(migrations.Migration):
    dependencies = [("kinerja", "0045_evaluation_integrity")]

    operations = [
        ops.AddField(model_name="Evaluation", name="acknowledged_at",
                     field=fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
        ops.CreateModel(
            name='EvaluationObjection',
            fields=[
                ('id', fields.UUIDField(primary_key=True, default=uuid4, unique=True, db_index=True)),
                ('tenant', fields.ForeignKeyField('kinerja.Tenant', source_field='tenant_id', db_constraint=True, to_field='id', related_name=False, on_delete=OnDelete.RESTRICT)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
                ('evaluation', fields.ForeignKeyField('kinerja.Evaluation', source_field='evaluation_id', db_constraint=True, to_field='id', related_name=False, on_delete=OnDelete.RESTRICT)),
                ('employee', fields.ForeignKeyField('kinerja.Employee', source_field='employee_id', db_constraint=True, to_field='id', related_name=False, on_delete=OnDelete.RESTRICT)),
                ('reviewer', fields.ForeignKeyField('kinerja.Employee', source_field='reviewer_id', db_constraint=True, to_field='id', related_name=False, on_delete=OnDelete.RESTRICT)),
                ('reason', fields.TextField(unique=False)),
                ('status', fields.CharEnumField(default=ObjectionStatus.FILED, description='FILED: FILED\nACCEPTED: ACCEPTED\nREJECTED: REJECTED', enum_type=ObjectionStatus, max_length=10)),
                ('decision_reason', fields.TextField(null=True, unique=False)),
                ('decided_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('correction', fields.ForeignKeyField('kinerja.Evaluation', source_field='correction_id', null=True, db_constraint=True, to_field='id', related_name=False, on_delete=OnDelete.RESTRICT)),
            ],
            options={'table': 'evaluation_objection', 'app': 'kinerja', 'unique_together': (('tenant', 'evaluation'),), 'indexes': [Index(fields=['tenant_id', 'reviewer_id', 'status']), Index(fields=['tenant_id', 'employee_id'])], 'pk_attr': 'id', 'table_description': 'Keberatan (PP 30/2019 art. 59): an objection of the employee to a final evaluation, decided by the\nsuperior of the assessor. An accepted one leads to a corrected version.'},
            bases=['TenantModel'],
        ),
        secure_tenant_tables(
            TenantTable("evaluation_objection", {"evaluation_id": "evaluation", "employee_id": "employee",
                                                 "reviewer_id": "employee", "correction_id": "evaluation"}),
        ),
    ]
