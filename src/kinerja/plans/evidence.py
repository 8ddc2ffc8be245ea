"""Evidence files (bukti dukung) and certificates: checked for size, name and content
(``core/filecheck.py``), then stored by SHA-256 in the configured file storage (``core/storage.py``)."""

from __future__ import annotations

import base64
import binascii
import hashlib
import unicodedata
import uuid
from dataclasses import dataclass
from pathlib import PurePosixPath
from urllib.parse import urlparse

from kinerja.core import storage
from kinerja.core.config import Settings
from kinerja.core.errors import FieldError
from kinerja.core.filecheck import ALLOWED_TYPES, content_problem
from kinerja.core.ids import to_global_id

MAX_FILE_BYTES = 5 * 1024 * 1024
MAX_FILES = 10
MAX_NAME_LENGTH = 255


def download_path(evidence_id, sha256: str | None) -> str | None:
    """Where a stored file is downloaded (GET with the same token); a link has none."""
    return f"/evidence/{to_global_id('Evidence', evidence_id)}" if sha256 else None


@dataclass(frozen=True)
class EvidenceFile:
    file_name: str
    content_type: str
    content: bytes

    @property
    def sha256(self) -> str:
        return hashlib.sha256(self.content).hexdigest()


def parse_link(url: str, index: int) -> tuple[str | None, FieldError | None]:
    parsed = urlparse(url.strip())
    if parsed.scheme not in ("http", "https") or not parsed.netloc or len(url) > 2000:
        return None, FieldError(f"evidence[{index}].url", "BAD_USER_INPUT", "Evidence links must be http(s) URLs")
    return url.strip(), None


def plain_name(file_name: str) -> str:
    """The file name without the folders some clients send along."""
    return PurePosixPath(file_name.replace("\\", "/")).name.strip()


def name_problem(name: str) -> str | None:
    """A file name is shown to others and offered on download: printable text only (no control
    characters, no invisible ones such as a right-to-left override disguising ``exe.pdf``)."""
    if not name or name in (".", "..") or len(name) > MAX_NAME_LENGTH:
        return f"fileName must have 1 to {MAX_NAME_LENGTH} characters"
    if any(unicodedata.category(c) in ("Cc", "Cf", "Cs", "Co", "Cn", "Zl", "Zp") for c in name):
        return "fileName must not contain control or invisible characters"
    return None


def parse_file(file_name: str, content_type: str, content_base64: str, index: int,
               field: str | None = None) -> tuple[EvidenceFile | None, FieldError | None]:
    """Everything about an uploaded file is checked here, before anything is stored. CPU-bound
    (decoding, parsing): run it in a worker thread."""
    field = field or f"evidence[{index}]"
    if len(content_base64) > (MAX_FILE_BYTES * 4) // 3 + 8:
        return None, FieldError(field, "BAD_USER_INPUT", f"File is larger than {MAX_FILE_BYTES // (1024 * 1024)} MB")
    try:
        content = base64.b64decode(content_base64, validate=True)
    except (binascii.Error, ValueError):
        return None, FieldError(field, "BAD_USER_INPUT", "contentBase64 is not valid base64")
    if not content or len(content) > MAX_FILE_BYTES:
        return None, FieldError(field, "BAD_USER_INPUT", f"File must be 1 byte to {MAX_FILE_BYTES // (1024 * 1024)} MB")
    if content_type not in ALLOWED_TYPES:
        return None, FieldError(field, "BAD_USER_INPUT", "Allowed file types: PDF, PNG, JPEG, DOCX, XLSX")
    name = plain_name(file_name)
    if problem := name_problem(name):
        return None, FieldError(field, "BAD_USER_INPUT", problem)
    if problem := content_problem(content, content_type):
        return None, FieldError(field, "BAD_USER_INPUT", problem)
    return EvidenceFile(name, content_type, content), None


async def store(settings: Settings, tenant_id: uuid.UUID, evidence: EvidenceFile) -> None:
    """Content-addressed, per tenant: the same file stored twice is one file. Call it inside the
    operation's transaction, after its rows are written."""
    await storage.store(settings, tenant_id, evidence.sha256, evidence.content, evidence.content_type)


async def read(settings: Settings, tenant_id: uuid.UUID, sha256: str) -> bytes | None:
    return await storage.read(settings, tenant_id, sha256)
