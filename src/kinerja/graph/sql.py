"""How GraphQL object types map to SQL: the declarations the read compiler (``graph/compiler/``) reads.

Every object type backed by a table is declared once, next to the type, with ``table``::

    @sql.table(EmployeeModel, access=employee_rows("employee", "read"), node=True,
               not_found=lambda: NotFound("Employee not found"), description="A civil servant ...")
    class Employee(Node):
        nip: str = strawberry.field(description="...")      # a column of the same name
        position: Position | None = sql.join("position_id")  # a row of another table
        ...

A field is, by default, the column of its (snake_case) name; ``id`` of a Node type is the global id
of the key. Other fields say what they are:

- ``join(column)``: the row of the field's type whose key is this row's ``column``;
- ``rows(...)`` / ``row(...)``: the rows (or the first row) of the field's type related to this one;
- ``expression(...)``: a SQL expression; ``global_id(type, column)``: the global id of a column;
- ``derived(fn, *inputs)``: a value computed in Python by an area's pure rule from columns of the same
  row (download paths, labels, progress); ``request_value(fn)``: a value of the request itself;
- ``builder``: a method taking the field's GraphQL arguments and returning a specification
  (``Page``, ``Rows``, ``Row``, ``Value``, ``NodeLookup``, ``Static``). It parses arguments and raises
  the same errors a resolver would (NOT_FOUND for a foreign id, ...); it never reads the database.
  A public root field (``builder(tenant_argument=True)``) wraps its specification in ``Public``
  with the tenant its argument names (``NamedTenant``): read for nobody, bound to that tenant.

Types without a table (payloads, progress figures) need no declaration: values computed in Python
are projected through the selection. Cross-area relations name types by GraphQL name or with
strawberry's ``lazy`` annotations; no area imports another area's GraphQL module to name a type.

Conditions (``eq``, ``icontains``, ``where``, ...) are SQL templates with bound values. Placeholders:
``{t}`` the row, ``{p}`` the parent row (in ``on`` expressions and a relation's conditions), ``{j}`` a row joined to it with a
relation's ``joins`` (to order by its columns), ``{tenant}`` the request's tenant,
``{user}`` the acting user, ``{me}`` the acting user's employee id (NULL without one), ``{session}`` the
request's session (its refresh-token family), ``{0}``, ``{1}``,
... the condition's values, ``{with:name}`` the rows of a ``shared_rows`` set over the same values.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, TypeVar

import strawberry
from tortoise.filters import escape_like

from kinerja.core.errors import DomainError

T = TypeVar("T", bound=type)
SQL = "kinerja.sql"  # the key of a field's description in strawberry field metadata


# --- SQL text per dialect -----------------------------------------------------------------------

@dataclass(frozen=True)
class Dialects:
    """SQL that differs between PostgreSQL and SQLite."""

    pg: str
    sqlite: str

    def text(self, dialect: str) -> str:
        return self.pg if dialect == "postgres" else self.sqlite


Text = str | Dialects


def dialect_text(value: Text, dialect: str) -> str:
    return value.text(dialect) if isinstance(value, Dialects) else value


# --- conditions ---------------------------------------------------------------------------------

_NUMBERED = re.compile(r"\{(\d+)\}")


def _renumber(template: Text, offset: int) -> Text:
    def shift(text: str) -> str:
        return _NUMBERED.sub(lambda m: "{%d}" % (int(m.group(1)) + offset), text)

    if isinstance(template, Dialects):
        return Dialects(shift(template.pg), shift(template.sqlite))
    return shift(template)


@dataclass(frozen=True)
class Cond:
    """A SQL condition with its values (bound as parameters, never written into the SQL); ``column``:
    the column the values are compared with, when there is one (a value beyond its range is refused
    as the database would refuse it)."""

    template: Text
    values: tuple = ()
    column: str | None = None


def where(template: Text, *values) -> Cond:
    return Cond(template, values)


def eq(column: str, value) -> Cond:
    return Cond("{t}.%s = {0}" % column, (value,), column)


def pins(spec: Rows, column: str) -> bool:
    """Whether ``spec`` picks its rows by one value of ``column`` (an ``eq`` condition)."""
    return any(cond.column == column and cond.template == "{t}.%s = {0}" % column for cond in spec.where)


def is_null(column: str) -> Cond:
    return Cond("{t}.%s IS NULL" % column)


def gte(column: str, value) -> Cond:
    return Cond("{t}.%s >= {0}" % column, (value,), column)


def lte(column: str, value) -> Cond:
    return Cond("{t}.%s <= {0}" % column, (value,), column)


def is_me(column: str) -> Cond:
    """The column is the acting user's employee (both NULL for a login without an employee record,
    as the ORM's ``filter(column=None)`` reads it)."""
    return Cond("{t}.%s IS NOT DISTINCT FROM {me}" % column)


def icontains(column: str, term: str) -> Cond:
    """Case-insensitive substring, exactly as the ORM spells ``__icontains``."""
    return Cond("UPPER(CAST({t}.%s AS VARCHAR)) LIKE UPPER({0}) ESCAPE '\\'" % column, (f"%{escape_like(term)}%",))


def startswith(column: str, term: str) -> Cond:
    """Prefix match, exactly as the ORM spells ``__startswith``."""
    return Cond("CAST({t}.%s AS VARCHAR) LIKE {0} ESCAPE '\\'" % column, (f"{escape_like(term)}%",))


def any_of(*conds: Cond) -> Cond:
    templates: list[Text] = []
    values: list[Any] = []
    for cond in conds:
        templates.append(_renumber(cond.template, len(values)))
        values.extend(cond.values)
    joined: Text
    if any(isinstance(t, Dialects) for t in templates):
        joined = Dialects("(" + " OR ".join(dialect_text(t, "postgres") for t in templates) + ")",
                          "(" + " OR ".join(dialect_text(t, "sqlite") for t in templates) + ")")
    else:
        joined = "(" + " OR ".join(t for t in templates if isinstance(t, str)) + ")"
    return Cond(joined, tuple(values))


def in_subtree(column: str, table: str, parent_column: str, root: uuid.UUID) -> Cond:
    """The column names a row of ``table`` at or below ``root`` in its tree (e.g. an org unit and
    its sub-units); rows of other tenants are never part of the tree."""
    return Cond(
        "{t}.%(column)s IN (WITH RECURSIVE subtree(id) AS (SELECT id FROM %(table)s WHERE tenant_id = {tenant} "
        "AND id = {0} UNION SELECT c.id FROM %(table)s c JOIN subtree s ON c.%(parent)s = s.id "
        "WHERE c.tenant_id = {tenant}) SELECT id FROM subtree)"
        % {"column": column, "table": table, "parent": parent_column}, (root,))


# --- who may read rows --------------------------------------------------------------------------

# Given the scopes held (own/team/unit/tenant) and the SQL of the employee id column to restrict:
# the CTEs the condition needs (placeholders {tenant} and {user}) and the condition.
RowScope = Callable[[frozenset[str], str], tuple[list[str], str]]


@dataclass(frozen=True)
class Access:
    """The permission ``object:action:<scope>`` a reader needs (FORBIDDEN without any scope of it),
    and optionally which rows each held scope reaches (``rows`` over ``column``)."""

    obj: str
    action: str
    rows: RowScope | None = None
    column: str = "id"
    scopes: frozenset[str] | None = None  # only these scopes count (e.g. the tenant-wide summary)
    message: str | None = None            # the FORBIDDEN message, when not the generic one
    # Rows read under a permission of their own, by the value of ``column`` (see ``per_value``).
    per_value: tuple[tuple[str, str], ...] = ()

    def forbidden(self) -> DomainError:
        from kinerja.core.errors import Forbidden

        return Forbidden(self.message or f"You lack the permission to {self.action} {self.obj}")


def requires(obj: str, action: str) -> Access:
    return Access(obj, action)


def per_value(column: str, permissions: Mapping[str, tuple[str, str]], message: str) -> Access:
    """Rows whose ``column`` says which permission reads them (an import of employees needs
    ``employee:manage``, one of training records ``training:manage``): ``permissions`` maps each value
    to its (object, action), held at any scope. The scopes held are the values readable; FORBIDDEN
    with ``message`` when there is none."""
    for value in permissions:
        if not value.isidentifier():
            raise ValueError(f"a value written into SQL must be a plain word: {value!r}")
    pairs = tuple((value, f"{obj}:{action}") for value, (obj, action) in permissions.items())
    return Access("", "", rows=_values_held, column=column, message=message, per_value=pairs)


def _values_held(values: frozenset[str], column: str) -> tuple[list[str], str]:
    listed = ", ".join(f"'{value}'" for value in sorted(values))
    return [], f"{column} IN ({listed})"


@dataclass(frozen=True)
class Guard:
    """A condition the whole field depends on; when it does not hold, the field is ``error``."""

    cond: Cond
    error: Callable[[], DomainError]


@dataclass(frozen=True)
class Exists:
    """A guard: a row of ``type_name`` matching ``where`` exists (and is readable, with ``access``: the
    type's rule, or the ``Access`` given, e.g. an employee whose training the reader may read)."""

    type_name: str
    where: tuple[Cond, ...]
    error: Callable[[], DomainError]
    access: bool | Access = True  # True: the type's access rule; or another rule over its rows


# --- specifications: what a field reads ----------------------------------------------------------

def guards_of(spec) -> tuple:
    """The guards of a specification, in the order they are checked (the first failing one answers)."""
    guard = getattr(spec, "guard", None)
    if guard is None:
        return ()
    return guard if isinstance(guard, tuple) else (guard,)


@dataclass(frozen=True)
class Rows:
    """Rows of the field's type: matching ``where``, related to the parent row by ``on`` (pairs of
    this type's column and the parent's column or expression), readable under the type's access
    rule when ``access`` (or under the Access given), ordered by ``order`` ("-col" descending)."""

    where: tuple[Cond, ...] = ()
    order: tuple[Text, ...] = ()
    on: tuple[tuple[str, Text], ...] = ()
    access: bool | Access = False
    guard: Guard | Exists | tuple[Guard | Exists, ...] | None = None  # several: checked in order
    joins: Text = ""  # SQL joined to the rows ({t}) as {j}, e.g. to order them by a related row's column
    # The values of the type's ``source`` ({0}, {1}, ...), e.g. the year a figure is of. A declared
    # relation (no builder of its own) reads those of the builder that reached it.
    values: tuple = ()


@dataclass(frozen=True)
class Row(Rows):
    """The first such row, or null; ``missing`` (when given) is the error for no row."""

    missing: Callable[[], DomainError] | None = None


@dataclass(frozen=True)
class Page(Rows):
    """A connection: keyset pages of ``first`` rows after the cursor ``after``; ``order`` must end
    with a unique column."""

    first: int | None = 20
    after: str | None = None


@dataclass(frozen=True)
class NodeLookup:
    """``node(id)``: the object a global id names, if its type is fetchable by id (``table(node=True)``)."""

    id: str


@dataclass(frozen=True)
class Static:
    """A value known without the database (projected through the selection)."""

    value: Any


@dataclass(frozen=True)
class NamedTenant:
    """The tenant a public read names with an argument (a slug), instead of the caller's token.
    ``gate(ctx, value)`` runs before anything is read: it returns the tenant's id, or a ``Static``
    answer the field gives without reading anything (a verification code that names no tenant is
    simply unknown), or raises the error the field answers (an unknown tenant, a page of another site). It sends as few statements as it
    can (none, for a tenant it knows): the read's own statement follows.

    ``spends(ctx, tenant_id)``, when given, names the rate limit the read counts against (a ``Limit``,
    or None for none): the compiler spends it once per operation with one write of its own, in the
    read's transaction before the read's statement (``core/ratelimit.py: spend``); a refusal is the
    RATE_LIMITED error of every field that spends that limit, and nothing is read for them."""

    value: Any
    gate: Callable
    spends: Callable | None = None


@dataclass(frozen=True)
class Limit:
    """A fixed-window rate limit a public read spends (``NamedTenant.spends``): one request counted in
    ``bucket``, at most ``limit`` per window of ``window_seconds``."""

    bucket: str
    limit: int
    window_seconds: int


@dataclass(frozen=True)
class Public:
    """A specification (``Rows``, ``Row``, ``Static``, ...) read for nobody, in the tenant ``tenant``
    names: the statement is bound to that tenant, whatever token came with the request."""

    spec: Any
    tenant: NamedTenant


@dataclass(frozen=True)
class Input:
    """SQL whose JSON value is an input of a derived field: ``sql`` over the row ``{t}`` with values
    ``{0}``, ... For aggregates of related rows, see ``json_list``."""

    sql: Text
    values: tuple = ()


def json_list(select: list[str], from_: str, where: str, order: list[str], *values) -> Input:
    """The JSON list of ``[select...]`` of the rows ``FROM from_ WHERE where ORDER BY order``
    (``{t}``: the row the field belongs to)."""
    columns = ", ".join(select)
    ordered = ", ".join(order)
    pg = (f"(SELECT coalesce(json_agg(json_build_array({columns}) ORDER BY {ordered}), '[]'::json) "
          f"FROM {from_} WHERE {where})")
    sqlite = (f"(SELECT json_group_array(json(x.j)) FROM (SELECT json_array({columns}) AS j "
              f"FROM {from_} WHERE {where} ORDER BY {ordered}) x)")
    return Input(Dialects(pg, sqlite), values)


@dataclass(frozen=True)
class Value:
    """A value computed in Python by ``fn`` from the JSON values of ``inputs`` (column names or
    ``Input``); one input is passed as it is, several as positional arguments. ``access``: the
    permission a reader needs (FORBIDDEN without any scope of it), for a value that is no type's rows.
    ``settings``: ``fn`` takes the server's settings first (what the server is configured with, such
    as the keys documents are signed with)."""

    fn: Callable
    inputs: tuple[str | Input, ...] = ()
    access: Access | None = None
    settings: bool = False


# --- field declarations --------------------------------------------------------------------------

@dataclass(frozen=True)
class Column:
    sql: Text  # a column name, or an expression over {t}


@dataclass(frozen=True)
class GlobalId:
    type_name: str
    column: str | None = None  # None: the key


@dataclass(frozen=True)
class Relation:
    spec: Rows  # Rows or Row


@dataclass(frozen=True)
class Derived:
    value: Value


@dataclass(frozen=True)
class RequestValue:
    fn: Callable  # fn(request) -> value, with request.permissions


@dataclass(frozen=True)
class Builder:
    tenant_argument: bool = False  # the field names its tenant with an argument (``Public``)


def _field(meta, description: str | None = None, **kwargs):
    return strawberry.field(description=description, metadata={SQL: meta}, **kwargs)


def column(name: str, *, description: str | None = None):
    return _field(Column(name), description)


def expression(sql: Text, *, description: str | None = None):
    return _field(Column(sql), description)


def global_id(type_name: str, column: str | None = None, *, description: str | None = None):
    return _field(GlobalId(type_name, column), description)


def join(local: Text, *, key: str = "id", description: str | None = None):
    """The row of the field's type whose ``key`` is this row's ``local`` column (or expression)."""
    return _field(Relation(Row(on=((key, local),))), description)


def rows(*, on: tuple[tuple[str, Text], ...] | dict = (), where: tuple[Cond, ...] = (), order: tuple[Text, ...] = (),
         access: bool | Access = False, joins: Text = "", description: str | None = None):
    return _field(Relation(Rows(where=tuple(where), order=tuple(order), on=_pairs(on), access=access, joins=joins)),
                  description)


def row(*, on: tuple[tuple[str, Text], ...] | dict = (), where: tuple[Cond, ...] = (), order: tuple[Text, ...] = (),
        access: bool | Access = False, joins: Text = "", description: str | None = None):
    return _field(Relation(Row(where=tuple(where), order=tuple(order), on=_pairs(on), access=access, joins=joins)),
                  description)


def _pairs(on) -> tuple:
    return tuple(on.items()) if isinstance(on, dict) else tuple(on)


def derived(fn: Callable, *inputs: str | Input, description: str | None = None):
    return _field(Derived(Value(fn, inputs)), description)


def request_value(fn: Callable, *, description: str | None = None):
    return _field(RequestValue(fn), description)


def builder(fn: Callable | None = None, *, description: str | None = None, name: str | None = None,
            tenant_argument: bool = False):
    """A field with arguments: the method turns them into a specification. ``tenant_argument``: a
    public read, whose specification is a ``Public`` naming its tenant."""
    decorator = strawberry.field(description=description, name=name,
                                 metadata={SQL: Builder(tenant_argument=tenant_argument)})
    return decorator(fn) if fn is not None else decorator


SHARED_ROWS: dict[str, Text] = {}


def shared_rows(name: str, select: Text) -> str:
    """Name a set of rows several sources read (a unit's totals and the employees below target
    among the same figures): ``select`` over ``{tenant}`` and the values ``{0}``, ``{1}``, ... (never a
    row of the statement). A source spells it ``{with:name}``; the statement computes it once per
    values, as a CTE, instead of once per source that reads it. Returns the placeholder."""
    SHARED_ROWS[name] = select
    return "{with:%s}" % name


# --- types ---------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Table:
    model: Any = None             # the tortoise model (its table, columns and their types)
    name: str | None = None       # the table, when there is no model
    key: str = "id"
    tenant: str | None = "tenant_id"
    source: Text | None = None    # rows that are no table (``FROM`` text over the parent row {p}, or
                                  # over the relation's ``values`` {0}, {1}, ...)
    order: tuple[Text, ...] = ()   # the order of such rows
    access: Access | None = None
    node: bool = False
    not_found: Callable[[], DomainError] | None = None
    # The source only pairs rows reached by their keys (no aggregate, no scan of a set): reads through
    # it keep one generic plan (graph/compiler/sqlgen.py: Builder.keyed).
    by_key: bool = False

    @property
    def table(self) -> str | None:
        return self.name or (self.model._meta.db_table if self.model is not None else None)


def table(model=None, *, name: str | None = None, key: str = "id", tenant: str | None = "tenant_id",
          source: Text | None = None, order: tuple[Text, ...] = (), access: Access | None = None, node: bool = False,
          not_found: Callable[[], DomainError] | None = None, by_key: bool = False,
          **strawberry_options) -> Callable[[T], T]:
    """Declare a strawberry object type and the rows it maps to: a tortoise ``model`` (or a table
    ``name``), or rows ``source`` derived from the parent row (e.g. the entries of a JSON column) or
    from the ``values`` a builder gives (e.g. an employee's figures of the year asked for; such a source
    restricts itself to the tenant with ``{tenant}``).
    ``access``: who may read which rows, where a field asks for it (root lists, ``node``, relations
    with ``access=True``). ``node``: fetchable with ``node(id)``, answering ``not_found()`` for an
    unknown, foreign or unreadable id. ``by_key``: the ``source`` only pairs rows reached by their keys."""
    description = Table(model, name, key, tenant if source is None else None, source, order, access, node, not_found,
                        by_key)

    def wrap(cls: T) -> T:
        described: Any = strawberry.type(cls, **strawberry_options)
        described.__sql__ = description  # read by the compiler (graph/compiler/model.py)
        return described
    return wrap


# --- references to described objects, returned by resolvers -------------------------------------

@dataclass(frozen=True)
class Ref:
    """An object of a described type, by id, returned by a resolver (a mutation's payload, a field of
    a type not described yet): its selection is compiled and read in one statement per field,
    in the operation's transaction."""

    type_name: str
    id: uuid.UUID


def ref(type_name: str, object_id) -> Ref | None:
    if object_id is None:
        return None
    return Ref(type_name, object_id if isinstance(object_id, uuid.UUID) else uuid.UUID(str(object_id)))
