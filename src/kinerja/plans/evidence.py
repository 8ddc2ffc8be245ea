"""Evidence files (bukti dukung): checked for size and type, stored on local disk by SHA-256."""

from __future__ import annotations

import base64
import binascii
import hashlib
import uuid
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlparse

from kinerja.core.errors import FieldError
from kinerja.core.ids import to_global_id

MAX_FILE_BYTES = 5 * 1024 * 1024
MAX_FILES = 10
ALLOWED_TYPES = {
    "application/pdf": (b"%PDF",),
    "image/png": (b"\x89PNG\r\n\x1a\n",),
    "image/jpeg": (b"\xff\xd8\xff",),
    # Office Open XML documents are zip files.
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document": (b"PK\x03\x04",),
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": (b"PK\x03\x04",),
}


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


def parse_file(file_name: str, content_type: str, content_base64: str, index: int) -> tuple[EvidenceFile | None, FieldError | None]:
    field = f"evidence[{index}]"
    if len(content_base64) > (MAX_FILE_BYTES * 4) // 3 + 8:
        return None, FieldError(field, "BAD_USER_INPUT", f"File is larger than {MAX_FILE_BYTES // (1024 * 1024)} MB")
    try:
        content = base64.b64decode(content_base64, validate=True)
    except (binascii.Error, ValueError):
        return None, FieldError(field, "BAD_USER_INPUT", "contentBase64 is not valid base64")
    if not content or len(content) > MAX_FILE_BYTES:
        return None, FieldError(field, "BAD_USER_INPUT", f"File must be 1 byte to {MAX_FILE_BYTES // (1024 * 1024)} MB")
    signatures = ALLOWED_TYPES.get(content_type)
    if signatures is None:
        return None, FieldError(field, "BAD_USER_INPUT", "Allowed file types: PDF, PNG, JPEG, DOCX, XLSX")
    if not content.startswith(signatures):
        return None, FieldError(field, "BAD_USER_INPUT", f"The file content is not {content_type}")
    name = Path(file_name.replace("\\", "/")).name.strip()[:255]
    if not name:
        return None, FieldError(field, "BAD_USER_INPUT", "fileName is required")
    return EvidenceFile(name, content_type, content), None


def store(upload_dir: str, tenant_id: uuid.UUID, evidence: EvidenceFile) -> None:
    """Content-addressed, per tenant: the same file stored twice is one file."""
    folder = Path(upload_dir) / str(tenant_id) / evidence.sha256[:2]
    folder.mkdir(parents=True, exist_ok=True)
    target = folder / evidence.sha256
    if not target.exists():
        partial = target.with_suffix(".part")
        partial.write_bytes(evidence.content)
        partial.replace(target)


def stored_path(upload_dir: str, tenant_id: uuid.UUID, sha256: str) -> Path:
    return Path(upload_dir) / str(tenant_id) / sha256[:2] / sha256
