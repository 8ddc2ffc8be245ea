"""GraphQL of bulk imports: startImport (a dry run), commitImport, imports and import(id)."""

from __future__ import annotations

import datetime as dt
from typing import Annotated

import strawberry
from strawberry.types import Info

from kinerja.core.errors import NotFound
from kinerja.core.ids import parse_global_id
from kinerja.graph import sql
from kinerja.graph.enums import described
from kinerja.graph.relay import (
    INPUT,
    After,
    Connection,
    First,
    UserError,
    run_mutation,
    user_errors_field,
)
from kinerja.imports import rules, service
from kinerja.imports.models import ImportBatch as BatchModel

described(rules.ImportKind, "What an import brings in.", {
    "EMPLOYEES": "Employees (pegawai), from a SIASN-style CSV; the same columns as `kinerja import-employees`.",
    "TRAINING": "Training records (riwayat kursus/diklat), from a SIASN export; as `kinerja import-training`.",
}, name="ImportKind")
described(rules.ImportStatus, "Where an import stands.", {
    "DRY_RUN": "Checked without problems; nothing written yet: `commitImport` writes every row.",
    "COMMITTED": "Every row was written, in one transaction.",
    "FAILED": "The file has problems (see `problems`): it cannot be committed.",
}, name="ImportStatus")


def _problem_text(key: str) -> sql.Dialects:
    return sql.Dialects(pg="{t}.value ->> '%s'" % key, sqlite="{t}.value ->> '$.%s'" % key)


@sql.table(source=sql.Dialects(pg="jsonb_array_elements({p}.problems) WITH ORDINALITY AS {t}(value, ord)",
                               sqlite="json_each({p}.problems) AS {t}"),
           order=(sql.Dialects(pg="{t}.ord", sqlite="{t}.id"),),
           description="A problem of one row of an imported file, as the command line reports it.")
class ImportProblem:
    line: int = sql.expression(sql.Dialects(pg="CAST({t}.value ->> 'line' AS integer)",
                                            sqlite="{t}.value ->> '$.line'"),
                               description="Line of the file (1 is the header).")
    field: str = sql.expression(_problem_text("field"),
                                description="The column at fault (`NIP`, `UNIT`, ...), or `(header)`, "
                                            "`(encoding)`, `(quoting)` for the file as a whole.")
    code: str = sql.expression(_problem_text("code"), description="BAD_USER_INPUT, NOT_FOUND (names nothing "
                                                                  "known) or CONFLICT (a duplicate).")
    message: str = sql.expression(_problem_text("message"),
                                  description="What is wrong, in English, as the command line says it.")


# An import is read by whoever manages its kind: employee:manage or training:manage.
MANAGED_KINDS = sql.per_value("kind", {kind.value: rules.PERMISSION[kind] for kind in rules.ImportKind},
                              service.NO_IMPORT_PERMISSION)


@sql.table(BatchModel, access=MANAGED_KINDS, description="A CSV uploaded for import, with its dry-run report per row.")
class ImportBatch:
    id: strawberry.ID = sql.global_id("ImportBatch", description="Global id of the import; pass it to "
                                                                 "`commitImport` or `import(id)`.")
    kind: rules.ImportKind = strawberry.field(description="What the file brings in.")
    status: rules.ImportStatus = strawberry.field(description="Dry run, committed, or failed (has problems).")
    filename: str = strawberry.field(description="The file name given when it was uploaded (may be empty).")
    row_count: int = strawberry.field(description="Data rows of the file (blank lines not counted).")
    valid_count: int = strawberry.field(description="Rows without problems.")
    created_count: int = strawberry.field(description="Rows that created an object when committed (0 before).")
    updated_count: int = strawberry.field(description="Rows that updated an existing employee when committed.")
    problems: list[ImportProblem] = sql.rows(description="Every problem, by line; empty for a clean file.")
    created_at: dt.datetime = strawberry.field(description="When the file was uploaded.")
    committed_at: dt.datetime | None = strawberry.field(description="When it was committed; null before.")


@strawberry.input(description="A CSV file to check (a dry run: nothing is written).")
class StartImportInput:
    kind: rules.ImportKind = strawberry.field(description="What the file brings in.")
    content: str = strawberry.field(description="The file's text (UTF-8; comma, semicolon or tab separated).")
    filename: str | None = strawberry.field(default=None, description="The file's name, to show in lists.")


@strawberry.input(description="A dry-run import to write.")
class CommitImportInput:
    import_id: strawberry.ID = strawberry.field(description="Global id of the import (`startImport` gave it).")


@strawberry.type(description="The outcome of starting or committing an import.")
class ImportPayload:
    import_: ImportBatch | None = strawberry.field(default=None, name="import", description="The import as it "
                                                   "is now, with its report; null on failure.")
    user_errors: list[UserError] = user_errors_field()


@strawberry.type
class ImportMutation:
    @strawberry.mutation(description="Upload a CSV of employees or training records and get its dry-run report "
                                     "per row (the same checks and messages as the command line). Nothing is "
                                     "written until `commitImport`. Needs the manage permission of the kind "
                                     "(`employee:manage` or `training:manage`).")
    async def start_import(self, info: Info, input: Annotated[StartImportInput, INPUT]) -> ImportPayload:
        async def work():
            batch = await service.start_import(info.context, rules.ImportKind(input.kind), input.content,
                                               input.filename)
            return {"import_": sql.ref("ImportBatch", batch.id)}
        return await run_mutation(info, ImportPayload, work)

    @strawberry.mutation(description="Write every row of a dry-run import in one transaction, or nothing. The "
                                     "file is checked again first; an import with problems cannot commit, and "
                                     "an import commits once (CONFLICT afterwards).")
    async def commit_import(self, info: Info, input: Annotated[CommitImportInput, INPUT]) -> ImportPayload:
        async def work():
            batch = await service.commit_import(info.context, parse_global_id(input.import_id, "ImportBatch"))
            return {"import_": sql.ref("ImportBatch", batch.id)}
        return await run_mutation(info, ImportPayload, work)


@strawberry.type
class ImportQuery:
    @sql.builder(description="Imports of the kinds you may manage, newest first.")
    def imports(self, first: First = 20, after: After = None) -> Connection[ImportBatch]:
        return sql.Page(first=first, after=after, order=("-created_at", "id"), access=True)  # type: ignore[return-value]  # a described read: the compiler answers its specification

    @sql.builder(name="import", description="One import by its global id (NOT_FOUND for an unknown id, "
                                            "another tenant's, or a kind you may not manage).")
    def import_(self, id: Annotated[strawberry.ID, strawberry.argument(description="Global id of the import.")]
                ) -> ImportBatch:
        return sql.Row(where=(sql.eq("id", parse_global_id(id, "ImportBatch")),), access=True,  # type: ignore[return-value]  # a described read: the compiler answers its specification
                       missing=lambda: NotFound(service.NOT_FOUND, field="id"))
