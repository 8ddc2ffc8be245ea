"""Running compiled reads, and the hooks that let graphql-core read compiled answers.

- Whole operations: a query whose every field is described is answered before strawberry
  executes: one statement in a read-only transaction bound to the tenant, then the shaper. An answer
  with an error is completed by graphql-core over the shaped answer (exact null propagation).
- Resolver mode: an operation with a part that is not described runs through the schema. Its
  described root fields are compiled together into one statement; every field of every object type
  reads a compiled answer (a dict) by its response key; a resolver returning ``sql.Ref`` (a mutation's
  payload object, a field of a type not described yet) gets its selection compiled, batched per field.
- Caches: programs per (document, operation, position); statements and shapers per (program,
  dialect, permissions, facts). A request reuses both and only collects its parameter values.
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import inspect
import logging
from collections import OrderedDict
from collections.abc import Callable, Hashable, Sequence
from typing import Any

import orjson
from graphql import (
    DocumentNode,
    ExecutionResult,
    FragmentDefinitionNode,
    GraphQLEnumType,
    GraphQLInterfaceType,
    GraphQLObjectType,
    GraphQLScalarType,
    GraphQLUnionType,
    OperationDefinitionNode,
    OperationType,
    execute,
    get_named_type,
)
from graphql.execution.values import VariableValues, get_variable_values
from strawberry.dataloader import DataLoader

from kinerja.core import audit, ratelimit
from kinerja.core.db import (
    ONE_TENANT,
    Spending,
    bound_tenant,
    connection,
    is_postgres,
    switch_tenant,
    tenant_read,
    tenant_spend,
)
from kinerja.core.errors import BadUserInput, DomainError
from kinerja.graph import sql
from kinerja.graph.compiler.dialect import POSTGRES, SENTINEL_TEXT, SQLITE, Dialect
from kinerja.graph.compiler.model import described_types, strawberry_field
from kinerja.graph.compiler.plan import Conn, FConst, FValue, NotCompilable, Planner, Rel
from kinerja.graph.compiler.program import (
    Prepared,
    Program,
    Request,
    build_program,
    fragments_of,
    operation_of,
    prepare_site,
    refused_by_postgres,
)
from kinerja.graph.compiler.shape import Marker, State, final, walker
from kinerja.graph.compiler.sqlgen import Builder, SqliteBuilder, resolve_params
from kinerja.graph.errors import ValueNotStorable
from kinerja.graph.limits import query_cost

log = logging.getLogger("kinerja.graph")
QUERY_KEY = "kinerja.graphql_query"  # ctx.cache: (document text, operation name) of the running operation


class _Cache:
    """Least recently used out first."""

    def __init__(self, size: int):
        self.size = size
        self.items: OrderedDict[Any, Any] = OrderedDict()

    def find(self, key):
        value = self.items.get(key)
        if value is not None:
            self.items.move_to_end(key)
        return value

    def get(self, key, build: Callable):
        try:
            self.items.move_to_end(key)
            return self.items[key]
        except KeyError:
            value = self.items[key] = build()
            if len(self.items) > self.size:
                self.items.popitem(last=False)
            return value


class _KnownReads(dict):
    """Query documents answered whole, by (text, operation name); the oldest are forgotten."""

    def __init__(self, size: int):
        super().__init__()
        self.size = size

    def __setitem__(self, key, value) -> None:
        if len(self) >= self.size:
            del self[next(iter(self))]
        super().__setitem__(key, value)


class Compiled:
    __slots__ = ("sql", "sources", "walk", "constants", "keyed", "final")

    def __init__(self, sql_text: str | None, sources: list, walk, constants: dict, keyed: bool = False,
                 final: bool = False):
        self.sql, self.sources, self.walk = sql_text, sources, walk
        self.constants = constants  # the answer's root when no statement is needed (its shape filled in later)
        self.keyed = keyed  # every row it reads is reached by a key (sqlgen.py: Builder.keyed)
        self.final = final  # the statement's JSON text is the answer when it holds no sentinel (shape.py)

    def empty(self) -> dict:
        return dict(self.constants)


class Declined:
    __slots__ = ("reason",)

    def __init__(self, reason: str):
        self.reason = reason


class Read:
    """A query document the compiler answers whole: its operation, fragments and program, and, per
    request variables seen recently, its cost and prepared facts (pure functions of them)."""

    __slots__ = ("document", "operation", "fragments", "program", "name", "key", "blocked", "costs", "prepared")
    document: DocumentNode
    operation: OperationDefinitionNode | None
    fragments: dict[str, FragmentDefinitionNode]
    program: Program | None
    name: str | None
    key: Hashable
    blocked: str | None
    costs: _Cache
    prepared: _Cache

    @classmethod
    def of(cls, compiler: Compiler, document, text: str | None, name: str | None) -> Read:
        read = cls()
        read.document, read.name = document, name
        read.costs, read.prepared = _Cache(64), _Cache(256)
        read.operation = operation_of(document, name)
        read.fragments = fragments_of(document)
        read.key = ("query", text, name) if text else None
        if read.operation is None or read.operation.operation is not OperationType.QUERY:
            read.program, read.blocked = None, "no single query operation"
        else:
            read.program = compiler.program(read.key, read.fragments, [read.operation.selection_set],
                                            compiler.gql.query_type)
            read.blocked = read.program.blocked
        read.key = read.key or id(read.program)
        return read


class Compiler:
    def __init__(self, schema: Any) -> None:
        self.schema = schema
        self.gql = schema._schema
        self.types = described_types(self.gql)
        self.programs = _Cache(1024)
        self.statements = _Cache(2048)
        self.reads: dict = _KnownReads(1024)
        self._dialect: Dialect | None = None

    @property
    def dialect(self):
        if self._dialect is None:
            self._dialect = POSTGRES if is_postgres() else SQLITE
        return self._dialect

    def use_dialect(self, settings) -> None:
        """The dialect follows the configuration (known before any connection is needed)."""
        if self._dialect is None:
            self._dialect = POSTGRES if settings.uses_postgres else SQLITE

    # -- shared steps
    def program(self, key, fragments, selection_sets, parent_type):
        def build():
            return build_program(self.gql, self.types, fragments, selection_sets, parent_type)
        if key is None:
            return build()
        return self.programs.get(key, build)

    def target_of(self, gql_field, spec):
        named = get_named_type(gql_field.type)
        if isinstance(spec, sql.Page):
            edge = get_named_type(named.fields["edges"].type)
            named = get_named_type(edge.fields["node"].type)
        return self.types.get(named.name)

    async def request(self, ctx, variables, *, in_transaction: bool, public: bool = False) -> Request:
        """``public``: a read that names its tenant acts for nobody, whatever token came with it."""
        if isinstance(variables, dict):  # what strawberry gives resolvers: the coerced values alone
            variables = VariableValues(sources={}, coerced=variables)
        permissions: frozenset[str] = frozenset()
        if ctx.actor is not None and not public:
            if not in_transaction:
                await ctx.load_permissions()
            permissions = await ctx.permissions()
        return Request(ctx, permissions, variables, self.types, self.schema, public)

    @staticmethod
    async def named_tenant(facts: list, ctx):
        """The tenant a public read names (None when no field names one): each field's gate runs
        once per operation, before anything is read. A field its gate answers (``sql.Static``) reads
        nothing; a refusal (an unknown tenant, another site's page, a rate limit) becomes the error of
        every field it gates. One operation names one tenant (``api/extensions.py`` refuses others
        before they run)."""
        outcomes: dict = {}
        tenant = None
        for index, prepared in enumerate(facts):
            named = prepared.tenant
            if named is None or prepared.error is not None:
                continue
            key = (named.gate, named.value)
            if key not in outcomes:
                try:
                    outcomes[key] = await named.gate(ctx, named.value)
                except DomainError as exc:
                    outcomes[key] = exc
            outcome = outcomes[key]
            if isinstance(outcome, DomainError):
                facts[index] = Prepared(error=outcome)
            elif isinstance(outcome, sql.Static):
                facts[index] = Prepared(spec=outcome, target=prepared.target)
            elif tenant is not None and outcome != tenant:
                facts[index] = Prepared(error=BadUserInput(ONE_TENANT))
            else:
                tenant = outcome
        return tenant

    @staticmethod
    async def spend_limits(facts: list, ctx, tenant, fetch) -> None:
        """The rate limits the fields of a public read spend (``NamedTenant.spends``): each limit once
        per operation, with one write of its own sent by ``fetch`` in the read's transaction, before
        anything is read; a refusal becomes the error of every field that spends that limit."""
        outcomes: dict = {}
        for index, prepared in enumerate(facts):
            named = prepared.tenant
            if named is None or named.spends is None or prepared.error is not None:
                continue
            key = (named.spends, named.value)
            if key not in outcomes:
                try:
                    limit = await named.spends(ctx, tenant)
                    if limit is not None:
                        await ratelimit.spend(fetch, is_postgres(), tenant, limit.bucket, limit.limit,
                                              limit.window_seconds)
                    outcomes[key] = None
                except DomainError as exc:
                    outcomes[key] = exc
            if outcomes[key] is not None:
                facts[index] = Prepared(error=outcomes[key])

    @staticmethod
    def spends(facts: list) -> bool:
        return any(f.tenant is not None and f.tenant.spends is not None and f.error is None for f in facts)

    def prepare(self, program, request: Request) -> list:
        facts = [prepare_site(site, request, self.target_of) for site in program.sites]
        if self.dialect is POSTGRES:
            for index, prepared in enumerate(facts):
                if prepared.spec is not None and prepared.error is None and refused_by_postgres(prepared, self.types):
                    facts[index] = Prepared(error=ValueNotStorable("a value the database refuses"))
        return facts

    def builder(self, facts, permissions) -> Builder:
        kind = SqliteBuilder if self.dialect is SQLITE else Builder
        return kind(self.dialect, facts, self.types, permissions)

    def statement(self, key, compile_: Callable) -> Compiled | Declined:
        def build():
            try:
                return compile_()
            except NotCompilable as exc:
                return Declined(str(exc))
        return self.statements.get(key, build)

    async def run(self, compiled: Compiled, facts: list, ctx, *, whole: bool, ids=None, named=None, fetch=None):
        return orjson.loads(await self.run_text(compiled, facts, ctx, whole=whole, ids=ids, named=named, fetch=fetch))

    async def run_text(self, compiled: Compiled, facts: list, ctx, *, whole: bool, ids=None, named=None,
                       fetch=None) -> str:
        """The statement's JSON text. ``named``: the tenant a public read named (read for nobody);
        ``fetch``: the transaction it already opened to spend a rate limit."""
        if named is not None:
            tenant, user, session = named, None, None
        else:
            actor = ctx.require_actor()
            bound = bound_tenant.get()
            tenant = bound if not whole and bound is not None else actor.tenant_id
            user, session = actor.user_id, actor.session_id
        dialect = self.dialect
        params = [dialect.convert(v) for v in resolve_params(compiled.sources, facts, tenant, user, ids, session)]
        if compiled.sql is None:
            raise ValueError("an answer without a statement has nothing to run")
        rows: Sequence[Any]
        if fetch is not None:
            rows = await fetch(compiled.sql, params)
        elif whole:
            async with tenant_read(tenant, user_id=user, session_id=session, generic=compiled.keyed) as read:
                rows = await read(compiled.sql, params)
        else:
            # Inside the operation's transaction (a mutation's answer): the audit entries so far ride along.
            text, params = audit.ride(compiled.sql, params)
            _, rows = await connection().execute_query(text, params)
        return rows[0][0]

    @staticmethod
    async def check_account(ctx) -> None:
        """An answer that needs no statement (every field refused or constant) still ends with the
        caller's account: a disabled or deleted user is UNAUTHENTICATED, never FORBIDDEN."""
        if ctx.actor is not None:
            async with tenant_read(ctx.actor.tenant_id, user_id=ctx.actor.user_id, session_id=ctx.actor.session_id):
                pass

    # -- whole operations
    async def answer(self, execution) -> ExecutionResult | None:
        """The answer of a query operation, or None when some part of it is not described. An
        answered document is remembered (``known``): it passed parsing, validation and the limits."""
        ctx = execution.context
        self.use_dialect(ctx.settings)
        # Known by the name the request gave (strawberry names the first operation otherwise).
        text, asked = execution.query, getattr(execution, "_provided_operation_name", execution.operation_name)
        read = self.reads.get((text, asked)) if text else None
        if read is None:
            read = Read.of(self, execution.graphql_document, text, execution.operation_name)
            if read.blocked:
                log.debug("read %s: resolvers (%s)", read.name or "-", read.blocked)
                return None
        result = await self.answer_read(read, execution.variables or {}, ctx)
        # A public read is not remembered: the schema's path checks the tenant it names each time
        # (one tenant per operation, persisted documents only) before the compiler answers it.
        if result is not None and text and (text, asked) not in self.reads \
                and read.program is not None and not read.program.named:
            self.reads[(text, asked)] = read
        return result

    def known(self, text: str, operation_name: str | None) -> Read | None:
        """A query document answered whole before (parsed, valid, within the document limits)."""
        return self.reads.get((text, operation_name))

    def cost(self, read: Read, variables: dict, variables_key: bytes) -> int:
        """The static cost of a known document for these variables (graph/limits.py)."""
        return read.costs.get(variables_key, lambda: query_cost(self.gql, read.document, read.name, variables))

    async def answer_read(self, read: Read, raw_variables: dict, ctx, variables_key: bytes | None = None,
                          *, unparsed: bool = False) -> ExecutionResult | None:
        """``variables_key``: the request's variables as canonical JSON, when the caller has them: the
        facts prepared for the same document, permissions and variables are reused. ``unparsed``: the
        caller serializes with orjson, so a final answer may be the statement's text as it came
        (``orjson.Fragment``)."""
        async with contextlib.AsyncExitStack() as transaction:
            return await self._answer_read(read, raw_variables, ctx, variables_key, transaction, unparsed)

    async def _answer_read(self, read: Read, raw_variables: dict, ctx, variables_key: bytes | None,
                           transaction: contextlib.AsyncExitStack, unparsed: bool) -> ExecutionResult | None:
        operation, program = read.operation, read.program
        if operation is None or program is None:
            return None  # blocked (Read.of): never answered whole
        found = None
        fetch: Spending | None = None
        public = program.named
        if variables_key is not None and ctx.actor is not None and not public:
            await ctx.load_permissions()
            # Builders may read the date (a default year, "upcoming"): facts are kept for one day at most.
            cache_key = (await ctx.permissions(), variables_key, dt.date.today())
            found = read.prepared.find(cache_key)
        tenant = None
        if found is not None:
            request, facts, compiled = found
            request = Request(ctx, request.permissions, request.variables, self.types, self.schema)
        else:
            variables = get_variable_values(self.gql, operation.variable_definitions or (), raw_variables)
            if isinstance(variables, list):
                log.debug("read %s: resolvers (invalid variables)", read.name or "-")
                return None  # graphql-core reports the variables' errors
            request = await self.request(ctx, variables, in_transaction=False, public=public)
            facts = self.prepare(program, request)
            tenant = await self.named_tenant(facts, ctx) if public else None
            if tenant is not None and self.spends(facts):
                fetch = await transaction.enter_async_context(tenant_spend(tenant))
                await self.spend_limits(facts, ctx, tenant, fetch)
            statement_key = (read.key, self.dialect.name, request.permissions, tuple(f.shape for f in facts))
            compiled = self.statement(statement_key, lambda: self.compile_root(
                program, read.fragments, operation, facts, request, partial=False))
            if isinstance(compiled, Declined):
                log.debug("read %s: resolvers (%s)", read.name or "-", compiled.reason)
                return None
            if variables_key is not None and ctx.actor is not None and not public and not any(f.error for f in facts):
                read.prepared.get((request.permissions, variables_key, dt.date.today()),
                                  lambda: (request, facts, compiled))
        log.debug("read %s: compiled", read.name or "-")
        if compiled.sql is not None:
            text = await self.run_text(compiled, facts, ctx, whole=True, named=tenant if public else None, fetch=fetch)
            if unparsed and compiled.final and SENTINEL_TEXT not in text:
                log.debug("answer %s: the statement's text", read.name or "-")
                if fetch is not None:
                    fetch.keep = True
                return ExecutionResult(data=orjson.Fragment(text), errors=None)  # type: ignore[arg-type]  # serialized by orjson as it is
            tree = orjson.loads(text)
        else:
            if not public:
                await self.check_account(ctx)
            tree = compiled.empty()
        state = State(facts, request)
        if compiled.walk is not None:
            compiled.walk(tree, state)
        if state.slow:
            result = execute(self.gql, read.document, root_value=tree, context_value=ctx,
                             variable_values=raw_variables, operation_name=read.name)
            result = await result if inspect.isawaitable(result) else result
            if fetch is not None:
                fetch.keep = not result.errors  # a spent limit counts as a resolver's would
            return result
        for obj in state.typenames:
            obj.pop("__typename", None)
        if fetch is not None:
            fetch.keep = True
        return ExecutionResult(data=tree, errors=None)

    def compile_root(self, program, fragments, operation, facts, request: Request, *, partial: bool) -> Compiled:
        planner = Planner(self.gql, self.types, fragments, program, facts, request.permissions)
        root = planner.root([operation.selection_set], only_described=partial)
        builder = self.builder(facts, request.permissions)
        # Rows, or a value computed from SQL inputs (the unread count); a root value without inputs
        # and constants need no statement.
        needs_sql = any(isinstance(f, (Rel, Conn)) or (isinstance(f, FValue) and f.value.inputs)
                        for f in root.fields)
        text = builder.root(root) if needs_sql else None
        spelled = self.dialect.spells_codes
        return Compiled(text, builder.st.sources, walker(root, spelled),
                        {f.key: f.value if isinstance(f, FConst) else None for f in root.fields}, builder.keyed,
                        final=text is not None and final(root, spelled))

    # -- resolver mode: the described root fields, together
    def root_value(self, source, info, **arguments):
        if type(source) is dict:
            return _read(source, info)  # completing a whole operation's answer
        return self._root_value(info)

    async def _root_value(self, info):
        ctx = info.context
        batch = ("kinerja.roots", id(info.operation))
        task = ctx.cache.get(batch)
        if task is None:
            task = ctx.cache[batch] = asyncio.ensure_future(self._roots(info))
        tree = await task
        value = tree[info.path.key]
        if type(value) is Marker:
            raise value.error
        return value

    async def _roots(self, info) -> dict:
        ctx = info.context
        query = ctx.cache.get(QUERY_KEY)
        key = ("roots",) + query if query and query[0] else None
        program = self.program(key, info.fragments, [info.operation.selection_set], self.gql.query_type)
        request = await self.request(ctx, info.variable_values, in_transaction=True, public=program.named)
        facts = self.prepare(program, request)
        tenant = await self.named_tenant(facts, ctx) if program.named else None
        if tenant is not None:
            await switch_tenant(connection(), tenant)
            if self.spends(facts):
                async def fetch(text: str, params: list) -> list:
                    return await connection().execute_query_dict(text, params)
                await self.spend_limits(facts, ctx, tenant, fetch)
        statement_key = (key or id(program), "roots", self.dialect.name, request.permissions,
                         tuple(f.shape for f in facts))
        compiled = self.statement(statement_key, lambda: self.compile_root(program, info.fragments, info.operation,
                                                                           facts, request, partial=True))
        if isinstance(compiled, Declined):
            raise RuntimeError(f"described root fields not compiled: {compiled.reason}")
        tree = (await self.run(compiled, facts, ctx, whole=False, named=tenant) if compiled.sql is not None
                else compiled.empty())
        if compiled.walk is not None:
            compiled.walk(tree, State(facts, request))
        return tree

    # -- resolver mode: objects a resolver returned by reference
    def load(self, info, value):
        if type(value) is sql.Ref:
            return self._loader(info, value.type_name).load(value.id)
        refs = [v for v in value if type(v) is sql.Ref]
        if not refs:
            return value

        async def many():
            loaded = await asyncio.gather(*[self._loader(info, v.type_name).load(v.id) for v in refs])
            return [item for item in loaded if item is not None]
        return many()

    def _loader(self, info, type_name: str) -> DataLoader:
        key = ("kinerja.refs", type_name, tuple(id(n) for n in info.field_nodes))
        loaders = info.context.loaders
        loader = loaders.get(key)
        if loader is None:
            async def batch(ids: list) -> list:
                return await self._refs(info, type_name, ids)
            loader = loaders[key] = DataLoader(load_fn=batch)
        return loader

    async def _refs(self, info, type_name: str, ids: list) -> list:
        ctx = info.context
        target = self.types[type_name]
        query = ctx.cache.get(QUERY_KEY)
        path = tuple(k for k in info.path.as_list() if isinstance(k, str))
        key = ("ref", path, type_name) + query if query and query[0] else None
        selection_sets = [n.selection_set for n in info.field_nodes if n.selection_set is not None]
        program = self.program(key, info.fragments, selection_sets, target.gql)
        request = await self.request(ctx, info.variable_values, in_transaction=True)
        facts = self.prepare(program, request)
        abstract = isinstance(get_named_type(info.return_type), (GraphQLInterfaceType, GraphQLUnionType))
        statement_key = (key or id(program), self.dialect.name, request.permissions, tuple(f.shape for f in facts))

        def compile_refs() -> Compiled:
            planner = Planner(self.gql, self.types, info.fragments, program, facts, request.permissions)
            obj = planner.obj(selection_sets, target.gql, target, abstract=abstract)
            builder = self.builder(facts, request.permissions)
            return Compiled(builder.refs(obj, target, None), builder.st.sources, walker(obj, self.dialect.spells_codes),
                            {})

        compiled = self.statement(statement_key, compile_refs)
        if isinstance(compiled, Declined):
            raise RuntimeError(f"{type_name} not compiled: {compiled.reason}")
        rows = await self.run(compiled, facts, ctx, whole=False, ids=list(ids))
        state = State(facts, request)
        found = {}
        for object_id, obj in rows:
            if compiled.walk is not None:
                compiled.walk(obj, state)
            found[str(object_id)] = obj
        return [found.get(str(i)) for i in ids]


def _read(source: dict, info):
    value = source[info.path.key]
    if type(value) is Marker:
        raise value.error
    return value


def _has_ref(value) -> bool:
    return type(value) is sql.Ref or (type(value) is list and any(type(v) is sql.Ref for v in value))


def _reading(original, compiler: Compiler | None):
    """A field's resolver that reads compiled answers (dicts), and compiles what a resolver returns by
    reference (``compiler`` given for fields whose type is described)."""
    if compiler is None:
        def resolve(source, info, **arguments):
            if type(source) is dict:
                return _read(source, info)
            return original(source, info, **arguments)
        return resolve

    async def awaited(result, info):
        value = await result
        if _has_ref(value):
            loaded = compiler.load(info, value)
            return await loaded if inspect.isawaitable(loaded) else loaded
        return value

    def resolve_refs(source, info, **arguments):
        if type(source) is dict:
            return _read(source, info)
        result = original(source, info, **arguments)
        if inspect.isawaitable(result):
            return awaited(result, info)
        if _has_ref(result):
            return compiler.load(info, result)
        return result
    return resolve_refs


def _tolerant(serialize):
    """Compiled answers carry dates and times as ISO text already."""
    def tolerant(value):
        return value if isinstance(value, str) else serialize(value)
    return tolerant


def _enum_output(gql_enum: GraphQLEnumType):
    """Compiled answers carry enum values by their GraphQL name already (a column stores the name, a
    value computed in Python was serialized by the shaper); what resolvers return (members, or their
    Python values) is serialized as before. A Python value spelled like another value's name would be
    ambiguous, so such an enum stops the start."""
    names = set(gql_enum.values)
    clashes = {value.value for name, value in gql_enum.values.items()
               if isinstance(value.value, str) and value.value in names and value.value != name}
    if clashes:
        raise TypeError(f"enum {gql_enum.name}: values spelled like other values' names: {sorted(clashes)}")
    coerce = gql_enum.coerce_output_value

    def output(value):
        return value if type(value) is str and value in names else coerce(value)
    return output


def install(schema) -> Compiler:
    """Read the schema's type descriptions and let its graphql-core types read compiled answers."""
    compiler = Compiler(schema)
    gql = schema._schema
    described = set(compiler.types)
    for name, gql_type in gql.type_map.items():
        if name.startswith("__"):
            continue
        if isinstance(gql_type, GraphQLScalarType) and name in ("DateTime", "Date"):
            gql_type.serialize = _tolerant(gql_type.serialize)  # type: ignore[method-assign]  # graphql-core's scalars read compiled answers
            gql_type.coerce_output_value = _tolerant(gql_type.coerce_output_value)
        if isinstance(gql_type, GraphQLEnumType):
            gql_type.serialize = gql_type.coerce_output_value = _enum_output(gql_type)  # type: ignore[method-assign]  # graphql-core's enums read compiled answers
        if not isinstance(gql_type, GraphQLObjectType):
            continue
        for gql_field in gql_type.fields.values():
            definition = strawberry_field(gql_field)
            meta = (definition.metadata or {}).get(sql.SQL) if definition is not None else None
            if gql_type is gql.query_type and meta is not None:
                gql_field.resolve = compiler.root_value
            else:
                named = get_named_type(gql_field.type)
                by_reference = named.name in described or isinstance(named, GraphQLInterfaceType)
                gql_field.resolve = _reading(gql_field.resolve, compiler if by_reference else None)
        if gql_type.is_type_of is not None:
            gql_type.is_type_of = _dict_or(gql_type.is_type_of)
    schema.compiler = compiler
    return compiler


def _dict_or(is_type_of):
    def check(value, info) -> bool:
        return type(value) is dict or is_type_of(value, info)
    return check
