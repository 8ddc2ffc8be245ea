"""GraphQL of the audit trail: the auditLog query."""

from __future__ import annotations

import datetime as dt
import uuid

import strawberry
from strawberry.scalars import JSON
from strawberry.types import Info

from kinerja.graph.loaders import loader
from kinerja.graph.relay import Connection, connection_from_page
from kinerja.audit import service
from kinerja.auth.access_graphql import User
from kinerja.core.audit_models import AuditLog
from kinerja.core.errors import BadUserInput, NotFound
from kinerja.core.ids import from_global_id, parse_optional_id, to_global_id


@strawberry.type(description="One changed field: its value before and after, as JSON (null when the object "
                             "was created or deleted; secrets show as \"***\").")
class AuditChange:
    field: str
    before: JSON | None
    after: JSON | None


@strawberry.type(description="One change an operation made to one object, or an operation that changed nothing "
                             "(then objectType and objectId are null).")
class AuditEntry:
    id: strawberry.ID
    occurred_at: dt.datetime
    operation: str = strawberry.field(description="The GraphQL field that made the change, e.g. `updateRole`.")
    object_type: str | None = strawberry.field(description="The kind of object changed, e.g. `Employee`.")
    object_id: str | None = strawberry.field(description="The raw UUID of the object changed.")
    changes: list[AuditChange]
    request_id: str = strawberry.field(description="The X-Request-ID of the request, to find it in the logs.")
    ip: str
    _actor_id: strawberry.Private[uuid.UUID | None]

    @classmethod
    def from_model(cls, m: AuditLog) -> "AuditEntry":
        changes = [AuditChange(field=name, before=change.get("before"), after=change.get("after"))
                   for name, change in (m.changes or {}).items()]
        return cls(id=to_global_id("AuditEntry", m.id), occurred_at=m.occurred_at, operation=m.operation,
                   object_type=m.object_type, object_id=str(m.object_id) if m.object_id else None,
                   changes=changes, request_id=m.request_id, ip=m.ip, _actor_id=m.actor_user_id)

    @strawberry.field(description="Who acted: null for anonymous operations, failed logins and users no "
                                  "longer found in this tenant (e.g. a platform operator).")
    async def actor(self, info: Info) -> User | None:
        if self._actor_id is None:
            return None
        user = await loader(info.context, "audit_actor", service.users_by_id).load(self._actor_id)
        return User.from_model(user) if user else None


@strawberry.input
class AuditLogFilter:
    operation: str | None = strawberry.field(default=None, description="GraphQL field name, e.g. `recordRealisation`.")
    object_type: str | None = None
    object_id: strawberry.ID | None = strawberry.field(default=None, description="A global id or a raw UUID.")
    actor_id: strawberry.ID | None = strawberry.field(default=None, description="Global id of a User.")
    from_: dt.datetime | None = strawberry.field(default=None, name="from", description="Occurred at or after.")
    to: dt.datetime | None = strawberry.field(default=None, description="Occurred at or before.")

    def parse(self) -> service.AuditFilter:
        return service.AuditFilter(
            operation=self.operation, object_type=self.object_type, object_id=_object_id(self.object_id),
            actor_id=parse_optional_id(self.actor_id, "User", "actorId"),
            occurred_from=self.from_, occurred_to=self.to)


def _object_id(value: str | None) -> uuid.UUID | None:
    if value is None:
        return None
    try:
        return uuid.UUID(value)
    except ValueError:
        pass
    try:
        return from_global_id(value)[1]
    except NotFound:
        raise BadUserInput("objectId is neither a global id nor a UUID", field="objectId") from None


@strawberry.type
class AuditQuery:
    @strawberry.field(description="The tenant's audit trail, newest first (tenant admins: `audit:read:tenant`).")
    async def audit_log(self, info: Info, filter: AuditLogFilter | None = None, first: int | None = 20,
                        after: str | None = None) -> Connection[AuditEntry]:
        where = filter.parse() if filter else service.AuditFilter()
        page = await service.audit_log(info.context, where, first, after)
        return Connection[AuditEntry](**connection_from_page(page, AuditEntry.from_model))
