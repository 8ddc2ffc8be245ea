"""What differs between PostgreSQL and SQLite in the SQL the compiler writes.

PostgreSQL builds JSON with ``json_build_object`` and ``json_agg(... ORDER BY ...)``. SQLite 3.40 has
``json_object`` and ``json_group_array`` but no ORDER BY inside an aggregate: it aggregates over an
ordered subquery, and a JSON value crossing a subquery boundary becomes text again, so it is
re-read with ``json()`` where it is embedded. Both run correlated scalar subqueries and recursive
CTEs, which is all the compiler needs (no LATERAL).
"""

from __future__ import annotations

import datetime as dt
import decimal
import uuid

import orjson

from kinerja.graph.compiler.model import BOOL, DATETIME, DECIMAL, JSON

# Both databases accept at most about 100 arguments per function call: objects with more keys are
# built in chunks and merged by the shaper.
MAX_PAIRS = 50


def literal(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


class Dialect:
    name: str
    # The statement spells global ids and cursors itself (base64url); otherwise it returns the keys
    # and the shaper spells them (shape.py).
    spells_codes = False

    def param(self, index: int, value) -> str:
        raise NotImplementedError

    def convert(self, value):
        return value

    # The SQL each database spells its own way (see Postgres and Sqlite).
    def obj(self, pairs: list[tuple[str, str]]) -> str:
        raise NotImplementedError

    def array(self, items: list[str]) -> str:
        raise NotImplementedError

    def embed(self, subquery: str) -> str:
        raise NotImplementedError

    def agg(self, element: str, order: str, filter_: str | None = None) -> str:
        raise NotImplementedError

    def list_query(self, element: str, from_where: str, order: str) -> str:
        raise NotImplementedError

    def bool_value(self, condition: str) -> str:
        raise NotImplementedError

    def boolean(self, value: bool) -> str:
        raise NotImplementedError

    def string(self, text: str) -> str:
        raise NotImplementedError

    def sentinel(self, number: int = 0) -> str:
        raise NotImplementedError

    def text(self, expression: str) -> str:
        raise NotImplementedError

    def ids_condition(self, column: str, placeholder: str) -> str:
        raise NotImplementedError

    def encode(self, kind: str, expression: str) -> str:
        raise NotImplementedError

    def missing(self) -> str:
        """What a single object where the schema needs one (or an error) holds when no row was found."""
        raise NotImplementedError

    def global_id(self, type_name: str, key: str) -> str:
        return key

    def cursor(self, keys: list[str]) -> str:
        return self.array(keys)

    def page_cursor(self, keys: list[str], order: str, filter_: str, last: bool) -> str:
        raise NotImplementedError  # a dialect that spells codes


class Postgres(Dialect):
    name = "postgres"
    spells_codes = True

    def param(self, index: int, value) -> str:
        return f"${index}{_pg_cast(value)}"

    def obj(self, pairs: list[tuple[str, str]]) -> str:
        return "json_build_object(" + ", ".join(f"{literal(k)}, {v}" for k, v in pairs) + ")"

    def array(self, items: list[str]) -> str:
        return "json_build_array(" + ", ".join(items) + ")"

    def embed(self, subquery: str) -> str:
        return f"({subquery})"

    def agg(self, element: str, order: str, filter_: str | None = None) -> str:
        """The ordered JSON list of ``element`` over the rows of the current FROM (an empty list for none)."""
        where = f" FILTER (WHERE {filter_})" if filter_ else ""
        return f"coalesce(json_agg({element} ORDER BY {order}){where}, '[]'::json)"

    def list_query(self, element: str, from_where: str, order: str) -> str:
        return f"(SELECT {self.agg(element, order)} FROM {from_where})"

    def bool_value(self, condition: str) -> str:
        return f"({condition})"

    def boolean(self, value: bool) -> str:
        return "true" if value else "false"

    def string(self, text: str) -> str:
        return f"{literal(text)}::text"

    def sentinel(self, number: int = 0) -> str:
        return f"to_json({literal(guard_failed(number))}::text)"

    def missing(self) -> str:
        return f"to_json({literal(MISSING)}::text)"

    def global_id(self, type_name: str, key: str) -> str:
        """``core/ids.py: to_global_id`` as SQL."""
        return _base64url(f"{literal(type_name + ':')} || {key}")

    def cursor(self, keys: list[str]) -> str:
        """``core/pagination.py: encode_cursor`` as SQL: the keys as compact JSON, base64url."""
        return _base64url(_compact_list(keys))

    def page_cursor(self, keys: list[str], order: str, filter_: str, last: bool) -> str:
        """The cursor of the first (or last) row of the page, null for an empty page."""
        descending = " DESC" if last else ""
        return _base64url(f"(array_agg({_compact_list(keys)} ORDER BY {order}{descending}) FILTER (WHERE {filter_}))[1]")

    def text(self, expression: str) -> str:
        return f"{expression}::text"

    def ids_condition(self, column: str, placeholder: str) -> str:
        return f"{column} = ANY({placeholder})"

    def encode(self, kind: str, expression: str) -> str:
        if kind == DECIMAL:
            return f"trim_scale({expression})::text"
        if kind == DATETIME:
            return (f"(to_char({expression} AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS') || CASE WHEN "
                    f"date_part('microseconds', {expression})::bigint % 1000000 = 0 THEN '' ELSE "
                    f"to_char({expression} AT TIME ZONE 'UTC', '.US') END || '+00:00')")
        return expression


def _compact_list(items: list[str]) -> str:
    """A JSON list of the items as orjson writes it (no spaces)."""
    return "('[' || " + " || ',' || ".join(f"coalesce(to_json({item})::text, 'null')" for item in items) + " || ']')"


def _base64url(text: str) -> str:
    """Base64url of the text's UTF-8 bytes without padding (``encode`` also breaks lines every 76 characters)."""
    return f"translate(encode(convert_to({text}, 'UTF8'), 'base64'), E'+/=\\n', '-_')"


def _pg_cast(value) -> str:
    if isinstance(value, bool):
        return "::boolean"
    if isinstance(value, int):
        return "::bigint"
    if isinstance(value, uuid.UUID):
        return "::uuid"
    if isinstance(value, dt.datetime):
        return "::timestamptz"
    if isinstance(value, dt.date):
        return "::date"
    if isinstance(value, decimal.Decimal):
        return "::numeric"
    if isinstance(value, (list, tuple)):
        return "::uuid[]"
    return "::text"


class Sqlite(Dialect):
    name = "sqlite"

    def param(self, index: int, value) -> str:
        return f"?{index}"

    def convert(self, value):
        if isinstance(value, uuid.UUID):
            return str(value)
        if isinstance(value, bool):
            return int(value)
        if isinstance(value, dt.datetime):
            if value.tzinfo is None:
                value = value.replace(tzinfo=dt.UTC)
            return value.astimezone(dt.UTC).isoformat(" ")
        if isinstance(value, dt.date):
            return value.isoformat()
        if isinstance(value, decimal.Decimal):
            return str(value)
        if isinstance(value, (list, tuple)):
            return orjson.dumps([str(v) for v in value]).decode()
        return value

    def obj(self, pairs: list[tuple[str, str]]) -> str:
        return "json_object(" + ", ".join(f"{literal(k)}, {v}" for k, v in pairs) + ")"

    def array(self, items: list[str]) -> str:
        return "json_array(" + ", ".join(items) + ")"

    def embed(self, subquery: str) -> str:
        return f"json(({subquery}))"

    def agg(self, element: str, order: str, filter_: str | None = None) -> str:
        # The rows arrive in ``order`` from the ordered subquery the caller selects from.
        where = f" FILTER (WHERE {filter_})" if filter_ else ""
        return f"json_group_array({element}){where}"

    def list_query(self, element: str, from_where: str, order: str) -> str:
        return f"(SELECT json_group_array(json(x.j)) FROM (SELECT {element} AS j FROM {from_where} ORDER BY {order}) x)"

    def bool_value(self, condition: str) -> str:
        return f"(CASE WHEN {condition} THEN json('true') ELSE json('false') END)"

    def boolean(self, value: bool) -> str:
        return "json('true')" if value else "json('false')"

    def string(self, text: str) -> str:
        return literal(text)

    def sentinel(self, number: int = 0) -> str:
        return f"json_quote({literal(guard_failed(number))})"

    def missing(self) -> str:
        return f"json_quote({literal(MISSING)})"

    def text(self, expression: str) -> str:
        return expression

    def ids_condition(self, column: str, placeholder: str) -> str:
        return f"{column} IN (SELECT value FROM json_each({placeholder}))"

    def encode(self, kind: str, expression: str) -> str:
        if kind == BOOL:
            return f"(CASE WHEN {expression} IS NULL THEN NULL WHEN {expression} THEN json('true') ELSE json('false') END)"
        if kind == DECIMAL:
            return (f"(CASE WHEN instr({expression}, '.') > 0 THEN rtrim(rtrim({expression}, '0'), '.') "
                    f"ELSE {expression} END)")
        if kind == DATETIME:
            return f"replace({expression}, ' ', 'T')"
        if kind == JSON:
            return f"json({expression})"
        return expression


# What a guarded field holds when its guard failed (no JSON value of an object field looks like it),
# followed by the number of the guard when there are several.
GUARD_FAILED = "\u0001guard"
# What a single object field holds when it found no row and the schema needs one, or an error.
MISSING = "\u0001missing"
# How both begin in the statement's JSON text: an answer without it holds neither.
SENTINEL_TEXT = "\\u0001"


def guard_failed(number: int) -> str:
    return GUARD_FAILED if number == 0 else f"{GUARD_FAILED}{number}"


def failed_guard(value) -> int | None:
    """The number of the guard a guarded field's value says failed, or None (the value is an answer)."""
    if isinstance(value, str) and value.startswith(GUARD_FAILED):
        return int(value[len(GUARD_FAILED):] or 0)
    return None

POSTGRES, SQLITE = Postgres(), Sqlite()
