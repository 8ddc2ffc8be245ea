"""The described types of a schema, read once when the schema is built: which GraphQL object types
map to which rows, and what each of their fields is."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from graphql import (
    GraphQLEnumType,
    GraphQLField,
    GraphQLObjectType,
    GraphQLScalarType,
    GraphQLSchema,
    get_named_type,
    is_leaf_type,
)
from strawberry.schema.schema_converter import GraphQLCoreConverter
from tortoise import fields as tf
from tortoise.fields.relational import RelationalField

from kinerja.graph import sql

BACKREF = GraphQLCoreConverter.DEFINITION_BACKREF


class DescriptionError(Exception):
    """A type's SQL description contradicts its GraphQL type or its model (found at start-up)."""


# How a value of a column is written in the JSON the database returns.
TEXT, INT, BOOL, DECIMAL, DATETIME, DATE, UUID, JSON = "text", "int", "bool", "decimal", "datetime", "date", "uuid", "json"

_MODEL_KINDS = [
    (tf.BooleanField, BOOL), (tf.DecimalField, DECIMAL), (tf.DatetimeField, DATETIME), (tf.DateField, DATE),
    (tf.UUIDField, UUID), (tf.JSONField, JSON), (tf.IntField, INT), (tf.SmallIntField, INT), (tf.BigIntField, INT),
]

_SCALAR_KINDS = {"Boolean": BOOL, "Decimal": DECIMAL, "DateTime": DATETIME, "Date": DATE, "JSON": JSON, "Int": INT}


_INT_BOUNDS = [(tf.SmallIntField, 2 ** 15), (tf.IntField, 2 ** 31), (tf.BigIntField, 2 ** 63)]


def int_bounds(model) -> dict[str, tuple[int, int]]:
    """The range of each integer column, from a tortoise model."""
    bounds: dict[str, tuple[int, int]] = {}
    for name, model_field in model._meta.fields_map.items():
        for cls, limit in _INT_BOUNDS:
            if type(model_field) is cls or (isinstance(model_field, cls) and not isinstance(model_field, RelationalField)):
                bounds[model_field.source_field or name] = (-limit, limit - 1)
                break
    return bounds


def model_columns(model) -> dict[str, str]:
    """Column name -> kind, from a tortoise model."""
    columns = {}
    for name, model_field in model._meta.fields_map.items():
        if isinstance(model_field, RelationalField):
            continue
        kind = next((k for cls, k in _MODEL_KINDS if isinstance(model_field, cls)), TEXT)
        columns[model_field.source_field or name] = kind
    return columns


def output_kind(gql_field: GraphQLField, column_kind: str | None) -> str:
    named = get_named_type(gql_field.type)
    if isinstance(named, GraphQLScalarType):
        if named.name in _SCALAR_KINDS:
            return _SCALAR_KINDS[named.name]
        if column_kind in (BOOL, DECIMAL, DATETIME, DATE, JSON):
            return column_kind
        return TEXT
    if isinstance(named, GraphQLEnumType):
        return TEXT
    return column_kind or TEXT


def as_enum_names(gql_field: GraphQLField, template: sql.Text) -> sql.Text:
    """A column read as an enum, spelled as the enum's GraphQL names. Most enums store their names;
    one whose stored values differ (``RecommendationTrigger`` stores ``PREDICATE:BAIK`` for
    ``PREDICATE_BAIK``) is translated by the statement, so a compiled answer carries the names as
    graphql-core would write them."""
    named = get_named_type(gql_field.type)
    if not isinstance(named, GraphQLEnumType):
        return template
    renamed = [(value.value, name) for name, value in named.values.items()
               if isinstance(value.value, str) and value.value != name]
    if not renamed:
        return template
    if any("{" in stored or "}" in stored for stored, _name in renamed):
        raise DescriptionError(f"enum {named.name}: a stored value with braces cannot be spelled in SQL")

    def case(text: str) -> str:
        whens = " ".join(f"WHEN {_literal(stored)} THEN {_literal(name)}" for stored, name in renamed)
        return f"(CASE {text} {whens} ELSE {text} END)"
    if isinstance(template, sql.Dialects):
        return sql.Dialects(case(template.pg), case(template.sqlite))
    return case(template)


def _literal(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


@dataclass
class FieldInfo:
    name: str                  # GraphQL name
    python_name: str
    gql: GraphQLField
    strawberry: Any            # the StrawberryField
    meta: Any                  # one of the sql.* field descriptions, or None for a plain column
    table: tuple[sql.Text, str] | None = None  # a derived value as SQL and its kind (``tabulated``)

    @property
    def named_type(self):
        return get_named_type(self.gql.type)


@dataclass
class TypeInfo:
    name: str
    gql: GraphQLObjectType
    table: sql.Table
    columns: dict[str, str]                     # column -> kind (empty for rows without a model)
    fields: dict[str, FieldInfo] = field(default_factory=dict)
    bounds: dict[str, tuple[int, int]] = field(default_factory=dict)  # integer column -> range

    @property
    def sql_table(self) -> str | None:
        return self.table.table

    def column_kind(self, column: str) -> str:
        return self.columns.get(column, TEXT)


def strawberry_field(gql_field: GraphQLField):
    return (gql_field.extensions or {}).get(BACKREF)


def described_types(schema: GraphQLSchema) -> dict[str, TypeInfo]:
    types: dict[str, TypeInfo] = {}
    for name, gql_type in schema.type_map.items():
        if not isinstance(gql_type, GraphQLObjectType) or name.startswith("__"):
            continue
        definition = (gql_type.extensions or {}).get(BACKREF)
        table = getattr(getattr(definition, "origin", None), "__sql__", None)
        if not isinstance(table, sql.Table):
            continue
        columns = model_columns(table.model) if table.model is not None else {}
        info = TypeInfo(name, gql_type, table, columns, bounds=int_bounds(table.model) if table.model is not None else {})
        for field_name, gql_field in gql_type.fields.items():
            definition_field = strawberry_field(gql_field)
            meta = (definition_field.metadata or {}).get(sql.SQL) if definition_field is not None else None
            info.fields[field_name] = FieldInfo(field_name, getattr(definition_field, "python_name", field_name),
                                                gql_field, definition_field, meta,
                                                tabulated(meta, table.model) if table.model is not None else None)
        types[name] = info
    for info in types.values():
        _check(info, types)
    return types


_PLAIN_KINDS = {str: TEXT, int: INT, bool: BOOL}


def tabulated(meta, model) -> tuple[sql.Text, str] | None:
    """A derived value of one enum column (a label, a category) as the statement's own CASE over the
    enum's members, with the kind of its values: the area's function, pure like every derived
    value's, runs once per member here instead of once per row. None when the value has other inputs,
    the function refuses a member (or the null of a nullable column), or its values are not plain
    strings, integers or booleans of one kind (without braces)."""
    if not isinstance(meta, sql.Derived) or meta.value.settings or len(meta.value.inputs) != 1:
        return None
    column = meta.value.inputs[0]
    model_field = model._meta.fields_map.get(column) if isinstance(column, str) else None
    members = list(getattr(model_field, "enum_type", None) or ())
    if model_field is None or not members:
        return None
    nullable = bool(model_field.null)
    keys: list[Any] = [member.value for member in members] + ([None] if nullable else [])
    try:
        values = [meta.value.fn(key) for key in keys]
    except Exception:  # noqa: BLE001 - left to the function at read time, as before
        return None
    kinds = {_PLAIN_KINDS.get(type(value)) for value in values}
    kind = kinds.pop() if len(kinds) == 1 else None
    if kind is None or any("{" in str(v) or "}" in str(v) for v in keys + values):
        return None  # braces would read as the template's placeholders
    whens = " ".join(f"WHEN {_sql_value(key)} THEN {_sql_value(value)}"
                     for key, value in zip(keys, values, strict=True) if key is not None)
    otherwise = _sql_value(values[-1]) if nullable else "NULL"
    return f"(CASE {{t}}.{column} {whens} ELSE {otherwise} END)", kind


def _sql_value(value) -> str:
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, int):
        return str(value)
    return _literal(value)


def _check(info: TypeInfo, types: dict[str, TypeInfo]) -> None:
    """Every field of a described type must be readable from its rows: a column the model has, or a
    declared relation, expression or derived value; a resolver of its own is refused."""
    for f in info.fields.values():
        where = f"{info.name}.{f.name}"
        meta = f.meta
        if meta is None:
            if f.strawberry is not None and f.strawberry.base_resolver is not None:
                raise DescriptionError(f"{where} has a resolver but no SQL description")
            if f.name == "id" or not is_leaf_type(f.named_type):
                if f.name == "id":
                    continue
                raise DescriptionError(f"{where} is an object field without a relation")
            if info.columns and f.python_name not in info.columns:
                raise DescriptionError(f"{where}: the model has no column {f.python_name!r}")
        elif isinstance(meta, sql.Column):
            if isinstance(meta.sql, str) and meta.sql.isidentifier() and info.columns and meta.sql not in info.columns:
                raise DescriptionError(f"{where}: the model has no column {meta.sql!r}")
        elif isinstance(meta, sql.Relation):
            target = f.named_type.name
            if target not in types:
                raise DescriptionError(f"{where}: {target} is not described")
        elif isinstance(meta, (sql.Builder, sql.Derived, sql.RequestValue, sql.GlobalId)):
            pass
        else:
            raise DescriptionError(f"{where}: unknown description {meta!r}")


def is_builder(gql_field: GraphQLField) -> bool:
    definition_field = strawberry_field(gql_field)
    return definition_field is not None and isinstance((definition_field.metadata or {}).get(sql.SQL), sql.Builder)
