"""Schema extensions: the per-operation tenant transaction, compiled reads, and the rule that one
operation acts in one tenant."""

from __future__ import annotations

import contextlib
import logging
import uuid

from graphql import (
    ExecutionResult,
    FieldNode,
    FragmentSpreadNode,
    GraphQLError,
    InlineFragmentNode,
    OperationDefinitionNode,
)
from graphql.utilities import value_from_ast_untyped
from strawberry.extensions import SchemaExtension
from strawberry.types.graphql import OperationType

from kinerja.core import audit, events, replicas
from kinerja.core.db import ONE_TENANT, announce_write, expire_pooled_connections, tenant_transaction
from kinerja.core.errors import Forbidden
from kinerja.core.faults import breaks_connection
from kinerja.core.logging import operation_var
from kinerja.core.storage import discard_uncommitted
from kinerja.graph.compiler import QUERY_KEY
from kinerja.tenancy.origins import persisted_only

log = logging.getLogger("kinerja.api")


class TenantTransaction(SchemaExtension):
    """Runs each operation in one transaction bound to the caller's tenant.

    The transaction commits only if the operation produced no error and no mutation reported
    userErrors; otherwise everything it wrote is rolled back. Just before it commits, the audit
    entries of what the operation changed are written in the same transaction.

    A query whose every field is described is answered by the compiler instead, before strawberry
    executes anything: one statement in a read-only transaction bound to the tenant.
    """

    async def on_execute(self):
        execution = self.execution_context
        ctx = execution.context
        operation_var.set(execution.operation_name or "")
        named = tenants_named(execution)
        if named is not None and not named.acts_in_one_tenant:
            # Refused before anything runs: nothing is bound, nothing written.
            execution.result = ExecutionResult(data=None, errors=[GraphQLError(
                ONE_TENANT, extensions={"code": "BAD_USER_INPUT"})])
            yield
            return
        try:
            refused = await refused_as_not_persisted(execution, ctx, named)
        except Exception as exc:  # noqa: BLE001 - the tenants' settings unreadable: the database's fault
            await self._failed_transaction(exc, before_execution=True)
            yield
            return
        if refused:
            execution.result = ExecutionResult(data=None, errors=[GraphQLError(
                PERSISTED_ONLY, extensions={"code": Forbidden.code})])
            yield
            return
        if execution.operation_type is OperationType.SUBSCRIPTION:
            # A subscription lives long: it opens one short transaction per event instead.
            yield
            return
        # An operation that names its tenant (login, refresh, public citizen operations) acts for
        # nobody, whatever token came with it: it binds the tenant it names, and its audit entries
        # carry the user who signed in, or no actor.
        actor = ctx.actor if named is None or not named.tenants else None
        ctx.cache[QUERY_KEY] = (execution.query, execution.operation_name)
        if execution.operation_type is OperationType.QUERY and ctx.settings.compiled_operations:
            try:
                answer = await execution.schema.compiler.answer(execution)
            except Exception as exc:  # noqa: BLE001 - reported as the operation's error, with its code
                await self._failed_transaction(exc, before_execution=True)
                yield
                return
            if answer is not None:
                execution.result = answer
                yield
                return
        opened = executed = committed = False
        collector = audit.AuditCollector(_first_field(execution),
                                         mutation=execution.operation_type is OperationType.MUTATION,
                                         actor_user_id=actor.user_id if actor else None,
                                         request_id=ctx.request_id, ip=ctx.ip)
        audit.current.set(collector)
        # Whose reads go to the primary for a while once this commits (read-your-writes, core/replicas.py).
        writer = (actor.user_id if actor and collector.mutation and replicas.writers.sticky_seconds > 0
                  else None)
        try:
            async with tenant_transaction(actor.tenant_id if actor else None,
                                          user_id=actor.user_id if actor else None,
                                          session_id=actor.session_id if actor else None) as conn:
                opened = True
                yield
                executed = True
                result = execution.result
                failed = ctx.rollback or bool(getattr(result, "errors", None))
                if failed:
                    await discard_uncommitted()  # files it stored, while its locks hold
                    await conn.rollback()
                else:
                    await audit.flush(collector)
                    if writer is not None:
                        await announce_write(writer)
                    committed = True
        except Exception as exc:
            if opened and not executed:
                raise  # raised by the execution itself, not by the transaction
            # The transaction could not start, or its COMMIT/ROLLBACK failed: whatever the resolvers
            # produced, the answer is an error (nothing is acknowledged that may not be committed).
            await self._failed_transaction(exc, before_execution=not opened)
            if not opened:
                yield
            return
        finally:
            audit.current.set(None)
        if committed:
            if writer is not None:
                replicas.writers.mark(writer)
            await events.committed(ctx, collector)
        elif any(breaks_connection(e.original_error) for e in getattr(execution.result, "errors", None) or []):
            await expire_pooled_connections()

    async def _failed_transaction(self, exc: Exception, *, before_execution: bool) -> None:
        error = GraphQLError(str(exc), original_error=exc)
        result = self.execution_context.result
        if before_execution or result is None:
            # A result set before execution makes strawberry skip running the operation.
            self.execution_context.result = ExecutionResult(data=None, errors=[error])
        else:
            result.data, result.errors = None, [error]
        if breaks_connection(exc):
            await expire_pooled_connections()


def _first_field(execution) -> str:
    """The first top-level field of the operation: the name writes are attributed to until a
    mutation names itself (``audit.begin``)."""
    document = execution.graphql_document
    for definition in getattr(document, "definitions", ()):
        if isinstance(definition, OperationDefinitionNode) and (
                execution.operation_name is None or definition.name is None
                or definition.name.value == execution.operation_name):
            for selection in definition.selection_set.selections:
                if isinstance(selection, FieldNode):
                    return selection.name.value
    return execution.operation_name or ""


# Fields that name their tenant themselves instead of acting for the signed-in user, and where in
# their arguments the tenant is: a slug, or the tenant part of a refresh token.
TENANT_NAMING_FIELDS: dict[str, tuple[str, ...]] = {
    "login": ("input", "tenant"),
    "completePasswordReset": ("input", "tenant"),
    "refreshToken": ("input", "refreshToken"),
    "logout": ("input", "refreshToken"),
    "publicServices": ("tenant",),
    "feedbackTicket": ("tenant",),
    "publicReport": ("tenant",),
    "verifyDocument": ("code",),  # a verification code starts with its tenant's slug
    "submitSurveyResponse": ("input", "tenant"),
    "submitCitizenFeedback": ("input", "tenant"),
    "surveyQuestions": ("tenant",),
    "feedbackTimeline": ("tenant",),
    "replyToTicket": ("input", "tenant"),
    "rateTicketAnswer": ("input", "tenant"),
}
_NEUTRAL_FIELDS = {"__typename", "__schema", "__type"}


PERSISTED_ONLY = ("This tenant accepts persisted documents only: send the documentId of a registered "
                  "document (schema/operations/ or the deployment's codegen manifest)")


def _tenant_keys(ctx, named: NamedTenants | None) -> set:
    """The tenants an operation acts in: those it names (a slug, or a refresh token's tenant id), else
    the signed-in user's."""
    if named is not None and named.tenants:
        keys: set = set()
        for tenant in named.tenants:
            kind, _, value = tenant.partition(":")
            if kind == "slug":
                keys.add(value)
            else:
                with contextlib.suppress(ValueError):  # a malformed token: its resolver refuses it
                    keys.add(uuid.UUID(value))
        return keys
    return {ctx.actor.tenant_id} if ctx.actor is not None else set()


async def refused_as_not_persisted(execution, ctx, named: NamedTenants | None) -> bool:
    """A tenant restricted to persisted documents (``persisted_documents_only``) runs registered
    documents only, whichever transport or path carried them."""
    restricted = [key for key in _tenant_keys(ctx, named) if await persisted_only(key)]
    if not restricted:
        return False
    trusted = getattr(execution.schema, "trusted", None)
    return trusted is None or not trusted.knows(execution.query)


class NamedTenants:
    def __init__(self, tenants: set[str], user_fields: bool):
        self.tenants = tenants
        self.user_fields = user_fields

    @property
    def acts_in_one_tenant(self) -> bool:
        return len(self.tenants) <= 1 and not (self.tenants and self.user_fields)


def tenants_named(execution) -> NamedTenants | None:
    """The tenants the top-level fields of the operation name (None when the operation cannot be
    found: execution reports that). Each refresh token names its tenant by id and each slug by name,
    so a slug and a token in one operation count as two."""
    document = execution.graphql_document
    operation = _operation(document, execution.operation_name)
    if operation is None:
        return None
    fragments = {d.name.value: d for d in getattr(document, "definitions", ()) if d.kind == "fragment_definition"}
    variables = execution.variables or {}
    tenants, user_fields = set(), False
    for field in _top_level_fields(operation.selection_set, fragments, set()):
        name = field.name.value
        if name in _NEUTRAL_FIELDS:
            continue
        path = TENANT_NAMING_FIELDS.get(name)
        if path is None:
            user_fields = True
            continue
        tenants.add(_named_tenant(field, path, variables))
    return NamedTenants(tenants, user_fields)


def _operation(document, name: str | None) -> OperationDefinitionNode | None:
    operations = [d for d in getattr(document, "definitions", ()) if isinstance(d, OperationDefinitionNode)]
    if name is None:
        return operations[0] if len(operations) == 1 else None
    return next((o for o in operations if o.name is not None and o.name.value == name), None)


def _top_level_fields(selection_set, fragments: dict, seen: set):
    for selection in selection_set.selections if selection_set else ():
        if isinstance(selection, FieldNode):
            yield selection
        elif isinstance(selection, InlineFragmentNode):
            yield from _top_level_fields(selection.selection_set, fragments, seen)
        elif isinstance(selection, FragmentSpreadNode) and selection.name.value not in seen:
            seen.add(selection.name.value)
            fragment = fragments.get(selection.name.value)
            if fragment is not None:
                yield from _top_level_fields(fragment.selection_set, fragments, seen)


def _named_tenant(field: FieldNode, path: tuple[str, ...], variables: dict) -> str:
    """The tenant one field names, normalised as its resolver reads it; '?' when it cannot be told
    before running (a missing or malformed value: the resolver then refuses it)."""
    arguments = {a.name.value: a.value for a in field.arguments or ()}
    node = arguments.get(path[0])
    value = value_from_ast_untyped(node, variables) if node is not None else None
    for key in path[1:]:
        value = value.get(key) if isinstance(value, dict) else None
    if not isinstance(value, str):
        return "?"
    if path[-1] == "refreshToken":
        return "id:" + value.split(".", 1)[0].strip().lower()
    if path[-1] == "code":
        return "slug:" + value.split(".", 1)[0].strip().lower()[:63]
    return "slug:" + value.strip().lower()[:63]
