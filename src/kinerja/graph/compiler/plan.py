"""The plan of a selection for one set of facts: what each selected field reads.

Fields are collected as graphql-core collects them (aliases, fragments on interfaces and unions,
``@skip``/``@include`` with the request's outcomes) and each is mapped to a column, a relation, a
connection, a value computed in Python or an error; ``sqlgen`` writes the plan as SQL and ``shape``
walks its answer.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from graphql import (
    BooleanValueNode,
    FieldNode,
    FragmentSpreadNode,
    GraphQLInterfaceType,
    GraphQLList,
    GraphQLNonNull,
    GraphQLObjectType,
    GraphQLUnionType,
    InlineFragmentNode,
    get_named_type,
    is_leaf_type,
)

from kinerja.graph import sql
from kinerja.graph.compiler.model import TypeInfo, as_enum_names, output_kind, strawberry_field
from kinerja.graph.compiler.program import Prepared, Program, held_scopes, meta_of, node_key, resolve_access


class NotCompilable(Exception):
    """The selection has a part the compiler does not answer (the schema's resolvers do)."""


@dataclass
class Obj:
    """The selection of one object: its fields in response order."""

    type: TypeInfo | None
    gql: GraphQLObjectType
    fields: list
    abstract: bool = False          # at a position of an abstract type (node): __typename is kept


@dataclass
class FScalar:
    key: str
    sql: Any                        # template over {t}
    kind: str


@dataclass
class FConst:
    key: str
    value: str


@dataclass
class FGid:
    key: str
    type_name: str
    column: str


@dataclass
class FValue:
    key: str
    value: sql.Value
    site: int | None
    projection: Any                 # PObj / PList for object values, None for scalars


@dataclass
class FRequest:
    key: str
    fn: Any
    projection: Any


@dataclass
class FStatic:
    key: str
    site: int
    projection: Any


@dataclass
class FError:
    key: str
    site: int | None
    error: Any = None               # a factory, for errors known from permissions


@dataclass
class Rel:
    """Rows of ``target`` for a field: ``single`` (an object or null) or a list."""

    key: str
    target: TypeInfo
    spec: sql.Rows
    site: int | None
    access: tuple[list[str], str] | None
    obj: Obj
    single: bool
    nonnull: bool
    missing: Any                    # an error factory, or "site" (the prepared site's)


@dataclass
class Conn:
    key: str
    target: TypeInfo
    spec: sql.Page
    site: int
    access: tuple[list[str], str] | None
    parts: list                     # (key, kind, detail)
    after_given: bool


@dataclass
class PObj:
    """The selection of an object computed in Python (projected through the selection)."""

    fields: list                    # (key, kind, python_name, detail)


def _unwrap(gql_type):
    nonnull = isinstance(gql_type, GraphQLNonNull)
    if nonnull:
        gql_type = gql_type.of_type
    return gql_type, nonnull


class Planner:
    """Builds the plan of a selection for one set of facts (directive outcomes and prepared sites)."""

    def __init__(self, schema, types: dict[str, TypeInfo], fragments: dict, program: Program,
                 facts: list[Prepared], permissions: frozenset[str]):
        self.schema = schema
        self.types = types
        self.fragments = fragments
        self.program = program
        self.facts = facts
        self.permissions = permissions

    # -- field collection, as graphql-core does it (with the request's directive outcomes)
    def collect(self, selection_sets: list, runtime_type) -> dict[str, list[FieldNode]]:
        fields: dict[str, list[FieldNode]] = {}
        visited: set[str] = set()

        def include(node) -> bool:
            for directive in node.directives or ():
                name = directive.name.value
                if name not in ("skip", "include"):
                    continue
                site = self.program.directives.get(node_key(directive))
                if site is not None:
                    outcome = self.facts[site].include
                else:
                    value = next((a.value for a in directive.arguments or () if a.name.value == "if"), None)
                    flag = bool(value.value) if isinstance(value, BooleanValueNode) else False
                    outcome = flag if name == "include" else not flag
                if not outcome:
                    return False
            return True

        def applies(condition) -> bool:
            if condition is None:
                return True
            conditional = self.schema.get_type(condition.name.value)
            if conditional is runtime_type:
                return True
            if isinstance(conditional, (GraphQLInterfaceType, GraphQLUnionType)):
                return self.schema.is_sub_type(conditional, runtime_type)
            return False

        def gather(selection_set) -> None:
            for selection in selection_set.selections:
                if not include(selection):
                    continue
                if isinstance(selection, FieldNode):
                    key = selection.alias.value if selection.alias else selection.name.value
                    fields.setdefault(key, []).append(selection)
                elif isinstance(selection, InlineFragmentNode):
                    if applies(selection.type_condition):
                        gather(selection.selection_set)
                elif isinstance(selection, FragmentSpreadNode):
                    name = selection.name.value
                    fragment = self.fragments.get(name)
                    if fragment is None or name in visited or not applies(fragment.type_condition):
                        continue
                    visited.add(name)
                    gather(fragment.selection_set)

        for selection_set in selection_sets:
            gather(selection_set)
        return fields

    def site_of(self, node: FieldNode) -> int:
        return self.program.by_node[node_key(node)]

    def access_sql(self, access: sql.Access | None, target: TypeInfo):
        """(ctes, condition over {t}) for the rows the held scopes reach; None when all rows."""
        if access is None or access.rows is None:
            return None
        return access.rows(held_scopes(self.permissions, access), "{t}." + access.column)

    # -- the root of an operation
    def root(self, selection_sets: list, only_described: bool = False) -> Obj:
        query = self.schema.query_type
        fields = []
        for key, nodes in self.collect(selection_sets, query).items():
            name = nodes[0].name.value
            if name == "__typename":
                fields.append(FConst(key, query.name))
                continue
            gql_field = query.fields.get(name)
            if gql_field is None or meta_of(gql_field) is None or name.startswith("__"):
                if only_described:
                    continue
                raise NotCompilable(f"Query.{name} is not described")
            fields.append(self.builder_field(key, nodes, gql_field, None))
        return Obj(None, query, fields)

    # -- an object of a described type
    def obj(self, selection_sets: list, gql_type: GraphQLObjectType, info: TypeInfo, abstract: bool = False) -> Obj:
        fields = []
        for key, nodes in self.collect(selection_sets, gql_type).items():
            name = nodes[0].name.value
            if name == "__typename":
                fields.append(FConst(key, gql_type.name))
                continue
            fields.append(self.field(key, nodes, info.fields[name], info))
        return Obj(info, gql_type, fields, abstract)

    def field(self, key: str, nodes: list[FieldNode], f, info: TypeInfo):
        meta = f.meta
        gql_type, nonnull = _unwrap(f.gql.type)
        if meta is None:
            if f.name == "id":
                return FGid(key, info.name, info.table.key)
            return FScalar(key, as_enum_names(f.gql, "{t}." + f.python_name),
                           output_kind(f.gql, info.column_kind(f.python_name)))
        if isinstance(meta, sql.Column):
            column_kind = info.column_kind(meta.sql) if isinstance(meta.sql, str) and meta.sql.isidentifier() else None
            template = "{t}." + meta.sql if isinstance(meta.sql, str) and meta.sql.isidentifier() else meta.sql
            return FScalar(key, as_enum_names(f.gql, template), output_kind(f.gql, column_kind))
        if isinstance(meta, sql.GlobalId):
            return FGid(key, meta.type_name, meta.column or info.table.key)
        if isinstance(meta, sql.Relation):
            return self.relation(key, nodes, f.gql, meta.spec, None, None)
        if isinstance(meta, sql.Derived) and f.table is not None:
            return FScalar(key, f.table[0], f.table[1])
        if isinstance(meta, sql.Derived):
            return FValue(key, meta.value, None, self.projection(nodes, f.gql.type))
        if isinstance(meta, sql.RequestValue):
            return FRequest(key, meta.fn, self.projection(nodes, f.gql.type))
        if isinstance(meta, sql.Builder):
            return self.builder_field(key, nodes, f.gql, info)
        raise NotCompilable(f"{info.name}.{f.name}: {meta!r}")

    def builder_field(self, key: str, nodes: list[FieldNode], gql_field, info: TypeInfo | None):
        site = self.site_of(nodes[0])
        prepared = self.facts[site]
        if prepared.error is not None:
            return FError(key, site)
        spec = prepared.spec
        if isinstance(spec, sql.Static):
            return FStatic(key, site, self.projection(nodes, gql_field.type))
        if isinstance(spec, sql.Value):
            return FValue(key, spec, site, self.projection(nodes, gql_field.type))
        if isinstance(spec, sql.Page):
            return self.connection(key, nodes, gql_field, spec, site, prepared)
        return self.relation(key, nodes, gql_field, spec, site, prepared)

    def relation(self, key: str, nodes: list[FieldNode], gql_field, spec: sql.Rows, site: int | None,
                 prepared: Prepared | None):
        gql_type, nonnull = _unwrap(gql_field.type)
        single = not isinstance(gql_type, GraphQLList)
        named = get_named_type(gql_type)
        target = prepared.target if prepared is not None and prepared.target is not None else self.types.get(named.name)
        if target is None:
            raise NotCompilable(f"{named.name} is not described")
        access = resolve_access(spec.access, target)
        if access is not None and prepared is None and not held_scopes(self.permissions, access):
            # A declared relation: its permission is known from the permission set alone.
            return FError(key, None, access.forbidden)
        selection_sets = [n.selection_set for n in nodes if n.selection_set is not None]
        abstract = isinstance(named, (GraphQLInterfaceType, GraphQLUnionType))
        obj = self.obj(selection_sets, target.gql, target, abstract=abstract)
        missing = None
        if isinstance(spec, sql.Row) and spec.missing is not None:
            missing = "site" if prepared is not None else spec.missing
        return Rel(key, target, spec, site, self.access_sql(access, target), obj, single or isinstance(spec, sql.Row),
                   nonnull, missing)

    def connection(self, key: str, nodes: list[FieldNode], gql_field, spec: sql.Page, site: int, prepared: Prepared):
        connection_type = get_named_type(gql_field.type)
        edge_type = get_named_type(connection_type.fields["edges"].type)
        node_type = get_named_type(edge_type.fields["node"].type)
        target = prepared.target or self.types.get(node_type.name)
        if target is None:
            raise NotCompilable(f"{node_type.name} is not described")
        page_info_type = get_named_type(connection_type.fields["pageInfo"].type)
        parts = []
        selection_sets = [n.selection_set for n in nodes if n.selection_set is not None]
        for part_key, part_nodes in self.collect(selection_sets, connection_type).items():
            name = part_nodes[0].name.value
            sub = [n.selection_set for n in part_nodes if n.selection_set is not None]
            if name == "__typename":
                parts.append((part_key, "typename", connection_type.name))
            elif name == "totalCount":
                parts.append((part_key, "totalCount", None))
            elif name == "nodes":
                parts.append((part_key, "nodes", self.obj(sub, node_type, target)))
            elif name == "edges":
                edge = []
                for edge_key, edge_nodes in self.collect(sub, edge_type).items():
                    edge_name = edge_nodes[0].name.value
                    if edge_name == "__typename":
                        edge.append((edge_key, "typename", edge_type.name))
                    elif edge_name == "cursor":
                        edge.append((edge_key, "cursor", None))
                    elif edge_name == "node":
                        edge.append((edge_key, "node", self.obj([n.selection_set for n in edge_nodes], node_type, target)))
                    else:
                        raise NotCompilable(f"{edge_type.name}.{edge_name}")
                parts.append((part_key, "edges", edge))
            elif name == "pageInfo":
                info_fields = []
                for info_key, info_nodes in self.collect(sub, page_info_type).items():
                    info_fields.append((info_key, info_nodes[0].name.value))
                parts.append((part_key, "pageInfo", info_fields))
            else:
                raise NotCompilable(f"{connection_type.name}.{name}")
        access = resolve_access(spec.access, target)
        return Conn(key, target, spec, site, self.access_sql(access, target), parts, prepared.cursor is not None)

    # -- values computed in Python, projected through their selection
    def projection(self, nodes: list[FieldNode], gql_type):
        named = get_named_type(gql_type)
        if is_leaf_type(named):
            return None
        if not isinstance(named, GraphQLObjectType):
            raise NotCompilable(f"{named.name}: abstract values computed in Python")
        return self.pobj([n.selection_set for n in nodes if n.selection_set is not None], named)

    def pobj(self, selection_sets: list, gql_type: GraphQLObjectType) -> PObj:
        fields: list[tuple[str, str, str | None, Any]] = []
        for key, nodes in self.collect(selection_sets, gql_type).items():
            name = nodes[0].name.value
            if name == "__typename":
                fields.append((key, "typename", None, gql_type.name))
                continue
            gql_field = gql_type.fields[name]
            definition = strawberry_field(gql_field)
            if definition is not None and definition.base_resolver is not None:
                raise NotCompilable(f"{gql_type.name}.{name} has a resolver")
            python_name = getattr(definition, "python_name", name)
            named = get_named_type(gql_field.type)
            if is_leaf_type(named):
                fields.append((key, "leaf", python_name, named))
            else:
                fields.append((key, "object", python_name,
                               self.pobj([n.selection_set for n in nodes if n.selection_set is not None], named)))
        return PObj(fields)
