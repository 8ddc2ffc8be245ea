"""Employee history and exits, closed org units: the assignment history of each employee (unit,
position, supervisor from a day on), why and when an employee left, and when a unit closed."""

from uuid import uuid4

from tortoise import fields, migrations
from tortoise.fields.base import OnDelete
from tortoise.indexes import Index
from tortoise.migrations import operations as ops

from kinerja.org.rules import EmployeeExitReason


class Migration(migrations.Migration):
    dependencies = [("kinerja", "0067_survey_fingerprint_unique")]

    operations = [
        ops.CreateModel(
            name='EmployeeAssignment',
            fields=[
                ('id', fields.UUIDField(primary_key=True, default=uuid4, unique=True, db_index=True)),
                ('tenant', fields.ForeignKeyField('kinerja.Tenant', source_field='tenant_id', db_constraint=True, to_field='id', related_name=False, on_delete=OnDelete.RESTRICT)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
                ('employee', fields.ForeignKeyField('kinerja.Employee', source_field='employee_id', db_constraint=True, to_field='id', related_name=False, on_delete=OnDelete.RESTRICT)),
                ('org_unit', fields.ForeignKeyField('kinerja.OrgUnit', source_field='org_unit_id', db_constraint=True, to_field='id', related_name=False, on_delete=OnDelete.RESTRICT)),
                ('position', fields.ForeignKeyField('kinerja.Position', source_field='position_id', null=True, db_constraint=True, to_field='id', related_name=False, on_delete=OnDelete.RESTRICT)),
                ('supervisor', fields.ForeignKeyField('kinerja.Employee', source_field='supervisor_id', null=True, db_constraint=True, to_field='id', related_name=False, on_delete=OnDelete.RESTRICT)),
                ('valid_from', fields.DateField(null=True)),
                ('valid_to', fields.DateField(null=True)),
                ('reason', fields.CharField(default='', max_length=500)),
            ],
            options={'table': 'employee_assignment', 'app': 'kinerja', 'unique_together': (('tenant', 'employee', 'valid_from'),), 'indexes': [Index(fields=['tenant_id', 'org_unit_id'])], 'pk_attr': 'id', 'table_description': 'Riwayat jabatan: where an employee worked from one day on (unit, position, supervisor), newest last.'},
            bases=['TenantModel'],
        ),
        ops.AddField(model_name="Employee", name="exit_reason",
                     field=fields.CharEnumField(EmployeeExitReason, max_length=20, null=True)),
        ops.AddField(model_name="Employee", name="exit_on", field=fields.DateField(null=True)),
        ops.AddField(model_name="OrgUnit", name="closed_on", field=fields.DateField(null=True)),
    ]
