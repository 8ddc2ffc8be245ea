"""Schema extensions: the per-operation tenant transaction."""

from __future__ import annotations

import inspect
import logging

from graphql import FieldNode, OperationDefinitionNode
from strawberry.extensions import SchemaExtension
from strawberry.types.graphql import OperationType

from kinerja.core import audit
from kinerja.core.db import tenant_transaction
from kinerja.core.logging import operation_var

log = logging.getLogger("kinerja.api")


class TenantTransaction(SchemaExtension):
    """Runs each operation in one transaction bound to the caller's tenant.

    The transaction commits only if the operation produced no error and no mutation reported
    userErrors; otherwise everything it wrote is rolled back. Just before it commits, the audit
    entries of what the operation changed are written in the same transaction.
    """

    async def on_execute(self):
        execution = self.execution_context
        ctx = execution.context
        operation_var.set(execution.operation_name or "")
        if execution.operation_type is OperationType.SUBSCRIPTION:
            # A subscription lives long: it opens one short transaction per event instead.
            yield
            return
        committed = False
        collector = audit.AuditCollector(_first_field(execution),
                                         mutation=execution.operation_type is OperationType.MUTATION)
        audit.current.set(collector)
        try:
            async with tenant_transaction(ctx.tenant_id) as conn:
                yield
                result = execution.result
                failed = ctx.rollback or bool(getattr(result, "errors", None))
                if failed:
                    await conn.rollback()
                else:
                    await audit.flush(collector, ctx.actor.user_id if ctx.actor else None, ctx.request_id, ctx.ip)
                    committed = True
        finally:
            audit.current.set(None)
        if committed:
            for callback in ctx.after_commit:
                outcome = callback()
                if inspect.isawaitable(outcome):
                    await outcome


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
