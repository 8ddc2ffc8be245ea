"""Keyset (cursor) pagination: no OFFSET, stable under concurrent inserts."""

from __future__ import annotations

import base64
import binascii
import datetime as dt
import uuid
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

import orjson
from tortoise.expressions import Q
from tortoise.fields import DatetimeField
from tortoise.models import Model
from tortoise.queryset import QuerySet

from kinerja.core.errors import BadUserInput

MAX_PAGE_SIZE = 100
DEFAULT_PAGE_SIZE = 20

T = TypeVar("T")
M = TypeVar("M", bound=Model)


@dataclass(frozen=True)
class Page(Generic[T]):
    items: list[T]
    cursors: list[str]
    has_next_page: bool
    has_previous_page: bool
    total_count_query: QuerySet[Any] | None = None


def encode_cursor(values: list[Any]) -> str:
    return base64.urlsafe_b64encode(orjson.dumps(values)).decode().rstrip("=")


def decode_cursor(cursor: str, width: int, *, id_last: bool = False) -> list[Any]:
    """The key values of a cursor; ``id_last``: the last one is a UUID primary key."""
    try:
        values = orjson.loads(base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)))
    except (ValueError, binascii.Error, orjson.JSONDecodeError):
        raise BadUserInput("Invalid cursor", field="after") from None
    if not isinstance(values, list) or len(values) != width:
        raise BadUserInput("Invalid cursor", field="after")
    if id_last:
        try:
            values[-1] = uuid.UUID(str(values[-1]))
        except ValueError:
            raise BadUserInput("Invalid cursor", field="after") from None
    return values


def page_size(first: int | None) -> int:
    if first is None:
        return DEFAULT_PAGE_SIZE
    if first < 0:
        raise BadUserInput("first must not be negative", field="first")
    return min(first, MAX_PAGE_SIZE)


def _after(order: list[str], values: list[Any]) -> Q:
    """Rows after the cursor, for keys ascending or descending ("-year"): (a, b, id) > (va, vb, vid)
    spelled out so every backend and index can use it."""
    condition: Q | None = None
    for depth in range(len(order) - 1, -1, -1):
        key, value = order[depth], values[depth]
        name, op = (key[1:], "lt") if key.startswith("-") else (key, "gt")
        strict = Q(**{f"{name}__{op}": value})
        condition = strict if condition is None else strict | (Q(**{name: value}) & condition)
    if condition is None:
        raise ValueError("a keyset needs at least one ordering column")
    return condition


async def paginate(
    queryset: QuerySet[M], order: list[str], first: int | None, after: str | None
) -> Page[M]:
    """Fetch one page ordered by ``order`` (ascending; the last key must be unique, e.g. id)."""
    size = page_size(first)
    filtered = queryset
    if after:
        values = decode_cursor(after, len(order), id_last=order[-1] == "id")
        values = _typed(queryset.model, order, values)
        filtered = filtered.filter(_after(order, values))
    rows = await filtered.order_by(*order).limit(size + 1) if size else []
    has_next = len(rows) > size
    rows = rows[:size]
    cursors = [encode_cursor([_plain(getattr(row, key.lstrip("-"))) for key in order]) for row in rows]
    return Page(rows, cursors, has_next, bool(after), queryset)


def _typed(model: type[Model], order: list[str], values: list[Any]) -> list[Any]:
    """Timestamps travel as ISO text in a cursor; compare them as timestamps again."""
    typed = list(values)
    for index, key in enumerate(order):
        if isinstance(model._meta.fields_map.get(key.lstrip("-")), DatetimeField):
            try:
                typed[index] = dt.datetime.fromisoformat(str(values[index]))
            except ValueError:
                raise BadUserInput("Invalid cursor", field="after") from None
    return typed


def _plain(value: object) -> object:
    if isinstance(value, uuid.UUID):
        return str(value)
    return value
