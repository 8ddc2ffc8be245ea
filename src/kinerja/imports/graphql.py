"""GraphQL of bulk imports: startImport (a dry run), commitImport, imports and import(id).

Read in resolver mode (docs/architecture.md, "Parts not described yet"): a batch is read by its
resolvers, not compiled."""

from __future__ import annotations

import datetime as dt
from typing import Annotated

import strawberry
from strawberry.types import Info

from kinerja.core.ids import parse_global_id, to_global_id
from kinerja.graph.enums import described
from kinerja.graph.relay import (
    INPUT,
    After,
    Connection,
    First,
    UserError,
    connection_from_page,
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


@strawberry.type(description="A problem of one row of an imported file, as the command line reports it.")
class ImportProblem:
    line: int = strawberry.field(description="Line of the file (1 is the header).")
    field: str = strawberry.field(description="The column at fault (`NIP`, `UNIT`, ...), or `(header)`, "
                                              "`(encoding)`, `(quoting)` for the file as a whole.")
    code: str = strawberry.field(description="BAD_USER_INPUT, NOT_FOUND (names nothing known) or CONFLICT "
                                             "(a duplicate).")
    message: str = strawberry.field(description="What is wrong, in English, as the command line says it.")


@strawberry.type(description="A CSV uploaded for import, with its dry-run report per row.")
class ImportBatch:
    id: strawberry.ID = strawberry.field(description="Global id of the import; pass it to `commitImport` "
                                                     "or `import(id)`.")
    kind: rules.ImportKind = strawberry.field(description="What the file brings in.")
    status: rules.ImportStatus = strawberry.field(description="Dry run, committed, or failed (has problems).")
    filename: str = strawberry.field(description="The file name given when it was uploaded (may be empty).")
    row_count: int = strawberry.field(description="Data rows of the file (blank lines not counted).")
    valid_count: int = strawberry.field(description="Rows without problems.")
    created_count: int = strawberry.field(description="Rows that created an object when committed (0 before).")
    updated_count: int = strawberry.field(description="Rows that updated an existing employee when committed.")
    problems: list[ImportProblem] = strawberry.field(description="Every problem, by line; empty for a clean file.")
    created_at: dt.datetime = strawberry.field(description="When the file was uploaded.")
    committed_at: dt.datetime | None = strawberry.field(description="When it was committed; null before.")

    @staticmethod
    def from_model(row: BatchModel) -> ImportBatch:
        return ImportBatch(
            id=strawberry.ID(to_global_id("ImportBatch", row.id)), kind=row.kind, status=row.status,
            filename=row.filename, row_count=row.row_count, valid_count=row.valid_count,
            created_count=row.created_count, updated_count=row.updated_count,
            problems=[ImportProblem(line=p["line"], field=p["field"], code=p["code"], message=p["message"])
                      for p in row.problems],
            created_at=row.created_at, committed_at=row.committed_at)


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
            return {"import_": ImportBatch.from_model(batch)}
        return await run_mutation(info, ImportPayload, work)

    @strawberry.mutation(description="Write every row of a dry-run import in one transaction, or nothing. The "
                                     "file is checked again first; an import with problems cannot commit, and "
                                     "an import commits once (CONFLICT afterwards).")
    async def commit_import(self, info: Info, input: Annotated[CommitImportInput, INPUT]) -> ImportPayload:
        async def work():
            batch = await service.commit_import(info.context, parse_global_id(input.import_id, "ImportBatch"))
            return {"import_": ImportBatch.from_model(batch)}
        return await run_mutation(info, ImportPayload, work)


@strawberry.type
class ImportQuery:
    @strawberry.field(description="Imports of the kinds you may manage, newest first.")
    async def imports(self, info: Info, first: First = 20, after: After = None) -> Connection[ImportBatch]:
        page = await service.list_imports(info.context, first, after)
        return Connection(**connection_from_page(page, ImportBatch.from_model))

    @strawberry.field(name="import", description="One import by its global id (NOT_FOUND for an unknown id, "
                                                 "another tenant's, or a kind you may not manage).")
    async def import_(self, info: Info, id: Annotated[strawberry.ID, strawberry.argument(
            description="Global id of the import.")]) -> ImportBatch:
        return ImportBatch.from_model(await service.get_import(info.context, parse_global_id(id, "ImportBatch")))
