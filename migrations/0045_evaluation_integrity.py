"""Evaluation integrity: acting assessors (Plt/Plh) HR assigns with a date range, and HR's waivers of
the approved-SKP precondition of an evaluation."""

from uuid import uuid4

from tortoise import fields, migrations
from tortoise.fields.base import OnDelete
from tortoise.indexes import Index
from tortoise.migrations import operations as ops

from kinerja.core.isolation import TenantTable, secure_tenant_tables
from kinerja.evaluations.rules import ActingKind


class Migration(migrations.Migration):
    dependencies = [("kinerja", "0067_survey_fingerprint_unique")]

    operations = [
        ops.CreateModel(
            name='ActingAssessor',
            fields=[
                ('id', fields.UUIDField(primary_key=True, default=uuid4, unique=True, db_index=True)),
                ('tenant', fields.ForeignKeyField('kinerja.Tenant', source_field='tenant_id', db_constraint=True, to_field='id', related_name=False, on_delete=OnDelete.RESTRICT)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
                ('official', fields.ForeignKeyField('kinerja.Employee', source_field='official_id', db_constraint=True, to_field='id', related_name=False, on_delete=OnDelete.RESTRICT)),
                ('acting', fields.ForeignKeyField('kinerja.Employee', source_field='acting_id', db_constraint=True, to_field='id', related_name=False, on_delete=OnDelete.RESTRICT)),
                ('kind', fields.CharEnumField(description='PLT: PLT\nPLH: PLH', enum_type=ActingKind, max_length=3)),
                ('starts_on', fields.DateField()),
                ('ends_on', fields.DateField()),
                ('assigned_by', fields.ForeignKeyField('kinerja.User', source_field='assigned_by_id', db_constraint=True, to_field='id', related_name=False, on_delete=OnDelete.RESTRICT)),
            ],
            options={'table': 'acting_assessor', 'app': 'kinerja', 'unique_together': (('tenant', 'official', 'acting', 'starts_on'),), 'indexes': [Index(fields=['tenant_id', 'acting_id', 'ends_on'])], 'pk_attr': 'id', 'table_description': 'A Plt/Plh assigned by HR: from ``starts_on`` to ``ends_on`` the acting employee assesses the\ndirect subordinates of the official in his or her place.'},
            bases=['TenantModel'],
        ),
        ops.CreateModel(
            name='PlanWaiver',
            fields=[
                ('id', fields.UUIDField(primary_key=True, default=uuid4, unique=True, db_index=True)),
                ('tenant', fields.ForeignKeyField('kinerja.Tenant', source_field='tenant_id', db_constraint=True, to_field='id', related_name=False, on_delete=OnDelete.RESTRICT)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
                ('employee', fields.ForeignKeyField('kinerja.Employee', source_field='employee_id', db_constraint=True, to_field='id', related_name=False, on_delete=OnDelete.RESTRICT)),
                ('year', fields.SmallIntField()),
                ('reason', fields.TextField(unique=False)),
                ('granted_by', fields.ForeignKeyField('kinerja.User', source_field='granted_by_id', db_constraint=True, to_field='id', related_name=False, on_delete=OnDelete.RESTRICT)),
            ],
            options={'table': 'plan_waiver', 'app': 'kinerja', 'unique_together': (('tenant', 'employee', 'year'),), 'pk_attr': 'id', 'table_description': 'The override by HR of the approved-SKP precondition for one employee and year, with its reason.'},
            bases=['TenantModel'],
        ),
        secure_tenant_tables(
            TenantTable("acting_assessor", {"official_id": "employee", "acting_id": "employee", "assigned_by_id": "app_user"}),
            TenantTable("plan_waiver", {"employee_id": "employee", "granted_by_id": "app_user"}),
        ),
    ]
