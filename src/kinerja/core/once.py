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


# PostgreSQL names a violated unique key in the detail, e.g. 'Key (tenant_id, name)=(...) already
# exists.'; SQLite in the message, e.g. 'UNIQUE constraint failed: role.tenant_id, role.name'. Only
# the column names are used: the values are what the client sent and are never echoed back.
_PG_KEY = re.compile(r"Key \(([^)]*)\)=")
_SQLITE_KEY = re.compile(r"UNIQUE constraint failed: (.*)$")
_NOT_NAMED = {"tenant_id", "id"}


def _camel(column: str) -> str:
    head, *rest = column.removesuffix("_id").split("_")
    return head + "".join(word.capitalize() for word in rest)


def _duplicate(match: re.Match | None) -> Conflict:
    columns = [c.strip().rsplit(".", 1)[-1] for c in match.group(1).split(",")] if match else []
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
            return _duplicate(_PG_KEY.search(exc.detail or ""))
        if isinstance(exc, asyncpg.ForeignKeyViolationError):
            return _gone()
        if isinstance(exc, sqlite3.IntegrityError):
            message = str(exc)
            if message.startswith("UNIQUE"):
                return _duplicate(_SQLITE_KEY.search(message))
            return _gone() if message.startswith("FOREIGN KEY") else None
        wrapped = exc.args[0] if exc.args and isinstance(exc.args[0], BaseException) else None
        exc = exc.__cause__ or wrapped or exc.__context__
    return None
