"""Base classes for the models of every area."""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from typing import Any, ClassVar, Self

from tortoise import fields
from tortoise.backends.base.client import BaseDBAsyncClient
from tortoise.models import Model
from tortoise.queryset import BulkCreateQuery

from kinerja.core import audit


class AuditedModel(Model):
    """A model whose saves, deletes and bulk inserts enter the audit trail of the running operation.

    The values loaded from the database are remembered, so an update records the before and after
    of the fields that changed without reading the row again."""

    # Fields whose values never enter the audit trail (shown as ***).
    audit_redact: ClassVar[frozenset[str]] = frozenset()

    class Meta:
        abstract = True

    def audit_tenant_id(self) -> uuid.UUID:
        """The tenant whose audit trail records this row's changes."""
        raise NotImplementedError

    @classmethod
    def _init_from_db(cls, **kwargs: Any) -> Self:
        self = super()._init_from_db(**kwargs)
        object.__setattr__(self, "_audit_loaded", audit.snapshot(self))
        return self

    async def save(self, using_db: BaseDBAsyncClient | None = None, update_fields: Iterable[str] | None = None,
                   force_create: bool = False, force_update: bool = False) -> None:
        loaded = self.__dict__.get("_audit_loaded")
        created = force_create or not self._saved_in_db
        await super().save(using_db, update_fields, force_create, force_update)
        audit.object_saved(self, self.audit_tenant_id(), None if created else (loaded or {}), update_fields)
        object.__setattr__(self, "_audit_loaded", audit.snapshot(self))

    async def delete(self, using_db: BaseDBAsyncClient | None = None) -> None:
        await super().delete(using_db)
        audit.object_deleted(self, self.audit_tenant_id(), self.__dict__.get("_audit_loaded"))

    @classmethod
    def bulk_create(cls, objects: Iterable[Self], *args: Any, **kwargs: Any) -> BulkCreateQuery[Self]:
        objects = list(objects)
        audit.objects_created(objects, cls.audit_tenant_id)
        return super().bulk_create(objects, *args, **kwargs)


class TenantModel(AuditedModel):
    """A row owned by one tenant: RLS and composite tenant foreign keys protect it (see
    migrations/security.py); services always filter on ``tenant_id`` as well."""

    id = fields.UUIDField(primary_key=True, default=uuid.uuid4)
    tenant: fields.ForeignKeyRelation[Model] = fields.ForeignKeyField("kinerja.Tenant", related_name=False, on_delete=fields.RESTRICT)
    tenant_id: uuid.UUID
    created_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        abstract = True

    def audit_tenant_id(self) -> uuid.UUID:
        return self.tenant_id
