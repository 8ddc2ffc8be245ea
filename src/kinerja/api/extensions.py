"""Schema extensions: the per-operation tenant transaction."""

from __future__ import annotations

import inspect
import logging

from graphql import ExecutionResult, GraphQLError
from strawberry.extensions import SchemaExtension
from strawberry.types.graphql import OperationType

from kinerja.core.db import expire_pooled_connections, is_database_unavailable, tenant_transaction
from kinerja.core.logging import operation_var

log = logging.getLogger("kinerja.api")


class TenantTransaction(SchemaExtension):
    """Runs each operation in one transaction bound to the caller's tenant.

    The transaction commits only if the operation produced no error and no mutation reported
    userErrors; otherwise everything it wrote is rolled back.
    """

    async def on_execute(self):
        execution = self.execution_context
        ctx = execution.context
        operation_var.set(execution.operation_name or "")
        if execution.operation_type is OperationType.SUBSCRIPTION:
            # A subscription lives long: it opens one short transaction per event instead.
            yield
            return
        opened = executed = committed = False
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
