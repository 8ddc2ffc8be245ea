"""Schema extensions: the per-operation tenant transaction, and compiled reads."""

from __future__ import annotations

import inspect
import logging

from graphql import ExecutionResult, FieldNode, GraphQLError, OperationDefinitionNode
from strawberry.extensions import SchemaExtension
from strawberry.types.graphql import OperationType

from kinerja.core import audit
from kinerja.core.db import expire_pooled_connections, is_database_unavailable, tenant_transaction
from kinerja.core.logging import operation_var
from kinerja.graph.compiler import QUERY_KEY

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
        if execution.operation_type is OperationType.SUBSCRIPTION:
            # A subscription lives long: it opens one short transaction per event instead.
            yield
            return
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
                                         mutation=execution.operation_type is OperationType.MUTATION)
        audit.current.set(collector)
        try:
            async with tenant_transaction(ctx.tenant_id) as conn:
                opened = True
                yield
                executed = True
                result = execution.result
                failed = ctx.rollback or bool(getattr(result, "errors", None))
                if failed:
                    await conn.rollback()
                else:
                    await audit.flush(collector, ctx.actor.user_id if ctx.actor else None, ctx.request_id, ctx.ip)
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
            for callback in ctx.after_commit:
                outcome = callback()
                if inspect.isawaitable(outcome):
                    await outcome
        elif any(is_database_unavailable(e.original_error) for e in getattr(execution.result, "errors", None) or []):
            await expire_pooled_connections()

    async def _failed_transaction(self, exc: Exception, *, before_execution: bool) -> None:
        error = GraphQLError(str(exc), original_error=exc)
        if before_execution:
            # A result set before execution makes strawberry skip running the operation.
            self.execution_context.result = ExecutionResult(data=None, errors=[error])
        else:
            result = self.execution_context.result
            result.data, result.errors = None, [error]
        if is_database_unavailable(exc):
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
