from __future__ import annotations

import uuid

from tortoise import fields

from kinerja.core.models import AuditedModel
from kinerja.tenancy.rules import TenantKind, TenantSettings


class Tenant(AuditedModel):
    """A local government (kabupaten/kota or a smaller unit), or the platform domain itself."""

    id = fields.UUIDField(primary_key=True, default=uuid.uuid4)
    slug = fields.CharField(max_length=63, unique=True)
    name = fields.CharField(max_length=200)
    kind = fields.CharEnumField(TenantKind, max_length=20)
    settings: dict = fields.JSONField(default=dict)
    # What the tenant file declared at its last `tenants apply` ({"settings": keys, "org_units": codes,
    # "positions": names}): the file owns it, the API the rest (tenancy/rules.py). Null: never applied.
    file_owned: dict | None = fields.JSONField(null=True)
    created_at = fields.DatetimeField(auto_now_add=True)
    updated_at = fields.DatetimeField(auto_now=True)

    class Meta:
        table = "tenant"

    def audit_tenant_id(self) -> uuid.UUID:
        return self.id


async def tenant_settings(tenant_id: uuid.UUID) -> TenantSettings:
    """The settings a tenant declared in its file (JP targets, IKM weighting, limits, ...)."""
    return TenantSettings.from_dict((await Tenant.get(id=tenant_id)).settings)
