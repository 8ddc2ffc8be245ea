"""Citizen feedback at the counter: survey kiosks, one-time survey codes, the private saran and the
channel of each response, ticket timelines with the citizen's rating, follow-up plans, and the
population of a service unit (its minimum sample)."""

from tortoise import fields, migrations
from tortoise.fields.base import OnDelete
from tortoise.migrations import operations as ops
from uuid import uuid4

from kinerja.citizen.rules import ActionStatus, SubmissionChannel, TicketEventKind, TicketStatus
from tortoise.indexes import Index


class Migration(migrations.Migration):
    dependencies = [("kinerja", "0021_survey_period_index")]

    operations = [
        ops.CreateModel(
            name='SurveyKiosk',
            fields=[
                ('id', fields.UUIDField(primary_key=True, default=uuid4, unique=True, db_index=True)),
                ('tenant', fields.ForeignKeyField('kinerja.Tenant', source_field='tenant_id', db_constraint=True, to_field='id', related_name=False, on_delete=OnDelete.RESTRICT)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
                ('service_unit', fields.ForeignKeyField('kinerja.ServiceUnit', source_field='service_unit_id', db_constraint=True, to_field='id', related_name=False, on_delete=OnDelete.RESTRICT)),
                ('name', fields.CharField(max_length=200)),
                ('token_hash', fields.CharField(max_length=64)),
                ('revoked_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'survey_kiosk', 'app': 'kinerja', 'unique_together': (('tenant', 'token_hash'),), 'pk_attr': 'id', 'table_description': 'A survey device at a service unit counter, known by a token shown once and stored hashed.'},
            bases=['TenantModel'],
        ),
        ops.CreateModel(
            name='SurveyCodeBatch',
            fields=[
                ('id', fields.UUIDField(primary_key=True, default=uuid4, unique=True, db_index=True)),
                ('tenant', fields.ForeignKeyField('kinerja.Tenant', source_field='tenant_id', db_constraint=True, to_field='id', related_name=False, on_delete=OnDelete.RESTRICT)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
                ('service', fields.ForeignKeyField('kinerja.Service', source_field='service_id', db_constraint=True, to_field='id', related_name=False, on_delete=OnDelete.RESTRICT)),
                ('service_unit', fields.ForeignKeyField('kinerja.ServiceUnit', source_field='service_unit_id', db_constraint=True, to_field='id', related_name=False, on_delete=OnDelete.RESTRICT)),
                ('count', fields.IntField()),
            ],
            options={'table': 'survey_code_batch', 'app': 'kinerja', 'pk_attr': 'id', 'table_description': 'A batch of one-time survey codes of one service, printed as QR codes on receipts.'},
            bases=['TenantModel'],
        ),
        ops.CreateModel(
            name='SurveyCode',
            fields=[
                ('id', fields.UUIDField(primary_key=True, default=uuid4, unique=True, db_index=True)),
                ('tenant', fields.ForeignKeyField('kinerja.Tenant', source_field='tenant_id', db_constraint=True, to_field='id', related_name=False, on_delete=OnDelete.RESTRICT)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
                ('batch', fields.ForeignKeyField('kinerja.SurveyCodeBatch', source_field='batch_id', db_constraint=True, to_field='id', related_name=False, on_delete=OnDelete.RESTRICT)),
                ('service', fields.ForeignKeyField('kinerja.Service', source_field='service_id', db_constraint=True, to_field='id', related_name=False, on_delete=OnDelete.RESTRICT)),
                ('code', fields.CharField(max_length=11)),
                ('used_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'survey_code', 'app': 'kinerja', 'unique_together': (('tenant', 'code'),), 'indexes': [Index(fields=['tenant_id', 'batch_id', 'code'])], 'pk_attr': 'id', 'table_description': 'One code of a batch: it names its service and is accepted once.'},
            bases=['TenantModel'],
        ),
        ops.CreateModel(
            name='TicketEvent',
            fields=[
                ('id', fields.UUIDField(primary_key=True, default=uuid4, unique=True, db_index=True)),
                ('tenant', fields.ForeignKeyField('kinerja.Tenant', source_field='tenant_id', db_constraint=True, to_field='id', related_name=False, on_delete=OnDelete.RESTRICT)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
                ('ticket', fields.ForeignKeyField('kinerja.FeedbackTicket', source_field='ticket_id', db_constraint=True, to_field='id', related_name=False, on_delete=OnDelete.RESTRICT)),
                ('kind', fields.CharEnumField(description='RECEIVED: RECEIVED\nSTATUS: STATUS\nANSWERED: ANSWERED\nREPLIED: REPLIED\nRATED: RATED', enum_type=TicketEventKind, max_length=10)),
                ('status', fields.CharEnumField(description='RECEIVED: RECEIVED\nIN_PROGRESS: IN_PROGRESS\nANSWERED: ANSWERED\nCLOSED: CLOSED', enum_type=TicketStatus, max_length=12)),
                ('public_text', fields.TextField(null=True, unique=False)),
                ('reply', fields.TextField(null=True, unique=False)),
                ('rating', fields.SmallIntField(null=True)),
                ('staff', fields.ForeignKeyField('kinerja.Employee', source_field='staff_id', null=True, db_constraint=True, to_field='id', related_name=False, on_delete=OnDelete.SET_NULL)),
            ],
            options={'table': 'ticket_event', 'app': 'kinerja', 'indexes': [Index(fields=['tenant_id', 'ticket_id', 'created_at'])], 'pk_attr': 'id', 'table_description': 'One step of a ticket, for its public timeline: received, moved on, answered, replied, rated.'},
            bases=['TenantModel'],
        ),
        ops.CreateModel(
            name='FollowUpPlan',
            fields=[
                ('id', fields.UUIDField(primary_key=True, default=uuid4, unique=True, db_index=True)),
                ('tenant', fields.ForeignKeyField('kinerja.Tenant', source_field='tenant_id', db_constraint=True, to_field='id', related_name=False, on_delete=OnDelete.RESTRICT)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
                ('service_unit', fields.ForeignKeyField('kinerja.ServiceUnit', source_field='service_unit_id', db_constraint=True, to_field='id', related_name=False, on_delete=OnDelete.RESTRICT)),
                ('year', fields.SmallIntField()),
                ('updated_at', fields.DatetimeField(auto_now=True, auto_now_add=False)),
            ],
            options={'table': 'follow_up_plan', 'app': 'kinerja', 'unique_together': (('tenant', 'service_unit', 'year'),), 'pk_attr': 'id', 'table_description': 'Rencana tindak lanjut of a service unit for a year, published beside its IKM.'},
            bases=['TenantModel'],
        ),
        ops.CreateModel(
            name='FollowUpAction',
            fields=[
                ('id', fields.UUIDField(primary_key=True, default=uuid4, unique=True, db_index=True)),
                ('tenant', fields.ForeignKeyField('kinerja.Tenant', source_field='tenant_id', db_constraint=True, to_field='id', related_name=False, on_delete=OnDelete.RESTRICT)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
                ('plan', fields.ForeignKeyField('kinerja.FollowUpPlan', source_field='plan_id', db_constraint=True, to_field='id', related_name=False, on_delete=OnDelete.CASCADE)),
                ('position', fields.SmallIntField()),
                ('element', fields.SmallIntField()),
                ('action', fields.TextField(unique=False)),
                ('owner', fields.ForeignKeyField('kinerja.Position', source_field='owner_id', null=True, db_constraint=True, to_field='id', related_name=False, on_delete=OnDelete.RESTRICT)),
                ('due_on', fields.DateField()),
                ('status', fields.CharEnumField(default=ActionStatus.PLANNED, description='PLANNED: PLANNED\nIN_PROGRESS: IN_PROGRESS\nDONE: DONE', enum_type=ActionStatus, max_length=12)),
            ],
            options={'table': 'follow_up_action', 'app': 'kinerja', 'unique_together': (('tenant', 'plan', 'position'),), 'pk_attr': 'id', 'table_description': 'One action of a follow-up plan: the element it improves, its owner (a position), due date, status.'},
            bases=['TenantModel'],
        ),
        ops.AddField(model_name="ServiceUnit", name="population", field=fields.IntField(null=True)),
        ops.AddField(model_name="FeedbackTicket", name="answer_rating", field=fields.SmallIntField(null=True)),
        ops.AddField(model_name="SurveyResponse", name="channel", field=fields.CharEnumField(
            default=SubmissionChannel.WEB, description="WEB: WEB\nKIOSK: KIOSK\nCODE: CODE",
            enum_type=SubmissionChannel, max_length=5)),
        ops.AddField(model_name="SurveyResponse", name="kiosk", field=fields.ForeignKeyField(
            "kinerja.SurveyKiosk", source_field="kiosk_id", null=True, db_constraint=True, to_field="id",
            related_name=False, on_delete=OnDelete.RESTRICT)),
        ops.AddField(model_name="SurveyResponse", name="suggestion", field=fields.TextField(null=True, unique=False)),
        ops.AddField(model_name="SurveyResponse", name="flagged", field=fields.BooleanField(default=False)),
    ]
