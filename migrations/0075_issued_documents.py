"""The registry of issued documents: each signed document's canonical content, hash, Ed25519
signature and key id, found by its public verification code."""

from tortoise import fields, migrations
from tortoise.fields.base import OnDelete
from tortoise.migrations import operations as ops
from uuid import uuid4

from kinerja.documents.rules import DocumentKind


class Migration(migrations.Migration):
    dependencies = [("kinerja", "0074_admin_users_isolation")]

    operations = [
        ops.CreateModel(
            name='IssuedDocument',
            fields=[
                ('id', fields.UUIDField(primary_key=True, default=uuid4, unique=True, db_index=True)),
                ('tenant', fields.ForeignKeyField('kinerja.Tenant', source_field='tenant_id', db_constraint=True, to_field='id', related_name=False, on_delete=OnDelete.RESTRICT)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
                ('code', fields.CharField(max_length=80)),
                ('kind', fields.CharEnumField(description='SKP: SKP\nEVALUATION: EVALUATION\nUNIT_PREDICATES: UNIT_PREDICATES\nPAK: PAK\nIKU_REPORT: IKU_REPORT', enum_type=DocumentKind, max_length=20)),
                ('subject_key', fields.CharField(max_length=200)),
                ('subject_id', fields.UUIDField()),
                ('issued_by', fields.ForeignKeyField('kinerja.User', source_field='issued_by_id', null=True, db_constraint=True, to_field='id', related_name=False, on_delete=OnDelete.SET_NULL)),
                ('issued_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ('content_hash', fields.CharField(max_length=64)),
                ('content', fields.JSONField()),
                ('signature', fields.CharField(max_length=120)),
                ('key_id', fields.CharField(max_length=64)),
            ],
            options={'table': 'issued_document', 'app': 'kinerja', 'unique_together': (('tenant', 'code'), ('tenant', 'kind', 'subject_key', 'content_hash')), 'pk_attr': 'id', 'table_description': 'A document the server issued and signed: its canonical content, hash and Ed25519 signature, found by its verification code. The same content of the same subject is issued once.'},
            bases=['TenantModel'],
        ),
    ]
