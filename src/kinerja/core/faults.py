"""Faults of the infrastructure under a request, told apart from bugs: which ones a client should retry
(SERVICE_UNAVAILABLE), which mean the operation ran out of time (TIMEOUT), and which leave a pooled
database connection unusable. Used where errors are mapped (graph/errors.py, the HTTP endpoints) and
by the connection pool (core/pgclient.py), so every transport answers a fault the same way.

Readiness (``/readyz``) also reads the faults requests saw recently: a database whose disk is full
still answers ``SELECT 1``, so only a failed write tells."""

from __future__ import annotations

import enum
import errno
import socket
import sqlite3
import time
from dataclasses import dataclass

import asyncpg
from tortoise.exceptions import DBConnectionError


class Fault(enum.Enum):
    UNREACHABLE = "database unreachable"
    BUSY = "database connection broken"
    READ_ONLY = "database read-only"
    DISK_FULL = "database disk full"
    OVERLOADED = "database out of resources"
    STORAGE_FULL = "file storage full"
    STORAGE_UNAVAILABLE = "file storage unavailable"
    TIMEOUT = "time limit reached"

    @property
    def code(self) -> str:
        return "TIMEOUT" if self is Fault.TIMEOUT else "SERVICE_UNAVAILABLE"

    @property
    def message(self) -> str:
        if self in (Fault.STORAGE_FULL, Fault.STORAGE_UNAVAILABLE):
            return "File storage unavailable, retry shortly"
        return "Database unavailable, retry shortly"


class StorageUnavailable(Exception):
    """The file storage (an object store) cannot be reached or refused a request of ours."""


_UNREACHABLE_ERRNOS = {errno.ECONNREFUSED, errno.ECONNRESET, errno.ECONNABORTED, errno.EHOSTUNREACH,
                       errno.ENETUNREACH, errno.ETIMEDOUT, errno.EPIPE}
_FULL_ERRNOS = {errno.ENOSPC, errno.EDQUOT, errno.EFBIG}
# asyncpg's words for a connection whose protocol state is unusable: it received a termination notice
# between two statements, or its previous operation never finished.
_BROKEN_SIGNS = ("connection is closed", "released back to the pool", "pool is closing",
                 "another operation", "cannot switch to state", "cancelling")
# What SQLite says when its file cannot be written (sqlite3 gives no error code on Python 3.11).
_SQLITE_SIGNS = {"database or disk is full": Fault.DISK_FULL,
                 "attempt to write a readonly database": Fault.READ_ONLY,
                 "database is locked": Fault.BUSY}


def _own(exc: BaseException) -> Fault | None:
    if isinstance(exc, asyncpg.QueryCanceledError):
        # statement_timeout (or a cancelled request): the operation ran out of its time.
        return Fault.TIMEOUT
    if isinstance(exc, asyncpg.ReadOnlySQLTransactionError):
        return Fault.READ_ONLY  # default_transaction_read_only, or a hot standby
    if isinstance(exc, asyncpg.DiskFullError):
        return Fault.DISK_FULL
    if isinstance(exc, (asyncpg.OutOfMemoryError, asyncpg.TooManyConnectionsError)):
        return Fault.OVERLOADED
    if isinstance(exc, StorageUnavailable):
        return Fault.STORAGE_UNAVAILABLE
    if isinstance(exc, (asyncpg.PostgresConnectionError, asyncpg.CannotConnectNowError,
                        asyncpg.AdminShutdownError, asyncpg.CrashShutdownError, DBConnectionError,
                        ConnectionError, socket.gaierror, TimeoutError)):
        return Fault.UNREACHABLE
    if isinstance(exc, (asyncpg.InterfaceError, asyncpg.InternalClientError)) and any(
            sign in str(exc) for sign in _BROKEN_SIGNS):
        return Fault.BUSY
    if isinstance(exc, sqlite3.OperationalError):
        text = str(exc).lower()
        return next((fault for sign, fault in _SQLITE_SIGNS.items() if sign in text), None)
    if isinstance(exc, OSError):
        if exc.errno in _UNREACHABLE_ERRNOS or str(exc).startswith(("Connect call failed", "Multiple exceptions")):
            return Fault.UNREACHABLE
        if exc.errno in _FULL_ERRNOS:
            return Fault.STORAGE_FULL
        if exc.errno == errno.EROFS:
            return Fault.STORAGE_UNAVAILABLE
    return None


def classify(exc: BaseException | None) -> Fault | None:
    """The fault ``exc`` (or what caused it) stands for; None for anything else (a bug, bad input)."""
    for _ in range(10):
        if exc is None:
            return None
        fault = _own(exc)
        if fault is not None:
            return fault
        exc = exc.__cause__ or exc.__context__
    return None


def breaks_connection(exc: BaseException | None) -> bool:
    """Whether the connection that raised ``exc`` must be discarded rather than pooled again."""
    return classify(exc) in (Fault.UNREACHABLE, Fault.BUSY)


@dataclass
class _Sighting:
    at: float
    count: int = 0


_seen: dict[Fault, _Sighting] = {}
REMEMBER_SECONDS = 15.0


def record(fault: Fault) -> None:
    """Remember a fault a request met (per process), for readiness."""
    sighting = _seen.setdefault(fault, _Sighting(0.0))
    sighting.at, sighting.count = time.monotonic(), sighting.count + 1


def seen_recently(fault: Fault, seconds: float = REMEMBER_SECONDS) -> float | None:
    """Seconds since a request last met ``fault``, if within ``seconds``."""
    sighting = _seen.get(fault)
    if sighting is None:
        return None
    age = time.monotonic() - sighting.at
    return age if age <= seconds else None


def forget(fault: Fault) -> None:
    _seen.pop(fault, None)
