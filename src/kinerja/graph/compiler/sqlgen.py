"""A plan to one SQL statement that returns the whole answer as JSON (one row, one column).

Objects are JSON objects keyed by response keys; relations are correlated scalar subqueries; lists
aggregate over their ordered rows; a connection reads one page (``LIMIT first + 1``, numbered with
``row_number()``) and aggregates edges, nodes and page info over it. Values are bind parameters
(``$n`` / ``?n``): the statement text depends only on the plan, so it is built once and prepared by
the driver. Each parameter's *source* (the request's tenant, its user, a value of a prepared site)
is recorded, so a later request only collects its own values.
"""

from __future__ import annotations

import datetime as dt
import re
import uuid
from collections.abc import Sequence
from enum import Enum
from typing import Any, cast

from kinerja.core import clock
from kinerja.graph import sql
from kinerja.graph.compiler.dialect import MAX_PAIRS, Dialect
from kinerja.graph.compiler.plan import (
    Conn,
    FConst,
    FError,
    FGid,
    FRequest,
    FScalar,
    FStatic,
    FValue,
    Obj,
    Rel,
)
from kinerja.graph.compiler.program import Prepared, exists_access, held_scopes

_PLACEHOLDER = re.compile(r"\{(?:(with):)?(\w+)\}")
ME = "(SELECT employee_id FROM app_user WHERE tenant_id = {tenant} AND id = {user})"
ROW_NUMBER = "__n"
_PER_REQUEST = ("tenant", "user", "session")  # one parameter per statement, however often it is named


class Statement:
    def __init__(self, dialect: Dialect):
        self.dialect = dialect
        self.sources: list[tuple] = []
        self._index: dict[tuple, int] = {}
        self.ctes: dict[str, None] = {}
        self._shared: dict[tuple, str] = {}
        self._aliases = 0

    def alias(self) -> str:
        self._aliases += 1
        return f"t{self._aliases}"

    def param(self, source: tuple, example) -> str:
        if source[0] in _PER_REQUEST and source in self._index:
            index = self._index[source]
        else:
            self.sources.append(source)
            index = len(self.sources)
            if source[0] in _PER_REQUEST:
                self._index[source] = index
        return self.dialect.param(index, example)

    def render(self, template: sql.Text, *, t: str | None = None, p: str | None = None,
               values: tuple = (), source: tuple | None = None) -> str:
        """Fill a template's placeholders: {t} {p} aliases, {j} the alias of the row joined with
        ``joins`` (derived from {t}), {tenant} {user} {me} {session}, {now} (the clock when the statement runs: a
        value a builder read from the clock would be kept with the request's prepared facts), {0}... values (bound as parameters from
        ``source + (n,)``, or as constants when ``source`` is None)."""
        text = sql.dialect_text(template, self.dialect.name)

        def replace(match: re.Match) -> str:
            name = match.group(2)
            if match.group(1):
                return self.shared(name, values, source)
            if name == "t":
                if t is None:
                    raise TypeError("the template's {t} needs an alias")
                return t
            if name == "p":
                if p is None:
                    raise TypeError("the template's {p} needs an alias")
                return p
            if name == "j":
                return f"{t}j"
            if name == "tenant":
                return self.param(("tenant",), _UUID)
            if name in ("user", "session"):
                return self.param((name,), _UUID)
            if name == "now":
                return self.param(("now",), _NOW)
            if name == "me":
                return self.render(ME)
            index = int(name)
            value = values[index]
            if source is None:
                return self.param(("const", value), value)
            return self.param(source + (index,), value)

        return _PLACEHOLDER.sub(replace, text)

    def shared(self, name: str, values: tuple, source: tuple | None) -> str:
        """The CTE of the shared rows ``name`` over these values: written once however many sources
        read them. PostgreSQL computes a CTE read twice once, and folds one read once into its reader."""
        key = (name, source) if source is not None else (name, repr(values))
        cte = self._shared.get(key)
        if cte is None:
            cte = self._shared[key] = f"{name}_{len(self._shared) + 1}"
            body = self.render(sql.SHARED_ROWS[name], values=values, source=source)
            self.ctes.setdefault(f"{cte} AS ({body})", None)
        return cte


_UUID = uuid.UUID(int=0)  # the example of a uuid parameter (PostgreSQL casts by it)
_NOW = dt.datetime(2000, 1, 1, tzinfo=dt.UTC)  # the example of the request's clock


class Builder:
    """Writes the SQL of one plan."""

    def __init__(self, dialect: Dialect, facts: list[Prepared], types: dict, permissions: frozenset[str]):
        self.dialect = dialect
        self.facts = facts
        self.types = types
        self.permissions = permissions
        self.st = Statement(dialect)
        self._alias_columns: dict[str, dict[str, str]] = {}
        self._sites: list[int] = []  # the builders that reached the relation being written, innermost last
        # Every row the statement reads is reached by a key: a key lookup at the top, then only rows
        # joined to a row already reached. Such a statement's plan does not depend on its parameters
        # (unique and foreign-key index lookups whatever the tenant's size), so one generic plan
        # serves every execution instead of planning each one (``core/db.py: tenant_read``).
        self.keyed = True

    # -- statements
    def root(self, root: Obj) -> str:
        body = "SELECT " + self.obj(root, None)
        return self.with_ctes(body)

    def refs(self, obj: Obj, target, access) -> str:
        """The objects of a list of ids (``("ids",)``), as ``[[key, object], ...]``."""
        d, st = self.dialect, self.st
        a = st.alias()
        self._alias_columns[a] = target.columns
        key = f"{a}.{target.table.key}"
        conds = self.base_conditions(target, a, None, sql.Rows(), None, access)
        ids = st.param(("ids",), [_UUID])
        conds.append(d.ids_condition(key, ids))
        element = d.array([key, self.obj(obj, a)])
        return self.with_ctes(f"SELECT {d.agg(element, key)} FROM {target.sql_table} {a} WHERE {' AND '.join(conds)}")

    def with_ctes(self, body: str) -> str:
        if not self.st.ctes:
            return body
        self.keyed = False  # scopes and subtrees: sets whose size is the tenant's
        return "WITH RECURSIVE " + ", ".join(self.st.ctes) + " " + body

    # -- objects
    def obj(self, obj: Obj, alias: str | None) -> str:
        pairs = [(f.key, self.value(f, alias)) for f in obj.fields]
        if obj.abstract and not any(f.key == "__typename" for f in obj.fields):
            pairs.append(("__typename", self.dialect.string(obj.gql.name)))
        if len(pairs) <= MAX_PAIRS:
            return self.dialect.obj(pairs)
        chunks = [self.dialect.obj(pairs[i:i + MAX_PAIRS]) for i in range(0, len(pairs), MAX_PAIRS)]
        return self.dialect.array(chunks)

    def value(self, f, alias: str | None) -> str:
        d, st = self.dialect, self.st
        if isinstance(f, FScalar):
            return d.encode(f.kind, st.render(f.sql, t=alias))
        if isinstance(f, FConst):
            return d.string(f.value)
        if isinstance(f, FGid):
            return d.global_id(f.type_name, f"{alias}.{f.column}")
        if isinstance(f, FValue):
            return self.inputs(f.value, f.site, alias)
        if isinstance(f, (FRequest, FStatic, FError)):
            return "NULL"
        if isinstance(f, Rel):
            return self._reached(f.site, lambda: self.relation(f, alias))
        if isinstance(f, Conn):
            return self._reached(f.site, lambda: self.connection(f, alias))
        raise TypeError(f)

    def _reached(self, site: int | None, build):
        if site is None:
            return build()
        self._sites.append(site)
        try:
            return build()
        finally:
            self._sites.pop()

    def inputs(self, value: sql.Value, site: int | None, alias: str | None) -> str:
        d, st = self.dialect, self.st
        parts = []
        for index, item in enumerate(value.inputs):
            if isinstance(item, str):
                parts.append(d.encode(self._column_kind(alias, item), f"{alias}.{item}"))
            else:
                source = ("site", site, "input", index) if site is not None else None
                parts.append(st.render(item.sql, t=alias, values=item.values, source=source))
        return parts[0] if len(parts) == 1 else d.array(parts)

    def _column_kind(self, alias: str | None, column: str) -> str:
        columns = self._alias_columns.get(alias, {}) if alias is not None else {}
        return columns.get(column, "text")

    # -- relations
    def base_conditions(self, target, a: str, parent: str | None, spec: sql.Rows, site: int | None, access) -> list[str]:
        st = self.st
        conds = []
        if target.table.tenant:
            conds.append(f"{a}.{target.table.tenant} = " + st.render("{tenant}"))
        for column, parent_side in spec.on:
            if isinstance(parent_side, str) and parent_side.isidentifier():
                conds.append(f"{a}.{column} = {parent}.{parent_side}")
            else:
                conds.append(f"{a}.{column} = " + st.render(parent_side, t=a, p=parent))
        for index, cond in enumerate(spec.where):
            source = ("site", site, "where", index) if site is not None else None
            conds.append(st.render(cond.template, t=a, p=parent, values=cond.values, source=source))
        if access is not None:
            ctes, condition = access
            for cte in ctes:
                st.ctes.setdefault(st.render(cte), None)
            conds.append(st.render(condition, t=a))
        return conds

    def from_(self, target, a: str, parent: str | None, spec: sql.Rows | None = None, site: int | None = None) -> str:
        if target.table.source is not None:
            if not target.table.by_key:
                self.keyed = False  # a derived table (figures over a set of rows)
            values = spec.values if spec is not None else ()
            if not values and site is None and self._sites:
                # A declared relation reads the values of the builder that reached it (the year of a
                # unit's progress for the employees below target).
                site = self._sites[-1]
                values = self.facts[site].spec.values
            return self.st.render(target.table.source, t=a, p=parent, values=values,
                                  source=("site", site, "source") if site is not None else None)
        joins = self.st.render(spec.joins, t=a) if spec is not None and spec.joins else ""
        return f"{target.sql_table} {a} {joins}".rstrip()

    def order(self, items: tuple[sql.Text, ...], a: str) -> list[str]:
        out = []
        for item in items:
            if isinstance(item, sql.Dialects):
                out.append(self.st.render(item, t=a))
                continue
            descending = item.startswith("-")
            body = item[1:] if descending else item
            expression = f"{a}.{body}" if body.isidentifier() else self.st.render(body, t=a)
            out.append(f"{expression} DESC" if descending else expression)
        return out

    def default_order(self, spec: sql.Rows, target) -> tuple[sql.Text, ...]:
        return spec.order or target.table.order or (target.table.key,)

    def keyset(self, spec: sql.Rows, target) -> tuple[str, ...]:
        """The order of a connection's rows: column names, whose values its cursors hold."""
        return cast(tuple[str, ...], self.default_order(spec, target))

    def guard(self, spec: sql.Rows, site: int | None, value: str) -> str:
        """The value, or the sentinel of the first guard that does not hold."""
        guards = sql.guards_of(spec)
        if not guards:
            return value
        st = self.st
        cases = []
        source: tuple[Any, ...] | None
        for number, guard in enumerate(guards):
            if isinstance(guard, sql.Guard):
                source = ("site", site, "guard", number) if site is not None else None
                condition = st.render(guard.cond.template, values=guard.cond.values, source=source)
            else:
                target = self.types[guard.type_name]
                g = st.alias()
                conds = []
                if target.table.tenant:
                    conds.append(f"{g}.{target.table.tenant} = " + st.render("{tenant}"))
                for index, cond in enumerate(guard.where):
                    source = ("site", site, "exists", number, index) if site is not None else None
                    conds.append(st.render(cond.template, t=g, values=cond.values, source=source))
                access = exists_access(guard, self.types)
                if access is not None and access.rows is not None:
                    scopes = held_scopes(self.permissions, access)
                    ctes, condition_sql = access.rows(scopes, "{t}." + access.column)
                    for cte in ctes:
                        st.ctes.setdefault(st.render(cte), None)
                    conds.append(st.render(condition_sql, t=g))
                condition = f"EXISTS (SELECT 1 FROM {target.sql_table} {g} WHERE {' AND '.join(conds)})"
            cases.append(f"WHEN NOT {condition} THEN {self.dialect.sentinel(number)}")
        return f"CASE {' '.join(cases)} ELSE {value} END"

    def relation(self, rel: Rel, parent: str | None) -> str:
        if not ((parent is not None and rel.spec.on) or (rel.single and sql.pins(rel.spec, rel.target.table.key))):
            self.keyed = False
        d = self.dialect
        a = self.st.alias()
        self._alias_columns[a] = rel.target.columns
        conds = self.base_conditions(rel.target, a, parent, rel.spec, rel.site, rel.access)
        where = " AND ".join(conds) if conds else "TRUE"
        order = ", ".join(self.order(self.default_order(rel.spec, rel.target), a))
        element = self.obj(rel.obj, a)
        from_ = self.from_(rel.target, a, parent, rel.spec, rel.site)
        if rel.single:
            # Without an order of its own, a single row is found by a unique key: no sort needed.
            ordered = f" ORDER BY {order}" if rel.spec.order else ""
            value = d.embed(f"SELECT {element} FROM {from_} WHERE {where}{ordered} LIMIT 1")
            if rel.nonnull or rel.missing is not None:
                value = f"coalesce({value}, {d.missing()})"
        else:
            value = d.list_query(element, f"{from_} WHERE {where}", order)
            if d.name == "sqlite":
                value = f"json({value})"
        return self.guard(rel.spec, rel.site, value)

    def connection(self, conn: Conn, parent: str | None) -> str:
        if parent is None or not conn.spec.on:
            self.keyed = False
        d, st = self.dialect, self.st
        target, spec, site = conn.target, conn.spec, conn.site
        order = self.keyset(spec, target)
        uses_page = any(kind in ("nodes", "edges") or (kind == "pageInfo" and any(
            name in ("hasNextPage", "startCursor", "endCursor") for _, name in detail))
            for _, kind, detail in conn.parts)
        b = st.alias()
        self._alias_columns[b] = target.columns
        number = f"{b}.{ROW_NUMBER}"
        size = st.param(("site", site, "size"), 0) if uses_page else None
        in_page = f"{number} <= {size}"
        pairs = []
        for key, kind, detail in conn.parts:
            if kind == "typename":
                pairs.append((key, d.string(detail)))
            elif kind == "totalCount":
                c = st.alias()
                where = " AND ".join(self.base_conditions(target, c, parent, spec, site, conn.access)) or "TRUE"
                pairs.append((key, f"(SELECT count(*) FROM {self.from_(target, c, parent, spec, site)} WHERE {where})"))
            elif kind == "nodes":
                pairs.append((key, d.agg(self.obj(detail, b), number, in_page)))
            elif kind == "edges":
                edge = []
                for edge_key, edge_kind, edge_detail in detail:
                    if edge_kind == "typename":
                        edge.append((edge_key, d.string(edge_detail)))
                    elif edge_kind == "cursor":
                        edge.append((edge_key, self.cursor_keys(order, target, b)))
                    else:
                        edge.append((edge_key, self.obj(edge_detail, b)))
                pairs.append((key, d.agg(d.obj(edge), number, in_page)))
            elif kind == "pageInfo":
                info = []
                for info_key, name in detail:
                    if name == "__typename":
                        info.append((info_key, d.string("PageInfo")))
                    elif name == "hasNextPage":
                        info.append((info_key, d.bool_value(f"count(*) > {size}")))
                    elif name == "hasPreviousPage":
                        info.append((info_key, d.boolean(conn.after_given)))
                    elif name in ("startCursor", "endCursor") and d.spells_codes:
                        info.append((info_key, d.page_cursor(self.keys(order, target, b), number, in_page,
                                                             last=name == "endCursor")))
                    elif name in ("startCursor", "endCursor"):
                        info.append((info_key, d.agg(self.cursor_keys(order, target, b), number, in_page)))
                pairs.append((key, d.obj(info)))
        body = d.obj(pairs)
        if uses_page:
            a = st.alias()
            conds = self.base_conditions(target, a, parent, spec, site, conn.access)
            if conn.after_given:
                conds.append(self.after(order, a, site))
            order_a = ", ".join(self.order(order, a))
            limit = st.param(("site", site, "limit"), 0)
            page = (f"(SELECT {a}.*, row_number() OVER (ORDER BY {order_a}) AS {ROW_NUMBER} "
                    f"FROM {self.from_(target, a, parent, spec, site)} WHERE {' AND '.join(conds) or 'TRUE'} "
                    f"ORDER BY {order_a} LIMIT {limit}) {b}")
            query = f"SELECT {body} FROM {page}"
        else:
            query = f"SELECT {body}"
        return self.guard(spec, site, d.embed(query))

    def keys(self, order: tuple[str, ...], target, alias: str) -> list[str]:
        d = self.dialect
        return [d.encode(target.column_kind(c), f"{alias}.{c}") for c in (key.lstrip("-") for key in order)]

    def cursor_keys(self, order: tuple[str, ...], target, alias: str) -> str:
        return self.dialect.cursor(self.keys(order, target, alias))

    def after(self, order: tuple[str, ...], a: str, site: int) -> str:
        """Rows after the cursor: (k1, k2, id) > (v1, v2, vid), each key ascending or descending,
        spelled out as the ORM does so every backend and index can use it."""
        condition = None
        for depth in range(len(order) - 1, -1, -1):
            key = order[depth]
            column = key.lstrip("-")
            placeholder = self.st.param(("site", site, "cursor", depth), self._cursor_example(site, depth))
            strict = f"{a}.{column} {'<' if key.startswith('-') else '>'} {placeholder}"
            if condition is None:
                condition = strict
            else:
                equal = f"{a}.{column} = {placeholder}"
                condition = f"({strict} OR ({equal} AND {condition}))"
        if condition is None:
            raise ValueError("a keyset needs at least one ordering column")
        return condition

    def _cursor_example(self, site: int, depth: int):
        cursor = self.facts[site].cursor
        return cursor[depth] if cursor else ""


def _plain(value):
    return value.value if isinstance(value, Enum) else value


def resolve_params(sources: list[tuple], facts: list[Prepared], tenant, user, ids=None, session=None) -> list:
    """The values of a statement's parameters for one request."""
    out = []
    for source in sources:
        kind = source[0]
        if kind == "tenant":
            out.append(tenant)
        elif kind == "user":
            out.append(user)
        elif kind == "session":
            out.append(session)
        elif kind == "now":
            out.append(clock.now())
        elif kind == "const":
            out.append(_plain(source[1]))
        elif kind == "ids":
            out.append(ids)
        else:
            prepared = facts[source[1]]
            what = source[2]
            if what == "where":
                out.append(_plain(prepared.spec.where[source[3]].values[source[4]]))
            elif what == "source":
                out.append(_plain(prepared.spec.values[source[3]]))
            elif what == "input":
                out.append(_plain(prepared.spec.inputs[source[3]].values[source[4]]))
            elif what == "guard":
                out.append(_plain(sql.guards_of(prepared.spec)[source[3]].cond.values[source[4]]))
            elif what == "exists":
                out.append(_plain(sql.guards_of(prepared.spec)[source[3]].where[source[4]].values[source[5]]))
            elif what == "size":
                out.append(prepared.size)
            elif what == "limit":
                out.append(prepared.limit)
            elif what == "cursor":
                out.append(prepared.cursor[source[3]])
            else:
                raise KeyError(source)
    return out


class Level:
    """Where SQLite objects are built: the rows CTE of a level and the alias its rows have in the
    query that builds their JSON, with the joins of their children's JSON."""

    def __init__(self, cte: str, alias: str):
        self.cte, self.alias = cte, alias
        self.joins: list[str] = []


class SqliteBuilder(Builder):
    """SQLite 3.40's parser has a fixed stack: about seven nested subqueries overflow it, so the
    statement is flat instead. Each relation of the plan is a level of two CTEs: ``r<n>``, its rows for
    every row of the parent level (``__p`` the parent row, ``__n`` the position in order, ``__k`` the
    row), and ``j<n>``, their JSON per parent row (window aggregates keep the order); a parent level
    left-joins its children's JSON. The parameters and the plan are the same as PostgreSQL's."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.levels: list[str] = []
        self._level: Level | None = None
        self._count = 0

    def with_ctes(self, body: str) -> str:
        ctes = list(self.st.ctes) + self.levels
        return ("WITH RECURSIVE " + ", ".join(ctes) + " " + body) if ctes else body

    def root(self, root: Obj) -> str:
        self.levels.append("r0 AS (SELECT 0 AS __k)")
        self._level = level = Level("r0", "r0")
        select = self.obj(root, None)
        return self.with_ctes(f"SELECT {select} FROM r0 {' '.join(level.joins)}")

    def refs(self, obj: Obj, target, access) -> str:
        st, n = self.st, self._next()
        c = f"c{n}"
        conds = self.base_conditions(target, c, None, sql.Rows(), None, access)
        conds.append(self.dialect.ids_condition(f"{c}.{target.table.key}", st.param(("ids",), [_UUID])))
        rows = f"r{n}"
        self.levels.append(f"{rows} AS (SELECT row_number() OVER () AS __k, {c}.* FROM {target.sql_table} {c} "
                           f"WHERE {' AND '.join(conds)})")
        alias = f"v{n}"
        self._alias_columns[alias] = target.columns
        self._level = level = Level(rows, alias)
        element = self.dialect.array([f"{alias}.{target.table.key}", self.obj(obj, alias)])
        return self.with_ctes(f"SELECT json_group_array({element}) FROM {rows} {alias} {' '.join(level.joins)}")

    def _next(self) -> int:
        self._count += 1
        return self._count

    def _rows(self, n: int, target, spec: sql.Rows, site, access, parent: Level, order: tuple[sql.Text, ...],
              extra: Sequence[str] = (), limit: str | None = None) -> str:
        """The rows CTE of a level; returns its name."""
        c, p = f"c{n}", f"p{n}"
        conds = self.base_conditions(target, c, p, spec, site, access) + list(extra)
        if target.table.source is not None:
            from_ = f"{parent.cte} {p}, {self.from_(target, c, p, spec, site)}"
        else:
            joins = self.st.render(spec.joins, t=c) if spec.joins else ""
            from_ = f"{parent.cte} {p} JOIN {target.sql_table} {c} ON TRUE {joins}".rstrip()
        ordered = ", ".join(self.order(order, c))
        inner = (f"SELECT {p}.__k AS __p, row_number() OVER (PARTITION BY {p}.__k ORDER BY {ordered}) AS __n, {c}.* "
                 f"FROM {from_} WHERE {' AND '.join(conds) or 'TRUE'}")
        keep = f" WHERE x.__n <= {limit}" if limit else ""
        rows = f"r{n}"
        self.levels.append(f"{rows} AS (SELECT row_number() OVER () AS __k, x.* FROM ({inner}) x{keep})")
        return rows

    def _within(self, level: Level, build):
        outer, self._level = self._level, level
        try:
            return build()
        finally:
            self._level = outer

    @staticmethod
    def _window(expression: str, filter_: str | None = None) -> str:
        where = f" FILTER (WHERE {filter_})" if filter_ else ""
        return (f"json_group_array(json({expression})){where} OVER (PARTITION BY __p ORDER BY __n "
                f"ROWS BETWEEN UNBOUNDED PRECEDING AND UNBOUNDED FOLLOWING)")

    def _parent_level(self) -> Level:
        if self._level is None:
            raise RuntimeError("a relation is built inside its parent's level")
        return self._level

    def relation(self, rel: Rel, parent_alias: str | None) -> str:
        parent = self._parent_level()
        n = self._next()
        self._alias_columns[f"c{n}"] = rel.target.columns
        rows = self._rows(n, rel.target, rel.spec, rel.site, rel.access, parent,
                          self.default_order(rel.spec, rel.target), limit="1" if rel.single else None)
        alias = f"v{n}"
        self._alias_columns[alias] = rel.target.columns
        level = Level(rows, alias)
        element = self._within(level, lambda: self.obj(rel.obj, alias))
        built = f"SELECT {alias}.__p, {alias}.__n, {element} AS v FROM {rows} {alias} {' '.join(level.joins)}"
        json_cte = f"j{n}"
        if rel.single:
            self.levels.append(f"{json_cte} AS (SELECT __p, v FROM ({built}))")
            value = f"json({json_cte}.v)"
            if rel.nonnull or rel.missing is not None:
                value = f"coalesce({value}, {self.dialect.missing()})"
        else:
            self.levels.append(f"{json_cte} AS (SELECT DISTINCT __p, {self._window('v')} AS v FROM ({built}))")
            value = f"json(coalesce({json_cte}.v, '[]'))"
        parent.joins.append(f"LEFT JOIN {json_cte} ON {json_cte}.__p = {parent.alias}.__k")
        return self.guard(rel.spec, rel.site, value)

    def connection(self, conn: Conn, parent_alias: str | None) -> str:
        d, st = self.dialect, self.st
        parent = self._parent_level()
        target, spec, site = conn.target, conn.spec, conn.site
        order = self.keyset(spec, target)
        n = self._next()
        self._alias_columns[f"c{n}"] = target.columns
        uses_page = any(kind in ("nodes", "edges") or (kind == "pageInfo" and any(
            name in ("hasNextPage", "startCursor", "endCursor") for _, name in detail))
            for _, kind, detail in conn.parts)
        alias = f"v{n}"
        self._alias_columns[alias] = target.columns
        level = Level(f"r{n}", alias)
        columns: list[str] = []
        aggregates: list[str] = []
        size = None
        if uses_page:
            size = st.param(("site", site, "size"), 0)
            after = [self.after(order, f"c{n}", site)] if conn.after_given else []
            limit = st.param(("site", site, "limit"), 0)
            self._rows(n, target, spec, site, conn.access, parent, order, after, limit)
        p = f"q{n}"
        agg = f"a{n}"
        pairs = []
        for key, kind, detail in conn.parts:
            if kind == "typename":
                pairs.append((key, d.string(detail)))
            elif kind == "totalCount":
                c = st.alias()
                where = " AND ".join(self.base_conditions(target, c, p, spec, site, conn.access)) or "TRUE"
                pairs.append((key, f"(SELECT count(*) FROM {self.from_(target, c, p, spec, site)} WHERE {where})"))
            elif kind in ("nodes", "edges"):
                if kind == "nodes":
                    element = self._within(level, lambda detail=detail: self.obj(detail, alias))
                else:
                    def edge(detail=detail):
                        pairs_ = []
                        for edge_key, edge_kind, edge_detail in detail:
                            if edge_kind == "typename":
                                pairs_.append((edge_key, d.string(edge_detail)))
                            elif edge_kind == "cursor":
                                pairs_.append((edge_key, self.cursor_keys(order, target, alias)))
                            else:
                                pairs_.append((edge_key, self.obj(edge_detail, alias)))
                        return d.obj(pairs_)
                    element = self._within(level, edge)
                column = f"e{len(columns)}"
                columns.append(f"{element} AS {column}")
                aggregates.append(f"{self._window(column, f'__n <= {size}')} AS {column}")
                pairs.append((key, f"json(coalesce({agg}.{column}, '[]'))"))
            elif kind == "pageInfo":
                info = []
                for info_key, name in detail:
                    if name == "__typename":
                        info.append((info_key, d.string("PageInfo")))
                    elif name == "hasNextPage":
                        info.append((info_key, d.bool_value(f"coalesce({agg}.m, 0) > {size}")))
                    elif name == "hasPreviousPage":
                        info.append((info_key, d.boolean(conn.after_given)))
                    else:
                        column = f"e{len(columns)}"
                        columns.append(f"{self.cursor_keys(order, target, alias)} AS {column}")
                        aggregates.append(f"{self._window(column, f'__n <= {size}')} AS {column}")
                        info.append((info_key, f"json(coalesce({agg}.{column}, '[]'))"))
                pairs.append((key, d.obj(info)))
        joins = ""
        if uses_page:
            built = (f"SELECT {alias}.__p, {alias}.__n{''.join(', ' + c for c in columns)} "
                     f"FROM r{n} {alias} {' '.join(level.joins)}")
            aggregates.append("max(__n) OVER (PARTITION BY __p) AS m")
            self.levels.append(f"{agg} AS (SELECT DISTINCT __p, {', '.join(aggregates)} FROM ({built}))")
            joins = f" LEFT JOIN {agg} ON {agg}.__p = {p}.__k"
        json_cte = f"j{n}"
        self.levels.append(f"{json_cte} AS (SELECT {p}.__k AS __p, {d.obj(pairs)} AS v FROM {parent.cte} {p}{joins})")
        parent.joins.append(f"LEFT JOIN {json_cte} ON {json_cte}.__p = {parent.alias}.__k")
        return self.guard(spec, site, f"json({json_cte}.v)")
