"""Organisation performance (SAKIP): the RPJMD goal tree, IKU per unit and year with their period
targets and realisations, and the Perjanjian Kinerja of each unit head."""

from uuid import uuid4

from orjson import loads
from tortoise import fields, migrations
from tortoise.fields.base import OnDelete
from tortoise.fields.data import JSON_DUMPS
from tortoise.indexes import Index
from tortoise.migrations import operations as ops

from kinerja.goals.rules import Aggregation, AgreementStatus, Direction, GoalLevel, IndicatorKind


def _base():
    return [
        ('id', fields.UUIDField(primary_key=True, default=uuid4, unique=True, db_index=True)),
        ('tenant', fields.ForeignKeyField('kinerja.Tenant', source_field='tenant_id', db_constraint=True, to_field='id',
                                          related_name=False, on_delete=OnDelete.RESTRICT)),
        ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
    ]


def _fk(model, column, *, null=False, on_delete=OnDelete.RESTRICT):
    return fields.ForeignKeyField(model, source_field=column, null=null, db_constraint=True, to_field='id',
                                  related_name=False, on_delete=on_delete)


class Migration(migrations.Migration):
    dependencies = [('kinerja', '0067_survey_fingerprint_unique')]

    initial = False

    operations = [
        ops.CreateModel(
            name='StrategicGoal',
            fields=[
                *_base(),
                ('level', fields.CharEnumField(enum_type=GoalLevel, max_length=10)),
                ('parent', _fk('kinerja.StrategicGoal', 'parent_id', null=True)),
                ('code', fields.CharField(max_length=50)),
                ('name', fields.CharField(max_length=500)),
                ('start_year', fields.SmallIntField()),
                ('end_year', fields.SmallIntField()),
                ('indicators', fields.JSONField(default=list, encoder=JSON_DUMPS, decoder=loads)),
                ('updated_at', fields.DatetimeField(auto_now=True, auto_now_add=False)),
            ],
            options={'table': 'strategic_goal', 'app': 'kinerja', 'unique_together': (('tenant', 'code', 'start_year'),),
                     'indexes': [Index(fields=['tenant_id', 'start_year', 'end_year'])], 'pk_attr': 'id',
                     'table_description': 'A tujuan or sasaran of the regional plan (RPJMD) for a multi-year span.'},
            bases=['TenantModel'],
        ),
        ops.CreateModel(
            name='UnitIndicator',
            fields=[
                *_base(),
                ('org_unit', _fk('kinerja.OrgUnit', 'org_unit_id')),
                ('year', fields.SmallIntField()),
                ('goal', _fk('kinerja.StrategicGoal', 'goal_id')),
                ('name', fields.CharField(max_length=300)),
                ('definition', fields.TextField(default='', unique=False)),
                ('formula', fields.TextField(default='', unique=False)),
                ('kind', fields.CharEnumField(enum_type=IndicatorKind, max_length=20)),
                ('direction', fields.CharEnumField(default=Direction.HIGHER_IS_BETTER, enum_type=Direction, max_length=20)),
                ('unit_of_measure', fields.CharField(default='', max_length=200)),
                ('data_source', fields.CharField(default='', max_length=200)),
                ('responsible_position', fields.CharField(default='', max_length=200)),
                ('baseline', fields.DecimalField(null=True, max_digits=18, decimal_places=4)),
                ('target', fields.DecimalField(null=True, max_digits=18, decimal_places=4)),
                ('aggregation', fields.CharEnumField(null=True, enum_type=Aggregation, max_length=10)),
                ('updated_at', fields.DatetimeField(auto_now=True, auto_now_add=False)),
            ],
            options={'table': 'unit_indicator', 'app': 'kinerja',
                     'unique_together': (('tenant', 'org_unit', 'year', 'name'),),
                     'indexes': [Index(fields=['tenant_id', 'year', 'org_unit_id'])], 'pk_attr': 'id',
                     'table_description': 'An IKU (indikator kinerja utama) of an org unit for one year.'},
            bases=['TenantModel'],
        ),
        ops.CreateModel(
            name='UnitIndicatorTarget',
            fields=[
                *_base(),
                ('indicator', _fk('kinerja.UnitIndicator', 'indicator_id', on_delete=OnDelete.CASCADE)),
                ('period', _fk('kinerja.Period', 'period_id')),
                ('value', fields.DecimalField(max_digits=18, decimal_places=4)),
            ],
            options={'table': 'unit_indicator_target', 'app': 'kinerja',
                     'unique_together': (('tenant', 'indicator', 'period'),), 'pk_attr': 'id',
                     'table_description': 'An IKU target for one period of its year.'},
            bases=['TenantModel'],
        ),
        ops.CreateModel(
            name='UnitIndicatorRealisation',
            fields=[
                *_base(),
                ('indicator', _fk('kinerja.UnitIndicator', 'indicator_id')),
                ('period', _fk('kinerja.Period', 'period_id')),
                ('value', fields.DecimalField(max_digits=18, decimal_places=4)),
                ('narrative', fields.TextField(default='', unique=False)),
                ('evidence_url', fields.CharField(null=True, max_length=2000)),
                ('evidence_file_name', fields.CharField(null=True, max_length=255)),
                ('evidence_content_type', fields.CharField(null=True, max_length=100)),
                ('evidence_sha256', fields.CharField(null=True, max_length=64)),
                ('recorded_by', _fk('kinerja.User', 'recorded_by_id', null=True)),
                ('updated_at', fields.DatetimeField(auto_now=True, auto_now_add=False)),
            ],
            options={'table': 'unit_indicator_realisation', 'app': 'kinerja',
                     'unique_together': (('tenant', 'indicator', 'period'),), 'pk_attr': 'id',
                     'table_description': 'An IKU realisation in one period, with its evidence.'},
            bases=['TenantModel'],
        ),
        ops.CreateModel(
            name='PerformanceAgreement',
            fields=[
                *_base(),
                ('org_unit', _fk('kinerja.OrgUnit', 'org_unit_id')),
                ('year', fields.SmallIntField()),
                ('version', fields.SmallIntField()),
                ('status', fields.CharEnumField(default=AgreementStatus.DRAFT, enum_type=AgreementStatus, max_length=10)),
                ('commitments', fields.JSONField(default=list, encoder=JSON_DUMPS, decoder=loads)),
                ('revision_reason', fields.TextField(null=True, unique=False)),
                ('head', _fk('kinerja.Employee', 'head_id', null=True)),
                ('head_signed_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('superior', _fk('kinerja.Employee', 'superior_id', null=True)),
                ('superior_signed_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('updated_at', fields.DatetimeField(auto_now=True, auto_now_add=False)),
            ],
            options={'table': 'performance_agreement', 'app': 'kinerja',
                     'unique_together': (('tenant', 'org_unit', 'year', 'version'),), 'pk_attr': 'id',
                     'table_description': 'A Perjanjian Kinerja of a unit head for a year (one version).'},
            bases=['TenantModel'],
        ),
    ]
