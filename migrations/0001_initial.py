from tortoise import migrations
from tortoise.migrations import operations as ops
from kinerja.org.rules import EmploymentType, OrgUnitKind, PeriodKind, PositionKind
from kinerja.tenancy.rules import TenantKind
from orjson import loads
from tortoise.fields.base import OnDelete
from tortoise.fields.data import JSON_DUMPS
from uuid import uuid4
from tortoise import fields
from tortoise.indexes import Index

class Migration(migrations.Migration):
    initial = True

    operations = [
        ops.CreateModel(
            name='Tenant',
            fields=[
                ('id', fields.UUIDField(primary_key=True, default=uuid4, unique=True, db_index=True)),
                ('slug', fields.CharField(unique=True, max_length=63)),
                ('name', fields.CharField(max_length=200)),
                ('kind', fields.CharEnumField(description='PROVINSI: PROVINSI\nKABUPATEN: KABUPATEN\nKOTA: KOTA\nKECAMATAN: KECAMATAN\nKELURAHAN: KELURAHAN\nNAGARI: NAGARI\nPLATFORM: PLATFORM', enum_type=TenantKind, max_length=20)),
                ('settings', fields.JSONField(default=dict, encoder=JSON_DUMPS, decoder=loads)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
                ('updated_at', fields.DatetimeField(auto_now=True, auto_now_add=False)),
            ],
            options={'table': 'tenant', 'app': 'kinerja', 'pk_attr': 'id', 'table_description': 'A local government (kabupaten/kota or a smaller unit), or the platform domain itself.'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='LoginFailure',
            fields=[
                ('id', fields.UUIDField(primary_key=True, default=uuid4, unique=True, db_index=True)),
                ('tenant', fields.ForeignKeyField('kinerja.Tenant', source_field='tenant_id', db_constraint=True, to_field='id', related_name=False, on_delete=OnDelete.RESTRICT)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
                ('username', fields.CharField(max_length=64)),
                ('ip', fields.CharField(max_length=64)),
            ],
            options={'table': 'login_failure', 'app': 'kinerja', 'indexes': [Index(fields=['tenant_id', 'username', 'created_at'])], 'pk_attr': 'id', 'table_description': 'A failed login, kept to throttle password guessing per username.'},
            bases=['TenantModel'],
        ),
        ops.CreateModel(
            name='OrgUnit',
            fields=[
                ('id', fields.UUIDField(primary_key=True, default=uuid4, unique=True, db_index=True)),
                ('tenant', fields.ForeignKeyField('kinerja.Tenant', source_field='tenant_id', db_constraint=True, to_field='id', related_name=False, on_delete=OnDelete.RESTRICT)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
                ('code', fields.CharField(max_length=50)),
                ('name', fields.CharField(max_length=200)),
                ('kind', fields.CharEnumField(description='SEKRETARIAT: SEKRETARIAT\nDINAS: DINAS\nBADAN: BADAN\nKANTOR: KANTOR\nINSPEKTORAT: INSPEKTORAT\nKECAMATAN: KECAMATAN\nKELURAHAN: KELURAHAN\nNAGARI: NAGARI\nBAGIAN: BAGIAN\nBIDANG: BIDANG\nSUBBAGIAN: SUBBAGIAN\nSEKSI: SEKSI\nUPT: UPT', enum_type=OrgUnitKind, max_length=20)),
                ('parent', fields.ForeignKeyField('kinerja.OrgUnit', source_field='parent_id', null=True, db_constraint=True, to_field='id', related_name='children', on_delete=OnDelete.RESTRICT)),
                ('head_id', fields.UUIDField(null=True)),
            ],
            options={'table': 'org_unit', 'app': 'kinerja', 'unique_together': (('tenant', 'code'),), 'indexes': [Index(fields=['tenant_id', 'parent_id'])], 'pk_attr': 'id', 'table_description': 'Perangkat daerah and its parts (bidang, seksi, ...), a tree per tenant.'},
            bases=['TenantModel'],
        ),
        ops.CreateModel(
            name='Period',
            fields=[
                ('id', fields.UUIDField(primary_key=True, default=uuid4, unique=True, db_index=True)),
                ('tenant', fields.ForeignKeyField('kinerja.Tenant', source_field='tenant_id', db_constraint=True, to_field='id', related_name=False, on_delete=OnDelete.RESTRICT)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
                ('year', fields.SmallIntField()),
                ('kind', fields.CharEnumField(description='MONTHLY: MONTHLY\nQUARTERLY: QUARTERLY\nSEMESTER: SEMESTER\nANNUAL: ANNUAL', enum_type=PeriodKind, max_length=10)),
                ('sequence', fields.SmallIntField()),
                ('name', fields.CharField(max_length=60)),
                ('starts_on', fields.DateField()),
                ('ends_on', fields.DateField()),
                ('closed', fields.BooleanField(default=False)),
            ],
            options={'table': 'period', 'app': 'kinerja', 'unique_together': (('tenant', 'year', 'kind', 'sequence'),), 'pk_attr': 'id', 'table_description': 'An assessment period: monthly, quarterly or semester per the tenant scheme, or annual.'},
            bases=['TenantModel'],
        ),
        ops.CreateModel(
            name='PolicyRule',
            fields=[
                ('id', fields.UUIDField(primary_key=True, default=uuid4, unique=True, db_index=True)),
                ('tenant', fields.ForeignKeyField('kinerja.Tenant', source_field='tenant_id', db_constraint=True, to_field='id', related_name=False, on_delete=OnDelete.RESTRICT)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
                ('ptype', fields.CharField(max_length=8)),
                ('v0', fields.CharField(max_length=100)),
                ('v1', fields.CharField(max_length=100)),
                ('v2', fields.CharField(default='', max_length=100)),
                ('v3', fields.CharField(default='', max_length=100)),
            ],
            options={'table': 'policy_rule', 'app': 'kinerja', 'unique_together': (('tenant', 'ptype', 'v0', 'v1', 'v2', 'v3'),), 'pk_attr': 'id', 'table_description': 'A Casbin rule. The domain (v1 for p, v2 for g) is always the tenant id of the row.'},
            bases=['TenantModel'],
        ),
        ops.CreateModel(
            name='Position',
            fields=[
                ('id', fields.UUIDField(primary_key=True, default=uuid4, unique=True, db_index=True)),
                ('tenant', fields.ForeignKeyField('kinerja.Tenant', source_field='tenant_id', db_constraint=True, to_field='id', related_name=False, on_delete=OnDelete.RESTRICT)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
                ('name', fields.CharField(max_length=200)),
                ('kind', fields.CharEnumField(description='JPT: JPT\nADMINISTRATOR: ADMINISTRATOR\nPENGAWAS: PENGAWAS\nPELAKSANA: PELAKSANA\nFUNGSIONAL: FUNGSIONAL', enum_type=PositionKind, max_length=20)),
            ],
            options={'table': 'position', 'app': 'kinerja', 'unique_together': (('tenant', 'name'),), 'pk_attr': 'id', 'table_description': 'A jabatan: JPT, administrator, pengawas, pelaksana or fungsional.'},
            bases=['TenantModel'],
        ),
        ops.CreateModel(
            name='Employee',
            fields=[
                ('id', fields.UUIDField(primary_key=True, default=uuid4, unique=True, db_index=True)),
                ('tenant', fields.ForeignKeyField('kinerja.Tenant', source_field='tenant_id', db_constraint=True, to_field='id', related_name=False, on_delete=OnDelete.RESTRICT)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
                ('nip', fields.CharField(max_length=18)),
                ('name', fields.CharField(max_length=200)),
                ('employment_type', fields.CharEnumField(description='PNS: PNS\nPPPK: PPPK', enum_type=EmploymentType, max_length=10)),
                ('org_unit', fields.ForeignKeyField('kinerja.OrgUnit', source_field='org_unit_id', db_constraint=True, to_field='id', related_name=False, on_delete=OnDelete.RESTRICT)),
                ('position', fields.ForeignKeyField('kinerja.Position', source_field='position_id', null=True, db_constraint=True, to_field='id', related_name=False, on_delete=OnDelete.RESTRICT)),
                ('supervisor', fields.ForeignKeyField('kinerja.Employee', source_field='supervisor_id', null=True, db_constraint=True, to_field='id', related_name=False, on_delete=OnDelete.SET_NULL)),
                ('active', fields.BooleanField(default=True)),
                ('updated_at', fields.DatetimeField(auto_now=True, auto_now_add=False)),
            ],
            options={'table': 'employee', 'app': 'kinerja', 'unique_together': (('tenant', 'nip'),), 'indexes': [Index(fields=['tenant_id', 'name', 'id']), Index(fields=['tenant_id', 'org_unit_id', 'name', 'id']), Index(fields=['tenant_id', 'supervisor_id'])], 'pk_attr': 'id', 'table_description': 'An ASN (PNS or PPPK) identified by an 18-digit NIP.'},
            bases=['TenantModel'],
        ),
        ops.CreateModel(
            name='Role',
            fields=[
                ('id', fields.UUIDField(primary_key=True, default=uuid4, unique=True, db_index=True)),
                ('tenant', fields.ForeignKeyField('kinerja.Tenant', source_field='tenant_id', db_constraint=True, to_field='id', related_name=False, on_delete=OnDelete.RESTRICT)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
                ('name', fields.CharField(max_length=64)),
                ('description', fields.CharField(default='', max_length=300)),
                ('built_in', fields.BooleanField(default=False)),
            ],
            options={'table': 'role', 'app': 'kinerja', 'unique_together': (('tenant', 'name'),), 'pk_attr': 'id', 'table_description': 'A named set of permissions inside one tenant (its grants are policy rules).'},
            bases=['TenantModel'],
        ),
        ops.CreateModel(
            name='User',
            fields=[
                ('id', fields.UUIDField(primary_key=True, default=uuid4, unique=True, db_index=True)),
                ('tenant', fields.ForeignKeyField('kinerja.Tenant', source_field='tenant_id', db_constraint=True, to_field='id', related_name=False, on_delete=OnDelete.RESTRICT)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
                ('username', fields.CharField(max_length=64)),
                ('password_hash', fields.CharField(max_length=200)),
                ('employee', fields.ForeignKeyField('kinerja.Employee', source_field='employee_id', null=True, db_constraint=True, to_field='id', related_name=False, on_delete=OnDelete.SET_NULL)),
                ('active', fields.BooleanField(default=True)),
            ],
            options={'table': 'app_user', 'app': 'kinerja', 'unique_together': (('tenant', 'username'),), 'pk_attr': 'id', 'table_description': 'A login of one tenant (platform operators are users of the platform tenant).'},
            bases=['TenantModel'],
        ),
        ops.CreateModel(
            name='RefreshToken',
            fields=[
                ('id', fields.UUIDField(primary_key=True, default=uuid4, unique=True, db_index=True)),
                ('tenant', fields.ForeignKeyField('kinerja.Tenant', source_field='tenant_id', db_constraint=True, to_field='id', related_name=False, on_delete=OnDelete.RESTRICT)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
                ('user', fields.ForeignKeyField('kinerja.User', source_field='user_id', db_constraint=True, to_field='id', related_name=False, on_delete=OnDelete.CASCADE)),
                ('secret_hash', fields.CharField(max_length=64)),
                ('family', fields.UUIDField()),
                ('expires_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ('revoked_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'refresh_token', 'app': 'kinerja', 'indexes': [Index(fields=['tenant_id', 'family'])], 'pk_attr': 'id', 'table_description': 'One link of a rotating refresh-token chain, keeping only the SHA-256 of the secret.'},
            bases=['TenantModel'],
        ),
    ]
