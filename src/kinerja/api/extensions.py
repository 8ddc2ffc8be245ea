"""Schema extensions: the per-operation tenant transaction."""

from __future__ import annotations

import inspect
import logging

from strawberry.extensions import SchemaExtension
from strawberry.types.graphql import OperationType

from kinerja.core.db import tenant_transaction
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
        committed = False
        async with tenant_transaction(ctx.tenant_id) as conn:
            yield
            result = execution.result
            failed = ctx.rollback or bool(getattr(result, "errors", None))
            if failed:
                await conn.rollback()
            else:
                committed = True
        if committed:
            for callback in ctx.after_commit:
                outcome = callback()
                if inspect.isawaitable(outcome):
                    await outcome
