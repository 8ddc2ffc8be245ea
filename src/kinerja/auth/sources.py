"""What the request context asks of access control: the actor's permissions and employee record."""

from __future__ import annotations

import uuid
from typing import Any

from kinerja.auth.enforcer import registry
from kinerja.auth.models import User
from kinerja.core.context import Actor


class AuthSources:
    async def permissions(self, actor: Actor) -> frozenset[str]:
        return (await registry.get(actor.tenant_id)).permissions_of(actor.user_id)

    def permissions_cached(self, actor: Actor) -> bool:
        return registry.loaded(actor.tenant_id)

    async def employee_id(self, actor: Actor) -> uuid.UUID | None:
        rows: list[Any] = await User.filter(id=actor.user_id, tenant_id=actor.tenant_id).values_list("employee_id", flat=True)
        return rows[0] if rows else None


sources = AuthSources()
