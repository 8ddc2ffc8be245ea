"""GraphQL of the audit trail: the auditLog query."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Annotated

import strawberry
from strawberry.scalars import JSON

from kinerja.auth.access_graphql import User
from kinerja.core.audit_models import AuditLog
from kinerja.core.errors import BadUserInput, NotFound
from kinerja.core.ids import from_global_id, parse_optional_id
from kinerja.graph import sql
from kinerja.graph.relay import After, Connection, First

READ_AUDIT = sql.requires("audit", "read")


@sql.table(source=sql.Dialects(pg="jsonb_each({p}.changes) WITH ORDINALITY AS {t}(key, value, ord)",
                               sqlite="json_each({p}.changes) AS {t}"),
           order=(sql.Dialects(pg="{t}.ord", sqlite="{t}.id"),),
           description="One changed field: its value before and after, as JSON (null when the object "
                       "was created or deleted; secrets show as \"***\").")
class AuditChange:
    field: str = sql.expression("{t}.key", description="The changed field, as the database names it.")
    before: JSON | None = sql.expression(sql.Dialects(pg="{t}.value -> 'before'", sqlite="{t}.value -> '$.before'"),
                                         description="Its value before (null when created).")
    after: JSON | None = sql.expression(sql.Dialects(pg="{t}.value -> 'after'", sqlite="{t}.value -> '$.after'"),
                                        description="Its value after (null when deleted).")


@sql.table(AuditLog, access=READ_AUDIT,
           description="One change an operation made to one object, or an operation that changed nothing "
                       "(then objectType and objectId are null).")
class AuditEntry:
    id: strawberry.ID = strawberry.field(description="Global id of the entry.")
    occurred_at: dt.datetime = strawberry.field(description="When the operation committed it.")
    operation: str = strawberry.field(description="The GraphQL field that made the change, e.g. `updateRole`.")
    object_type: str | None = strawberry.field(description="The kind of object changed, e.g. `Employee`.")
    object_id: str | None = strawberry.field(description="The raw UUID of the object changed.")
    changes: list[AuditChange] = sql.rows(description="The fields changed, in the order they were written.")
    request_id: str = strawberry.field(description="The X-Request-ID of the request, to find it in the logs.")
    ip: str = strawberry.field(description="The client IP the request came from.")
    actor: User | None = sql.join(
        "actor_user_id", description="Who acted: null for anonymous operations, failed logins and users no "
                                     "longer found in this tenant (e.g. a platform operator).")


@strawberry.input(description="Which entries of the audit trail (jejak audit) to list; all conditions apply.")
class AuditLogFilter:
    operation: str | None = strawberry.field(default=None, description="GraphQL field name, e.g. `recordRealisation`.")
    object_type: str | None = strawberry.field(default=None, description="Kind of object, e.g. `Employee`.")
    object_id: strawberry.ID | None = strawberry.field(default=None, description="A global id or a raw UUID.")
    actor_id: strawberry.ID | None = strawberry.field(default=None, description="Global id of a User.")
    from_: dt.datetime | None = strawberry.field(default=None, name="from", description="Occurred at or after.")
    to: dt.datetime | None = strawberry.field(default=None, description="Occurred at or before.")

    def conditions(self) -> tuple[sql.Cond, ...]:
        object_id = _object_id(self.object_id)
        actor_id = parse_optional_id(self.actor_id, "User", "actorId")
        where = []
        if self.operation:
            where.append(sql.eq("operation", self.operation))
        if self.object_type:
            where.append(sql.eq("object_type", self.object_type))
        if object_id:
            where.append(sql.eq("object_id", object_id))
        if actor_id:
            where.append(sql.eq("actor_user_id", actor_id))
        if self.from_:
            where.append(sql.gte("occurred_at", self.from_))
        if self.to:
            where.append(sql.lte("occurred_at", self.to))
        return tuple(where)


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
    @sql.builder(description="The tenant's audit trail, newest first (tenant admins: `audit:read:tenant`).")
    def audit_log(self, filter: Annotated[AuditLogFilter | None, strawberry.argument(
                      description="Which entries.")] = None, first: First = 20,
                  after: After = None) -> Connection[AuditEntry]:
        where = filter.conditions() if filter else ()
        return sql.Page(first=first, after=after, where=where, order=("-occurred_at", "-id"), access=True)  # type: ignore[return-value]  # a described read: the compiler answers its specification
