"""Raw SQL that runs on both backends (written with PostgreSQL's $n placeholders)."""

from __future__ import annotations

import datetime as dt
import re
import uuid
from typing import Any

import orjson

from kinerja.core.db import connection

_PLACEHOLDER = re.compile(r"\$(\d+)")


def _for_dialect(sql: str, params: list[Any], dialect: str) -> tuple[str, list[Any]]:
    if dialect == "postgres":
        return sql, params
    ordered: list[Any] = []

    def replace(match: re.Match[str]) -> str:
        ordered.append(params[int(match.group(1)) - 1])
        return "?"

    return _PLACEHOLDER.sub(replace, sql), ordered


async def fetch_all(sql: str, params: list[Any]) -> list[dict[str, Any]]:
    conn = connection()
    sql, params = _for_dialect(sql, params, conn.capabilities.dialect)
    return await conn.execute_query_dict(sql, params)


def uuid_param(value: object) -> Any:
    """UUIDs are native on PostgreSQL and stored as text on SQLite."""
    if connection().capabilities.dialect == "postgres":
        return value
    return str(value)


class Params:
    """The values of one statement built piece by piece: ``p(value)`` adds a value and gives its
    ``$n`` placeholder (``fetch_all`` turns them into SQLite's). On SQLite, UUIDs and times are
    passed as the text the ORM stores."""

    def __init__(self) -> None:
        self.postgres = connection().capabilities.dialect == "postgres"
        self.values: list[Any] = []

    def __call__(self, value: Any) -> str:
        if not self.postgres:
            if isinstance(value, uuid.UUID):
                value = str(value)
            elif isinstance(value, dt.datetime):
                value = value.isoformat(" ")
        self.values.append(value)
        return f"${len(self.values)}"

    def json(self, value: Any) -> str:
        return self(orjson.dumps(value).decode()) + ("::jsonb" if self.postgres else "")
