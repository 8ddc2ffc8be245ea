from tortoise import migrations
from tortoise.migrations import operations as ops
from kinerja.training.rules import TrainingKind, TrainingStatus
from tortoise.fields.base import OnDelete
from uuid import uuid4
from tortoise import fields
from tortoise.indexes import Index

class Migration(migrations.Migration):
    dependencies = [('kinerja', '0006_evaluations_isolation')]

    initial = False

    operations = [
        ops.CreateModel(
            name='RecommendationRule',
            fields=[
                ('id', fields.UUIDField(primary_key=True, default=uuid4, unique=True, db_index=True)),
                ('tenant', fields.ForeignKeyField('kinerja.Tenant', source_field='tenant_id', db_constraint=True, to_field='id', related_name=False, on_delete=OnDelete.RESTRICT)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
                ('trigger', fields.CharField(max_length=60)),
                ('topic', fields.CharField(max_length=100)),
            ],
            options={'table': 'training_recommendation_rule', 'app': 'kinerja', 'unique_together': (('tenant', 'trigger', 'topic'),), 'pk_attr': 'id', 'table_description': 'Tenant-editable mapping from a development need (trigger) to a catalogue topic.'},
            bases=['TenantModel'],
        ),
        ops.CreateModel(
            name='TrainingEvent',
            fields=[
                ('id', fields.UUIDField(primary_key=True, default=uuid4, unique=True, db_index=True)),
                ('tenant', fields.ForeignKeyField('kinerja.Tenant', source_field='tenant_id', db_constraint=True, to_field='id', related_name=False, on_delete=OnDelete.RESTRICT)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
                ('title', fields.CharField(max_length=300)),
                ('topic', fields.CharField(max_length=100)),
                ('kind', fields.CharEnumField(description='PENDIDIKAN: PENDIDIKAN\nKEPEMIMPINAN: KEPEMIMPINAN\nMANAJERIAL: MANAJERIAL\nTEKNIS: TEKNIS\nFUNGSIONAL: FUNGSIONAL\nSEMINAR: SEMINAR\nWORKSHOP: WORKSHOP\nKURSUS: KURSUS\nBIMTEK: BIMTEK\nSOSIALISASI: SOSIALISASI\nCOACHING: COACHING\nMENTORING: MENTORING\nE_LEARNING: E_LEARNING\nPEMBELAJARAN_JARAK_JAUH: PEMBELAJARAN_JARAK_JAUH\nDETASERING: DETASERING\nBENCHMARKING: BENCHMARKING', enum_type=TrainingKind, max_length=30)),
                ('organiser', fields.CharField(default='', max_length=300)),
                ('starts_on', fields.DateField()),
                ('ends_on', fields.DateField()),
                ('jp', fields.SmallIntField()),
                ('capacity', fields.SmallIntField()),
            ],
            options={'table': 'training_event', 'app': 'kinerja', 'indexes': [Index(fields=['tenant_id', 'starts_on']), Index(fields=['tenant_id', 'topic'])], 'pk_attr': 'id', 'table_description': 'An event of the tenant training catalogue, with a capacity.'},
            bases=['TenantModel'],
        ),
        ops.CreateModel(
            name='TrainingRecord',
            fields=[
                ('id', fields.UUIDField(primary_key=True, default=uuid4, unique=True, db_index=True)),
                ('tenant', fields.ForeignKeyField('kinerja.Tenant', source_field='tenant_id', db_constraint=True, to_field='id', related_name=False, on_delete=OnDelete.RESTRICT)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
                ('employee', fields.ForeignKeyField('kinerja.Employee', source_field='employee_id', db_constraint=True, to_field='id', related_name=False, on_delete=OnDelete.RESTRICT)),
                ('event', fields.ForeignKeyField('kinerja.TrainingEvent', source_field='event_id', null=True, db_constraint=True, to_field='id', related_name=False, on_delete=OnDelete.RESTRICT)),
                ('title', fields.CharField(max_length=300)),
                ('kind', fields.CharEnumField(description='PENDIDIKAN: PENDIDIKAN\nKEPEMIMPINAN: KEPEMIMPINAN\nMANAJERIAL: MANAJERIAL\nTEKNIS: TEKNIS\nFUNGSIONAL: FUNGSIONAL\nSEMINAR: SEMINAR\nWORKSHOP: WORKSHOP\nKURSUS: KURSUS\nBIMTEK: BIMTEK\nSOSIALISASI: SOSIALISASI\nCOACHING: COACHING\nMENTORING: MENTORING\nE_LEARNING: E_LEARNING\nPEMBELAJARAN_JARAK_JAUH: PEMBELAJARAN_JARAK_JAUH\nDETASERING: DETASERING\nBENCHMARKING: BENCHMARKING', enum_type=TrainingKind, max_length=30)),
                ('organiser', fields.CharField(default='', max_length=300)),
                ('starts_on', fields.DateField()),
                ('ends_on', fields.DateField()),
                ('year', fields.SmallIntField()),
                ('jp', fields.SmallIntField()),
                ('certificate_number', fields.CharField(null=True, max_length=100)),
                ('certificate_file_name', fields.CharField(null=True, max_length=255)),
                ('certificate_content_type', fields.CharField(null=True, max_length=100)),
                ('certificate_sha256', fields.CharField(null=True, max_length=64)),
                ('status', fields.CharEnumField(default=TrainingStatus.PLANNED, description='PLANNED: PLANNED\nCOMPLETED: COMPLETED\nVERIFIED: VERIFIED\nREJECTED: REJECTED', enum_type=TrainingStatus, max_length=10)),
                ('rejection_reason', fields.TextField(null=True, unique=False)),
                ('recorded_by', fields.ForeignKeyField('kinerja.User', source_field='recorded_by_id', null=True, db_constraint=True, to_field='id', related_name=False, on_delete=OnDelete.RESTRICT)),
                ('verified_by', fields.ForeignKeyField('kinerja.User', source_field='verified_by_id', null=True, db_constraint=True, to_field='id', related_name=False, on_delete=OnDelete.RESTRICT)),
                ('verified_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('updated_at', fields.DatetimeField(auto_now=True, auto_now_add=False)),
            ],
            options={'table': 'training_record', 'app': 'kinerja', 'indexes': [Index(fields=['tenant_id', 'employee_id', 'year']), Index(fields=['tenant_id', 'year', 'status'])], 'pk_attr': 'id', 'table_description': 'A competency development record (riwayat kursus/diklat), counted only when VERIFIED.'},
            bases=['TenantModel'],
        ),
        ops.CreateModel(
            name='TrainingRegistration',
            fields=[
                ('id', fields.UUIDField(primary_key=True, default=uuid4, unique=True, db_index=True)),
                ('tenant', fields.ForeignKeyField('kinerja.Tenant', source_field='tenant_id', db_constraint=True, to_field='id', related_name=False, on_delete=OnDelete.RESTRICT)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
                ('event', fields.ForeignKeyField('kinerja.TrainingEvent', source_field='event_id', db_constraint=True, to_field='id', related_name=False, on_delete=OnDelete.CASCADE)),
                ('employee', fields.ForeignKeyField('kinerja.Employee', source_field='employee_id', db_constraint=True, to_field='id', related_name=False, on_delete=OnDelete.RESTRICT)),
                ('attended', fields.BooleanField(default=False)),
                ('record', fields.ForeignKeyField('kinerja.TrainingRecord', source_field='record_id', null=True, db_constraint=True, to_field='id', related_name=False, on_delete=OnDelete.SET_NULL)),
            ],
            options={'table': 'training_registration', 'app': 'kinerja', 'unique_together': (('tenant', 'event', 'employee'),), 'pk_attr': 'id', 'table_description': 'An employee registered for a catalogue event, whose attendance HR confirms to create the record.'},
            bases=['TenantModel'],
        ),
    ]
