"""The audit trail: the changes an operation makes are collected while it runs (by the model hooks in
``core/models.py`` and explicit calls for queryset-level writes) and stored with one multi-row
INSERT inside the operation's transaction, just before it commits, or earlier with the operation's
next statement (``ride``: on PostgreSQL, the read of a mutation's answer carries them). A
rolled-back operation leaves no entry, because the entries never outlive its transaction."""

from __future__ import annotations

import copy
import datetime as dt
import enum
import uuid
from collections.abc import Awaitable, Callable, Iterable
from contextvars import ContextVar
from decimal import Decimal
from typing import Any

import orjson
from tortoise.fields import JSONField
from tortoise.models import Model
from tortoise.queryset import QuerySet

from kinerja.core import clock, once
from kinerja.core.db import bound_tenant, connection, switch_tenant

REDACTED = "***"
# Never compared or stored as changes: the key, the owner and timestamps the ORM maintains.
_SKIPPED = {"id", "tenant_id", "created_at"}
_COLUMNS = ("id", "tenant_id", "occurred_at", "actor_user_id", "operation", "object_type", "object_id",
            "changes", "request_id", "ip")
_ROWS_PER_INSERT = 1000


class AuditCollector:
    """The changes of one GraphQL operation, merged per object, in the order they happened."""

    def __init__(self, operation: str, *, mutation: bool = True, actor_user_id: uuid.UUID | None = None,
                 request_id: str = "", ip: str = ""):
        self.operation = operation
        self.mutation = mutation
        self.operations: list[str] = []
        self.actor_user_id = actor_user_id
        self.request_id, self.ip = request_id, ip
        self.entries: dict[tuple[Any, ...], dict[str, Any]] = {}
        # Entries already written (``ride``); a later change of such an object is an entry of its own,
        # kept under ``continued``.
        self.stored: set[tuple[Any, ...]] = set()
        self.continued: dict[tuple[Any, ...], tuple[Any, ...]] = {}
        self.changes = 0  # how many changes were collected (a mutation that adds none changed nothing)
        self.client: str | None = None  # stored instead of the client's address (``conceal_client``)
        # Run after the operation's transaction committed (what observers publish in SQLite mode).
        self.after_commit: list[Callable[[], Awaitable[None] | None]] = []

    def begin(self, operation: str) -> None:
        """A mutation field starts: what follows is attributed to it."""
        self.operation = operation
        self.operations.append(operation)

    def add(self, tenant_id: uuid.UUID, object_type: str, object_id: Any, changes: dict[str, Any]) -> None:
        if not changes:
            return
        self.changes += 1
        base = (self.operation, object_type, object_id)
        key = self.continued.get(base, base)
        if key in self.stored:
            key = self.continued[base] = (*base, len(self.stored))
        entry = self.entries.get(key)
        if entry is None:
            self.entries[key] = {"tenant_id": tenant_id, "operation": self.operation,
                                 "object_type": object_type, "object_id": object_id, "changes": changes}
            return
        merged = entry["changes"]
        for name, change in changes.items():
            if name in merged:
                merged[name] = {"before": merged[name]["before"], "after": change["after"]}
            else:
                merged[name] = change

    def rows(self, *, unstored: bool = False) -> list[dict[str, Any]]:
        """Entries to store: one per changed object, plus one for each mutation that changed nothing;
        ``unstored``: only those not written yet."""
        rows = [entry for key, entry in self.entries.items() if not (unstored and key in self.stored)]
        touched = {entry["operation"] for entry in self.entries.values()}
        fallback = bound_tenant.get()
        for operation in dict.fromkeys(self.operations):
            if operation not in touched and fallback is not None:
                rows.append({"tenant_id": fallback, "operation": operation, "object_type": None,
                             "object_id": None, "changes": {}})
        return rows

    def values(self, row: dict[str, Any], occurred_at: dt.datetime, postgres: bool) -> list[Any]:
        """The columns of one entry's row (``_COLUMNS``)."""
        values = [uuid.uuid4(), row["tenant_id"], occurred_at, self.actor_user_id, row["operation"][:100],
                  row["object_type"], row["object_id"], orjson.dumps(row["changes"]).decode(),
                  self.request_id[:64], (self.client if self.client is not None else self.ip)[:64]]
        return values if postgres else [_sqlite(v) for v in values]


current: ContextVar[AuditCollector | None] = ContextVar("audit_collector", default=None)

# The one place state changes are observed: each observer sees the operation's collected entries (and
# the actor) just before they are stored, in the same transaction. The notifications area registers
# here to derive its inbox rows from the changes (a plan submitted, a ticket assigned ...).
Observer = Callable[[AuditCollector, list[dict[str, Any]], "uuid.UUID | None"], Awaitable[None]]
OBSERVERS: list[Observer] = []


def begin(operation: str) -> None:
    collector = current.get()
    if collector is not None:
        collector.begin(operation)


def changes_so_far() -> int:
    """How many changes the running operation has made (0 outside one)."""
    collector = current.get()
    return collector.changes if collector is not None else 0


def attribute_to(user_id: uuid.UUID) -> None:
    """Name the actor of an operation that had none when it started (a successful login)."""
    collector = current.get()
    if collector is not None:
        collector.actor_user_id = user_id


def conceal_client(client: str) -> None:
    """The running operation's entries keep ``client`` (a salted hash of the address, for an anonymous
    survey) instead of the client's IP address."""
    collector = current.get()
    if collector is not None:
        collector.client = client


def plain(value: Any) -> Any:
    """A value as JSON can hold it (decimals as strings, so no precision is lost)."""
    if isinstance(value, enum.Enum):
        return value.value
    if isinstance(value, (uuid.UUID, Decimal)):
        return str(value)
    if isinstance(value, (dt.datetime, dt.date, dt.time)):
        return value.isoformat()
    return value


class _ModelFields:
    """Which attributes of a model are audited, computed once per model class."""

    __slots__ = ("names", "json", "auto_now", "redact")

    def __init__(self, model: type[Model]):
        meta = model._meta
        self.names = [n for n in meta.fields_db_projection if n not in _SKIPPED]
        self.json = [n for n in self.names if isinstance(meta.fields_map.get(n), JSONField)]
        self.auto_now = {n for n in self.names if getattr(meta.fields_map.get(n), "auto_now", False)}
        self.redact = frozenset(getattr(model, "audit_redact", ()))


_FIELDS: dict[type, _ModelFields] = {}


def _fields(model: type[Model]) -> _ModelFields:
    found = _FIELDS.get(model)
    if found is None:
        found = _FIELDS[model] = _ModelFields(model)
    return found


def snapshot(instance: Model) -> dict[str, Any] | None:
    """The values of an instance as loaded or last saved, while an operation is collecting (JSON
    values copied in a mutation: they are mutable in place; queries rarely write)."""
    collector = current.get()
    if collector is None:
        return None
    values = instance.__dict__.copy()
    if collector.mutation:
        for name in _fields(type(instance)).json:
            values[name] = copy.deepcopy(values.get(name))
    return values


def _value(spec: _ModelFields, name: str, value: Any) -> Any:
    if value is not None and name in spec.redact:
        return REDACTED
    return plain(value)


def _created(spec: _ModelFields, values: dict[str, Any]) -> dict[str, Any]:
    return {n: {"before": None, "after": _value(spec, n, values.get(n))}
            for n in spec.names if values.get(n) is not None and n not in spec.auto_now}


def _deleted(spec: _ModelFields, values: dict[str, Any]) -> dict[str, Any]:
    return {n: {"before": _value(spec, n, values.get(n)), "after": None}
            for n in spec.names if values.get(n) is not None and n not in spec.auto_now}


def _updated(spec: _ModelFields, before: dict[str, Any], after: dict[str, Any], only: Iterable[str] | None) -> dict[str, Any]:
    if only is not None:
        wanted = set(only) | {f"{name}_id" for name in only}  # a relation saves its key column
        names = [n for n in spec.names if n in wanted]
    else:
        names = spec.names
    changes = {}
    for name in names:
        if name in spec.auto_now or name not in after:
            continue
        old, new = before.get(name), after.get(name)
        if old != new:
            changes[name] = {"before": _value(spec, name, old), "after": _value(spec, name, new)}
    return changes


def object_saved(instance: Model, tenant_id: uuid.UUID, loaded: dict[str, Any] | None,
                 update_fields: Iterable[str] | None) -> None:
    collector = current.get()
    if collector is None:
        return
    spec = _fields(type(instance))
    values = instance.__dict__
    changes = _created(spec, values) if loaded is None else _updated(spec, loaded, values, update_fields)
    collector.add(tenant_id, type(instance).__name__, instance.pk, changes)


def object_deleted(instance: Model, tenant_id: uuid.UUID, loaded: dict[str, Any] | None) -> None:
    collector = current.get()
    if collector is not None:
        spec = _fields(type(instance))
        collector.add(tenant_id, type(instance).__name__, instance.pk,
                      _deleted(spec, loaded if loaded is not None else instance.__dict__))


def objects_created(instances: Iterable[Model], tenant_of: Callable[[Any], uuid.UUID]) -> None:
    collector = current.get()
    if collector is None:
        return
    for instance in instances:
        spec = _fields(type(instance))
        collector.add(tenant_of(instance), type(instance).__name__, instance.pk,
                      _created(spec, instance.__dict__))


def object_written(model: type[Model], tenant_id: uuid.UUID, object_id: Any, before: dict[str, Any] | None,
                   after: dict[str, Any]) -> None:
    """A row written by a statement of its own (an upsert that bypasses the model hooks): its changes,
    recorded as the hooks record them (``before`` None: created). Values by column name."""
    collector = current.get()
    if collector is None:
        return
    spec = _fields(model)
    changes = _created(spec, after) if before is None else _updated(spec, before, after, None)
    collector.add(tenant_id, model.__name__, object_id, changes)


async def update(queryset: QuerySet[Any], **values: Any) -> int:
    """``queryset.update(**values)``, recording each row it changes. The rows are read and locked first
    (a queryset write bypasses the model hooks), and only those are written: a row that a concurrent
    request changes meanwhile is recorded exactly when this one changes it."""
    collector = current.get()
    if collector is None:
        return await queryset.update(**values)
    model = queryset.model
    rows = [row.__dict__ for row in await once.locked_all(queryset.order_by("id"))]
    if not rows:
        return 0
    count = await queryset.filter(id__in=[row["id"] for row in rows]).update(**values)
    spec = _fields(model)
    for row in rows:
        collector.add(row["tenant_id"], model.__name__, row["id"], _updated(spec, row, values, values))
    return count


async def delete(queryset: QuerySet[Any]) -> int:
    """``queryset.delete()``, recording each row it removes with its last values (read and locked
    first, as in ``update``)."""
    collector = current.get()
    if collector is None:
        return await queryset.delete()
    model = queryset.model
    rows = [row.__dict__ for row in await once.locked_all(queryset.order_by("id"))]
    if not rows:
        return 0
    count = await queryset.filter(id__in=[row["id"] for row in rows]).delete()
    spec = _fields(model)
    for row in rows:
        collector.add(row["tenant_id"], model.__name__, row["id"], _deleted(spec, row))
    return count


async def flush(collector: AuditCollector) -> None:
    """Store the collected entries not stored yet: one INSERT per tenant touched (one in all but
    provisioning). The observers see every entry of the operation."""
    rows = collector.rows()
    if not rows:
        return
    for observer in OBSERVERS:
        await observer(collector, rows, collector.actor_user_id)
    conn = connection()
    postgres = conn.capabilities.dialect == "postgres"
    occurred_at = clock.now()
    by_tenant: dict[uuid.UUID, list[list[Any]]] = {}
    for row in collector.rows(unstored=True):
        by_tenant.setdefault(row["tenant_id"], []).append(collector.values(row, occurred_at, postgres))
    bound = bound_tenant.get()
    for tenant_id, values in by_tenant.items():
        if postgres and tenant_id != bound:
            await switch_tenant(conn, tenant_id, rebind=True)
        for start in range(0, len(values), _ROWS_PER_INSERT):
            chunk = values[start:start + _ROWS_PER_INSERT]
            await conn.execute_query(_insert_sql(len(chunk), postgres), [v for row in chunk for v in row])
    if postgres and bound is not None and bound_tenant.get() != bound:
        await switch_tenant(conn, bound, rebind=True)


def ride(statement: str, params: list[Any]) -> tuple[str, list[Any]]:
    """``statement`` (PostgreSQL, run next in a mutation's transaction), made to store the entries
    collected so far as well, with a data-modifying CTE: one round trip fewer than an INSERT of their
    own at the end. Only entries of the bound tenant ride; ``flush`` stores the rest."""
    collector, tenant = current.get(), bound_tenant.get()
    if collector is None or not collector.mutation or tenant is None:
        return statement, params
    keys = [key for key, entry in collector.entries.items()
            if key not in collector.stored and entry["tenant_id"] == tenant]
    if not keys or len(keys) > _ROWS_PER_INSERT or connection().capabilities.dialect != "postgres":
        return statement, params
    occurred_at = clock.now()
    values = [v for key in keys for v in collector.values(collector.entries[key], occurred_at, True)]
    collector.stored.update(keys)
    insert = f"kinerja_audit AS ({_insert_sql(len(keys), True, first=len(params) + 1)})"
    recursive = "WITH RECURSIVE "
    if statement.startswith(recursive):
        return f"{recursive}{insert}, {statement[len(recursive):]}", [*params, *values]
    return f"WITH {insert} {statement}", [*params, *values]


def _sqlite(value: Any) -> Any:
    if isinstance(value, uuid.UUID):
        return str(value)
    if isinstance(value, dt.datetime):
        return value.isoformat(" ")
    return value


def _insert_sql(count: int, postgres: bool, first: int = 1) -> str:
    width = len(_COLUMNS)
    if postgres:
        groups = ("(" + ", ".join(f"${first + r * width + c}" for c in range(width)) + ")" for r in range(count))
    else:
        groups = ("(" + ", ".join("?" * width) + ")" for _ in range(count))
    return f"INSERT INTO audit_log ({', '.join(_COLUMNS)}) VALUES {', '.join(groups)}"  # noqa: S608 - fixed columns, values bound
