"""Where uploaded files (evidence, certificates) live: the local filesystem or an S3-compatible object
store, chosen by settings (``KINERJA_STORAGE``), so several app hosts can share one store.

Files are content-addressed per tenant: ``<tenant id>/<sha256[:2]>/<sha256>``. A file appears whole or
not at all: on disk it is written under a temporary name and renamed; an S3 PUT is atomic. A write
that fails (a full disk: ENOSPC) leaves nothing behind and answers SERVICE_UNAVAILABLE.

Inside an operation's transaction, ``store`` also takes care that a rolled-back operation leaves no
file behind: it holds a transaction-level advisory lock on the file's key (PostgreSQL), so a
concurrent operation storing the same content waits, and a file this operation created is deleted
before its transaction rolls back (``discard_uncommitted``), while the lock still keeps the others
out. A file that existed before is never deleted. When COMMIT itself fails, the outcome is unknown
and the file stays.
"""

from __future__ import annotations

import asyncio
import contextlib
import errno
import logging
import os
import shutil
import uuid
from collections.abc import Iterator
from contextvars import ContextVar
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

from kinerja.core.config import Settings
from kinerja.core.faults import StorageUnavailable

log = logging.getLogger("kinerja.storage")


class FileStorage(Protocol):
    async def put(self, key: str, content: bytes, content_type: str) -> bool:
        """Store ``content`` under ``key`` unless a file is there already; True when it created one."""

    async def read(self, key: str) -> bytes | None:
        """The file's content, None when there is none."""

    async def delete(self, key: str) -> None: ...

    async def readiness(self) -> str | None:
        """Why files cannot be stored now (None when they can)."""


def file_key(tenant_id: uuid.UUID, sha256: str) -> str:
    return f"{tenant_id}/{sha256[:2]}/{sha256}"


class LocalStorage:
    """A directory (``KINERJA_UPLOAD_DIR``); share it between hosts only through a network filesystem."""

    def __init__(self, root: str, min_free_bytes: int):
        self.root = Path(root)
        self.min_free_bytes = min_free_bytes

    def path(self, key: str) -> Path:
        return self.root / key

    def _put(self, key: str, content: bytes) -> bool:
        target = self.path(key)
        if target.exists():
            return False
        target.parent.mkdir(parents=True, exist_ok=True)
        partial = target.with_name(f".{target.name}.{uuid.uuid4().hex}.part")
        try:
            with open(partial, "wb") as out:
                out.write(content)
                out.flush()
                os.fsync(out.fileno())
            os.replace(partial, target)
        except BaseException:
            with contextlib.suppress(OSError):
                partial.unlink()
            raise
        return True

    async def put(self, key: str, content: bytes, content_type: str) -> bool:
        return await asyncio.to_thread(self._put, key, content)

    async def read(self, key: str) -> bytes | None:
        try:
            return await asyncio.to_thread(self.path(key).read_bytes)
        except FileNotFoundError:
            return None

    async def delete(self, key: str) -> None:
        with contextlib.suppress(FileNotFoundError):
            await asyncio.to_thread(self.path(key).unlink)

    def _readiness(self) -> str | None:
        try:
            self.root.mkdir(parents=True, exist_ok=True)
            free = shutil.disk_usage(self.root).free
        except OSError as exc:
            return f"upload directory unusable ({errno.errorcode.get(exc.errno or 0, type(exc).__name__)})"
        if not os.access(self.root, os.W_OK):
            return "upload directory not writable"
        if free < self.min_free_bytes:
            return f"upload storage full ({free} bytes free)"
        return None

    async def readiness(self) -> str | None:
        return await asyncio.to_thread(self._readiness)


class S3Storage:
    """An S3-compatible bucket (AWS S3, MinIO, Ceph RGW, ...), through boto3 in worker threads."""

    def __init__(self, bucket: str, *, prefix: str = "", endpoint_url: str | None = None, region: str | None = None,
                 timeout: float = 10.0):
        import boto3
        from botocore.config import Config

        self.bucket, self.prefix = bucket, prefix.strip("/")
        config = Config(connect_timeout=timeout, read_timeout=timeout, retries={"max_attempts": 2, "mode": "standard"},
                        # S3-compatible servers on their own host name expect the bucket in the path.
                        s3={"addressing_style": "path" if endpoint_url else "auto"})
        self.client = boto3.session.Session().client("s3", endpoint_url=endpoint_url or None,
                                                     region_name=region or None, config=config)

    def _key(self, key: str) -> str:
        return f"{self.prefix}/{key}" if self.prefix else key

    async def _call(self, method: str, **kwargs: Any) -> Any:
        from botocore.exceptions import BotoCoreError, ClientError

        try:
            return await asyncio.to_thread(getattr(self.client, method), Bucket=self.bucket, **kwargs)
        except ClientError as exc:
            status = exc.response.get("ResponseMetadata", {}).get("HTTPStatusCode", 0)
            if method in ("head_object", "get_object") and status == 404:
                return None
            raise StorageUnavailable(f"object storage refused {method}: {exc.response.get('Error', {}).get('Code')}") \
                from exc
        except BotoCoreError as exc:
            raise StorageUnavailable(f"object storage unreachable ({type(exc).__name__})") from exc

    async def put(self, key: str, content: bytes, content_type: str) -> bool:
        if await self._call("head_object", Key=self._key(key)) is not None:
            return False
        await self._call("put_object", Key=self._key(key), Body=content, ContentType=content_type)
        return True

    async def read(self, key: str) -> bytes | None:
        answer = await self._call("get_object", Key=self._key(key))
        if answer is None:
            return None
        return await asyncio.to_thread(answer["Body"].read)

    async def delete(self, key: str) -> None:
        await self._call("delete_object", Key=self._key(key))

    async def readiness(self) -> str | None:
        try:
            await self._call("head_bucket")
        except StorageUnavailable as exc:
            return str(exc)
        return None


_storages: dict[tuple[Any, ...], FileStorage] = {}


def storage_for(settings: Settings) -> FileStorage:
    """The storage the settings name (one instance per configuration and process)."""
    key: tuple[Any, ...]
    if settings.storage == "s3":
        key = ("s3", settings.s3_bucket, settings.s3_prefix, settings.s3_endpoint_url, settings.s3_region)
        if key not in _storages:
            _storages[key] = S3Storage(settings.s3_bucket, prefix=settings.s3_prefix,
                                       endpoint_url=settings.s3_endpoint_url, region=settings.s3_region)
    else:
        key = ("local", str(Path(settings.upload_dir).resolve()), settings.upload_min_free_bytes)
        if key not in _storages:
            _storages[key] = LocalStorage(settings.upload_dir, settings.upload_min_free_bytes)
    return _storages[key]


@dataclass
class _Created:
    files: list[tuple[FileStorage, str]] = field(default_factory=list)


# The files the current transaction created, to delete if it rolls back (set by tenant_transaction).
_created: ContextVar[_Created | None] = ContextVar("created_files", default=None)


@contextlib.contextmanager
def tracking_created_files() -> Iterator[None]:
    token = _created.set(_Created())
    try:
        yield
    finally:
        _created.reset(token)


async def store(settings: Settings, tenant_id: uuid.UUID, sha256: str, content: bytes, content_type: str) -> None:
    """Store a validated file of ``tenant_id`` inside the current transaction (see the module's
    docstring); raises what the storage raised (a full disk, an unreachable object store)."""
    from kinerja.core.db import connection, is_postgres

    key = file_key(tenant_id, sha256)
    if is_postgres():
        await connection().execute_query("SELECT pg_advisory_xact_lock(hashtextextended($1, 0))", [key])
    storage = storage_for(settings)
    if await storage.put(key, content, content_type):
        created = _created.get()
        if created is not None:
            created.files.append((storage, key))


async def discard_uncommitted() -> None:
    """Delete the files the current transaction created: it is about to roll back. Failing to delete
    one leaves it behind (logged), never hides why the transaction failed."""
    created = _created.get()
    if created is None:
        return
    files, created.files = created.files, []
    for storage, key in files:
        try:
            await storage.delete(key)
        except Exception as exc:  # noqa: BLE001 - an orphan file is harmless; the rollback must happen
            log.warning("could not delete %s after a rollback: %s: %s", key, type(exc).__name__, exc)


async def read(settings: Settings, tenant_id: uuid.UUID, sha256: str) -> bytes | None:
    return await storage_for(settings).read(file_key(tenant_id, sha256))
