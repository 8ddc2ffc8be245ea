"""The audit trail table."""

from __future__ import annotations

import uuid
from typing import Any

from tortoise import fields
from tortoise.models import Model


class AuditLog(Model):
    """One change an operation made to one object, or the operation alone when it changed nothing. Append-only: the application role may only insert and read."""

    id = fields.UUIDField(primary_key=True, default=uuid.uuid4)
    tenant: fields.ForeignKeyRelation[Model] = fields.ForeignKeyField("kinerja.Tenant", related_name=False, on_delete=fields.RESTRICT)
    tenant_id: uuid.UUID
    occurred_at = fields.DatetimeField()
    # A plain column, not a foreign key: the entry outlives changes to the user, and a platform
    # operator acting in a new tenant is a user of another tenant.
    actor_user_id = fields.UUIDField(null=True)
    operation = fields.CharField(max_length=100)
    object_type = fields.CharField(max_length=64, null=True)
    object_id = fields.UUIDField(null=True)
    changes: dict[str, Any] = fields.JSONField(default=dict)
    request_id = fields.CharField(max_length=64, default="")
    ip = fields.CharField(max_length=64, default="")

    class Meta:
        table = "audit_log"
        indexes = (
            ("tenant_id", "occurred_at", "id"),
            ("tenant_id", "object_id"),
            ("tenant_id", "actor_user_id", "occurred_at"),
            ("tenant_id", "operation", "occurred_at"),
        )
