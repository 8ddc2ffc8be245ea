"""Base classes for the models of every area."""

from __future__ import annotations

import uuid

from tortoise import fields
from tortoise.models import Model


class TenantModel(Model):
    """A row owned by one tenant: RLS and composite tenant foreign keys protect it (see
    migrations/security.py); services always filter on ``tenant_id`` as well."""

    id = fields.UUIDField(primary_key=True, default=uuid.uuid4)
    tenant = fields.ForeignKeyField("kinerja.Tenant", related_name=False, on_delete=fields.RESTRICT)
    created_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        abstract = True
