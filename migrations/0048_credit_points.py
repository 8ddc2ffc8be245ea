"""Credit points per jenjang (Peraturan BKN 3/2023): the jenjang of a functional position, the yearly
coefficients as rule data, the angka kredit ledger of each employee and the PAK of a year."""

from uuid import uuid4

from tortoise import fields, migrations
from tortoise.fields.base import OnDelete
from tortoise.indexes import Index
from tortoise.migrations import operations as ops

from kinerja.core.isolation import TenantTable, secure_tenant_tables
from kinerja.org.rules import FunctionalLevel

LEVELS = "\n".join(f"{level.value}: {level.value}" for level in FunctionalLevel)


class Migration(migrations.Migration):
    dependencies = [("kinerja", "0047_contract_start")]

    operations = [
        ops.AddField(model_name="Position", name="level", field=fields.CharEnumField(
            description=LEVELS, enum_type=FunctionalLevel, max_length=20, null=True)),
        ops.AddField(model_name="EvaluationRule", name="credit_coefficients", field=fields.JSONField(default=dict)),
        ops.CreateModel(
            name='CreditEntry',
            fields=[
                ('id', fields.UUIDField(primary_key=True, default=uuid4, unique=True, db_index=True)),
                ('tenant', fields.ForeignKeyField('kinerja.Tenant', source_field='tenant_id', db_constraint=True, to_field='id', related_name=False, on_delete=OnDelete.RESTRICT)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
                ('employee', fields.ForeignKeyField('kinerja.Employee', source_field='employee_id', db_constraint=True, to_field='id', related_name=False, on_delete=OnDelete.RESTRICT)),
                ('evaluation', fields.ForeignKeyField('kinerja.Evaluation', source_field='evaluation_id', db_constraint=True, to_field='id', related_name=False, on_delete=OnDelete.RESTRICT)),
                ('year', fields.SmallIntField()),
                ('level', fields.CharEnumField(description=LEVELS, enum_type=FunctionalLevel, max_length=20)),
                ('coefficient', fields.DecimalField(max_digits=8, decimal_places=3)),
                ('points', fields.DecimalField(max_digits=10, decimal_places=3)),
                ('reversal', fields.BooleanField(default=False)),
            ],
            options={'table': 'credit_entry', 'app': 'kinerja', 'unique_together': (('tenant', 'evaluation', 'reversal'),), 'indexes': [Index(fields=['tenant_id', 'employee_id', 'created_at'])], 'pk_attr': 'id', 'table_description': 'One booking of the angka kredit ledger of an employee: the points of a final annual evaluation of\na functional position, or their reversal when that evaluation is corrected.'},
            bases=['TenantModel'],
        ),
        ops.CreateModel(
            name='CreditAssessment',
            fields=[
                ('id', fields.UUIDField(primary_key=True, default=uuid4, unique=True, db_index=True)),
                ('tenant', fields.ForeignKeyField('kinerja.Tenant', source_field='tenant_id', db_constraint=True, to_field='id', related_name=False, on_delete=OnDelete.RESTRICT)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
                ('employee', fields.ForeignKeyField('kinerja.Employee', source_field='employee_id', db_constraint=True, to_field='id', related_name=False, on_delete=OnDelete.RESTRICT)),
                ('year', fields.SmallIntField()),
                ('level', fields.CharEnumField(description=LEVELS, enum_type=FunctionalLevel, max_length=20, null=True)),
                ('points', fields.DecimalField(max_digits=10, decimal_places=3)),
                ('total', fields.DecimalField(max_digits=12, decimal_places=3)),
                ('issued_by', fields.ForeignKeyField('kinerja.User', source_field='issued_by_id', db_constraint=True, to_field='id', related_name=False, on_delete=OnDelete.RESTRICT)),
            ],
            options={'table': 'credit_assessment', 'app': 'kinerja', 'unique_together': (('tenant', 'employee', 'year'),), 'pk_attr': 'id', 'table_description': 'Penetapan Angka Kredit (PAK) of an employee for a year: the points of the year and the\naccumulated total, from the ledger (Peraturan BKN 3/2023).'},
            bases=['TenantModel'],
        ),
        secure_tenant_tables(
            TenantTable("credit_entry", {"employee_id": "employee", "evaluation_id": "evaluation"}),
            TenantTable("credit_assessment", {"employee_id": "employee", "issued_by_id": "app_user"}),
        ),
    ]
