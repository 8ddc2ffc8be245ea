from tortoise import migrations
from tortoise.migrations import operations as ops
from kinerja.citizen.rules import AgeRange, Education, Gender, Occupation, TicketKind, TicketStatus
from tortoise.fields.base import OnDelete
from uuid import uuid4
from tortoise import fields
from tortoise.indexes import Index

class Migration(migrations.Migration):
    dependencies = [('kinerja', '0008_training_isolation')]

    initial = False

    operations = [
        ops.CreateModel(
            name='RateCounter',
            fields=[
                ('id', fields.UUIDField(primary_key=True, default=uuid4, unique=True, db_index=True)),
                ('tenant', fields.ForeignKeyField('kinerja.Tenant', source_field='tenant_id', db_constraint=True, to_field='id', related_name=False, on_delete=OnDelete.RESTRICT)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
                ('bucket', fields.CharField(max_length=120)),
                ('window_start', fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ('count', fields.IntField(default=0)),
            ],
            options={'table': 'rate_counter', 'app': 'kinerja', 'unique_together': (('tenant', 'bucket', 'window_start'),), 'pk_attr': 'id', 'table_description': 'A fixed-window request counter, in the database so limits hold across worker processes.'},
            bases=['TenantModel'],
        ),
        ops.CreateModel(
            name='ServiceUnit',
            fields=[
                ('id', fields.UUIDField(primary_key=True, default=uuid4, unique=True, db_index=True)),
                ('tenant', fields.ForeignKeyField('kinerja.Tenant', source_field='tenant_id', db_constraint=True, to_field='id', related_name=False, on_delete=OnDelete.RESTRICT)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
                ('code', fields.CharField(max_length=50)),
                ('name', fields.CharField(max_length=200)),
                ('org_unit', fields.ForeignKeyField('kinerja.OrgUnit', source_field='org_unit_id', null=True, db_constraint=True, to_field='id', related_name=False, on_delete=OnDelete.RESTRICT)),
            ],
            options={'table': 'service_unit', 'app': 'kinerja', 'unique_together': (('tenant', 'code'),), 'pk_attr': 'id', 'table_description': 'Unit penyelenggara pelayanan, usually an org unit.'},
            bases=['TenantModel'],
        ),
        ops.CreateModel(
            name='Service',
            fields=[
                ('id', fields.UUIDField(primary_key=True, default=uuid4, unique=True, db_index=True)),
                ('tenant', fields.ForeignKeyField('kinerja.Tenant', source_field='tenant_id', db_constraint=True, to_field='id', related_name=False, on_delete=OnDelete.RESTRICT)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
                ('service_unit', fields.ForeignKeyField('kinerja.ServiceUnit', source_field='service_unit_id', db_constraint=True, to_field='id', related_name=False, on_delete=OnDelete.RESTRICT)),
                ('code', fields.CharField(max_length=50)),
                ('name', fields.CharField(max_length=200)),
                ('description', fields.TextField(default='', unique=False)),
                ('active', fields.BooleanField(default=True)),
            ],
            options={'table': 'public_service', 'app': 'kinerja', 'unique_together': (('tenant', 'code'),), 'pk_attr': 'id', 'table_description': 'A public service (KTP, KK, puskesmas, perizinan, ...) of a service unit.'},
            bases=['TenantModel'],
        ),
        ops.CreateModel(
            name='FeedbackTicket',
            fields=[
                ('id', fields.UUIDField(primary_key=True, default=uuid4, unique=True, db_index=True)),
                ('tenant', fields.ForeignKeyField('kinerja.Tenant', source_field='tenant_id', db_constraint=True, to_field='id', related_name=False, on_delete=OnDelete.RESTRICT)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
                ('code', fields.CharField(max_length=11)),
                ('kind', fields.CharEnumField(description='FEEDBACK: FEEDBACK\nCOMPLAINT: COMPLAINT', enum_type=TicketKind, max_length=10)),
                ('service', fields.ForeignKeyField('kinerja.Service', source_field='service_id', null=True, db_constraint=True, to_field='id', related_name=False, on_delete=OnDelete.RESTRICT)),
                ('service_unit', fields.ForeignKeyField('kinerja.ServiceUnit', source_field='service_unit_id', db_constraint=True, to_field='id', related_name=False, on_delete=OnDelete.RESTRICT)),
                ('message', fields.TextField(unique=False)),
                ('contact', fields.CharField(null=True, max_length=200)),
                ('status', fields.CharEnumField(default=TicketStatus.RECEIVED, description='RECEIVED: RECEIVED\nIN_PROGRESS: IN_PROGRESS\nANSWERED: ANSWERED\nCLOSED: CLOSED', enum_type=TicketStatus, max_length=12)),
                ('assigned_to', fields.ForeignKeyField('kinerja.Employee', source_field='assigned_to_id', null=True, db_constraint=True, to_field='id', related_name=False, on_delete=OnDelete.SET_NULL)),
                ('internal_note', fields.TextField(default='', unique=False)),
                ('public_answer', fields.TextField(null=True, unique=False)),
                ('answered_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('due_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ('fingerprint', fields.CharField(max_length=64)),
                ('updated_at', fields.DatetimeField(auto_now=True, auto_now_add=False)),
            ],
            options={'table': 'feedback_ticket', 'app': 'kinerja', 'unique_together': (('tenant', 'code'),), 'indexes': [Index(fields=['tenant_id', 'service_unit_id', 'status', 'created_at']), Index(fields=['tenant_id', 'fingerprint'])], 'pk_attr': 'id', 'table_description': 'Feedback or a complaint from a citizen, tracked by its ticket code.'},
            bases=['TenantModel'],
        ),
        ops.CreateModel(
            name='SurveyResponse',
            fields=[
                ('id', fields.UUIDField(primary_key=True, default=uuid4, unique=True, db_index=True)),
                ('tenant', fields.ForeignKeyField('kinerja.Tenant', source_field='tenant_id', db_constraint=True, to_field='id', related_name=False, on_delete=OnDelete.RESTRICT)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
                ('service', fields.ForeignKeyField('kinerja.Service', source_field='service_id', db_constraint=True, to_field='id', related_name=False, on_delete=OnDelete.RESTRICT)),
                ('service_unit', fields.ForeignKeyField('kinerja.ServiceUnit', source_field='service_unit_id', db_constraint=True, to_field='id', related_name=False, on_delete=OnDelete.RESTRICT)),
                ('u1', fields.SmallIntField()),
                ('u2', fields.SmallIntField()),
                ('u3', fields.SmallIntField()),
                ('u4', fields.SmallIntField()),
                ('u5', fields.SmallIntField()),
                ('u6', fields.SmallIntField()),
                ('u7', fields.SmallIntField()),
                ('u8', fields.SmallIntField()),
                ('u9', fields.SmallIntField()),
                ('gender', fields.CharEnumField(null=True, description='LAKI_LAKI: LAKI_LAKI\nPEREMPUAN: PEREMPUAN', enum_type=Gender, max_length=10)),
                ('age_range', fields.CharEnumField(null=True, description='UNDER_20: UNDER_20\nFROM_20_TO_29: FROM_20_TO_29\nFROM_30_TO_39: FROM_30_TO_39\nFROM_40_TO_49: FROM_40_TO_49\nFROM_50: FROM_50', enum_type=AgeRange, max_length=15)),
                ('education', fields.CharEnumField(null=True, description='SD: SD\nSMP: SMP\nSMA: SMA\nD1_D3: D1_D3\nS1: S1\nS2_PLUS: S2_PLUS', enum_type=Education, max_length=10)),
                ('occupation', fields.CharEnumField(null=True, description='PNS: PNS\nTNI_POLRI: TNI_POLRI\nPEGAWAI_SWASTA: PEGAWAI_SWASTA\nWIRAUSAHA: WIRAUSAHA\nPELAJAR_MAHASISWA: PELAJAR_MAHASISWA\nLAINNYA: LAINNYA', enum_type=Occupation, max_length=20)),
                ('fingerprint', fields.CharField(max_length=64)),
            ],
            options={'table': 'survey_response', 'app': 'kinerja', 'indexes': [Index(fields=['tenant_id', 'service_unit_id', 'created_at']), Index(fields=['tenant_id', 'fingerprint'])], 'pk_attr': 'id', 'table_description': 'One anonymous SKM response: nine scores (1-4) and the optional respondent profile.'},
            bases=['TenantModel'],
        ),
    ]
