"""Reading the audit trail: tenant admins only (``audit:read:tenant``), newest first."""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass

from kinerja.auth.models import User
from kinerja.core.audit_models import AuditLog
from kinerja.core.batch import by_ids
from kinerja.core.context import RequestContext
from kinerja.core.pagination import Page, paginate


@dataclass(frozen=True)
class AuditFilter:
    operation: str | None = None
    object_type: str | None = None
    object_id: uuid.UUID | None = None
    actor_id: uuid.UUID | None = None
    occurred_from: dt.datetime | None = None
    occurred_to: dt.datetime | None = None


async def audit_log(ctx: RequestContext, where: AuditFilter, first: int | None, after: str | None) -> Page[AuditLog]:
    await ctx.require("audit", "read")
    query = AuditLog.filter(tenant_id=ctx.require_tenant())
    if where.operation:
        query = query.filter(operation=where.operation)
    if where.object_type:
        query = query.filter(object_type=where.object_type)
    if where.object_id:
        query = query.filter(object_id=where.object_id)
    if where.actor_id:
        query = query.filter(actor_user_id=where.actor_id)
    if where.occurred_from:
        query = query.filter(occurred_at__gte=where.occurred_from)
    if where.occurred_to:
        query = query.filter(occurred_at__lte=where.occurred_to)
    return await paginate(query, ["-occurred_at", "-id"], first, after)


async def users_by_id(tenant_id: uuid.UUID, ids: list[uuid.UUID]) -> list[User | None]:
    return await by_ids(User, tenant_id, ids)
