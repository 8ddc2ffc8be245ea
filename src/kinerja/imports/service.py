"""Bulk imports through the API: a file is checked by the same importers as the command line's and
kept as a dry run (its report per row); committing it checks it again and writes every row in one
transaction, or nothing. A batch is committed once: its row is locked, and the status decides."""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from kinerja.core import clock, once
from kinerja.core.context import RequestContext
from kinerja.core.csvimport import RowError
from kinerja.core.errors import BadUserInput, Conflict, NotFound
from kinerja.imports import rules
from kinerja.imports.models import ImportBatch
from kinerja.imports.rules import ImportKind, ImportStatus
from kinerja.org import importer as employees
from kinerja.training import importer as training

NOT_FOUND = "Import not found"
NO_IMPORT_PERMISSION = "You lack the permission to manage employee or training imports"


@dataclass(frozen=True)
class Checked:
    row_count: int
    valid_count: int
    errors: list[RowError]


async def _may(ctx: RequestContext, kind: ImportKind, *, refuse: bool = False) -> bool:
    """Whether the actor manages imports of ``kind``; with ``refuse``, FORBIDDEN (naming the permission)
    when not."""
    obj, action = rules.PERMISSION[kind]
    return bool(await (ctx.require if refuse else ctx.scopes)(obj, action))


async def _check(kind: ImportKind, tenant_id: uuid.UUID, content: str, source: str):
    """The importer's check of the file against the tenant's data as it is now."""
    if kind is ImportKind.EMPLOYEES:
        refs = await employees.load_references(tenant_id)
        return refs, employees.check_text(content, source, refs)
    training_refs = await training.load_references(tenant_id)
    return training_refs, training.check_text(content, source, training_refs)


def _problems(errors: list[RowError]) -> list[dict]:
    return [{"line": e.line, "field": e.column, "code": e.code, "message": e.message} for e in errors]


async def start_import(ctx: RequestContext, kind: ImportKind, content: str, filename: str | None) -> ImportBatch:
    await _may(ctx, kind, refuse=True)
    tenant_id = ctx.require_tenant()
    if len(content) > rules.MAX_CONTENT:
        raise BadUserInput(f"The file is too large: at most {rules.MAX_CONTENT} characters", field="content")
    if not content.strip():
        raise BadUserInput("The file is empty", field="content")
    name = (filename or "").strip()[:rules.MAX_FILENAME]
    _refs, checked = await _check(kind, tenant_id, content, name or "upload.csv")
    return await ImportBatch.create(
        tenant_id=tenant_id, kind=kind, status=ImportStatus.FAILED if checked.errors else ImportStatus.DRY_RUN,
        filename=name, row_count=checked.row_count, valid_count=checked.valid_count,
        problems=_problems(checked.errors), content=content, created_by=ctx.require_actor().user_id)


async def commit_import(ctx: RequestContext, import_id: uuid.UUID) -> ImportBatch:
    tenant_id = ctx.require_tenant()
    batch = await once.locked(ImportBatch.filter(id=import_id, tenant_id=tenant_id))
    if batch is None or not await _may(ctx, batch.kind):
        raise NotFound(NOT_FOUND, field="importId")
    if problem := rules.commit_problem(batch.status):
        if batch.status is ImportStatus.COMMITTED:
            raise Conflict(problem, field="importId")
        raise BadUserInput(problem, field="importId")
    # The tenant's data may have changed since the dry run: check again, and write only a clean file.
    refs, checked = await _check(batch.kind, tenant_id, batch.content, batch.filename or "upload.csv")
    if checked.errors:
        raise BadUserInput("The file has problems now (the data it names changed since the dry run): "
                           "start a new import", field="importId")
    if batch.kind is ImportKind.EMPLOYEES:
        result = await employees.write_rows(checked, refs)
        batch.created_count, batch.updated_count = result.created, result.updated
    else:
        batch.created_count = (await training.write_rows(checked, tenant_id)).created
    batch.status, batch.committed_at = ImportStatus.COMMITTED, clock.now()
    await batch.save(update_fields=["status", "committed_at", "created_count", "updated_count"])
    return batch
