"""A selection's sites and their preparation for one request.

The *program* of a selection (once per document, operation and position) lists the sites whose
outcome depends on the request: ``@skip``/``@include`` with a variable condition, and fields with
arguments (builders). Per request each site is *prepared*: a builder turns its arguments into a
specification (``sql.Page`` ...), then the viewer, the permission and the page arguments are checked
in the order the resolvers checked them. The shapes of the preparations (never their values) are the
request's facts; plans and statements are cached per facts.
"""

from __future__ import annotations

import datetime as dt
import decimal
import uuid
from dataclasses import dataclass
from enum import Enum
from typing import Any, cast

from graphql import (
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    InlineFragmentNode,
    OperationDefinitionNode,
    SelectionSetNode,
    VariableNode,
    get_named_type,
)
from graphql.execution.values import get_argument_values

from kinerja.core.db import ONE_TENANT
from kinerja.core.errors import BadUserInput, DomainError, NotFound
from kinerja.core.ids import from_global_id
from kinerja.core.pagination import decode_cursor, page_size
from kinerja.graph import sql
from kinerja.graph.compiler.model import DATE, DATETIME, DECIMAL, INT, UUID, TypeInfo, strawberry_field
from kinerja.graph.errors import ValueNotStorable


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
    named: bool = False             # some field names its tenant with an argument (a public read)


def node_key(node) -> int:
    """A node's identity that holds across parses of the same document text: where it starts."""
    return node.loc.start if node.loc is not None else id(node)


def build_program(schema, types: dict[str, TypeInfo], fragments: dict[str, FragmentDefinitionNode],
                  selection_sets: list[SelectionSetNode], parent_type) -> Program:
    sites: list[Site] = []
    by_node: dict[int, int] = {}
    directives: dict[int, int] = {}
    blocked: list[str] = []
    named: list[str] = []  # fields that name their tenant with an argument
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
                meta = meta_of(gql_field)
                if isinstance(meta, sql.Builder) and node_key(selection) not in by_node:
                    if meta.tenant_argument:
                        named.append(name)
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
    return Program(sites, by_node, directives, blocked[0] if blocked else None, bool(named))


def meta_of(gql_field):
    definition = strawberry_field(gql_field)
    return (definition.metadata or {}).get(sql.SQL) if definition is not None else None


def _is_sql_field(gql_field) -> bool:
    return meta_of(gql_field) is not None


# --- preparing a site for one request -----------------------------------------------------------

@dataclass
class Request:
    """What a request brings to planning: its actor and permissions, coerced variables. A public
    read (``public``) acts for nobody: no actor is needed, no permission held."""

    ctx: Any
    permissions: frozenset[str]
    variables: Any                  # graphql-core VariableValues
    types: dict[str, TypeInfo]
    schema: Any                     # the strawberry schema (argument conversion)
    public: bool = False

    def require_actor(self):
        return None if self.public else self.ctx.require_actor()

    def scopes(self, access: sql.Access) -> frozenset[str]:
        return held_scopes(self.permissions, access)


def held_scopes(permissions: frozenset[str], access: sql.Access) -> frozenset[str]:
    """The scopes (own, team, unit, tenant) of ``access`` the permission set holds; for rows read per
    value (``sql.per_value``), the values whose permission it holds."""
    if access.per_value:
        return frozenset(value for value, permission in access.per_value
                         if any(p.startswith(permission + ":") for p in permissions))
    prefix = f"{access.obj}:{access.action}:"
    held = frozenset(p.removeprefix(prefix) for p in permissions if p.startswith(prefix))
    return held if access.scopes is None else held & access.scopes


@dataclass
class Prepared:
    """A site's outcome for one request: a directive's condition, or a specification with its checked
    page arguments, or the error the field answers."""

    include: bool | None = None
    spec: Any = None
    target: TypeInfo | None = None
    error: DomainError | ValueNotStorable | None = None
    size: int | None = None
    limit: int | None = None
    cursor: list | None = None
    missing: Any = None               # factory of the error for a missing row
    tenant: sql.NamedTenant | None = None  # a public read's tenant, named by an argument

    @property
    def shape(self) -> tuple:
        if self.include is not None:
            return ("if", self.include)
        if self.error is not None:
            return ("error",)
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
        guard_shape = tuple(("guard", cond_shape(guard.cond)) if isinstance(guard, sql.Guard) else
                            ("exists", guard.type_name, tuple(cond_shape(c) for c in guard.where), guard.access)
                            for guard in sql.guards_of(spec))
        return (tuple(cond_shape(c) for c in spec.where), spec.order, spec.on, spec.access, guard_shape, spec.joins,
                tuple(_value_kind(v) for v in spec.values))
    if isinstance(spec, sql.Value):
        return (id(spec.fn), tuple(i if isinstance(i, str) else (i.sql, tuple(_value_kind(v) for v in i.values))
                                   for i in spec.inputs))
    return ()


def exists_access(guard: sql.Exists, types: dict[str, TypeInfo]) -> sql.Access | None:
    """The access rule an ``Exists`` guard reads its rows under (None: every row of the tenant)."""
    if isinstance(guard.access, sql.Access):
        return guard.access
    return types[guard.type_name].table.access if guard.access else None


def resolve_access(access: bool | sql.Access, target: TypeInfo | None) -> sql.Access | None:
    if access is True:
        return target.table.access if target is not None else None
    return access or None


def prepare_spec(spec, target: TypeInfo | None, request: Request) -> Prepared:
    """Check a specification as the resolvers did: the actor first where one is needed, then the
    permission (FORBIDDEN), then page size and cursor (BAD_USER_INPUT). Raises DomainError."""
    if isinstance(spec, sql.Value) and spec.access is not None:
        request.require_actor()
        if not request.scopes(spec.access):
            raise spec.access.forbidden()
    if isinstance(spec, (sql.Static, sql.Value)):
        return Prepared(spec=spec, target=target)
    if isinstance(spec, sql.NodeLookup):
        request.require_actor()
        type_name, object_id = from_global_id(spec.id)
        info = request.types.get(type_name)
        if info is not None and info.table.node:
            missing = info.table.not_found or (lambda: NotFound("No object with this id"))
            row = sql.Row(where=(sql.eq(info.table.key, object_id),), access=True, missing=missing)
            return prepare_spec(row, info, request)
        raise NotFound("No object with this id")
    if not isinstance(spec, sql.Rows):
        raise TypeError(f"not a specification: {spec!r}")
    request.require_actor()
    access = resolve_access(spec.access, target)
    if access is not None and not request.scopes(access):
        raise access.forbidden()
    for guard in sql.guards_of(spec):
        if isinstance(guard, sql.Exists) and guard.access:
            guard_access = exists_access(guard, request.types)
            if guard_access is not None and not request.scopes(guard_access):
                raise guard_access.forbidden()
    prepared = Prepared(spec=spec, target=target, missing=getattr(spec, "missing", None))
    if isinstance(spec, sql.Page):
        prepared.size = page_size(spec.first)
        prepared.limit = 0 if prepared.size == 0 else prepared.size + 1
        if spec.after:
            # A page lists rows of a described type: its target is known.
            # A page's order names columns, whose values its cursor holds.
            prepared.cursor = typed_cursor(spec.after, cast(tuple[str, ...], spec.order), cast(TypeInfo, target))
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
    if isinstance(spec, sql.Rows) and (_out_of_range(spec.where, prepared.target) or any(
            isinstance(guard, sql.Exists) and _out_of_range(guard.where, types[guard.type_name])
            for guard in sql.guards_of(spec))):
        return True
    values: list = []
    if isinstance(spec, sql.Rows):
        values.extend(spec.values)
        for cond in spec.where:
            values.extend(cond.values)
        for guard in sql.guards_of(spec):
            if isinstance(guard, sql.Guard):
                values.extend(guard.cond.values)
            else:
                for cond in guard.where:
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
    for key, value in zip(order, values, strict=True):
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
        return parsed if parsed.tzinfo else parsed.replace(tzinfo=dt.UTC)
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
        root = site.parent is request.schema._schema.query_type
        if root and request.public != isinstance(spec, sql.Public):
            raise BadUserInput(ONE_TENANT)  # a public read beside reads of the caller's tenant
        if isinstance(spec, sql.Public):
            prepared = prepare_spec(spec.spec, target_of(site.gql_field, spec.spec), request)
            prepared.tenant = spec.tenant
            return prepared
        return prepare_spec(spec, target_of(site.gql_field, spec), request)
    except (DomainError, ValueNotStorable) as exc:
        return Prepared(error=exc)


def _directive_definition(directive):
    from graphql import GraphQLIncludeDirective, GraphQLSkipDirective

    return GraphQLIncludeDirective if directive.name.value == "include" else GraphQLSkipDirective


def operation_of(document, operation_name: str | None) -> OperationDefinitionNode | None:
    operations = [d for d in document.definitions if isinstance(d, OperationDefinitionNode)]
    if operation_name:
        return next((o for o in operations if o.name and o.name.value == operation_name), None)
    return operations[0] if len(operations) == 1 else None


def fragments_of(document) -> dict[str, FragmentDefinitionNode]:
    return {d.name.value: d for d in document.definitions if isinstance(d, FragmentDefinitionNode)}
