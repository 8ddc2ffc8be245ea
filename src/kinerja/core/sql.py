"""Raw SQL that runs on both backends (written with PostgreSQL's $n placeholders)."""

from __future__ import annotations

import re
from typing import Any

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
