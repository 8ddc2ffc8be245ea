"""Exactly-once state changes: the one mechanism every mutation uses to serialise its writes in the
database, so that N identical concurrent requests make one change (one audit entry, one event) and
the others answer CONFLICT saying what happened.

A mutation reads the state it is about to change, or checks before it writes, through one of these,
inside the operation's transaction:
- ``locked(query)``: the subject row, read with ``SELECT ... FOR NO KEY UPDATE OF <its table>``. A
  concurrent request changing the same subject waits here until the first one commits, then reads
  the committed state (PostgreSQL re-reads a row it waited for, and every later statement of a READ
  COMMITTED transaction sees what committed before it), so its checks see what a serial order would.
  NO KEY UPDATE, not UPDATE: rows of other tables may still be inserted with a foreign key to the
  locked row meanwhile.
- ``lock_key(*parts)``: a transaction-scoped advisory lock on a value that has no row to lock (yet):
  a username's login attempts, a refresh-token family, the natural key of a row about to be created.
- a constraint (unique key, composite foreign key): its violation is CONFLICT, never INTERNAL
  (``conflict_from``, used where errors are mapped).
All locks are released when the operation's transaction commits or rolls back.

SQLite (the embedded mode) runs in one process on one connection, and tortoise holds that
connection's lock from BEGIN to COMMIT: transactions run one after another, so the same code is
serial there without row locks (``locked`` is a plain read, ``lock_key`` does nothing).
"""

from __future__ import annotations

import re
from typing import TypeVar

from tortoise.models import Model
from tortoise.queryset import QuerySet

from kinerja.core.db import connection
from kinerja.core.errors import Conflict

M = TypeVar("M", bound=Model)


def _postgres() -> bool:
    return connection().capabilities.dialect == "postgres"


def _for_update(query: QuerySet[M]) -> QuerySet[M]:
    return query.select_for_update(no_key=True, of=(query.model._meta.db_table,))


async def locked(query: QuerySet[M]) -> M | None:
    """The first row of ``query``, locked until the operation's transaction ends (None without one)."""
    return await _for_update(query).first()


async def locked_all(query: QuerySet[M]) -> list[M]:
    """Every row of ``query``, locked until the operation's transaction ends (order the query by its
    key, so two transactions locking overlapping sets take the locks in the same order)."""
    return await _for_update(query)


async def lock_key(*parts: object) -> None:
    """Serialise on a value: one transaction at a time holds it, until it commits or rolls back."""
    if not _postgres():
        return
    key = "\x1f".join(str(p) for p in parts)
    await connection().execute_query("SELECT pg_advisory_xact_lock(hashtextextended($1, 0))", [key])


# SQLite names a violated unique key's columns in its message, e.g. 'UNIQUE constraint failed:
# role.tenant_id, role.name'; PostgreSQL names the table (and, on tables with row-level security,
# withholds the key), so there the model's one unique key is named. Only names are given: the
# values are what the client sent and are never echoed back.
_SQLITE_KEY = re.compile(r"UNIQUE constraint failed: (.*)$")
_NOT_NAMED = {"tenant", "tenant_id", "id"}


def _camel(column: str) -> str:
    head, *rest = column.removesuffix("_id").split("_")
    return head + "".join(word.capitalize() for word in rest)


def _unique_key_of(table: str | None) -> list[str]:
    """The fields of the table's one unique key besides the tenant (none when it has several)."""
    from tortoise import Tortoise

    for app in Tortoise.apps.values():
        for model in app.values():
            if model._meta.db_table == table:
                keys = [list(group) for group in model._meta.unique_together]
                keys += [[name] for name, field in model._meta.fields_map.items() if field.unique and not field.pk]
                return keys[0] if len(keys) == 1 else []
    return []


def _duplicate(columns: list[str]) -> Conflict:
    named = [_camel(c) for c in columns if c not in _NOT_NAMED]
    which = ", ".join(named) if named else "key"
    return Conflict(f"Another record with the same {which} already exists (a concurrent request may have just "
                    "created it)", field=named[0] if len(named) == 1 else None)


def _gone() -> Conflict:
    return Conflict("A record this refers to was changed or removed by another request, or is still in use; "
                    "reload and try again")


def conflict_from(exc: BaseException | None) -> Conflict | None:
    """A concurrent request won the race to a unique key, or removed or still uses a row this one
    refers to: CONFLICT, with the fields named (never their values). None for anything else."""
    import sqlite3

    import asyncpg

    for _ in range(5):  # the error itself, or what it wraps
        if exc is None:
            return None
        if isinstance(exc, (asyncpg.UniqueViolationError, asyncpg.ExclusionViolationError)):
            return _duplicate(_unique_key_of(exc.table_name))
        if isinstance(exc, asyncpg.ForeignKeyViolationError):
            return _gone()
        if isinstance(exc, sqlite3.IntegrityError):
            message = str(exc)
            if message.startswith("UNIQUE"):
                match = _SQLITE_KEY.search(message)
                return _duplicate([c.strip().rsplit(".", 1)[-1] for c in match.group(1).split(",")] if match else [])
            return _gone() if message.startswith("FOREIGN KEY") else None
        wrapped = exc.args[0] if exc.args and isinstance(exc.args[0], BaseException) else None
        exc = exc.__cause__ or wrapped or exc.__context__
    return None
