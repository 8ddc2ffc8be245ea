"""From a validated document to a plan: what each selected field reads.

Two steps, so that nothing is planned twice:

1. ``Program`` (once per document, operation and position): a walk of the document that finds the
   *sites* whose outcome depends on the request: ``@skip``/``@include`` with a variable condition,
   and fields with arguments (builders: root lists, connections, ``node``, ``progress(periodId:)``).
2. Per request, each site is *prepared*: a builder turns its arguments into a specification
   (``sql.Page`` ...), access and page arguments are checked. The shapes of these preparations (not
   their values) are the request's facts. A plan is built once per (program, permissions, facts) and
   compiled to SQL and a shaper; the values become bind parameters.
"""

from __future__ import annotations

import datetime as dt
import decimal
import uuid
from dataclasses import dataclass
from enum import Enum
from typing import Any

from graphql import (
    BooleanValueNode,
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    GraphQLError,
    GraphQLInterfaceType,
    GraphQLList,
    GraphQLNonNull,
    GraphQLObjectType,
    GraphQLUnionType,
    InlineFragmentNode,
    OperationDefinitionNode,
    SelectionSetNode,
    VariableNode,
    get_named_type,
    is_leaf_type,
)
from graphql.execution.values import get_argument_values

from kinerja.core.errors import BadUserInput, DomainError, NotFound
from kinerja.core.ids import from_global_id
from kinerja.core.pagination import decode_cursor, page_size
from kinerja.graph import sql
from kinerja.graph.errors import ValueNotStorable
from kinerja.graph.compiler.model import (
    BACKREF,
    DATE,
    DATETIME,
    DECIMAL,
    INT,
    TEXT,
    UUID,
    TypeInfo,
    output_kind,
    strawberry_field,
)


class NotCompilable(Exception):
    """The selection has a part the compiler does not answer (the schema's resolvers do)."""


# --- the program: sites of a selection ----------------------------------------------------------

@dataclass
class Site:
    index: int
    node: Any                       # a FieldNode (arguments) or a DirectiveNode's holder node
    kind: str                       # "field" or "directive"
    gql_field: Any = None
    parent: Any = None              # the GraphQL type the field belongs to
    directive: Any = None


@dataclass
class Program:
    sites: list[Site]
    by_node: dict[int, int]         # node_key(FieldNode) -> site index (fields with arguments)
    directives: dict[int, int]      # node_key(DirectiveNode) -> site index
    blocked: str | None             # why the whole selection cannot be compiled, if known statically


def node_key(node) -> int:
    """A node's identity that holds across parses of the same document text: where it starts."""
    return node.loc.start if node.loc is not None else id(node)


def build_program(schema, types: dict[str, TypeInfo], fragments: dict[str, FragmentDefinitionNode],
                  selection_sets: list[SelectionSetNode], parent_type) -> Program:
    sites: list[Site] = []
    by_node: dict[int, int] = {}
    directives: dict[int, int] = {}
    blocked: list[str] = []
    root = parent_type is schema.query_type

    def note_directives(node) -> None:
        for directive in node.directives or ():
            if directive.name.value in ("skip", "include"):
                condition = next((a.value for a in directive.arguments or () if a.name.value == "if"), None)
                if isinstance(condition, VariableNode) and node_key(directive) not in directives:
                    directives[node_key(directive)] = len(sites)
                    sites.append(Site(len(sites), node, "directive", directive=directive))

    def walk(selection_set: SelectionSetNode | None, gql_type, seen: frozenset) -> None:
        if selection_set is None:
            return
        for selection in selection_set.selections:
            note_directives(selection)
            if isinstance(selection, FieldNode):
                name = selection.name.value
                if name.startswith("__"):
                    if name != "__typename":
                        blocked.append(f"introspection field {name}")
                    continue
                gql_field = getattr(gql_type, "fields", {}).get(name)
                if gql_field is None:
                    continue
                if gql_type is schema.query_type and root and not _is_sql_field(gql_field):
                    blocked.append(f"Query.{name} is not described")
                meta = _meta(gql_field)
                if isinstance(meta, sql.Hole):
                    blocked.append(f"{gql_type.name}.{name} is resolved by another area")
                if isinstance(meta, sql.Builder) and node_key(selection) not in by_node:
                    by_node[node_key(selection)] = len(sites)
                    sites.append(Site(len(sites), selection, "field", gql_field, gql_type))
                walk(selection.selection_set, get_named_type(gql_field.type), seen)
            elif isinstance(selection, InlineFragmentNode):
                condition = schema.get_type(selection.type_condition.name.value) if selection.type_condition else gql_type
                walk(selection.selection_set, condition, seen)
            elif isinstance(selection, FragmentSpreadNode):
                name = selection.name.value
                fragment = fragments.get(name)
                if fragment is not None and name not in seen:
                    walk(fragment.selection_set, schema.get_type(fragment.type_condition.name.value), seen | {name})

    for selection_set in selection_sets:
        walk(selection_set, parent_type, frozenset())
    return Program(sites, by_node, directives, blocked[0] if blocked else None)


def _meta(gql_field):
    definition = strawberry_field(gql_field)
    return (definition.metadata or {}).get(sql.SQL) if definition is not None else None


def _is_sql_field(gql_field) -> bool:
    return _meta(gql_field) is not None


# --- preparing a site for one request -----------------------------------------------------------

@dataclass
class Request:
    """What a request brings to planning: its actor and permissions, coerced variables."""

    ctx: Any
    permissions: frozenset[str]
    variables: Any                  # graphql-core VariableValues
    types: dict[str, TypeInfo]
    schema: Any                     # the strawberry schema (argument conversion)

    def require_actor(self):
        return self.ctx.require_actor()

    def scopes(self, access: sql.Access) -> frozenset[str]:
        prefix = f"{access.obj}:{access.action}:"
        return frozenset(p.removeprefix(prefix) for p in self.permissions if p.startswith(prefix))


@dataclass
class Prepared:
    """A site's outcome for one request: a directive's condition, or a specification with its checked
    page arguments, or the error the field answers."""

    include: bool | None = None
    spec: Any = None
    target: TypeInfo | None = None
    error: DomainError | None = None
    legacy: tuple | None = None       # (resolver, object id): node of a type answered by resolvers
    size: int | None = None
    limit: int | None = None
    cursor: list | None = None
    missing: Any = None               # factory of the error for a missing row

    @property
    def shape(self) -> tuple:
        if self.include is not None:
            return ("if", self.include)
        if self.error is not None:
            return ("error",)
        if self.legacy is not None:
            return ("legacy",)
        spec = self.spec
        return (type(spec).__name__, self.target.name if self.target else None, spec_shape(spec),
                self.cursor is not None, self.missing is not None)


def _value_kind(value) -> str:
    if isinstance(value, Enum):
        value = value.value
    return type(value).__name__


def cond_shape(cond: sql.Cond) -> tuple:
    return (cond.template, tuple(_value_kind(v) for v in cond.values))


def spec_shape(spec) -> tuple:
    if isinstance(spec, sql.Rows):
        guard = spec.guard
        guard_shape = None
        if isinstance(guard, sql.Guard):
            guard_shape = ("guard", cond_shape(guard.cond))
        elif isinstance(guard, sql.Exists):
            guard_shape = ("exists", guard.type_name, tuple(cond_shape(c) for c in guard.where), guard.access)
        return (tuple(cond_shape(c) for c in spec.where), spec.order, spec.on, spec.access, guard_shape)
    if isinstance(spec, sql.Value):
        return (id(spec.fn), tuple(i if isinstance(i, str) else (i.sql, tuple(_value_kind(v) for v in i.values))
                                   for i in spec.inputs))
    return ()


def resolve_access(access: bool | sql.Access, target: TypeInfo | None) -> sql.Access | None:
    if access is True:
        return target.table.access if target is not None else None
    return access or None


def prepare_spec(spec, target: TypeInfo | None, request: Request) -> Prepared:
    """Check a specification as the resolvers did: the actor first where one is needed, then the
    permission (FORBIDDEN), then page size and cursor (BAD_USER_INPUT). Raises DomainError."""
    if isinstance(spec, (sql.Static, sql.Value)):
        return Prepared(spec=spec, target=target)
    if isinstance(spec, sql.NodeLookup):
        request.require_actor()
        type_name, object_id = from_global_id(spec.id)
        info = request.types.get(type_name)
        if info is not None and info.table.node:
            missing = info.table.not_found or (lambda: NotFound(f"No object with id {spec.id[:80]!r}"))
            row = sql.Row(where=(sql.eq(info.table.key, object_id),), access=True, missing=missing)
            return prepare_spec(row, info, request)
        if type_name in spec.legacy:
            return Prepared(spec=spec, legacy=(spec.legacy[type_name], object_id))
        raise NotFound(f"No object with id {spec.id[:80]!r}")
    if not isinstance(spec, sql.Rows):
        raise TypeError(f"not a specification: {spec!r}")
    request.require_actor()
    access = resolve_access(spec.access, target)
    if access is not None and not request.scopes(access):
        raise access.forbidden()
    if isinstance(spec.guard, sql.Exists) and spec.guard.access:
        guard_access = request.types[spec.guard.type_name].table.access
        if guard_access is not None and not request.scopes(guard_access):
            raise guard_access.forbidden()
    prepared = Prepared(spec=spec, target=target, missing=getattr(spec, "missing", None))
    if isinstance(spec, sql.Page):
        prepared.size = page_size(spec.first)
        prepared.limit = 0 if prepared.size == 0 else prepared.size + 1
        if spec.after:
            prepared.cursor = typed_cursor(spec.after, spec.order, target)
    return prepared


def _out_of_range(conds: tuple[sql.Cond, ...], target: TypeInfo | None) -> bool:
    for cond in conds:
        bounds = target.bounds.get(cond.column) if target is not None and cond.column else None
        if bounds is not None and any(isinstance(v, int) and not isinstance(v, bool) and not bounds[0] <= v <= bounds[1]
                                      for v in cond.values):
            return True
    return False


def refused_by_postgres(prepared: Prepared, types: dict[str, TypeInfo]) -> bool:
    """A value PostgreSQL refuses to compare with its column: text with a NUL character, a number
    beyond the column's range (SQLite takes both)."""
    spec = prepared.spec
    if isinstance(spec, sql.Rows) and (_out_of_range(spec.where, prepared.target) or (
            isinstance(spec.guard, sql.Exists) and _out_of_range(spec.guard.where, types[spec.guard.type_name]))):
        return True
    values: list = []
    if isinstance(spec, sql.Rows):
        for cond in spec.where:
            values.extend(cond.values)
        if isinstance(spec.guard, sql.Guard):
            values.extend(spec.guard.cond.values)
        elif isinstance(spec.guard, sql.Exists):
            for cond in spec.guard.where:
                values.extend(cond.values)
    elif isinstance(spec, sql.Value):
        for item in spec.inputs:
            if not isinstance(item, str):
                values.extend(item.values)
    values.extend(prepared.cursor or ())
    return any(isinstance(v, str) and "\x00" in v for v in values)


def typed_cursor(after: str, order: tuple[str, ...], target: TypeInfo) -> list:
    values = decode_cursor(after, len(order))
    typed = []
    for key, value in zip(order, values):
        kind = target.column_kind(key.lstrip("-"))
        try:
            typed.append(_typed(kind, value))
        except (ValueError, TypeError, decimal.DecimalException):
            raise BadUserInput("Invalid cursor", field="after") from None
    return typed


def _typed(kind: str, value):
    if kind == INT:
        if isinstance(value, bool) or not isinstance(value, int):
            raise ValueError
        return value
    if kind == UUID:
        return uuid.UUID(str(value))
    if kind == DATETIME:
        parsed = dt.datetime.fromisoformat(str(value))
        return parsed if parsed.tzinfo else parsed.replace(tzinfo=dt.timezone.utc)
    if kind == DATE:
        return dt.date.fromisoformat(str(value))
    if kind == DECIMAL:
        return decimal.Decimal(str(value))
    if not isinstance(value, str):
        raise ValueError
    return value


def prepare_site(site: Site, request: Request, target_of) -> Prepared:
    if site.kind == "directive":
        arguments = get_argument_values(_directive_definition(site.directive), site.directive, request.variables)
        include = bool(arguments["if"]) if site.directive.name.value == "include" else not arguments["if"]
        return Prepared(include=include)
    definition = strawberry_field(site.gql_field)
    try:
        raw = get_argument_values(site.gql_field, site.node, request.variables)
        from strawberry.types.arguments import convert_arguments

        kwargs = convert_arguments(raw, definition.arguments, scalar_registry=request.schema.schema_converter.scalar_registry,
                                   config=request.schema.config)
        spec = definition.base_resolver.wrapped_func(None, **kwargs)
        return prepare_spec(spec, target_of(site.gql_field, spec), request)
    except (DomainError, ValueNotStorable) as exc:
        return Prepared(error=exc)


def _directive_definition(directive):
    from graphql import GraphQLIncludeDirective, GraphQLSkipDirective

    return GraphQLIncludeDirective if directive.name.value == "include" else GraphQLSkipDirective


# --- plans --------------------------------------------------------------------------------------

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
class FLegacy:
    key: str
    site: int


@dataclass
class FHole:
    key: str
    inputs: tuple[str, ...]


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
                 facts: list[Prepared], permissions: frozenset[str], *, partial: bool):
        self.schema = schema
        self.types = types
        self.fragments = fragments
        self.program = program
        self.facts = facts
        self.permissions = permissions
        self.partial = partial      # resolver mode: holes and undescribed root fields are left to resolvers

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
        prefix = f"{access.obj}:{access.action}:"
        scopes = frozenset(p.removeprefix(prefix) for p in self.permissions if p.startswith(prefix))
        return access.rows(scopes, "{t}." + access.column)

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
            if gql_field is None or _meta(gql_field) is None or name.startswith("__"):
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
            return FScalar(key, "{t}." + f.python_name, output_kind(f.gql, info.column_kind(f.python_name)))
        if isinstance(meta, sql.Column):
            column_kind = info.column_kind(meta.sql) if isinstance(meta.sql, str) and meta.sql.isidentifier() else None
            template = "{t}." + meta.sql if isinstance(meta.sql, str) and meta.sql.isidentifier() else meta.sql
            return FScalar(key, template, output_kind(f.gql, column_kind))
        if isinstance(meta, sql.GlobalId):
            return FGid(key, meta.type_name, meta.column or info.table.key)
        if isinstance(meta, sql.Relation):
            return self.relation(key, nodes, f.gql, meta.spec, None, None)
        if isinstance(meta, sql.Derived):
            return FValue(key, meta.value, None, self.projection(nodes, f.gql.type))
        if isinstance(meta, sql.RequestValue):
            return FRequest(key, meta.fn, self.projection(nodes, f.gql.type))
        if isinstance(meta, sql.Builder):
            return self.builder_field(key, nodes, f.gql, info)
        if isinstance(meta, sql.Hole):
            if self.partial:
                return FHole(key, meta.inputs)
            raise NotCompilable(f"{info.name}.{f.name} is resolved by another area")
        raise NotCompilable(f"{info.name}.{f.name}: {meta!r}")

    def builder_field(self, key: str, nodes: list[FieldNode], gql_field, info: TypeInfo | None):
        site = self.site_of(nodes[0])
        prepared = self.facts[site]
        if prepared.error is not None:
            return FError(key, site)
        if prepared.legacy is not None:
            if self.partial:
                return FLegacy(key, site)
            raise NotCompilable("node of a type answered by resolvers")
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
        if access is not None and prepared is None:
            # A declared relation: its permission is known from the permission set alone.
            prefix = f"{access.obj}:{access.action}:"
            if not any(p.startswith(prefix) for p in self.permissions):
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
        fields = []
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


def operation_of(document, operation_name: str | None) -> OperationDefinitionNode | None:
    operations = [d for d in document.definitions if isinstance(d, OperationDefinitionNode)]
    if operation_name:
        return next((o for o in operations if o.name and o.name.value == operation_name), None)
    return operations[0] if len(operations) == 1 else None


def fragments_of(document) -> dict[str, FragmentDefinitionNode]:
    return {d.name.value: d for d in document.definitions if isinstance(d, FragmentDefinitionNode)}


__all__ = ["NotCompilable", "Program", "Site", "Request", "Prepared", "Planner", "build_program", "prepare_site",
           "prepare_spec", "operation_of", "fragments_of", "Obj", "FScalar", "FConst", "FGid", "FValue", "FRequest",
           "FStatic", "FError", "FLegacy", "FHole", "Rel", "Conn", "PObj", "GraphQLError", "TEXT", "BACKREF"]
