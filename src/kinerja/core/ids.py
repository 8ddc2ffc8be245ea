"""Opaque global ids (Relay): base64url of ``TypeName:uuid``."""

from __future__ import annotations

import base64
import binascii
import uuid
from typing import overload

from kinerja.core.errors import NotFound


def to_global_id(type_name: str, object_id: uuid.UUID | str) -> str:
    raw = f"{type_name}:{object_id}".encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def from_global_id(global_id: str) -> tuple[str, uuid.UUID]:
    """Decode a global id; anything malformed is simply an id that does not exist."""
    try:
        padded = global_id + "=" * (-len(global_id) % 4)
        type_name, _, raw_id = base64.urlsafe_b64decode(padded.encode()).decode().partition(":")
        return type_name, uuid.UUID(raw_id)
    except (ValueError, binascii.Error, UnicodeError, AttributeError):
        raise NotFound("No object with this id") from None


def parse_global_id(global_id: str, expected_type: str) -> uuid.UUID:
    type_name, object_id = from_global_id(global_id)
    if type_name != expected_type:
        raise NotFound(f"No {expected_type} with this id")
    return object_id


@overload
def parse_optional_id(global_id: str, expected_type: str, field: str) -> uuid.UUID: ...
@overload
def parse_optional_id(global_id: None, expected_type: str, field: str) -> None: ...
@overload
def parse_optional_id(global_id: str | None, expected_type: str, field: str) -> uuid.UUID | None: ...
def parse_optional_id(global_id: str | None, expected_type: str, field: str) -> uuid.UUID | None:
    """An input id of a mutation or filter: None stays None; a bad or foreign one is NOT_FOUND on ``field``."""
    if global_id is None:
        return None
    try:
        return parse_global_id(global_id, expected_type)
    except NotFound:
        raise NotFound(f"No {expected_type} with that id", field=field) from None


def uuid_of(value: object) -> uuid.UUID:
    """A UUID column that is never NULL, as read by raw SQL (``as_uuid`` without the None)."""
    return value if isinstance(value, uuid.UUID) else uuid.UUID(str(value))


def as_uuid(value: object) -> uuid.UUID | None:
    """A UUID column as read by raw SQL: native on PostgreSQL, text on SQLite."""
    if value is None or isinstance(value, uuid.UUID):
        return value
    return uuid.UUID(str(value))
