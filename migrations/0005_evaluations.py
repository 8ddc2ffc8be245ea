from tortoise import migrations
from tortoise.migrations import operations as ops
from kinerja.evaluations.rules import EvaluationStatus, Predicate, Rating, UnitRating
from orjson import loads
from tortoise.fields.base import OnDelete
from tortoise.fields.data import JSON_DUMPS
from uuid import uuid4
from tortoise import fields
from tortoise.indexes import Index

class Migration(migrations.Migration):
    dependencies = [('kinerja', '0004_plans_isolation')]

    initial = False

    operations = [
        ops.CreateModel(
            name='Evaluation',
            fields=[
                ('id', fields.UUIDField(primary_key=True, default=uuid4, unique=True, db_index=True)),
                ('tenant', fields.ForeignKeyField('kinerja.Tenant', source_field='tenant_id', db_constraint=True, to_field='id', related_name=False, on_delete=OnDelete.RESTRICT)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
                ('employee', fields.ForeignKeyField('kinerja.Employee', source_field='employee_id', db_constraint=True, to_field='id', related_name=False, on_delete=OnDelete.RESTRICT)),
                ('period', fields.ForeignKeyField('kinerja.Period', source_field='period_id', db_constraint=True, to_field='id', related_name=False, on_delete=OnDelete.RESTRICT)),
                ('plan', fields.ForeignKeyField('kinerja.PerformancePlan', source_field='plan_id', null=True, db_constraint=True, to_field='id', related_name=False, on_delete=OnDelete.RESTRICT)),
                ('assessor', fields.ForeignKeyField('kinerja.Employee', source_field='assessor_id', db_constraint=True, to_field='id', related_name=False, on_delete=OnDelete.RESTRICT)),
                ('version', fields.SmallIntField(default=1)),
                ('previous_version', fields.ForeignKeyField('kinerja.Evaluation', source_field='previous_version_id', null=True, db_constraint=True, to_field='id', related_name=False, on_delete=OnDelete.RESTRICT)),
                ('results_rating', fields.CharEnumField(description='DI_ATAS_EKSPEKTASI: DI_ATAS_EKSPEKTASI\nSESUAI_EKSPEKTASI: SESUAI_EKSPEKTASI\nDI_BAWAH_EKSPEKTASI: DI_BAWAH_EKSPEKTASI', enum_type=Rating, max_length=20)),
                ('behaviour_rating', fields.CharEnumField(description='DI_ATAS_EKSPEKTASI: DI_ATAS_EKSPEKTASI\nSESUAI_EKSPEKTASI: SESUAI_EKSPEKTASI\nDI_BAWAH_EKSPEKTASI: DI_BAWAH_EKSPEKTASI', enum_type=Rating, max_length=20)),
                ('results_from_unit', fields.BooleanField(default=False)),
                ('notes', fields.JSONField(default=dict, encoder=JSON_DUMPS, decoder=loads)),
                ('predicate', fields.CharEnumField(description='SANGAT_BAIK: SANGAT_BAIK\nBAIK: BAIK\nBUTUH_PERBAIKAN: BUTUH_PERBAIKAN\nKURANG_MISCONDUCT: KURANG_MISCONDUCT\nSANGAT_KURANG: SANGAT_KURANG', enum_type=Predicate, max_length=20)),
                ('status', fields.CharEnumField(default=EvaluationStatus.DRAFT, description='DRAFT: DRAFT\nFINAL: FINAL\nCORRECTED: CORRECTED', enum_type=EvaluationStatus, max_length=10)),
                ('correction_reason', fields.TextField(null=True, unique=False)),
                ('finalized_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('updated_at', fields.DatetimeField(auto_now=True, auto_now_add=False)),
            ],
            options={'table': 'evaluation', 'app': 'kinerja', 'unique_together': (('tenant', 'employee', 'period', 'version'),), 'indexes': [Index(fields=['tenant_id', 'period_id', 'status']), Index(fields=['tenant_id', 'assessor_id'])], 'pk_attr': 'id', 'table_description': 'Penilaian kinerja of one employee for one period, in versions (a correction is a new version).'},
            bases=['TenantModel'],
        ),
        ops.CreateModel(
            name='EvaluationRule',
            fields=[
                ('id', fields.UUIDField(primary_key=True, default=uuid4, unique=True, db_index=True)),
                ('tenant', fields.ForeignKeyField('kinerja.Tenant', source_field='tenant_id', db_constraint=True, to_field='id', related_name=False, on_delete=OnDelete.RESTRICT)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
                ('year', fields.SmallIntField()),
                ('matrix', fields.JSONField(encoder=JSON_DUMPS, decoder=loads)),
                ('distribution_guide', fields.JSONField(encoder=JSON_DUMPS, decoder=loads)),
                ('credit_shares', fields.JSONField(encoder=JSON_DUMPS, decoder=loads)),
            ],
            options={'table': 'evaluation_rule', 'app': 'kinerja', 'unique_together': (('tenant', 'year'),), 'pk_attr': 'id', 'table_description': 'The evaluation rules in force for a tenant and year: predicate matrix, distribution guide, credit shares.'},
            bases=['TenantModel'],
        ),
        ops.CreateModel(
            name='UnitPerformance',
            fields=[
                ('id', fields.UUIDField(primary_key=True, default=uuid4, unique=True, db_index=True)),
                ('tenant', fields.ForeignKeyField('kinerja.Tenant', source_field='tenant_id', db_constraint=True, to_field='id', related_name=False, on_delete=OnDelete.RESTRICT)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
                ('org_unit', fields.ForeignKeyField('kinerja.OrgUnit', source_field='org_unit_id', db_constraint=True, to_field='id', related_name=False, on_delete=OnDelete.RESTRICT)),
                ('period', fields.ForeignKeyField('kinerja.Period', source_field='period_id', db_constraint=True, to_field='id', related_name=False, on_delete=OnDelete.RESTRICT)),
                ('rating', fields.CharEnumField(description='ISTIMEWA: ISTIMEWA\nBAIK: BAIK\nBUTUH_PERBAIKAN: BUTUH_PERBAIKAN\nKURANG: KURANG\nSANGAT_KURANG: SANGAT_KURANG', enum_type=UnitRating, max_length=20)),
                ('set_by', fields.ForeignKeyField('kinerja.User', source_field='set_by_id', db_constraint=True, to_field='id', related_name=False, on_delete=OnDelete.RESTRICT)),
                ('notes', fields.TextField(default='', unique=False)),
                ('updated_at', fields.DatetimeField(auto_now=True, auto_now_add=False)),
            ],
            options={'table': 'unit_performance', 'app': 'kinerja', 'unique_together': (('tenant', 'org_unit', 'period'),), 'pk_attr': 'id', 'table_description': 'Capaian kinerja organisasi: the unit rating for a period, set by its head or HR.'},
            bases=['TenantModel'],
        ),
        ops.AddField(
            model_name='Position',
            name='credit_coefficient',
            field=fields.DecimalField(null=True, max_digits=6, decimal_places=2),
        ),
    ]
