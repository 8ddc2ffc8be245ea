"""Bulk import of employees from a SIASN-style CSV: validate every row first, then write all of
them in one transaction, or nothing."""

from __future__ import annotations

import asyncio
import datetime as dt
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import cast

from kinerja.core import audit
from kinerja.core.csvimport import ImportFailed, ProgressFactory, RowError, cell, decode_csv, progress_steps, read_rows
from kinerja.core.db import switch_tenant, tenant_transaction
from kinerja.org.models import Employee, OrgUnit, Position
from kinerja.org.rules import EmploymentType, nip_problem, supervisor_cycles
from kinerja.tenancy.models import Tenant

# Accepted header names (case-insensitive) for each column, SIASN export names first.
COLUMNS = {
    "nip": ("nip", "nip_baru"),
    "name": ("nama", "name"),
    "position": ("jabatan", "jabatan_nama", "position"),
    "unit": ("unit", "unor", "unor_nama", "unit_kerja", "kode_unit"),
    "supervisor_nip": ("nip_atasan", "atasan_nip", "supervisor_nip"),
    "employment_type": ("jenis_pegawai", "jenis_kepegawaian", "employment_type"),
    "contract_starts_on": ("tmt_perjanjian_kerja", "tmt_kontrak", "mulai_kontrak", "contract_starts_on"),
}
REQUIRED = ("nip", "name", "unit")


@dataclass
class ImportResult:
    created: int = 0
    updated: int = 0
    errors: list[RowError] = field(default_factory=list)

    def summary(self) -> str:
        return f"imported: {self.created} created, {self.updated} updated"


@dataclass
class References:
    """What rows of a file may name: the tenant's org units (by code or name), positions and employees."""

    tenant_id: uuid.UUID
    units: dict[str, OrgUnit]
    positions: dict[str, Position]
    existing: dict[str, Employee]


@dataclass
class CheckedRows:
    """A file checked against the references: the rows to write and every problem, by line."""

    columns: dict[str, int]
    parsed: list
    errors: list[RowError]
    row_count: int

    @property
    def valid_count(self) -> int:
        bad = {e.line for e in self.errors}
        return sum(1 for row in self.parsed if row[0] not in bad)


async def load_references(tenant_id: uuid.UUID) -> References:
    """Read what a file may name, in the caller's transaction (bound to the tenant)."""
    units: dict[str, OrgUnit] = {}
    for known in await OrgUnit.filter(tenant_id=tenant_id):
        units[known.code.lower()] = known
        units.setdefault(known.name.lower(), known)
    positions = {p.name.lower(): p for p in await Position.filter(tenant_id=tenant_id)}
    existing = {e.nip: e for e in await Employee.filter(tenant_id=tenant_id)}
    return References(tenant_id, units, positions, existing)


async def import_employees_file(tenant_slug: str, path: Path, *, progress: ProgressFactory | None = None) -> ImportResult:
    text = decode_csv(await asyncio.to_thread(path.read_bytes), str(path))
    return await import_employees(tenant_slug, text, str(path), progress=progress)


async def import_employees(tenant_slug: str, text: str, source: str, *, progress: ProgressFactory | None = None) -> ImportResult:
    rows, columns = read_rows(text, source, COLUMNS, REQUIRED)

    async with tenant_transaction(None) as conn:
        tenant = await Tenant.get_or_none(slug=tenant_slug)
        if tenant is None:
            raise ImportFailed(source, [RowError(0, "--tenant", f"no tenant {tenant_slug!r}")])
        await switch_tenant(conn, tenant.id)
        refs = await load_references(tenant.id)
        checked = check_rows(rows, columns, refs, progress=progress)
        if checked.errors:
            raise ImportFailed(source, checked.errors)
        return await write_rows(checked, refs, progress=progress)


def check_text(text: str, source: str, refs: References) -> CheckedRows:
    """Read and check a file's text (pure: nothing is read or written); a file that cannot be read
    at all (encoding, quoting, header) is one problem of its line."""
    try:
        rows, columns = read_rows(text, source, COLUMNS, REQUIRED)
    except ImportFailed as failed:
        return CheckedRows({}, [], failed.errors, 0)
    return check_rows(rows, columns, refs)


def check_rows(rows: list[tuple[int, list[str]]], columns: dict[str, int], refs: References, *,
               progress: ProgressFactory | None = None) -> CheckedRows:
    """Every problem of every row, by line (pure: the references were read before)."""
    units, positions, existing = refs.units, refs.positions, refs.existing
    errors: list[RowError] = []
    parsed = []
    seen: dict[str, int] = {}
    step = progress_steps(progress, "validating", len(rows) - 1)
    for line, row in rows[1:]:
        step()
        if not any(text.strip() for text in row):
            continue
        def value(key: str, row=row) -> str:
            return cell(row, columns, key)

        nip, name = value("nip"), value("name")
        if problem := nip_problem(nip):
            errors.append(RowError(line, "NIP", problem))
        elif nip in seen:
            errors.append(RowError(line, "NIP", f"duplicate of line {seen[nip]}", "CONFLICT"))
        seen.setdefault(nip, line)
        if not name or len(name) > 200:
            errors.append(RowError(line, "NAMA", "name is required (at most 200 characters)"))
        unit = units.get(value("unit").lower())
        if unit is None:
            errors.append(RowError(line, "UNIT", "no org unit has this code or name", "NOT_FOUND"))
        position = None
        if value("position"):
            position = positions.get(value("position").lower())
            if position is None:
                errors.append(RowError(line, "JABATAN", "no position has this name", "NOT_FOUND"))
        kind_raw = value("employment_type").upper() or "PNS"
        try:
            kind = EmploymentType(kind_raw)
        except ValueError:
            errors.append(RowError(line, "JENIS_PEGAWAI", "must be PNS or PPPK"))
            kind = EmploymentType.PNS
        contract_start = None
        if value("contract_starts_on"):
            try:
                contract_start = dt.date.fromisoformat(value("contract_starts_on"))
            except ValueError:
                errors.append(RowError(line, "TMT_PERJANJIAN_KERJA", "must be a date YYYY-MM-DD"))
            else:
                if kind is not EmploymentType.PPPK:
                    errors.append(RowError(line, "TMT_PERJANJIAN_KERJA", "only PPPK employees have a contract"))
        parsed.append((line, nip, name, unit, position, kind, contract_start, value("supervisor_nip")))

    for line, nip, _name, _unit, _pos, _kind, _contract, supervisor_nip in parsed:
        if supervisor_nip and supervisor_nip not in seen and supervisor_nip not in existing:
            errors.append(RowError(line, "NIP_ATASAN", "no employee has this NIP", "NOT_FOUND"))
        if supervisor_nip == nip:
            errors.append(RowError(line, "NIP_ATASAN", "an employee cannot supervise himself or herself"))
    errors += _cycle_errors(parsed, existing)
    return CheckedRows(columns, parsed, sorted(errors, key=lambda e: e.line), len(parsed))


async def write_rows(checked: CheckedRows, refs: References, *,
                     progress: ProgressFactory | None = None) -> ImportResult:
    """Write the rows of a file without problems, in the caller's transaction."""
    if checked.errors:
        raise ValueError("a file with problems is not written")
    columns, parsed, tenant_id = checked.columns, checked.parsed, refs.tenant_id
    result = ImportResult()
    step = progress_steps(progress, "importing", len(parsed))
    by_nip = dict(refs.existing)
    for _line, nip, name, named_unit, position, kind, contract_start, _sup in parsed:
        unit = cast(OrgUnit, named_unit)  # every row named a known unit (checked above)
        employee = by_nip.get(nip)
        if employee is None:
            employee = Employee(tenant_id=tenant_id, nip=nip, name=name, employment_type=kind,
                                org_unit_id=unit.id, position_id=position.id if position else None,
                                contract_starts_on=contract_start)
            await employee.save()
            result.created += 1
        else:
            employee.name, employee.employment_type, employee.org_unit_id = name, kind, unit.id
            employee.position_id = position.id if position else None
            if "contract_starts_on" in columns or kind is not EmploymentType.PPPK:
                employee.contract_starts_on = contract_start
            await employee.save(update_fields=["name", "employment_type", "org_unit_id", "position_id",
                                               "contract_starts_on", "updated_at"])
            result.updated += 1
        by_nip[nip] = employee
        step()
    for _line, nip, *_rest, supervisor_nip in parsed:
        supervisor = by_nip[supervisor_nip].id if supervisor_nip else None
        if by_nip[nip].supervisor_id != supervisor:
            await audit.update(Employee.filter(id=by_nip[nip].id, tenant_id=tenant_id), supervisor_id=supervisor)
    return result


def _cycle_errors(parsed: list, existing: dict[str, Employee]) -> list[RowError]:
    """Supervisor chains the file would close into a loop (with the employees already stored whose
    supervisor it does not change), named by the rows that take part."""
    nip_of = {e.id: e.nip for e in existing.values()}
    supervisors = {nip: nip_of.get(e.supervisor_id) if e.supervisor_id is not None else None
                   for nip, e in existing.items()}
    lines = {}
    for line, nip, *_rest, supervisor_nip in parsed:
        supervisors[nip] = supervisor_nip or None
        lines[nip] = line
    errors = []
    for cycle in supervisor_cycles(supervisors):
        if cycle == [cycle[0]]:
            continue  # an employee supervising himself or herself is reported on its own
        named = ", ".join(f"line {lines[nip]} ({nip})" if nip in lines else f"stored employee {nip}" for nip in cycle)
        for nip in cycle:
            if nip in lines:
                errors.append(RowError(lines[nip], "NIP_ATASAN", f"supervisor cycle: {named} supervise each other "
                                                                 "in a loop"))
    return sorted(errors, key=lambda e: e.line)
