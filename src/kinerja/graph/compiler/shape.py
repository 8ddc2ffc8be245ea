"""The small Python step after the statement: derived values and errors.

The statement returns the answer keyed by response keys. The shaper walks only the parts that need
work, in place: global ids and cursors from the keys the statement returned (where the dialect does
not spell them itself), values computed by an area's rule from the inputs packed under the field's
own key, values of the request (permissions), and errors. An error becomes a ``Marker`` at its
position; the runtime then lets graphql-core complete the answer, so null propagation is exactly
graphql-core's.

A selection whose every part the statement writes as it is answered (``final``) is sent as the
statement's JSON text, unparsed, unless the text holds a sentinel (a failed guard, a missing object):
only then is it walked.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import cast

from kinerja.core.ids import to_global_id
from kinerja.core.pagination import encode_cursor
from kinerja.graph import sql
from kinerja.graph.compiler.dialect import MAX_PAIRS, MISSING, failed_guard
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
    PObj,
    Rel,
)


class Marker:
    """An error in place of a value."""

    __slots__ = ("error",)

    def __init__(self, error: Exception):
        self.error = error


class State:
    __slots__ = ("facts", "request", "slow", "typenames")

    def __init__(self, facts: list, request):
        self.facts = facts
        self.request = request
        self.slow = False           # an error or a null where the schema allows none: graphql-core completes
        self.typenames: list[dict] = []  # objects carrying a __typename nobody selected (for abstract types)


Step = Callable[[dict, State], None]


def merge(chunks: list[dict]) -> dict:
    out: dict = {}
    for chunk in chunks:
        out.update(chunk)
    return out


def project(value, projection: PObj | None):
    """A value computed in Python, through its selection (aliases, __typename, nested objects)."""
    if projection is None or value is None:
        return value
    if isinstance(value, (list, tuple)):
        return [project(item, projection) for item in value]
    out = {}
    for key, kind, name, detail in projection.fields:
        if kind == "typename":
            out[key] = detail
            continue
        item = value[name] if isinstance(value, dict) else getattr(value, name)
        if kind == "leaf":
            out[key] = _serialize(detail, item)
        else:
            out[key] = project(item, detail)
    return out


def _serialize(leaf_type, value):
    if value is None:
        return None
    if isinstance(value, (list, tuple)):
        return [_serialize(leaf_type, item) for item in value]
    return leaf_type.coerce_output_value(value)


def final(obj: Obj, spelled: bool) -> bool:
    """The statement's JSON is the answer of this selection, once it holds no sentinel: every field
    is written by the statement (``spelled``: global ids and cursors too)."""
    return not _chunked(obj) and all(_final(f, spelled) for f in obj.fields)


def _final(f, spelled: bool) -> bool:
    if isinstance(f, (FScalar, FConst)):
        return True
    if isinstance(f, FGid):
        return spelled
    if isinstance(f, Rel):
        hidden_typename = f.obj.abstract and not any(g.key == "__typename" for g in f.obj.fields)
        return not hidden_typename and final(f.obj, spelled)
    if isinstance(f, Conn):
        for _key, kind, detail in f.parts:
            if kind == "nodes" and not final(detail, spelled):
                return False
            if kind == "edges" and any((edge_kind == "cursor" and not spelled)
                                       or (edge_kind == "node" and not final(d, spelled)) for _k, edge_kind, d in detail):
                return False
            if kind == "pageInfo" and not spelled and any(name in ("startCursor", "endCursor") for _k, name in detail):
                return False
        return True
    return False  # a value computed in Python, of the request, or an error


def walker(obj: Obj, spelled: bool) -> Step | None:
    """The steps an object of this selection needs, or None when the statement's JSON is final.
    ``spelled``: the statement spells global ids and cursors (``Dialect.spells_codes``)."""
    steps = [step for f in obj.fields if (step := _step(f, spelled)) is not None]
    if not steps:
        return None
    if len(steps) == 1:
        return steps[0]

    def walk(row: dict, st: State) -> None:
        for step in steps:
            step(row, st)
    return walk


def _chunked(obj: Obj) -> bool:
    return len(obj.fields) + (1 if obj.abstract else 0) > MAX_PAIRS


def _step(f, spelled: bool) -> Step | None:
    key = getattr(f, "key", None)
    if isinstance(f, FGid) and spelled:
        return None
    if isinstance(f, FGid):
        type_name = f.type_name

        def gid(row: dict, st: State) -> None:
            value = row[key]
            if value is not None:
                row[key] = to_global_id(type_name, value)
        return gid
    if isinstance(f, FValue) and f.value.settings:
        fn, many, projection = f.value.fn, len(f.value.inputs) > 1, f.projection

        def configured(row: dict, st: State) -> None:
            inputs = row[key]
            settings = st.request.ctx.settings
            value = fn(settings, *inputs) if many else fn(settings, inputs)
            row[key] = project(value, projection) if projection is not None else value
        return configured
    if isinstance(f, FValue):
        fn, many, projection = f.value.fn, len(f.value.inputs) > 1, f.projection

        def derive(row: dict, st: State) -> None:
            inputs = row[key]
            value = fn(*inputs) if many else fn(inputs)
            row[key] = project(value, projection) if projection is not None else value
        return derive
    if isinstance(f, FRequest):
        fn, projection = f.fn, f.projection

        def of_request(row: dict, st: State) -> None:
            row[key] = project(fn(st.request), projection)
        return of_request
    if isinstance(f, FStatic):
        site, projection = f.site, f.projection

        def static(row: dict, st: State) -> None:
            row[key] = project(st.facts[site].spec.value, projection)
        return static
    if isinstance(f, FError):
        error_site, factory = f.site, f.error

        def error(row: dict, st: State) -> None:
            row[key] = Marker(st.facts[error_site].error if error_site is not None else factory())
            st.slow = True
        return error
    if isinstance(f, Rel):
        return _relation(f, spelled)
    if isinstance(f, Conn):
        return _connection(f, spelled)
    return None


def _guard_error(spec, site: int | None, st: State, number: int):
    guards = sql.guards_of(st.facts[site].spec if site is not None else spec)
    return guards[number].error()


def _relation(rel: Rel, spelled: bool) -> Step | None:
    key, sub, chunked, site, spec = rel.key, walker(rel.obj, spelled), _chunked(rel.obj), rel.site, rel.spec
    hidden_typename = rel.obj.abstract and not any(f.key == "__typename" for f in rel.obj.fields)
    guarded = spec.guard is not None
    if rel.single:
        missing, nonnull = rel.missing, rel.nonnull

        def one(row: dict, st: State) -> None:
            value = row[key]
            if value is None or value == MISSING:
                row[key] = None
                if missing is not None:
                    # "site": the relation's own site (it has one) names the error.
                    row[key] = Marker(st.facts[cast(int, site)].missing() if missing == "site" else missing())
                    st.slow = True
                elif nonnull:
                    st.slow = True
                return
            if guarded and (number := failed_guard(value)) is not None:
                row[key] = Marker(_guard_error(spec, site, st, number))
                st.slow = True
                return
            if chunked:
                value = row[key] = merge(value)
            if hidden_typename:
                st.typenames.append(value)
            if sub is not None:
                sub(value, st)
        if sub is None and not chunked and not hidden_typename and missing is None and not nonnull and not guarded:
            return None
        return one

    def many(row: dict, st: State) -> None:
        value = row[key]
        if guarded and (number := failed_guard(value)) is not None:
            row[key] = Marker(_guard_error(spec, site, st, number))
            st.slow = True
            return
        if chunked:
            value = row[key] = [merge(item) for item in value]
        if sub is not None:
            for item in value:
                sub(item, st)
    if sub is None and not chunked and not guarded:
        return None
    return many


def _connection(conn: Conn, spelled: bool) -> Step | None:
    key, site, spec = conn.key, conn.site, conn.spec
    guarded = spec.guard is not None
    part_steps: list[Step] = []
    for part_key, kind, detail in conn.parts:
        if kind == "nodes":
            sub, chunked = walker(detail, spelled), _chunked(detail)
            if sub is not None or chunked:
                part_steps.append(_each(part_key, sub, chunked))
        elif kind == "edges":
            cursors = [edge_key for edge_key, edge_kind, _ in detail if edge_kind == "cursor" and not spelled]
            nodes = [(edge_key, walker(d, spelled), _chunked(d)) for edge_key, edge_kind, d in detail
                     if edge_kind == "node"]
            nodes = [n for n in nodes if n[1] is not None or n[2]]
            if cursors or nodes:
                part_steps.append(_edges(part_key, cursors, nodes))
        elif kind == "pageInfo":
            ends = [(info_key, name == "startCursor") for info_key, name in detail
                    if name in ("startCursor", "endCursor") and not spelled]
            if ends:
                part_steps.append(_page_info(part_key, ends))
    if not part_steps and not guarded:
        return None

    def connection(row: dict, st: State) -> None:
        value = row[key]
        if guarded and (number := failed_guard(value)) is not None:
            row[key] = Marker(_guard_error(spec, site, st, number))
            st.slow = True
            return
        for step in part_steps:
            step(value, st)
    return connection


def _each(key: str, sub: Step | None, chunked: bool) -> Step:
    def each(value: dict, st: State) -> None:
        items = value[key]
        if chunked:
            items = value[key] = [merge(item) for item in items]
        if sub is not None:
            for item in items:
                sub(item, st)
    return each


def _edges(key: str, cursors: list[str], nodes: list) -> Step:
    def edges(value: dict, st: State) -> None:
        for edge in value[key]:
            for cursor_key in cursors:
                edge[cursor_key] = encode_cursor(edge[cursor_key])
            for node_key, sub, chunked in nodes:
                node = edge[node_key]
                if chunked:
                    node = edge[node_key] = merge(node)
                if sub is not None:
                    sub(node, st)
    return edges


def _page_info(key: str, ends: list[tuple[str, bool]]) -> Step:
    def page_info(value: dict, st: State) -> None:
        info = value[key]
        for info_key, first in ends:
            keys = info[info_key]
            info[info_key] = encode_cursor(keys[0] if first else keys[-1]) if keys else None
    return page_info
