"""Import of training records from a SIASN "kursus" export: every row is validated first, then all
are written in one transaction, or none. Imported records are VERIFIED (SIASN is HR's own data)."""

from __future__ import annotations

import asyncio
import datetime as dt
import uuid
from dataclasses import dataclass
from pathlib import Path

from kinerja.core import clock
from kinerja.core.csvimport import ImportFailed, ProgressFactory, RowError, cell, decode_csv, progress_steps, read_rows
from kinerja.core.db import switch_tenant, tenant_transaction
from kinerja.org.models import Employee
from kinerja.tenancy.models import Tenant
from kinerja.training import rules
from kinerja.training.models import TrainingRecord
from kinerja.training.rules import TrainingKind, TrainingStatus

COLUMNS = {
    "nip": ("nip", "nip_baru"),
    "title": ("nama_kursus", "kursus", "nama_diklat", "judul", "title"),
    "kind": ("jenis_kursus", "jenis", "jenis_diklat", "kind"),
    "organiser": ("institusi_penyelenggara", "penyelenggara", "organiser"),
    "starts_on": ("tanggal_mulai", "tgl_mulai", "starts_on"),
    "ends_on": ("tanggal_selesai", "tgl_selesai", "ends_on"),
    "jp": ("jumlah_jam", "jp", "jam_pelajaran"),
    "certificate_number": ("no_sertifikat", "nomor_sertifikat", "certificate_number"),
}
REQUIRED = ("nip", "title", "kind", "starts_on", "ends_on", "jp")
KIND_ALIASES = {"E-LEARNING": "E_LEARNING", "PJJ": "PEMBELAJARAN_JARAK_JAUH", "DIKLAT TEKNIS": "TEKNIS",
                "DIKLAT FUNGSIONAL": "FUNGSIONAL", "DIKLAT KEPEMIMPINAN": "KEPEMIMPINAN", "PELATIHAN TEKNIS": "TEKNIS"}


@dataclass
class TrainingImportResult:
    created: int = 0

    def summary(self) -> str:
        return f"imported: {self.created} training records"


def _date(raw: str) -> dt.date | None:
    for pattern in ("%Y-%m-%d", "%d-%m-%Y", "%d/%m/%Y"):
        try:
            return dt.datetime.strptime(raw, pattern).date()
        except ValueError:
            continue
    return None


async def import_training_file(tenant_slug: str, path: Path, *, progress: ProgressFactory | None = None) -> TrainingImportResult:
    return await import_training(tenant_slug, decode_csv(await asyncio.to_thread(path.read_bytes), str(path)), str(path), progress=progress)


@dataclass
class References:
    """What rows of a file may name: the tenant's employees by NIP."""

    tenant_id: uuid.UUID
    employees: dict[str, uuid.UUID]


@dataclass
class CheckedRows:
    """A file checked against the references: the records to write and every problem, by line."""

    records: list[dict]
    errors: list[RowError]
    row_count: int

    @property
    def valid_count(self) -> int:
        return len(self.records)


async def load_references(tenant_id: uuid.UUID) -> References:
    """Read what a file may name, in the caller's transaction (bound to the tenant)."""
    return References(tenant_id, dict(await Employee.filter(tenant_id=tenant_id).values_list("nip", "id")))


async def import_training(tenant_slug: str, text: str, source: str, *, progress: ProgressFactory | None = None) -> TrainingImportResult:
    rows, columns = read_rows(text, source, COLUMNS, REQUIRED)
    async with tenant_transaction(None) as conn:
        tenant = await Tenant.get_or_none(slug=tenant_slug)
        if tenant is None:
            raise ImportFailed(source, [RowError(0, "--tenant", f"no tenant {tenant_slug!r}")])
        await switch_tenant(conn, tenant.id)
        checked = check_rows(rows, columns, await load_references(tenant.id), progress=progress)
        if checked.errors:
            raise ImportFailed(source, checked.errors)
        return await write_rows(checked, tenant.id)


def check_text(text: str, source: str, refs: References) -> CheckedRows:
    """Read and check a file's text (pure: nothing is read or written); a file that cannot be read
    at all (encoding, quoting, header) is one problem of its line."""
    try:
        rows, columns = read_rows(text, source, COLUMNS, REQUIRED)
    except ImportFailed as failed:
        return CheckedRows([], failed.errors, 0)
    return check_rows(rows, columns, refs)


def check_rows(rows: list[tuple[int, list[str]]], columns: dict[str, int], refs: References, *,
               progress: ProgressFactory | None = None) -> CheckedRows:
    """Every problem of every row, by line (pure: the references were read before)."""
    employees = refs.employees
    errors: list[RowError] = []
    records: list[dict] = []
    count = 0
    step = progress_steps(progress, "validating", len(rows) - 1)
    for line, row in rows[1:]:
        step()
        if not any(c.strip() for c in row):
            continue
        count += 1
        nip = cell(row, columns, "nip")
        if nip not in employees:
            errors.append(RowError(line, "NIP", "no employee has this NIP", "NOT_FOUND"))
        raw_kind = cell(row, columns, "kind").upper()
        kind = KIND_ALIASES.get(raw_kind, raw_kind.replace(" ", "_").replace("-", "_"))
        if kind not in TrainingKind.__members__:
            errors.append(RowError(line, "JENIS", "unknown kind of training"))
        starts_on, ends_on = _date(cell(row, columns, "starts_on")), _date(cell(row, columns, "ends_on"))
        if starts_on is None:
            errors.append(RowError(line, "TANGGAL_MULAI", "not a date (YYYY-MM-DD or DD-MM-YYYY)"))
        if ends_on is None:
            errors.append(RowError(line, "TANGGAL_SELESAI", "not a date (YYYY-MM-DD or DD-MM-YYYY)"))
        raw_jp = cell(row, columns, "jp")
        jp = int(raw_jp) if raw_jp.isdigit() else -1
        if starts_on and ends_on:
            for problem in rules.record_problems(cell(row, columns, "title"), cell(row, columns, "organiser"),
                                                 starts_on, ends_on, jp):
                errors.append(RowError(line, (problem.field or "").upper(), problem.message))
        if (errors and errors[-1].line == line) or starts_on is None or ends_on is None:
            continue  # (a missing date is an error of this line)
        records.append(dict(
            employee_id=employees[nip], title=cell(row, columns, "title"),
            kind=TrainingKind(kind), organiser=cell(row, columns, "organiser"), starts_on=starts_on,
            ends_on=ends_on, year=ends_on.year, jp=jp,
            certificate_number=cell(row, columns, "certificate_number") or None))
    return CheckedRows(records, errors, count)


async def write_rows(checked: CheckedRows, tenant_id: uuid.UUID) -> TrainingImportResult:
    """Write the records of a file without problems (VERIFIED), in the caller's transaction."""
    if checked.errors:
        raise ValueError("a file with problems is not written")
    now = clock.now()
    records = [TrainingRecord(tenant_id=tenant_id, status=TrainingStatus.VERIFIED, verified_at=now, **record)
               for record in checked.records]
    await TrainingRecord.bulk_create(records, batch_size=500)
    return TrainingImportResult(len(records))
